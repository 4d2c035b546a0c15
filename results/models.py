"""実績: what was done each quarter, and the workflow of entering and approving it."""

from __future__ import annotations

from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from plans.models import FiscalYear, PlanItem, Section, User
from shakyo.lib.numbers import FIGURE_MAX

QUARTER_RANGE = Q(quarter__gte=1) & Q(quarter__lte=4)

# The one set of text limits of a 実績 row: the model fields, the entry screen's form and
# the Excel import (which validates each row through that form) all read these.
NOTE_MAX = 2000
REASON_MAX = 2000
CANCEL_REASON_MAX = 300
COMMENT_MAX = 2000
UNLOCK_REASON_MAX = 500


class QuarterWindow(models.Model):
    """The entry window of a quarter, opened and closed by the 事務局."""

    fiscal_year = models.ForeignKey(
        FiscalYear,
        on_delete=models.CASCADE,
        related_name="windows",
        verbose_name="年度",
        db_index=False,  # unique_window starts with this column: no index of its own
    )
    quarter = models.PositiveSmallIntegerField("四半期")
    is_open = models.BooleanField("入力受付中", default=False)
    deadline = models.DateField("提出期限", null=True, blank=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    class Meta:
        verbose_name = "入力期間"
        verbose_name_plural = "入力期間"
        ordering = ["fiscal_year", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["fiscal_year", "quarter"], name="unique_window"),
            models.CheckConstraint(condition=QUARTER_RANGE, name="window_quarter_range"),
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year.label} 第{self.quarter}四半期"


class SectionQuarter(models.Model):
    """A section's entry for one quarter: the unit that is submitted and approved.

    ``version`` grows with every save; a save that started from an older version is
    refused (optimistic locking), so nobody's input is silently overwritten.
    """

    class State(models.TextChoices):
        DRAFT = "draft", "入力中"
        SUBMITTED = "submitted", "提出済み（承認待ち）"
        RETURNED = "returned", "差戻し"
        APPROVED = "approved", "承認済み"

    fiscal_year = models.ForeignKey(
        FiscalYear,
        on_delete=models.CASCADE,
        related_name="section_quarters",
        verbose_name="年度",
        db_index=False,  # unique_section_quarter starts with this column: no index of its own
    )
    section = models.ForeignKey(
        Section, on_delete=models.CASCADE, related_name="quarters", verbose_name="係"
    )
    quarter = models.PositiveSmallIntegerField("四半期")
    state = models.CharField("状態", max_length=20, choices=State, default=State.DRAFT)
    version = models.PositiveIntegerField("版", default=0)
    submitted_at = models.DateTimeField("提出日時", null=True, blank=True)
    submitted_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="提出者",
    )
    decided_at = models.DateTimeField("承認・差戻し日時", null=True, blank=True)
    decided_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="承認者",
    )
    comment = models.TextField(
        "課長のコメント",
        blank=True,
        max_length=COMMENT_MAX,  # also holds 「承認解除: 」 + an unlock reason (≤ 500)
        validators=[MaxLengthValidator(COMMENT_MAX)],
    )
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    class Meta:
        verbose_name = "係の四半期入力"
        verbose_name_plural = "係の四半期入力"
        ordering = ["fiscal_year", "quarter", "section__department__order", "section__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "section", "quarter"], name="unique_section_quarter"
            ),
            models.CheckConstraint(condition=QUARTER_RANGE, name="section_quarter_range"),
        ]

    def __str__(self) -> str:
        return f"{self.section} 第{self.quarter}四半期（{self.get_state_display()}）"

    @property
    def is_locked(self) -> bool:
        """Submitted entries wait for the 課長; approved ones are locked."""
        return self.state in (self.State.SUBMITTED, self.State.APPROVED)


class Result(models.Model):
    """実績 of one plan row in one quarter (per quarter, never cumulative).

    ``value`` is the main quantity; ``extra_values`` the secondary ones in the order of
    the row's TargetQuantity positions 1, 2, … (strings of decimals, or null). Figures are
    0 to 999,999,999 with the decimals their unit allows (``shakyo.lib.numbers``).

    ``cancel_scope`` says what 中止 means (``cancelled`` is True exactly when it is set):
    the quarter's occurrence only (the year goes on and the row is judged on its figures)
    or the business for the rest of the year (the row is 中止 from this quarter on).
    """

    class CancelScope(models.TextChoices):
        QUARTER = "quarter", "今期の回を中止"
        YEAR = "year", "事業を年度中止"

    item = models.ForeignKey(
        PlanItem,
        on_delete=models.CASCADE,
        related_name="results",
        verbose_name="計画の行",
        db_index=False,  # unique_result starts with this column: no index of its own
    )
    quarter = models.PositiveSmallIntegerField("四半期")
    value = models.DecimalField(
        "実績",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(FIGURE_MAX)],
    )
    extra_values = models.JSONField("実績（副次）", default=list, blank=True)
    done = models.BooleanField("実施", null=True, blank=True)
    cancelled = models.BooleanField("中止", default=False)
    # db_default: rows written by raw SQL (bench/) get "" like the ORM's default.
    cancel_scope = models.CharField(
        "中止の範囲", max_length=10, choices=CancelScope, blank=True, default="", db_default=""
    )
    cancel_reason = models.CharField("中止の理由", max_length=CANCEL_REASON_MAX, blank=True)
    note = models.TextField(
        "実施内容", blank=True, max_length=NOTE_MAX, validators=[MaxLengthValidator(NOTE_MAX)]
    )
    reason = models.TextField(
        "理由・今後の対応",
        blank=True,
        max_length=REASON_MAX,
        validators=[MaxLengthValidator(REASON_MAX)],
    )
    updated_at = models.DateTimeField("更新日時", auto_now=True)
    updated_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="更新者",
    )

    class Meta:
        verbose_name = "実績"
        verbose_name_plural = "実績"
        ordering = ["item", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["item", "quarter"], name="unique_result"),
            models.CheckConstraint(condition=QUARTER_RANGE, name="result_quarter_range"),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0), name="result_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__lte=FIGURE_MAX),
                name="result_value_at_most_figure_max",
            ),
            models.CheckConstraint(
                condition=Q(cancelled=False, cancel_scope="")
                | Q(cancelled=True, cancel_scope__in=["quarter", "year"]),
                name="result_cancel_scope_matches",
            ),
            models.CheckConstraint(
                condition=Q(cancelled=False) | ~Q(cancel_reason=""),
                name="result_cancel_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} 第{self.quarter}四半期"

    @property
    def is_entered(self) -> bool:
        return self.cancelled or self.done is not None or self.value is not None

    @property
    def cancels_year(self) -> bool:
        """事業を年度中止: the row is 中止 from this quarter to the end of the year."""
        return self.cancelled and self.cancel_scope == Result.CancelScope.YEAR

    @property
    def cancels_quarter(self) -> bool:
        """今期の回を中止: nothing was held this quarter; the year goes on."""
        return self.cancelled and self.cancel_scope == Result.CancelScope.QUARTER


class Approval(models.Model):
    """A 課長's approval of a section's quarter, with what was approved row by row
    (``ApprovedRow``). 承認解除 withdraws it (with the reason); re-approval records a new
    one. At most one approval of a section-quarter is current."""

    section_quarter = models.ForeignKey(
        SectionQuarter,
        on_delete=models.CASCADE,
        related_name="approvals",
        verbose_name="係の四半期入力",
        db_index=False,  # one_current_approval starts with this column: no index of its own
    )
    version = models.PositiveIntegerField("承認した版")
    approved_at = models.DateTimeField("承認日時")
    approved_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="承認者",
    )
    withdrawn_at = models.DateTimeField("承認解除日時", null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="承認解除者",
    )
    withdrawn_reason = models.TextField("承認解除の理由", blank=True)

    class Meta:
        verbose_name = "承認の記録"
        verbose_name_plural = "承認の記録"
        ordering = ["section_quarter", "approved_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["section_quarter"],
                condition=Q(withdrawn_at__isnull=True),
                name="one_current_approval",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | ~Q(withdrawn_reason=""),
                name="approval_withdrawn_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.section_quarter} の承認（{self.approved_at:%Y-%m-%d %H:%M}）"


class ApprovedRow(models.Model):
    """What a 課長 approved for one row in one quarter: the target in force then (its text
    and its structure), the quarter's own figures, the cumulative figures, the status and
    the reason. Official readers (results.basis) read approved quarters from here.

    ``current`` is False once the approval is withdrawn (承認解除), so that readers find
    the approved figures of a quarter without joining ``Approval``.
    """

    approval = models.ForeignKey(
        Approval,
        on_delete=models.CASCADE,
        related_name="rows",
        verbose_name="承認",
        db_index=False,  # unique_approved_row starts with this column: no index of its own
    )
    item = models.ForeignKey(
        PlanItem,
        on_delete=models.CASCADE,
        related_name="approved_rows",
        verbose_name="計画の行",
        db_index=False,  # approved_row_by_item below (the partial unique index covers only
        # current rows)
    )
    quarter = models.PositiveSmallIntegerField("四半期")
    current = models.BooleanField("有効", default=True)
    target_text = models.TextField("承認時の目標値", blank=True)
    target = models.JSONField("承認時の目標値（解析結果）", default=dict, blank=True)
    aggregation = models.CharField("集計方法", max_length=10, blank=True)
    # The quarter's own 実績, as approved (the same columns as Result).
    value = models.DecimalField("実績", max_digits=14, decimal_places=2, null=True, blank=True)
    extra_values = models.JSONField("実績（副次）", default=list, blank=True)
    done = models.BooleanField("実施", null=True, blank=True)
    cancelled = models.BooleanField("中止", default=False)
    cancel_scope = models.CharField(
        "中止の範囲",
        max_length=10,
        choices=Result.CancelScope,
        blank=True,
        default="",
        db_default="",
    )
    cancel_reason = models.CharField("中止の理由", max_length=300, blank=True)
    note = models.TextField("実施内容", blank=True)
    reason = models.TextField("理由・今後の対応", blank=True)
    # The row at the end of the quarter, as judged when approved.
    actual = models.DecimalField("累計実績", max_digits=16, decimal_places=2, null=True, blank=True)
    extra_actuals = models.JSONField("累計実績（副次）", default=list, blank=True)
    bar = models.DecimalField(
        "目標（数量）", max_digits=16, decimal_places=2, null=True, blank=True
    )
    expected = models.DecimalField("期待値", max_digits=20, decimal_places=6, default=0)
    rate = models.DecimalField("達成率", max_digits=20, decimal_places=1, null=True, blank=True)
    status = models.CharField("状況", max_length=10)
    state_reason = models.CharField("中止の理由（累計）", max_length=300, blank=True)

    class Meta:
        verbose_name = "承認した実績"
        verbose_name_plural = "承認した実績"
        ordering = ["approval", "item"]
        indexes = [models.Index(fields=["item", "quarter"], name="approved_row_by_item")]
        constraints = [
            models.UniqueConstraint(fields=["approval", "item"], name="unique_approved_row"),
            models.UniqueConstraint(
                fields=["item", "quarter"],
                condition=Q(current=True),
                name="one_current_approved_row",
            ),
            models.CheckConstraint(condition=QUARTER_RANGE, name="approved_row_quarter_range"),
        ]

    def __str__(self) -> str:
        return f"{self.item} 第{self.quarter}四半期（承認時: {self.status}）"

    @property
    def is_entered(self) -> bool:
        return self.cancelled or self.done is not None or self.value is not None

    # The same rules as Result's (item_progress reads approved rows like 実績).
    cancels_year = Result.cancels_year
    cancels_quarter = Result.cancels_quarter

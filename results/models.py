"""実績: what was done each quarter, and the workflow of entering and approving it."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from plans.models import FiscalYear, PlanItem, Section, User

QUARTER_RANGE = Q(quarter__gte=1) & Q(quarter__lte=4)


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
    comment = models.TextField("課長のコメント", blank=True)
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
    the row's TargetQuantity positions 1, 2, … (strings of decimals, or null).
    """

    item = models.ForeignKey(
        PlanItem,
        on_delete=models.CASCADE,
        related_name="results",
        verbose_name="計画の行",
        db_index=False,  # unique_result starts with this column: no index of its own
    )
    quarter = models.PositiveSmallIntegerField("四半期")
    value = models.DecimalField("実績", max_digits=14, decimal_places=2, null=True, blank=True)
    extra_values = models.JSONField("実績（副次）", default=list, blank=True)
    done = models.BooleanField("実施", null=True, blank=True)
    cancelled = models.BooleanField("中止", default=False)
    cancel_reason = models.CharField("中止の理由", max_length=300, blank=True)
    note = models.TextField("実施内容", blank=True)
    reason = models.TextField("理由・今後の対応", blank=True)
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
                condition=Q(cancelled=False) | ~Q(cancel_reason=""),
                name="result_cancel_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} 第{self.quarter}四半期"

    @property
    def is_entered(self) -> bool:
        return self.cancelled or self.done is not None or self.value is not None

"""The organisation, its years, departments, sections, people and their annual plans."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from functools import lru_cache

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse

from shakyo.lib.fiscal import fiscal_year_label
from shakyo.lib.text import text_problem
from targets.aggregation import Aggregation
from targets.display import describe_target
from targets.parser import target_from_dict
from targets.types import Kind, ParsedTarget


class Organization(models.Model):
    """A tenant: a 社協, or a city (市) that commissions work and keeps a 協働事業 inventory."""

    class Kind(models.TextChoices):
        COUNCIL = "council", "社会福祉協議会"
        CITY = "city", "市区町村"

    name = models.CharField("名称", max_length=200, unique=True)
    short_name = models.CharField("略称", max_length=50, blank=True)
    kind = models.CharField("種別", max_length=20, choices=Kind, default=Kind.COUNCIL)
    tolerance = models.DecimalField(
        "順調とみなす許容幅",
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.10"),
        help_text="期待値からこの割合まで下回っても「順調」とします（0.10 = 10%）。",
    )

    class Meta:
        verbose_name = "法人"
        verbose_name_plural = "法人"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(tolerance__gte=0) & Q(tolerance__lt=1), name="org_tolerance_range"
            )
        ]

    def __str__(self) -> str:
        return self.short_name or self.name

    def commissioner_named(self, name: str) -> Organization:
        """The commissioning body (委託元) of this council called ``name``.

        Only bodies an operator related to this council (:class:`Commission`) can be named;
        an unknown name raises ValidationError listing the known ones. Nothing is created.
        """
        found = (
            Organization.objects.filter(commissions_given__council=self, name=name)
            .distinct()
            .first()
        )
        if found is None:
            raise ValidationError(unknown_name_message("委託元", name, self.commissioner_names()))
        return found

    def commissioner_names(self) -> list[str]:
        return list(
            Organization.objects.filter(commissions_given__council=self)
            .order_by("name")
            .values_list("name", flat=True)
        )


def unknown_name_message(
    what: str, name: str, known: list[str], *, scope: str = "この法人に"
) -> str:
    """「委託元「○○」はこの法人に登録されていません。登録されている委託元: …」."""
    listed = "、".join(known) if known else "なし"
    return (
        f"{what}「{name}」は{scope}登録されていません。登録されている{what}: {listed}。"
        f"ほかの{what}はシステム管理者が登録します。"
    )


class Commission(models.Model):
    """委託関係: ``commissioner`` commissions work (受託事業) from ``council``.

    Created only by an operator (the admin or ``manage.py organization``). A council's
    business may name only its own commissioners, and a city's 所管課 reads a council's
    business only through such a relation.
    """

    council = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="commissions_received",
        verbose_name="受託する社協",
        db_index=False,  # unique_commission starts with this column: no index of its own
    )
    commissioner = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="commissions_given",
        verbose_name="委託元",
    )

    class Meta:
        verbose_name = "委託関係"
        verbose_name_plural = "委託関係"
        ordering = ["council", "commissioner"]
        constraints = [
            models.UniqueConstraint(fields=["council", "commissioner"], name="unique_commission"),
            models.CheckConstraint(
                condition=~Q(council=models.F("commissioner")), name="commission_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.commissioner.name} → {self.council.name}"

    def clean(self) -> None:
        if self.council_id and self.council.kind != Organization.Kind.COUNCIL:
            raise ValidationError({"council": "受託するのは社会福祉協議会です。"})
        if self.council_id and self.council_id == self.commissioner_id:
            raise ValidationError({"commissioner": "自分自身には委託できません。"})


class CollaborationGrant(models.Model):
    """The council may read ``city``'s 協働事業一覧 and ふりかえり (never change them).

    Created only by an operator, like :class:`Commission`.
    """

    council = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="collaboration_grants",
        verbose_name="閲覧する社協",
        db_index=False,  # unique_collaboration_grant starts with this column
    )
    city = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="collaboration_readers",
        verbose_name="協働事業の市",
    )

    class Meta:
        verbose_name = "協働事業の閲覧"
        verbose_name_plural = "協働事業の閲覧"
        ordering = ["council", "city"]
        constraints = [
            models.UniqueConstraint(fields=["council", "city"], name="unique_collaboration_grant")
        ]

    def __str__(self) -> str:
        return f"{self.council.name} が {self.city.name} の協働事業を閲覧"

    def clean(self) -> None:
        if self.council_id and self.council.kind != Organization.Kind.COUNCIL:
            raise ValidationError({"council": "閲覧するのは社会福祉協議会です。"})
        if self.city_id and self.city.kind != Organization.Kind.CITY:
            raise ValidationError({"city": "協働事業一覧を持つのは市区町村です。"})


class FiscalYear(models.Model):
    """年度: April to March. ``year`` is the Western start year (2020 = 令和2年度)."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="fiscal_years",
        verbose_name="法人",
        db_index=False,  # unique_fiscal_year starts with this column: no index of its own
    )
    year = models.PositiveSmallIntegerField("年度（西暦）")
    # 確定: once the 事務局 fixes the year's plan, a 目標値 changes only through a 補正.
    plan_fixed_at = models.DateTimeField("計画の確定日時", null=True, blank=True)
    plan_fixed_by = models.ForeignKey(
        "User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="計画を確定した人",
    )

    class Meta:
        verbose_name = "年度"
        verbose_name_plural = "年度"
        ordering = ["organization", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="unique_fiscal_year"),
            models.CheckConstraint(
                condition=Q(year__gte=1989) & Q(year__lte=2200), name="fiscal_year_range"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return fiscal_year_label(self.year)

    @property
    def is_plan_fixed(self) -> bool:
        return self.plan_fixed_at is not None


class Department(models.Model):
    """課."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="departments",
        verbose_name="法人",
        db_index=False,  # unique_department starts with this column: no index of its own
    )
    name = models.CharField("課名", max_length=100)
    order = models.PositiveSmallIntegerField("表示順", default=0)

    class Meta:
        verbose_name = "課"
        verbose_name_plural = "課"
        ordering = ["organization", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="unique_department")
        ]

    def __str__(self) -> str:
        return self.name


class Section(models.Model):
    """係: writes the plan and enters the 実績."""

    department = models.ForeignKey(
        Department,
        on_delete=models.CASCADE,
        related_name="sections",
        verbose_name="課",
        db_index=False,  # unique_section starts with this column: no index of its own
    )
    name = models.CharField("係名", max_length=100)
    order = models.PositiveSmallIntegerField("表示順", default=0)

    class Meta:
        verbose_name = "係"
        verbose_name_plural = "係"
        ordering = ["department__order", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["department", "name"], name="unique_section")
        ]

    def __str__(self) -> str:
        return f"{self.department.name} {self.name}"


class User(AbstractUser):
    """A person and the role that decides what they see and may change."""

    class Role(models.TextChoices):
        SECRETARIAT = "secretariat", "事務局"
        DEPARTMENT_HEAD = "department_head", "課長"
        SECTION_STAFF = "section_staff", "係長・担当"
        BOARD = "board", "理事・評議員"
        CITY = "city", "市の所管課"
        COLLAB_STAFF = "collab_staff", "市の協働担当"

    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name="所属法人",
    )
    role = models.CharField("役割", max_length=20, choices=Role, blank=True)
    department = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="users",
        verbose_name="課",
        help_text="課長の担当課。",
    )
    section = models.ForeignKey(
        Section,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="users",
        verbose_name="係",
        help_text="係長・担当の所属係。",
    )
    city_department = models.CharField(
        "市の担当課",
        max_length=100,
        blank=True,
        help_text="市の所管課の場合、担当する課名（空欄なら市が委託した事業すべて）。",
    )

    class Meta:
        verbose_name = "利用者"
        verbose_name_plural = "利用者"

    @property
    def display_name(self) -> str:
        full = f"{self.last_name} {self.first_name}".strip()
        return full or self.username

    @property
    def home_department_id(self) -> int | None:
        """The 課 whose plans this user may read: their own, or their section's."""
        if self.department_id:
            return self.department_id
        return self.section.department_id if self.section_id else None


class Business(models.Model):
    """事業: a business line of a section for one year, possibly commissioned (受託事業)."""

    fiscal_year = models.ForeignKey(
        FiscalYear,
        on_delete=models.CASCADE,
        related_name="businesses",
        verbose_name="年度",
        db_index=False,  # unique_business starts with this column: no index of its own
    )
    section = models.ForeignKey(
        Section, on_delete=models.PROTECT, related_name="businesses", verbose_name="係"
    )
    name = models.CharField("事業名", max_length=200)
    order = models.PositiveSmallIntegerField("表示順", default=0)
    commissioned_by = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="commissioned_businesses",
        verbose_name="委託元",
    )
    city_department = models.CharField("委託元の所管課", max_length=100, blank=True)
    policies = models.JSONField("係の方針", default=list, blank=True)
    policies_shared = models.BooleanField(
        "係の方針を他の事業と共有", default=False, help_text="同じ係の事業で方針が共通の場合。"
    )

    class Meta:
        verbose_name = "事業"
        verbose_name_plural = "事業"
        ordering = ["fiscal_year", "section__department__order", "section__order", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "section", "name"], name="unique_business"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # A council names only the commissioners an operator related to it (never by name).
        if self.commissioned_by_id and self.fiscal_year_id:
            council = self.fiscal_year.organization
            if not Commission.objects.filter(
                council=council, commissioner_id=self.commissioned_by_id
            ).exists():
                raise ValidationError(
                    {
                        "commissioned_by": unknown_name_message(
                            "委託元", self.commissioned_by.name, council.commissioner_names()
                        )
                    }
                )

    @property
    def commissioned_label(self) -> str:
        """「（西東京市からの受託事業）」 as written in the plan, or ""."""
        if not self.commissioned_by_id:
            return ""
        return f"（{self.commissioned_by.name}からの受託事業）"


class Initiative(models.Model):
    """取り組み: 「１．組織運営の取り組み」 with its 方針."""

    business = models.ForeignKey(
        Business, on_delete=models.CASCADE, related_name="initiatives", verbose_name="事業"
    )
    number = models.PositiveSmallIntegerField("番号")
    title = models.CharField("取り組み", max_length=200)
    policy = models.TextField("方針", blank=True)
    order = models.PositiveSmallIntegerField("表示順", default=0)

    class Meta:
        verbose_name = "取り組み"
        verbose_name_plural = "取り組み"
        ordering = ["business", "order", "number"]

    def __str__(self) -> str:
        return f"{self.number}．{self.title}"


class PlanItem(models.Model):
    """One row of the plan table: 項目 / 内容 / 目標値.

    ``target_text`` keeps the 目標値 verbatim; ``target`` holds the parsed structure
    (``targets.parser.target_to_dict``) and the ``target_*`` columns and
    :class:`TargetQuantity` rows repeat its main parts so that SQL can filter and sum.
    """

    class TargetKind(models.TextChoices):
        # Mirrors targets.types.Kind, which the parser returns.
        QUANTITY = Kind.QUANTITY.value, "数値"
        QUALITATIVE = Kind.QUALITATIVE.value, "実施・未実施"
        NONE = Kind.NONE.value, "目標なし"

    class Aggregation(models.TextChoices):
        # Mirrors targets.aggregation.Aggregation, which proposes one from the wording.
        FLOW = Aggregation.FLOW.value, "合計（四半期を足す）"
        LEVEL = Aggregation.LEVEL.value, "最新値（直近の数を使う）"
        MAX = Aggregation.MAX.value, "最大値（一番多い四半期）"

    class Confidence(models.TextChoices):
        HIGH = "high", "高"
        MEDIUM = "medium", "中"
        LOW = "low", "低"

    key = models.UUIDField("行キー", default=uuid.uuid4, unique=True, editable=False)
    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="items", verbose_name="取り組み"
    )
    order = models.PositiveSmallIntegerField("表示順", default=0)
    group = models.CharField("項目", max_length=200, blank=True)
    name = models.CharField("内容（小項目）", max_length=300, blank=True)
    detail = models.TextField("内容", blank=True, max_length=2000)
    target_text = models.CharField("目標値", max_length=300, blank=True)
    target = models.JSONField("目標値（解析結果）", default=dict, blank=True)
    target_kind = models.CharField(
        "目標の種類", max_length=20, choices=TargetKind, default=TargetKind.NONE
    )
    needs_review = models.BooleanField("要確認", default=False, db_index=True)
    target_value = models.DecimalField(
        "目標（主数値）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    target_unit = models.CharField("単位", max_length=20, blank=True)
    target_edited = models.BooleanField(
        "構造を手で修正", default=False, help_text="解析結果を手で直した行。"
    )
    source_confidence = models.CharField(
        "転記の確からしさ", max_length=10, choices=Confidence, blank=True
    )
    source_note = models.TextField("転記メモ", blank=True)
    aggregation = models.CharField(
        "集計方法",
        max_length=10,
        choices=Aggregation,
        default=Aggregation.FLOW,
        help_text="四半期の実績をどう年間の数にするか。回数や件数は合計、登録者数や設置数は最新値。",
    )
    # The target above applies from this quarter on (None: as planned, the whole year);
    # earlier quarters keep the targets in ``earlier_targets``, each
    # {"from": quarter, "text": 目標値, "target": parsed dict}, oldest first. Written only
    # by plans.services.target_revision_approve.
    target_from_quarter = models.PositiveSmallIntegerField(
        "目標の適用開始（四半期）", null=True, blank=True
    )
    earlier_targets = models.JSONField("補正前の目標", default=list, blank=True)

    class Meta:
        verbose_name = "計画の行"
        verbose_name_plural = "計画の行"
        ordering = ["initiative", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_from_quarter__isnull=True)
                | (Q(target_from_quarter__gte=1) & Q(target_from_quarter__lte=4)),
                name="plan_item_target_from_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.group} {self.name}".strip()

    def get_absolute_url(self) -> str:
        return reverse("plans:item_edit", args=[self.pk])

    @property
    def parsed(self) -> ParsedTarget:
        return target_from_dict(self.target) if self.target else _EMPTY_TARGET

    def target_at(self, quarter: int) -> ParsedTarget:
        """The target in force at ``quarter``: the one the quarter is judged against.

        A 補正 applies from its quarter on; the quarters before it keep the target they
        had (and were approved against).
        """
        segment = self.earlier_target_at(quarter)
        return target_from_dict(segment["target"]) if segment else self.parsed

    def target_text_at(self, quarter: int) -> str:
        segment = self.earlier_target_at(quarter)
        return segment["text"] if segment else self.target_text

    def earlier_target_at(self, quarter: int) -> dict | None:
        """The superseded target in force at ``quarter`` (None: the current one is)."""
        return earlier_target_at(self.earlier_targets, self.target_from_quarter, quarter)

    @property
    def is_revised(self) -> bool:
        return self.target_from_quarter is not None

    @property
    def revision_label(self) -> str:
        """「目標変更あり（第3四半期から）」 for a row whose target was revised, else ""."""
        if self.target_from_quarter is None:
            return ""
        return f"目標変更あり（第{self.target_from_quarter}四半期から）"

    @property
    def original_target_text(self) -> str:
        """The 目標値 as it stood before the first 補正 that is still in force."""
        return self.earlier_targets[0]["text"] if self.earlier_targets else self.target_text

    @property
    def revision_note(self) -> str:
        """「当初 10回、第3四半期から 12回に補正」 for a revised row, else ""."""
        if self.target_from_quarter is None:
            return ""
        change = f"第{self.target_from_quarter}四半期から {self.target_text or '目標なし'}に補正"
        if not self.earlier_targets:
            return change
        return f"当初 {self.original_target_text or '目標なし'}、{change}"


_EMPTY_TARGET = ParsedTarget(text="", kind=Kind.NONE)

# The texts of a plan row, with the limits of their model fields.
PLAN_ITEM_TEXTS = ("group", "name", "detail", "target_text")


def plan_item_text_problems(texts: dict[str, str]) -> dict[str, str]:
    """The messages for the texts of a row that are too long, by field: the row screen
    and the plan import refuse the same texts with the same words."""
    problems = {}
    for name in PLAN_ITEM_TEXTS:
        field = PlanItem._meta.get_field(name)
        message = text_problem(str(field.verbose_name), texts.get(name) or "", field.max_length)
        if message:
            problems[name] = message
    return problems


def earlier_target_at(
    earlier_targets: list[dict], target_from_quarter: int | None, quarter: int
) -> dict | None:
    """The segment of ``earlier_targets`` in force at ``quarter``, or None for the current."""
    if target_from_quarter is None or quarter >= target_from_quarter:
        return None
    in_force = None
    for segment in earlier_targets:
        if segment["from"] <= quarter:
            in_force = segment
    return in_force


def target_in_force(
    target: str | None, earlier_targets: str | None, target_from_quarter: int | None, quarter: int
) -> ParsedTarget:
    """``PlanItem.target_at`` from stored JSON texts, for screens that read rows as tuples.

    Rows never revised (``target_from_quarter`` None) cost one cached decode.
    """
    if target_from_quarter is None or quarter >= target_from_quarter:
        return parsed_target(target)
    segment = earlier_target_at(json.loads(earlier_targets or "[]"), target_from_quarter, quarter)
    return parsed_target(json.dumps(segment["target"])) if segment else parsed_target(target)


@lru_cache(maxsize=16384)
def parsed_target(text: str | None) -> ParsedTarget:
    """``PlanItem.parsed`` from the stored JSON as text (``Cast("target", TextField())``).

    Screens that read thousands of rows (the dashboard) decode each distinct target once
    per process: a ParsedTarget is immutable and depends on nothing but this text.
    """
    target = json.loads(text) if text else None
    return target_from_dict(target) if target else _EMPTY_TARGET


@lru_cache(maxsize=16384)
def target_phrases(text: str | None) -> tuple[str, ...]:
    """What the system understood of a stored target (its JSON as text), as phrases."""
    return tuple(describe_target(parsed_target(text)))


class TargetQuantity(models.Model):
    """A trackable figure of a row's target (position 0 is the main one)."""

    item = models.ForeignKey(
        PlanItem,
        on_delete=models.CASCADE,
        related_name="quantities",
        verbose_name="計画の行",
        db_index=False,  # unique_quantity_position starts with this column: no index of its own
    )
    position = models.PositiveSmallIntegerField("順番")
    value = models.DecimalField("目標", max_digits=14, decimal_places=2)
    max_value = models.DecimalField("上限", max_digits=14, decimal_places=2, null=True, blank=True)
    unit = models.CharField("単位", max_length=20)
    label = models.CharField("何の数", max_length=100, blank=True)

    class Meta:
        verbose_name = "目標の数値"
        verbose_name_plural = "目標の数値"
        ordering = ["item", "position"]
        constraints = [
            models.UniqueConstraint(fields=["item", "position"], name="unique_quantity_position"),
            models.CheckConstraint(condition=Q(value__gte=0), name="quantity_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.label}{self.value.normalize():f}{self.unit}"


class TargetRevision(models.Model):
    """補正: a change of a row's 目標値 after the plan was 確定, from a quarter on.

    Requested from the row's screen, a plan workbook import or the Django admin; the
    事務局 approves it (the row's target changes from ``from_quarter`` on, the quarters
    before keep theirs) or refuses it (nothing changes).
    """

    class State(models.TextChoices):
        REQUESTED = "requested", "承認待ち"
        APPROVED = "approved", "承認済み"
        REFUSED = "refused", "却下"

    class Source(models.TextChoices):
        SCREEN = "screen", "計画の画面"
        IMPORT = "import", "事業計画の取り込み"
        ADMIN = "admin", "システム管理画面"

    item = models.ForeignKey(
        PlanItem,
        on_delete=models.CASCADE,
        related_name="revisions",
        verbose_name="計画の行",
        db_index=False,  # revision_item_history starts with this column: no index of its own
    )
    state = models.CharField("状態", max_length=20, choices=State, default=State.REQUESTED)
    source = models.CharField("申請元", max_length=20, choices=Source, default=Source.SCREEN)
    from_quarter = models.PositiveSmallIntegerField("適用開始（四半期）")
    old_text = models.CharField("補正前の目標値", max_length=300, blank=True)
    old_target = models.JSONField("補正前の目標（解析結果）", default=dict, blank=True)
    new_text = models.CharField("補正後の目標値", max_length=300, blank=True)
    new_target = models.JSONField("補正後の目標（解析結果）", default=dict, blank=True)
    hand_made = models.BooleanField("解析結果を手で修正", default=False)
    reason = models.TextField("補正の理由")
    requested_at = models.DateTimeField("申請日時", auto_now_add=True)
    requested_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="申請者",
    )
    decided_at = models.DateTimeField("承認・却下日時", null=True, blank=True)
    decided_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="承認・却下した人",
    )
    decision_note = models.TextField("事務局のコメント", blank=True)

    class Meta:
        verbose_name = "目標の補正"
        verbose_name_plural = "目標の補正"
        ordering = ["item", "requested_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(from_quarter__gte=1) & Q(from_quarter__lte=4),
                name="revision_from_quarter_range",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="revision_has_reason"),
            # One open request per row: a second one would race the first.
            models.UniqueConstraint(
                fields=["item", "state"],
                condition=Q(state="requested"),
                name="one_open_revision_per_item",
            ),
        ]
        indexes = [models.Index(fields=["item", "requested_at"], name="revision_item_history")]

    def __str__(self) -> str:
        return f"{self.item} {self.old_text} → {self.new_text}（第{self.from_quarter}四半期から）"

    @property
    def from_label(self) -> str:
        return f"第{self.from_quarter}四半期から"


class PlanImport(models.Model):
    """A plan workbook read into a year that already has a plan, waiting for the 事務局.

    ``businesses`` holds what the file says (plans.services.plan_changes reads it);
    nothing of it is written until the 事務局 confirms it (plan_import_apply).
    """

    class State(models.TextChoices):
        PENDING = "pending", "確認待ち"
        APPLIED = "applied", "反映済み"
        CANCELLED = "cancelled", "取り消し"

    fiscal_year = models.ForeignKey(
        FiscalYear, on_delete=models.CASCADE, related_name="plan_imports", verbose_name="年度"
    )
    state = models.CharField("状態", max_length=20, choices=State, default=State.PENDING)
    file_name = models.CharField("ファイル名", max_length=255, blank=True)
    businesses = models.JSONField("ブックの内容", default=list)
    created_at = models.DateTimeField("取り込み日時", auto_now_add=True)
    created_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="取り込んだ人",
    )
    decided_at = models.DateTimeField("反映・取り消し日時", null=True, blank=True)
    decided_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="反映・取り消しした人",
    )

    class Meta:
        verbose_name = "事業計画の取り込み（確認待ち）"
        verbose_name_plural = "事業計画の取り込み（確認待ち）"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.fiscal_year} {self.get_state_display()} {self.file_name}"


class AuditEvent(models.Model):
    """An append-only record of a change: who, when, what, old → new.

    Written only by services (``plans.audit.audit_record``); nobody edits it, and the
    admin shows it read-only.
    """

    class Action(models.TextChoices):
        PLAN_ITEM_CHANGED = "plan_item_changed", "計画の行の変更"
        RESULT_CHANGED = "result_changed", "実績の変更"
        SUBMITTED = "submitted", "提出"
        WITHDRAWN = "withdrawn", "提出の取り消し"
        APPROVED = "approved", "承認"
        RETURNED = "returned", "差戻し"
        UNLOCKED = "unlocked", "承認の解除"
        WINDOW_CHANGED = "window_changed", "入力期間の変更"
        SETTINGS_CHANGED = "settings_changed", "設定の変更"
        IMPORTED = "imported", "取り込み"
        EXPORTED = "exported", "出力"
        PLAN_FIXED = "plan_fixed", "計画の確定"
        REVISION_REQUESTED = "revision_requested", "目標の補正の申請"
        REVISION_APPROVED = "revision_approved", "目標の補正の承認"
        REVISION_REFUSED = "revision_refused", "目標の補正の却下"
        RELATION_CHANGED = "relation_changed", "委託関係・協働事業の閲覧の変更"
        LOGIN_UNLOCKED = "login_unlocked", "ログインの停止の解除"
        SUMMARY_EDITED = "summary_edited", "総括の編集"
        USER_ADDED = "user_added", "利用者の追加"
        USER_CHANGED = "user_changed", "利用者の変更"
        USER_DEACTIVATED = "user_deactivated", "利用者の利用停止"
        USER_REACTIVATED = "user_reactivated", "利用者の利用再開"
        PASSWORD_RESET_SENT = "password_reset_sent", "パスワード再設定のメール"

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="audit_events",
        verbose_name="法人",
        db_index=False,  # audit_org_at starts with this column: no index of its own
    )
    at = models.DateTimeField("日時", auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="利用者"
    )
    action = models.CharField("操作", max_length=30, choices=Action)
    plan_item = models.ForeignKey(
        PlanItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_events",
        verbose_name="計画の行",
    )
    section = models.ForeignKey(
        Section, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="係"
    )
    summary = models.CharField("内容", max_length=300, blank=True)
    changes = models.JSONField("変更（旧 → 新）", default=dict, blank=True)

    class Meta:
        verbose_name = "操作履歴"
        verbose_name_plural = "操作履歴"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["organization", "-at"], name="audit_org_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.summary}"

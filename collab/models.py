"""A city's collaboration projects (協働事業) per fiscal year, their profile and ふりかえり."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse

from plans.models import Business, Organization, User
from shakyo.lib.fiscal import fiscal_year_label

from .choices import (
    CATEGORY_CHOICES,
    FORM_CHOICES,
    OTHER,
    PARTNER_CHOICES,
    SURVEY_AGREEMENT_CHOICES,
    SURVEY_EVALUATION_CHOICES,
    SURVEY_INVOLVEMENT_CHOICES,
    SURVEY_ISSUE_CHOICES,
    SURVEY_LIAISON_CHOICES,
    SURVEY_OUTCOME_CHOICES,
    SURVEY_REASON_CHOICES,
    SURVEY_REPORT_CHOICES,
    SURVEY_TYPE_CHOICES,
    label_of,
)

YEAR_RANGE = Q(year__gte=1989) & Q(year__lte=2200)


def _codes(choices: tuple[tuple[int, str], ...]) -> list[int]:
    return [code for code, _label in choices]


def _in_choices(name: str, choices: tuple[tuple[int, str], ...]) -> Q:
    return Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__in": _codes(choices)})


class CollaborationProjectQuerySet(models.QuerySet):
    def inventory(self, organization: Organization, year: int) -> CollaborationProjectQuerySet:
        return self.filter(organization=organization, year=year)

    def with_values(self) -> CollaborationProjectQuerySet:
        return self.prefetch_related("values")

    def with_form(self, code: str) -> CollaborationProjectQuerySet:
        return self.filter(
            pk__in=ProjectValue.objects.filter(kind=ProjectValue.Kind.FORM, code=code).values(
                "project"
            )
        )

    def with_category(self, code: str) -> CollaborationProjectQuerySet:
        return self.filter(
            pk__in=ProjectValue.objects.filter(kind=ProjectValue.Kind.CATEGORY, code=code).values(
                "project"
            )
        )

    def with_partner(self, code: str) -> CollaborationProjectQuerySet:
        return self.filter(
            pk__in=ProjectValue.objects.filter(kind=ProjectValue.Kind.PARTNER, code=code).values(
                "project"
            )
        )


class CollaborationProject(models.Model):
    """One row of a city's 協働事業一覧 for one fiscal year, with its A調査票 profile.

    分類 / 相手 / 形態 are ordered :class:`ProjectValue` rows (up to three each). The
    profile fields are empty until someone fills them in: budgets are in 千円, 0 meaning
    「無し」 and empty meaning 「不明」.
    """

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="collaboration_projects",
        verbose_name="市",
        db_index=False,  # collab_inventory starts with this column: no index of its own
    )
    year = models.PositiveSmallIntegerField("年度（西暦）")
    position = models.PositiveIntegerField("一覧の順番", default=0)
    number = models.PositiveIntegerField("番号", null=True, blank=True)
    area = models.CharField("協働分野（形態）", max_length=30, choices=FORM_CHOICES, blank=True)
    department = models.CharField("部", max_length=100, blank=True)
    section = models.CharField("課", max_length=100, blank=True)
    name = models.CharField("事業名", max_length=300)
    summary = models.TextField("事業概要", blank=True)
    cancelled = models.BooleanField("コロナのため中止", default=False)
    business = models.ForeignKey(
        Business,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="collaboration_projects",
        verbose_name="社協の事業",
        help_text="この協働事業を担う社会福祉協議会の事業。",
    )

    start_year = models.PositiveSmallIntegerField(
        "始期", null=True, blank=True, help_text="事業を始めた年（西暦）。"
    )
    city_budget = models.PositiveIntegerField(
        "市の予算（千円）", null=True, blank=True, help_text="無しは 0、不明は空欄。"
    )
    total_budget = models.PositiveIntegerField(
        "全体予算（千円）", null=True, blank=True, help_text="無しは 0、不明は空欄。"
    )
    survey_type = models.PositiveSmallIntegerField(
        "類型", choices=SURVEY_TYPE_CHOICES, null=True, blank=True
    )
    reasons = models.JSONField("理由", default=list, blank=True)
    involvement = models.PositiveSmallIntegerField(
        "関わり", choices=SURVEY_INVOLVEMENT_CHOICES, null=True, blank=True
    )
    agreement = models.PositiveSmallIntegerField(
        "決め方", choices=SURVEY_AGREEMENT_CHOICES, null=True, blank=True
    )
    liaison = models.PositiveSmallIntegerField(
        "把握", choices=SURVEY_LIAISON_CHOICES, null=True, blank=True
    )
    evaluation = models.PositiveSmallIntegerField(
        "評価", choices=SURVEY_EVALUATION_CHOICES, null=True, blank=True
    )
    report = models.PositiveSmallIntegerField(
        "報告書", choices=SURVEY_REPORT_CHOICES, null=True, blank=True
    )
    outcome = models.PositiveSmallIntegerField(
        "成果", choices=SURVEY_OUTCOME_CHOICES, null=True, blank=True
    )
    issues = models.JSONField("課題", default=list, blank=True)

    created_at = models.DateTimeField("登録日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    objects = CollaborationProjectQuerySet.as_manager()

    class Meta:
        verbose_name = "協働事業"
        verbose_name_plural = "協働事業"
        ordering = ["organization", "-year", "position", "id"]
        indexes = [models.Index(fields=["organization", "year"], name="collab_inventory")]
        constraints = [
            models.CheckConstraint(condition=YEAR_RANGE, name="collab_project_year_range"),
            models.CheckConstraint(
                condition=Q(start_year__isnull=True)
                | (Q(start_year__gte=1868) & Q(start_year__lte=2200)),
                name="collab_start_year_range",
            ),
            models.CheckConstraint(
                condition=Q(area="") | Q(area__in=[code for code, _ in FORM_CHOICES]),
                name="collab_area_valid",
            ),
            models.CheckConstraint(
                condition=_in_choices("survey_type", SURVEY_TYPE_CHOICES),
                name="collab_survey_type_valid",
            ),
            models.CheckConstraint(
                condition=_in_choices("involvement", SURVEY_INVOLVEMENT_CHOICES),
                name="collab_involvement_valid",
            ),
            models.CheckConstraint(
                condition=_in_choices("agreement", SURVEY_AGREEMENT_CHOICES),
                name="collab_agreement_valid",
            ),
            models.CheckConstraint(
                condition=_in_choices("liaison", SURVEY_LIAISON_CHOICES),
                name="collab_liaison_valid",
            ),
            models.CheckConstraint(
                condition=_in_choices("evaluation", SURVEY_EVALUATION_CHOICES),
                name="collab_evaluation_valid",
            ),
            models.CheckConstraint(
                condition=_in_choices("report", SURVEY_REPORT_CHOICES),
                name="collab_report_valid",
            ),
            models.CheckConstraint(
                condition=_in_choices("outcome", SURVEY_OUTCOME_CHOICES),
                name="collab_outcome_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("collab:project", args=[self.pk])

    @property
    def year_label(self) -> str:
        return fiscal_year_label(self.year)

    def values_of(self, kind: str) -> list[ProjectValue]:
        # Uses the prefetched rows when the queryset asked for them (no query per row).
        return sorted((v for v in self.values.all() if v.kind == kind), key=lambda v: v.position)

    @property
    def categories(self) -> list[ProjectValue]:
        return self.values_of(ProjectValue.Kind.CATEGORY)

    @property
    def partners(self) -> list[ProjectValue]:
        return self.values_of(ProjectValue.Kind.PARTNER)

    @property
    def forms(self) -> list[ProjectValue]:
        return self.values_of(ProjectValue.Kind.FORM)

    @property
    def reason_labels(self) -> list[str]:
        return [label_of(SURVEY_REASON_CHOICES, code) for code in self.reasons]

    @property
    def issue_labels(self) -> list[str]:
        return [label_of(SURVEY_ISSUE_CHOICES, code) for code in self.issues]

    @property
    def has_profile(self) -> bool:
        return any(
            value not in (None, [], "")
            for value in (
                self.start_year,
                self.city_budget,
                self.total_budget,
                self.survey_type,
                self.reasons,
                self.involvement,
                self.agreement,
                self.liaison,
                self.evaluation,
                self.report,
                self.outcome,
                self.issues,
            )
        )


_VALUE_CHOICES = {"category": CATEGORY_CHOICES, "partner": PARTNER_CHOICES, "form": FORM_CHOICES}


class ProjectValue(models.Model):
    """One ordered value of a project's 分類, 相手 or 形態 (positions 1–3).

    ``text`` is the free text of その他（…）; it is empty for every other code.
    """

    class Kind(models.TextChoices):
        CATEGORY = "category", "分類"
        PARTNER = "partner", "相手"
        FORM = "form", "形態"

    project = models.ForeignKey(
        CollaborationProject,
        on_delete=models.CASCADE,
        related_name="values",
        verbose_name="協働事業",
        db_index=False,  # unique_collab_value_position starts with this column: no index of its own
    )
    kind = models.CharField("種類", max_length=10, choices=Kind)
    position = models.PositiveSmallIntegerField("順番")
    code = models.CharField("値", max_length=40)
    text = models.CharField("その他の内容", max_length=300, blank=True)

    class Meta:
        verbose_name = "分類・相手・形態"
        verbose_name_plural = "分類・相手・形態"
        ordering = ["project", "kind", "position"]
        indexes = [models.Index(fields=["kind", "code"], name="collab_value_kind_code")]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "kind", "position"], name="unique_collab_value_position"
            ),
            models.CheckConstraint(
                condition=Q(position__gte=1) & Q(position__lte=3),
                name="collab_value_position_range",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="category", code__in=[c for c, _ in CATEGORY_CHOICES])
                    | Q(kind="partner", code__in=[c for c, _ in PARTNER_CHOICES])
                    | Q(kind="form", code__in=[c for c, _ in FORM_CHOICES])
                ),
                name="collab_value_code_valid",
            ),
            models.CheckConstraint(
                condition=Q(code=OTHER) | Q(text=""), name="collab_value_text_only_for_other"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """「NPO法人」, or 「その他（編集委員会）」 with the free text."""
        label = label_of(_VALUE_CHOICES[self.kind], self.code)
        return f"{label}（{self.text}）" if self.text else label


# The seven perspectives of the ふりかえりシート (seed 002): field, heading, question.
PERSPECTIVES: tuple[tuple[str, str, str], ...] = (
    (
        "effectiveness",
        "①協働の有効性",
        "事業を協働で行うことで、大きな効果がありましたか？協働の選択は正しかったですか？",
    ),
    (
        "goal_setting",
        "②目的の設定",
        "地域課題の解決に向けた具体策として、事業の目的・内容は適切なものでしたか？",
    ),
    (
        "goal_sharing",
        "③目的の共有",
        "事業目的を団体内や市と共有し、効果的な事業実施ができましたか？",
    ),
    ("achievement", "④目的の達成度", "当初の事業目的や目標は、達成できましたか？"),
    (
        "cooperation",
        "⑤協力体制",
        "事業を実施する際の団体内・他の団体・市との協力体制・連携は十分でしたか？",
    ),
    (
        "beneficiary_satisfaction",
        "⑥受益者の満足度",
        "事前のニーズ把握や事後の満足度調査など、事業効果は十分なものでしたか？",
    ),
    (
        "partner_satisfaction",
        "⑦団体の満足度",
        "事業の満足度はいかがですか？また協働事業を実施したいと思いますか？",
    ),
)
SCORE_FIELDS: tuple[str, ...] = tuple(name for name, _heading, _question in PERSPECTIVES)
MAX_SCORE = 5


def _score_field(heading: str, question: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(heading, help_text=question)


def _score_range(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{name}__gte": 0}) & Q(**{f"{name}__lte": MAX_SCORE}),
        name=f"collab_review_{name}_range",
    )


class Review(models.Model):
    """ふりかえり: the partner group and the city department look back on a project's year.

    Seven perspectives scored 0–5 (drawn as a radar chart) and four texts, as on the
    ふりかえりシート of 西東京市's 協働の基本方針.
    """

    project = models.ForeignKey(
        CollaborationProject,
        on_delete=models.CASCADE,
        related_name="reviews",
        verbose_name="協働事業",
        db_index=False,  # unique_collab_review starts with this column: no index of its own
    )
    year = models.PositiveSmallIntegerField("年度（西暦）")
    partner_name = models.CharField("団体名", max_length=200, blank=True)
    purpose = models.TextField("事業目的", blank=True)
    expected_effect = models.TextField("事業の実施により想定した効果", blank=True)
    effectiveness = _score_field(*PERSPECTIVES[0][1:])
    goal_setting = _score_field(*PERSPECTIVES[1][1:])
    goal_sharing = _score_field(*PERSPECTIVES[2][1:])
    achievement = _score_field(*PERSPECTIVES[3][1:])
    cooperation = _score_field(*PERSPECTIVES[4][1:])
    beneficiary_satisfaction = _score_field(*PERSPECTIVES[5][1:])
    partner_satisfaction = _score_field(*PERSPECTIVES[6][1:])
    result = models.TextField("事業の結果", blank=True)
    partner_comment = models.TextField(
        "団体のコメント", blank=True, help_text="今後に向けての課題・改善策・要望など。"
    )
    city_comment = models.TextField("市のコメント", blank=True)
    outlook = models.TextField("今後の展望", blank=True)
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
        verbose_name = "ふりかえり"
        verbose_name_plural = "ふりかえり"
        ordering = ["project", "year"]
        constraints = [
            models.UniqueConstraint(fields=["project", "year"], name="unique_collab_review"),
            models.CheckConstraint(condition=YEAR_RANGE, name="collab_review_year_range"),
            *(_score_range(name) for name in SCORE_FIELDS),
        ]

    def __str__(self) -> str:
        return f"{self.project} {fiscal_year_label(self.year)}のふりかえり"

    @property
    def year_label(self) -> str:
        return fiscal_year_label(self.year)

    @property
    def scores(self) -> list[int]:
        return [getattr(self, name) for name in SCORE_FIELDS]

"""Forms of the 協働事業 screens; text becomes domain values through ``collab.parsing``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone

from plans.access import commissioned_by_body
from plans.models import Organization
from shakyo.lib.fiscal import fiscal_year_label, fiscal_year_of

from .choices import (
    CATEGORY_CHOICES,
    FORM_CHOICES,
    OTHER,
    PARTNER_CHOICES,
    SURVEY_ISSUE_CHOICES,
    SURVEY_REASON_CHOICES,
)
from .models import PERSPECTIVES, CollaborationProject, Review
from .parsing import KIND_LABELS, KINDS, MAX_VALUES, Choice, parse_budget, parse_start_year

_BLANK = [("", "すべて")]
_VALUE_CHOICES = {"category": CATEGORY_CHOICES, "partner": PARTNER_CHOICES, "form": FORM_CHOICES}


def year_choices() -> list[tuple[int, str]]:
    """Fiscal years offered for an import: five back and one ahead of the current one."""
    current = fiscal_year_of(timezone.localdate())
    return [(year, fiscal_year_label(year)) for year in range(current + 1, current - 7, -1)]


class ProjectFilterForm(forms.Form):
    form = forms.ChoiceField(label="形態", choices=_BLANK + list(FORM_CHOICES), required=False)
    category = forms.ChoiceField(
        label="分類", choices=_BLANK + list(CATEGORY_CHOICES), required=False
    )
    partner = forms.ChoiceField(
        label="相手", choices=_BLANK + list(PARTNER_CHOICES), required=False
    )
    section = forms.ChoiceField(label="課", choices=_BLANK, required=False)
    cancelled = forms.ChoiceField(
        label="中止",
        choices=[("", "すべて"), ("yes", "中止のみ"), ("no", "中止以外")],
        required=False,
    )
    q = forms.CharField(label="キーワード", required=False, max_length=100)

    def __init__(self, *args: Any, sections: list[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = _BLANK + [(s, s) for s in sections]
        for name, field in self.fields.items():
            css = "form-control form-control-sm" if name == "q" else "form-select form-select-sm"
            field.widget.attrs["class"] = css


class ImportForm(forms.Form):
    file = forms.FileField(
        label="ファイル",
        help_text="西東京市・小金井市の一覧（PDF から取り出したテキスト）、または見出し行のある Excel（.xlsx）・CSV。",
    )
    year = forms.TypedChoiceField(label="年度", coerce=int, choices=year_choices)
    replace = forms.BooleanField(
        label="取り込み済みの一覧を置き換える",
        required=False,
        help_text="同じ部・課・事業名・協働分野の事業は更新し、プロフィールとふりかえりを残します。",
    )

    def clean_file(self):
        # Checked on the size the upload declares, before a byte of it is read.
        upload = self.cleaned_data["file"]
        if upload.size > settings.UPLOAD_MAX_BYTES:
            limit = settings.UPLOAD_MAX_BYTES // (1024 * 1024)
            raise forms.ValidationError(f"ファイルが大きすぎます（上限 {limit} MB）。")
        return upload

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # The list being filed is this year's: the first choice (next year) only by intent.
        self.fields["year"].initial = fiscal_year_of(timezone.localdate())


def _value_fields() -> dict[str, forms.Field]:
    fields: dict[str, forms.Field] = {}
    for kind in KINDS:
        label = KIND_LABELS[kind]
        for position in range(1, MAX_VALUES + 1):
            fields[f"{kind}{position}"] = forms.ChoiceField(
                label=f"{label}{position}",
                choices=[("", "－（なし）"), *_VALUE_CHOICES[kind]],
                required=False,
            )
            fields[f"{kind}{position}_text"] = forms.CharField(
                label=f"{label}{position}（その他の内容）", required=False, max_length=300
            )
    return fields


class ProjectForm(forms.ModelForm):
    """The inventory fields of a project and its ordered 分類 / 相手 / 形態 (three each)."""

    class Meta:
        model = CollaborationProject
        fields = [
            "number",
            "area",
            "department",
            "section",
            "name",
            "summary",
            "cancelled",
            "business",
        ]
        widgets = {"summary": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, city: Organization, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields.update(_value_fields())
        business = self.fields["business"]
        business.queryset = (
            commissioned_by_body(city.pk)
            .select_related("fiscal_year__organization", "section")
            .order_by("-fiscal_year__year", "section__department__order", "order")
        )
        business.label_from_instance = lambda b: (
            f"{b.fiscal_year.label} {b.name}（{b.fiscal_year.organization.name} {b.section.name}）"
        )
        business.empty_label = "（結び付けない）"
        if self.instance.pk:
            for kind in KINDS:
                for position, value in enumerate(self.instance.values_of(kind), start=1):
                    self.initial[f"{kind}{position}"] = value.code
                    self.initial[f"{kind}{position}_text"] = value.text

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        values: dict[str, list[Choice]] = {}
        for kind in KINDS:
            chosen: list[Choice] = []
            for position in range(1, MAX_VALUES + 1):
                code = data.get(f"{kind}{position}") or ""
                text = (data.get(f"{kind}{position}_text") or "").strip()
                if not code:
                    if text:
                        self.add_error(
                            f"{kind}{position}", "「その他」を選んでから内容を書いてください。"
                        )
                    continue
                if text and code != OTHER:
                    self.add_error(
                        f"{kind}{position}_text", "内容を書けるのは「その他」のときだけです。"
                    )
                    continue
                choice = Choice(code, text)
                if choice in chosen:
                    self.add_error(f"{kind}{position}", "同じ値が二度選ばれています。")
                    continue
                chosen.append(choice)
            values[kind] = chosen
        self.values = values
        return data

    @property
    def model_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}

    def value_rows(self) -> list[tuple[str, list[tuple[forms.BoundField, forms.BoundField]]]]:
        """The value fields grouped for the template: (label, [(choice, text), …])."""
        return [
            (
                KIND_LABELS[kind],
                [
                    (self[f"{kind}{position}"], self[f"{kind}{position}_text"])
                    for position in range(1, MAX_VALUES + 1)
                ],
            )
            for kind in KINDS
        ]


class ProfileForm(forms.ModelForm):
    """The A調査票 profile. 始期 and the budgets are typed as people write them."""

    start_year_text = forms.CharField(
        label="始期",
        required=False,
        max_length=40,
        help_text="昭和48、平成21 のような和暦でも、2009 のような年でも入力できます。不明なら空欄。",
    )
    city_budget_text = forms.CharField(
        label="市の予算（千円）",
        required=False,
        max_length=40,
        help_text="例：1,180　無しは「無し」、不明は空欄。",
    )
    total_budget_text = forms.CharField(
        label="全体予算（千円）",
        required=False,
        max_length=40,
        help_text="例：1,180　無しは「無し」、不明は空欄。",
    )
    reasons = forms.TypedMultipleChoiceField(
        label="理由",
        coerce=int,
        choices=SURVEY_REASON_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    issues = forms.TypedMultipleChoiceField(
        label="課題",
        coerce=int,
        choices=SURVEY_ISSUE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = CollaborationProject
        fields = [
            "survey_type",
            "reasons",
            "involvement",
            "agreement",
            "liaison",
            "evaluation",
            "report",
            "outcome",
            "issues",
        ]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        project = self.instance
        self.initial.setdefault("start_year_text", project.start_year or "")
        for name in ("city_budget", "total_budget"):
            value = getattr(project, name)
            self.initial.setdefault(f"{name}_text", "" if value is None else f"{value:,}")
        self.order_fields(["start_year_text", "city_budget_text", "total_budget_text"])

    def _parsed(self, name: str, reader: Any) -> int | None:
        try:
            return reader(self.cleaned_data[name])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean_start_year_text(self) -> int | None:
        return self._parsed("start_year_text", parse_start_year)

    def clean_city_budget_text(self) -> int | None:
        return self._parsed("city_budget_text", parse_budget)

    def clean_total_budget_text(self) -> int | None:
        return self._parsed("total_budget_text", parse_budget)

    @property
    def profile_data(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["reasons"] = sorted(data["reasons"])
        data["issues"] = sorted(data["issues"])
        data["start_year"] = self.cleaned_data["start_year_text"]
        data["city_budget"] = self.cleaned_data["city_budget_text"]
        data["total_budget"] = self.cleaned_data["total_budget_text"]
        return data


_SCORE_CHOICES = [(score, str(score)) for score in range(0, 6)]


class ReviewForm(forms.ModelForm):
    """A ふりかえり: the seven scores as 0–5 radio buttons and the four texts."""

    class Meta:
        model = Review
        fields = [
            "partner_name",
            "purpose",
            "expected_effect",
            *(name for name, _heading, _question in PERSPECTIVES),
            "result",
            "partner_comment",
            "city_comment",
            "outlook",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in (
                "purpose",
                "expected_effect",
                "result",
                "partner_comment",
                "city_comment",
                "outlook",
            )
        }

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name, heading, question in PERSPECTIVES:
            self.fields[name] = forms.TypedChoiceField(
                label=heading,
                help_text=question,
                coerce=int,
                choices=_SCORE_CHOICES,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                error_messages={"required": "0〜5のどれかを選んでください。"},
            )

    @property
    def score_fields(self) -> list[forms.BoundField]:
        return [self[name] for name, _heading, _question in PERSPECTIVES]

    @property
    def review_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}

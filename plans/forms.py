from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.core.validators import MaxLengthValidator

from shakyo.lib.fiscal import FISCAL_MONTHS
from targets.parser import parse_target
from targets.types import Kind, ParsedTarget, Quantity

from . import access
from .models import (
    PLAN_ITEM_TEXTS,
    AuditEvent,
    Department,
    Organization,
    PlanItem,
    Section,
    User,
    plan_item_text_problems,
)
from .services import Placement, aggregation_change_errors, target_change_errors

QUARTER_CHOICES = [(q, f"第{q}四半期から") for q in (1, 2, 3, 4)]


class PlanItemForm(forms.ModelForm):
    """A row's texts and 集計方法; once the plan is 確定, also what a 補正 needs.

    ``first_quarter`` is the earliest quarter a 補正 may apply from (None: the plan is not
    確定, and the 補正 fields are left out).
    """

    revision_reason = forms.CharField(
        label="補正の理由",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="計画は確定済みです。目標値を変えるときは理由を書いてください。事務局の承認後に反映されます。",
    )
    revision_from = forms.TypedChoiceField(
        label="いつから適用するか",
        choices=[("", "選んでください"), *QUARTER_CHOICES],
        coerce=int,
        empty_value=None,
        required=False,
        help_text="承認済みの四半期は、承認したときの目標のままです。",
    )

    class Meta:
        model = PlanItem
        fields = ["group", "name", "detail", "target_text", "aggregation"]
        widgets = {
            "detail": forms.Textarea(attrs={"rows": 3}),
            "target_text": forms.TextInput(attrs={"data-target-preview": "1"}),
        }

    def __init__(self, *args, fixed: bool = False, first_quarter: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # Text limits are told by plan_item_text_problems (as the plan import tells them),
        # not by Django's own max_length message.
        for name in PLAN_ITEM_TEXTS:
            field = self.fields[name]
            field.validators = [
                v for v in field.validators if not isinstance(v, MaxLengthValidator)
            ]
        # Left out, the 集計方法 stays as it is (or follows a new wording before 確定).
        self.fields["aggregation"].required = False
        if not fixed:
            del self.fields["revision_reason"]
            del self.fields["revision_from"]
        elif first_quarter is not None:
            self.fields["revision_from"].choices = [
                ("", "選んでください"),
                *(c for c in QUARTER_CHOICES if c[0] >= first_quarter),
            ]
            self.initial.setdefault("revision_from", first_quarter)

    def clean(self):
        data = super().clean()
        texts = {name: data.get(name) or "" for name in PLAN_ITEM_TEXTS if name in self.fields}
        for field, message in plan_item_text_problems(texts).items():
            self.add_error(field, message)
        for field, message in aggregation_change_errors(
            item=self.instance, aggregation=data.get("aggregation")
        ).items():
            self.add_error(field, message)
        if "revision_reason" in self.fields and "target_text" in data:
            errors = target_change_errors(
                item=self.instance,
                target_text=data["target_text"],
                revision_reason=data.get("revision_reason") or "",
                revision_from=data.get("revision_from"),
            )
            for field, message in errors.items():
                self.add_error(field, message)
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "group": data["group"],
            "name": data["name"],
            "detail": data["detail"],
            "target_text": data["target_text"],
            "aggregation": data.get("aggregation") or None,
            "revision_reason": data.get("revision_reason") or "",
            "revision_from": data.get("revision_from"),
        }


class RevisionDecisionForm(forms.Form):
    """The 事務局's answer to a 補正: approve, or refuse with a reason."""

    decision = forms.ChoiceField(choices=[("approve", "承認"), ("refuse", "却下")])
    note = forms.CharField(label="コメント（却下するときは理由）", required=False, max_length=1000)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "refuse" and not (data.get("note") or "").strip():
            self.add_error("note", "却下の理由を入力してください。")
        return data


class PlanImportDecisionForm(forms.Form):
    """The 事務局 confirms (or drops) a plan workbook read into a year that has a plan."""

    decision = forms.ChoiceField(choices=[("apply", "反映する"), ("cancel", "取り消す")])
    reason = forms.CharField(
        label="補正の理由",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="目標値が変わる行（補正が必要な行）があるときに入力します。",
    )
    from_quarter = forms.TypedChoiceField(
        label="補正をいつから適用するか",
        choices=[("", "選んでください"), *QUARTER_CHOICES],
        coerce=int,
        empty_value=None,
        required=False,
    )


class TargetStructureForm(forms.Form):
    """Edit by hand what a 目標値 means, for rows the parser could not read (要確認)."""

    kind = forms.ChoiceField(
        label="目標の種類", choices=PlanItem.TargetKind.choices, initial=Kind.QUANTITY.value
    )
    value = forms.DecimalField(label="目標の数", min_value=0, required=False)
    max_value = forms.DecimalField(label="上限（範囲の場合）", min_value=0, required=False)
    unit = forms.CharField(label="単位", max_length=20, required=False)
    label = forms.CharField(label="何の数（任意）", max_length=100, required=False)
    second_value = forms.DecimalField(
        label="（　）内などのもう一つの数", min_value=0, required=False
    )
    second_unit = forms.CharField(label="もう一つの数の単位", max_length=20, required=False)
    months = forms.TypedMultipleChoiceField(
        label="実施予定月",
        choices=[(m, f"{m}月") for m in FISCAL_MONTHS],
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, fixed: bool = False, first_quarter: int | None = None, **kwargs):
        # Its own ids: the page shows it beside the row's form, which has the same names.
        kwargs.setdefault("auto_id", "structure_%s")
        super().__init__(*args, **kwargs)
        if fixed:
            # After 確定 a new reading of the target is a 補正 like a new 目標値.
            self.fields["revision_reason"] = forms.CharField(
                label="補正の理由", widget=forms.Textarea(attrs={"rows": 2})
            )
            self.fields["revision_from"] = forms.TypedChoiceField(
                label="いつから適用するか",
                choices=[c for c in QUARTER_CHOICES if c[0] >= (first_quarter or 1)],
                coerce=int,
            )

    def clean(self):
        data = super().clean()
        if data.get("kind") == Kind.QUANTITY.value:
            if data.get("value") is None:
                self.add_error("value", "数値の目標には目標の数を入力してください。")
            if not data.get("unit"):
                self.add_error("unit", "単位を入力してください（回、件、人、円 など）。")
            upper = data.get("max_value")
            if upper is not None and data.get("value") is not None and upper < data["value"]:
                self.add_error("max_value", "上限は目標の数以上にしてください。")
        if data.get("second_value") is not None and not data.get("second_unit"):
            self.add_error("second_unit", "もう一つの数の単位を入力してください（人、団体 など）。")
        return data

    def to_target(self, text: str) -> ParsedTarget:
        data = self.cleaned_data
        kind = Kind(data["kind"])
        quantities: list[Quantity] = []
        if kind == Kind.QUANTITY:
            quantities.append(
                Quantity(
                    value=data["value"],
                    max=data.get("max_value"),
                    unit=data["unit"],
                    label=data.get("label") or "",
                )
            )
            if data.get("second_value") is not None:
                quantities.append(Quantity(value=data["second_value"], unit=data["second_unit"]))
        months = tuple(m for m in FISCAL_MONTHS if m in set(data.get("months") or []))
        return ParsedTarget(
            text=text,
            kind=kind,
            quantities=tuple(quantities),
            months=months,
            qualitative_text=text if kind == Kind.QUALITATIVE else "",
        )

    @classmethod
    def initial_for(cls, item: PlanItem) -> dict:
        parsed = item.parsed if item.target else parse_target(item.target_text, item.detail)
        main = parsed.main
        second = parsed.quantities[1] if len(parsed.quantities) > 1 else None
        return {
            "kind": parsed.kind.value,
            "value": main.value if main else None,
            "max_value": main.max if main else None,
            "unit": main.unit if main else "",
            "label": main.label if main else "",
            "second_value": second.value if second else None,
            "second_unit": second.unit if second else "",
            "months": list(parsed.months),
        }


class ReviewFilterForm(forms.Form):
    needs_review = forms.BooleanField(label="要確認のみ", required=False)
    kind = forms.ChoiceField(
        label="目標の種類",
        choices=[("", "すべて"), *PlanItem.TargetKind.choices],
        required=False,
    )
    q = forms.CharField(label="キーワード", required=False)


# The largest id a database integer key holds (PostgreSQL bigint; SQLite's INTEGER):
# a larger number in a query string is refused by the form instead of overflowing.
ID_MAX = 2**63 - 1


class _UserChoiceField(forms.ModelChoiceField):
    """A user by id, shown by name; a key no id can be is refused, not looked up."""

    def label_from_instance(self, obj: User) -> str:
        return obj.display_name

    def to_python(self, value):
        if value not in self.empty_values and not (
            str(value).isascii() and str(value).isdigit() and 0 < int(value) <= ID_MAX
        ):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class AuditFilterForm(forms.Form):
    user = _UserChoiceField(label="利用者", queryset=None, required=False, empty_label="すべて")
    action = forms.ChoiceField(
        label="操作", choices=[("", "すべて"), *AuditEvent.Action.choices], required=False
    )
    item = forms.IntegerField(label="計画の行の番号", required=False, min_value=1, max_value=ID_MAX)

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(organization=organization).order_by(
            "last_name", "first_name", "username"
        )


class LockoutClearForm(forms.Form):
    """Which locked pair (user name + address) the 事務局 lifts."""

    username = forms.CharField(max_length=150)
    address = forms.GenericIPAddressField()


class _UnitChoiceField(forms.ModelChoiceField):
    """A 課 or 係 of the council, by name (a 係 with its 課)."""

    def label_from_instance(self, obj) -> str:
        if isinstance(obj, Section):
            return f"{obj.department.name} {obj.name}"
        return obj.name


class PersonForm(forms.Form):
    """Name, mail address, role and 課・係 of a council user (the 事務局's screen)."""

    last_name = forms.CharField(label="姓", max_length=150)
    first_name = forms.CharField(label="名", max_length=150, required=False)
    email = forms.EmailField(
        label="メールアドレス",
        required=False,
        help_text="パスワードを忘れたときの再設定のメールが届くアドレスです。",
    )
    role = forms.ChoiceField(label="役割")
    department = _UnitChoiceField(
        label="課（課長の方）", queryset=None, required=False, empty_label="（選んでください）"
    )
    section = _UnitChoiceField(
        label="係（係長・担当の方）",
        queryset=None,
        required=False,
        empty_label="（選んでください）",
    )

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [
            ("", "（選んでください）"),
            *((role.value, role.label) for role in access.COUNCIL_ROLES),
        ]
        self.fields["department"].queryset = Department.objects.filter(
            organization=organization
        ).order_by("order", "pk")
        self.fields["section"].queryset = (
            Section.objects.filter(department__organization=organization)
            .select_related("department")
            .order_by("department__order", "order", "pk")
        )

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role") or ""
        if access.role_needs_department(role) and not cleaned.get("department"):
            self.add_error("department", "課長の方は担当する課を選んでください。")
        if access.role_needs_section(role) and not cleaned.get("section"):
            self.add_error("section", "係長・担当の方は所属する係を選んでください。")
        return cleaned

    def placement(self) -> Placement:
        data = self.cleaned_data
        return Placement(role=data["role"], department=data["department"], section=data["section"])


class PersonAddForm(PersonForm):
    """A new user: the sign-in name and a first password the 事務局 hands over."""

    username = forms.RegexField(
        label="ログイン名",
        max_length=150,
        regex=r"^[A-Za-z0-9_.@+-]+$",
        help_text="半角の英数字と @ . + - _ で入力します。",
        error_messages={"invalid": "ログイン名は半角の英数字と @ . + - _ で入力してください。"},
    )
    password1 = forms.CharField(
        label="最初のパスワード",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="本人に伝え、最初のログインのあと本人が変更します。",
    )
    password2 = forms.CharField(
        label="最初のパスワード（確認）",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    field_order = ["username", "last_name", "first_name", "email", "role", "department", "section"]

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("このログイン名はすでに使われています。")
        return username

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "確認のパスワードが一致しません。")
        elif first:
            candidate = User(
                username=cleaned.get("username") or "",
                last_name=cleaned.get("last_name") or "",
                first_name=cleaned.get("first_name") or "",
                email=cleaned.get("email") or "",
            )
            try:
                password_validation.validate_password(first, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class PersonActiveForm(forms.Form):
    """Stop or resume a user's sign-in."""

    active = forms.TypedChoiceField(
        choices=[("0", "停止"), ("1", "再開")], coerce=lambda value: value == "1"
    )

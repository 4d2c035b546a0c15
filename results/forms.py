"""Forms of the 実績 screens: they turn typed text into domain values, nothing more.

Numbers go through ``shakyo.lib.numbers.parse_count`` (the same reader the Excel import
uses); the rules about what may be saved or submitted live in ``results.services``.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal

from django import forms
from django.core import signing

from plans.models import PlanItem
from shakyo.lib.numbers import parse_count
from shakyo.lib.widgets import FAST_RENDERER
from targets.types import Kind, ParsedTarget

from .models import Result
from .services import ResultInput

_NEGATIVE_SIGNS = ("-", "−", "▲", "△")


class CountField(forms.CharField):
    """A count typed as people type it: 「2,100」「２，１００」「12」 → Decimal; blank → None."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "decimal", "autocomplete": "off"})
        return attrs

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        number = parse_count(text)
        if number is not None:
            return number
        normalized = unicodedata.normalize("NFKC", text).strip()
        if normalized.startswith(_NEGATIVE_SIGNS):
            raise forms.ValidationError("負の数は入力できません。0 以上の数を入力してください。")
        raise forms.ValidationError(
            f"「{text}」は数として読めません。数字だけで入力してください（例: 2,100）。"
        )


def number_initial(value: Decimal | str | None) -> str:
    """A stored Decimal as it is typed back into the field: 2100.00 → 「2100」."""
    if value in (None, ""):
        return ""
    number = Decimal(str(value)).normalize()
    return f"{number:f}"


DONE_CHOICES = [("", "未選択"), ("1", "実施"), ("0", "未実施")]


class RowForm(forms.Form):
    """The inputs of one plan row for one quarter; its fields depend on the row's target.

    A row with quantities gets one number per trackable quantity (``value`` for the
    main one, ``x0``, ``x1`` … for the secondary ones such as the 160人 of 「1回（160人）」);
    a qualitative row (or one whose figure could not be read) gets 実施 / 未実施. Every
    row has 実施内容, 中止 with its reason and 理由・今後の対応.
    """

    default_renderer = FAST_RENDERER  # hundreds of inputs on one page (bench/)

    note = forms.CharField(
        label="実施内容",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    cancelled = forms.BooleanField(label="中止", required=False)
    cancel_reason = forms.CharField(label="中止の理由", required=False, max_length=300)
    reason = forms.CharField(
        label="理由・今後の対応",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, data=None, *, item: PlanItem, target: ParsedTarget, **kwargs):
        super().__init__(data, prefix=f"r{item.pk}", **kwargs)
        self.item = item
        self.target = target
        quantities = target.quantities if target.kind == Kind.QUANTITY else ()
        self.quantity_names: list[str] = []
        if quantities:
            for position, quantity in enumerate(quantities):
                name = "value" if position == 0 else f"x{position - 1}"
                label = f"{quantity.label} （{quantity.unit}）".strip()
                self.fields[name] = CountField(label=label)
                self.quantity_names.append(name)
        elif target.kind != Kind.NONE:
            self.fields["done"] = forms.ChoiceField(
                label="実施", choices=DONE_CHOICES, required=False, widget=forms.RadioSelect
            )
        row_label = f"{item.group} {item.name}".strip()
        for field in self.fields.values():
            widget = field.widget
            checkable = isinstance(widget, forms.CheckboxInput | forms.RadioSelect)
            widget.attrs["class"] = (
                "form-check-input" if checkable else "form-control form-control-sm"
            )
            widget.attrs["aria-label"] = f"{row_label} {field.label}"

    @classmethod
    def initial_for(cls, result: Result | None) -> dict:
        if result is None:
            return {}
        initial = {
            "value": number_initial(result.value),
            "done": "" if result.done is None else ("1" if result.done else "0"),
            "note": result.note,
            "cancelled": result.cancelled,
            "cancel_reason": result.cancel_reason,
            "reason": result.reason,
        }
        for index, value in enumerate(result.extra_values or []):
            initial[f"x{index}"] = number_initial(value)
        return initial

    @property
    def quantity_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.quantity_names]

    @property
    def has_done(self) -> bool:
        return "done" in self.fields

    def to_input(self) -> ResultInput:
        data = self.cleaned_data
        done = data.get("done")
        return ResultInput(
            item_id=self.item.pk,
            value=data.get("value"),
            extra_values=[data.get(name) for name in self.quantity_names[1:]],
            done=None if not done else done == "1",
            cancelled=bool(data.get("cancelled")),
            cancel_reason=data.get("cancel_reason", ""),
            note=data.get("note", ""),
            reason=data.get("reason", ""),
        )

    def to_result(self, quarter: int) -> Result:
        """What was typed as an unsaved Result, for the live status."""
        entry = self.to_input()
        return Result(item=self.item, quarter=quarter, **entry.as_fields())


class EntryForm:
    """Every row of a section's quarter plus the ``version`` the page was loaded at.

    Not a Django formset: rows are keyed by their plan row (``r<id>-…``) so that a save
    can never attach a value to the wrong row, whatever the order on the page.
    """

    def __init__(self, data=None, *, rows, version: int, disabled: bool = False):
        self.version_form = VersionForm(data, initial={"version": version})
        self.rows = {}
        for row in rows:
            form = RowForm(
                data,
                item=row.item,
                target=row.target,
                initial=RowForm.initial_for(row.current),
            )
            if disabled:
                for field in form.fields.values():
                    field.disabled = True
            self.rows[row.item.pk] = form

    def is_valid(self) -> bool:
        valid = self.version_form.is_valid()
        # Validate every row (no short-circuit) so that every error is shown at once.
        return all([form.is_valid() for form in self.rows.values()]) and valid

    @property
    def version(self) -> int:
        return self.version_form.cleaned_data["version"]

    def inputs(self) -> list[ResultInput]:
        return [form.to_input() for form in self.rows.values()]

    def error_messages(self) -> list[str]:
        """One line per field error, naming the row (「(1)理事会 実績: …」)."""
        messages = []
        if self.version_form.errors:
            messages.append("画面が古くなっています。再読み込みしてから入力してください。")
        for form in self.rows.values():
            label = f"{form.item.group} {form.item.name}".strip()
            for name, errors in form.errors.items():
                field_label = form.fields[name].label if name in form.fields else ""
                for error in errors:
                    messages.append(f"「{label}」{field_label}: {error}")
        return messages

    def attach(self, rows) -> None:
        """Give each page row its inputs, for the template."""
        for row in rows:
            row.form = self.rows[row.item.pk]


class VersionForm(forms.Form):
    default_renderer = FAST_RENDERER

    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class DecisionForm(forms.Form):
    comment = forms.CharField(
        label="コメント（差戻しの理由）",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )


class ApproveForm(forms.Form):
    """The 課長's approval carries the version of the entry they reviewed and its figures
    as shown (signed), so that approving a changed entry is refused with what changed."""

    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    reviewed = forms.CharField(widget=forms.HiddenInput)

    SALT = "results.approve.reviewed"

    @classmethod
    def for_entry(cls, *, version: int, snapshot: dict) -> ApproveForm:
        return cls(initial={"version": version, "reviewed": signing.dumps(snapshot, salt=cls.SALT)})

    def clean_reviewed(self) -> dict:
        try:
            return signing.loads(self.cleaned_data["reviewed"], salt=self.SALT)
        except signing.BadSignature:
            raise forms.ValidationError(
                "承認の画面が古いか壊れています。画面を開き直してから承認してください。"
            ) from None


class UnlockForm(forms.Form):
    reason = forms.CharField(
        label="承認を解除する理由",
        max_length=500,
        widget=forms.TextInput(),
        error_messages={"required": "承認を解除する理由を入力してください。"},
    )


class WindowForm(forms.Form):
    is_open = forms.BooleanField(
        label="入力を受け付ける",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    deadline = forms.DateField(
        label="提出期限",
        required=False,
        widget=forms.DateInput(
            attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d"
        ),
        error_messages={"invalid": "提出期限は 2020-07-15 の形で入力してください。"},
    )

    def clean(self):
        data = super().clean()
        if data.get("is_open") and not data.get("deadline"):
            self.add_error("deadline", "入力を受け付けるときは提出期限を入力してください。")
        return data


class ToleranceForm(forms.Form):
    """The 順調 band in percent as people think of it: 「10」 → Decimal("0.10")."""

    percent = CountField(label="順調とみなす許容幅（%）")

    def clean_percent(self):
        value = self.cleaned_data["percent"]
        if value is None:
            raise forms.ValidationError("許容幅を入力してください（例: 10）。")
        if value >= 100:
            raise forms.ValidationError("許容幅は 0 以上 100 未満の % で入力してください。")
        if value != value.quantize(Decimal("1")):
            raise forms.ValidationError("許容幅は整数の % で入力してください（例: 10）。")
        return value

    @property
    def tolerance(self) -> Decimal:
        return (self.cleaned_data["percent"] / 100).quantize(Decimal("0.01"))

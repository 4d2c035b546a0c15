"""Forms of the 実績 screens: they turn typed text into domain values, nothing more.

Numbers go through ``shakyo.lib.numbers.parse_count``; what a row may hold is decided by
``results.rules``, which ``results.services`` applies again before writing. The Excel
実績 import cleans each row through ``RowForm``, so its messages are the screen's.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal

from django import forms
from django.core import signing

from plans.models import PlanItem
from shakyo.lib.numbers import FIGURE_MAX_MESSAGE, parse_count
from shakyo.lib.text import text_problem, visible_text
from shakyo.lib.widgets import FAST_RENDERER
from targets.types import Kind, ParsedTarget

from .models import (
    CANCEL_REASON_MAX,
    COMMENT_MAX,
    NOTE_MAX,
    REASON_MAX,
    UNLOCK_REASON_MAX,
    Result,
)
from .rules import (
    CANCEL_EFFECTS,
    CONFIRM_HINT,
    RowEntry,
    changed_figures,
    figure_fields,
    implausible_figures,
    is_flow,
    row_problems,
)
from .services import ResultInput

_NEGATIVE_SIGNS = ("-", "−", "▲", "△")


class CountField(forms.CharField):
    """A count typed as people type it: 「2,100」「２，１００」「12」 → Decimal; blank → None.

    Only reads the number: its bounds and decimals depend on the row's unit and are
    checked by ``results.rules.row_problems`` (the same for the screen and the import).
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("error_messages", {"max_length": FIGURE_MAX_MESSAGE})
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


class PlainTextField(forms.CharField):
    """Text typed by a person, with its limit stated in the message when it is too long.

    Invisible characters around the text are dropped like spaces, so a text of only a
    zero-width space is empty (and refused where the text is required).
    """

    def __init__(self, *, limit: int, **kwargs):
        self.limit = limit
        super().__init__(**kwargs)
        self.widget.attrs["maxlength"] = str(limit)

    def to_python(self, value):
        return visible_text(super().to_python(value))

    def validate(self, value):
        super().validate(value)
        message = text_problem(str(self.label), value, self.limit)
        if message:
            raise forms.ValidationError(message)


def number_initial(value: Decimal | str | None) -> str:
    """A stored Decimal as it is typed back into the field: 2100.00 → 「2100」."""
    if value in (None, ""):
        return ""
    number = Decimal(str(value)).normalize()
    return f"{number:f}"


DONE_CHOICES = [("", "未選択"), ("1", "実施"), ("0", "未実施")]
CANCEL_CHOICES = [("", "中止なし"), *Result.CancelScope.choices]


class RowForm(forms.Form):
    """The inputs of one plan row for one quarter; its fields depend on the row's target.

    A row with quantities gets one number per trackable quantity (``value`` for the
    main one, ``x0``, ``x1`` … for the secondary ones such as the 160人 of 「1回（160人）」);
    a qualitative row (or one whose figure could not be read) gets 実施 / 未実施. Every
    row has 実施内容, 中止 (none, 今期の回を中止 or 事業を年度中止) with its reason and
    理由・今後の対応.

    Cleaning applies ``results.rules`` (limits, decimals by unit, 中止); the Excel import
    cleans every row through this form, so both refuse the same input with the same
    message. A figure changed to far beyond the target or the pace is refused until
    ``confirm`` (「この数で正しい」) is ticked: ``needs_confirmation`` then says to show it.
    """

    default_renderer = FAST_RENDERER  # hundreds of inputs on one page (bench/)

    note = PlainTextField(
        label="実施内容",
        required=False,
        limit=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    cancelled = forms.ChoiceField(
        label="中止",
        choices=CANCEL_CHOICES,
        required=False,
        widget=forms.RadioSelect,
        error_messages={
            "invalid_choice": "中止は「中止なし」「今期の回を中止」「事業を年度中止」から選んでください。"
        },
    )
    cancel_reason = PlainTextField(label="中止の理由", required=False, limit=CANCEL_REASON_MAX)
    reason = PlainTextField(
        label="理由・今後の対応",
        required=False,
        limit=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    confirm = forms.BooleanField(label="この数で正しい", required=False)

    def __init__(
        self,
        data=None,
        *,
        item: PlanItem,
        target: ParsedTarget,
        quarter: int | None = None,
        current: Result | None = None,
        **kwargs,
    ):
        kwargs.setdefault("initial", RowForm.initial_for(current))
        super().__init__(data, prefix=f"r{item.pk}", **kwargs)
        self.item = item
        self.target = target
        self.quarter = quarter  # None: no plausibility check (the live status)
        self.current = current
        self.warnings: list[tuple[str, str]] = []
        self.quantity_names: list[str] = []
        for name, quantity in figure_fields(target):
            label = f"{quantity.label} （{quantity.unit}）".strip()
            self.fields[name] = CountField(label=label)
            self.quantity_names.append(name)
        if not self.quantity_names and target.kind != Kind.NONE:
            self.fields["done"] = forms.ChoiceField(
                label="実施",
                choices=DONE_CHOICES,
                required=False,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": "「実施」または「未実施」を選んでください。"},
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
            "cancelled": result.cancel_scope,
            "cancel_reason": result.cancel_reason,
            "reason": result.reason,
        }
        for index, value in enumerate(result.extra_values or []):
            initial[f"x{index}"] = number_initial(value)
        return initial

    def clean(self):
        data = super().clean()
        entry = self._row_entry(data)
        for name, message in row_problems(self.target, entry):
            if name in self.fields and name not in self.errors:
                self.add_error(name, message)
        readable = {k: v for k, v in entry.figures.items() if k not in self.errors}
        if self.quarter is not None and not entry.cancel_scope:
            # Judged even when another input of the row is refused: every problem at once.
            self.warnings = implausible_figures(
                self.target,
                self.quarter,
                changed_figures(readable, self.current),
                flow=is_flow(self.item),
            )
            if self.warnings and not data.get("confirm"):
                for name, warning in self.warnings:
                    self.add_error(name, f"{warning}{CONFIRM_HINT}")
        return data

    def _row_entry(self, data: dict) -> RowEntry:
        done = data.get("done")
        return RowEntry(
            figures={name: data.get(name) for name in self.quantity_names},
            done=None if not done else done == "1",
            cancel_scope=data.get("cancelled") or "",
            cancel_reason=data.get("cancel_reason", ""),
            note=data.get("note", ""),
            reason=data.get("reason", ""),
        )

    @property
    def needs_confirmation(self) -> bool:
        """A figure was refused as implausible: show 「この数で正しい」 with the warning."""
        return bool(self.warnings) or bool(self.data and self.data.get(self["confirm"].html_name))

    @property
    def cancel_effect(self) -> str:
        """What the chosen 中止 does, in a sentence (empty when none is chosen)."""
        chosen = self["cancelled"].value() or ""
        return CANCEL_EFFECTS.get(chosen, "")

    @property
    def quantity_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.quantity_names]

    @property
    def has_done(self) -> bool:
        return "done" in self.fields

    def to_input(self) -> ResultInput:
        data = self.cleaned_data
        entry = self._row_entry(data)
        return ResultInput(
            item_id=self.item.pk,
            value=entry.figures.get("value"),
            extra_values=[entry.figures[name] for name in self.quantity_names[1:]],
            done=entry.done,
            cancel_scope=entry.cancel_scope,
            cancel_reason=entry.cancel_reason,
            note=entry.note,
            reason=entry.reason,
            confirmed=bool(data.get("confirm")),
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

    def __init__(self, data=None, *, rows, quarter: int, version: int, disabled: bool = False):
        self.version_form = VersionForm(data, initial={"version": version})
        self.rows = {}
        for row in rows:
            form = RowForm(
                data, item=row.item, target=row.target, quarter=quarter, current=row.current
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
    comment = PlainTextField(
        label="コメント（差戻しの理由）",
        required=False,
        limit=COMMENT_MAX,
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
    reason = PlainTextField(
        label="承認を解除する理由",
        limit=UNLOCK_REASON_MAX,
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

"""The one writer of the audit trail, and how its entries read on the screens."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Model

from shakyo.lib.fiscal import wareki_date
from targets.display import describe_target
from targets.parser import target_from_dict

from .models import AuditEvent, Organization, PlanItem, Section, User


def audit_record(
    *,
    organization: Organization,
    user: User | None,
    action: AuditEvent.Action,
    summary: str = "",
    changes: dict[str, Any] | None = None,
    plan_item: PlanItem | None = None,
    section: Section | None = None,
) -> AuditEvent:
    """Append one event; ``changes`` maps a field to ``[old, new]`` (JSON-serialisable)."""
    return AuditEvent.objects.create(
        organization=organization,
        user=user if user is not None and user.is_authenticated else None,
        action=action,
        summary=summary[:300],
        changes=changes or {},
        plan_item=plan_item,
        section=section,
    )


def audit_record_many(events: list[AuditEvent]) -> None:
    AuditEvent.objects.bulk_create(events)


# ---------------------------------------------------------------------------------------
# Reading the trail: Japanese field names and values, no empty changes


@dataclass(frozen=True)
class FieldDisplay:
    """How a stored change of one field reads: its name, and words for coded values.

    ``kind``: "text" (as stored), "date" (an ISO date → 「令和2年7月15日」), "bool"
    (はい / いいえ unless ``values`` names them), "target" (a parsed 目標値 → phrases),
    "percent" (a share stored as 0.10 → 「10%」); ``unit`` follows a plain value.
    """

    label: str
    values: Mapping[str, str] = field(default_factory=dict)
    kind: str = "text"
    unit: str = ""


@dataclass(frozen=True)
class Change:
    """One field's change as a person reads it; ``old`` is "" when nothing was before."""

    label: str
    old: str
    new: str


# The fields of the plans app; other apps add theirs with ``register_fields`` in ready().
_FIELDS: dict[str, FieldDisplay] = {
    "group": FieldDisplay("項目"),
    "name": FieldDisplay("内容（小項目）"),
    "detail": FieldDisplay("内容"),
    "target_text": FieldDisplay("目標値"),
    "target": FieldDisplay("目標値の読み取り", kind="target"),
    "from_quarter": FieldDisplay(
        "適用開始", values={str(q): f"第{q}四半期から" for q in (1, 2, 3, 4)}
    ),
}
# Fields whose name means something else in one action: (action, field) → display.
_ACTION_FIELDS: dict[tuple[str, str], FieldDisplay] = {
    (AuditEvent.Action.REVISION_REFUSED, "note"): FieldDisplay("事務局のコメント"),
}
# A user's record (added or changed by the 事務局): names of 課・係 are stored as words.
_PERSON_FIELDS = {
    "full_name": FieldDisplay("氏名"),
    "email": FieldDisplay("メールアドレス"),
    "role": FieldDisplay(
        "役割", values={str(value): str(label) for value, label in User.Role.choices}
    ),
    "department": FieldDisplay("課"),
    "section": FieldDisplay("係"),
}
for _action in (AuditEvent.Action.USER_ADDED, AuditEvent.Action.USER_CHANGED):
    _ACTION_FIELDS.update({(_action, key): display for key, display in _PERSON_FIELDS.items()})
NOTHING = "（なし）"


def register_fields(fields: Mapping[str, FieldDisplay]) -> None:
    """Declare how an app's audited fields read (called from its AppConfig.ready)."""
    _FIELDS.update(fields)


def model_fields(model: type[Model], names: Iterable[str], **kinds: str) -> dict[str, FieldDisplay]:
    """FieldDisplay of model fields from their verbose names and choices."""
    displays = {}
    for name in names:
        model_field = model._meta.get_field(name)
        values = {str(value): str(label) for value, label in model_field.choices or ()}
        displays[name] = FieldDisplay(
            str(model_field.verbose_name), values=values, kind=kinds.get(name, "text")
        )
    return displays


def _is_empty(value: Any) -> bool:
    if isinstance(value, list | tuple):
        return all(_is_empty(v) for v in value)
    return value is None or value == "" or value == {}


def _value_text(display: FieldDisplay, value: Any) -> str:
    if _is_empty(value):
        return NOTHING
    if isinstance(value, list | tuple):
        return "、".join(_value_text(display, v) for v in value if not _is_empty(v))
    if display.kind == "target" and isinstance(value, dict):
        return "・".join(describe_target(target_from_dict(value))) or NOTHING
    if isinstance(value, bool):
        return display.values.get(str(value), "はい" if value else "いいえ")
    if display.kind == "date" and isinstance(value, str):
        try:
            return wareki_date(date.fromisoformat(value))
        except ValueError:
            return value
    if display.kind == "percent":
        try:
            return f"{(Decimal(str(value)) * 100).normalize():f}%"
        except InvalidOperation:
            return str(value)
    if str(value) in display.values:
        return display.values[str(value)]
    return f"{value}{display.unit}"


def _pairs(changes: Mapping[str, Any]) -> Iterator[tuple[str, Any, Any]]:
    """(field, old, new) of a stored change; "a,b" keys store [old_a, old_b] pairs."""
    for key, value in changes.items():
        if not (isinstance(value, list | tuple) and len(value) == 2):
            yield key, None, value  # a figure, not a change (e.g. rows imported)
            continue
        old, new = value
        names = key.split(",")
        if len(names) == 1:
            yield key, old, new
            continue
        olds = old if isinstance(old, list | tuple) else [None] * len(names)
        news = new if isinstance(new, list | tuple) else [None] * len(names)
        yield from zip(names, olds, news, strict=False)


def describe_changes(changes: Mapping[str, Any] | None, action: str = "") -> list[Change]:
    """The changes of an audit event in Japanese, leaving out those that changed nothing
    (``[] → [None]``, ``"" → None``)."""
    described = []
    for key, old, new in _pairs(changes or {}):
        display = _ACTION_FIELDS.get((action, key)) or _FIELDS.get(key) or FieldDisplay(key)
        if _is_empty(new) and _is_empty(old):
            continue
        old_text = "" if _is_empty(old) else _value_text(display, old)
        new_text = _value_text(display, new)
        if old_text == new_text:
            continue
        described.append(Change(label=display.label, old=old_text, new=new_text))
    return described

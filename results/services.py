"""Writes of the quarterly workflow: save 実績, submit, approve, return, unlock, windows.

Every rule of the entry page lives here, so the offline workbook import and the screens
refuse the same things with the same Japanese messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, F, OuterRef, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from plans.audit import audit_record, audit_record_many
from plans.models import (
    AuditEvent,
    FiscalYear,
    Organization,
    PlanItem,
    Section,
    User,
    parsed_target,
)
from shakyo.lib.text import visible_text
from targets.parser import target_from_dict, target_to_dict
from targets.types import Kind

from .models import Approval, ApprovedRow, QuarterWindow, Result, SectionQuarter
from .progress import item_progress
from .rules import (
    CONFIRM_HINT,
    RowEntry,
    changed_figures,
    figure_fields,
    implausible_figures,
    is_flow,
    row_problems,
)


class EntryError(Exception):
    """A refused write; ``messages`` are Japanese, one per problem (with its row)."""

    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages


class StaleEntryError(EntryError):
    """Someone else saved the same section-quarter first (optimistic locking)."""


class StaleApprovalError(EntryError):
    """The entry changed after the 課長 opened it: approving would approve unseen figures."""


@dataclass
class ResultInput:
    """What was entered for one row in one quarter (per quarter, not cumulative).

    ``cancel_scope`` is "" (no 中止), "quarter" (今期の回を中止) or "year" (事業を年度中止).
    ``confirmed`` says the person confirmed figures far beyond the target or the pace.
    """

    item_id: int
    value: Decimal | None = None
    extra_values: list[Decimal | None] = field(default_factory=list)
    done: bool | None = None
    cancel_scope: str = ""
    cancel_reason: str = ""
    note: str = ""
    reason: str = ""
    confirmed: bool = False

    @property
    def cancelled(self) -> bool:
        return bool(self.cancel_scope)

    @property
    def figures(self) -> dict[str, Decimal | None]:
        """The figures by the entry form's field names (value, x0, x1, …), as Decimals."""
        return {
            "value": _decimal(self.value),
            **{f"x{index}": _decimal(number) for index, number in enumerate(self.extra_values)},
        }

    def row_entry(self) -> RowEntry:
        return RowEntry(
            figures=self.figures,
            done=self.done,
            cancel_scope=self.cancel_scope,
            cancel_reason=visible_text(self.cancel_reason),
            note=visible_text(self.note),
            reason=visible_text(self.reason),
        )

    def as_fields(self) -> dict:
        return {
            "value": None if self.value is None else Decimal(_plain(self.value)),
            "extra_values": [None if v is None else _plain(v) for v in self.extra_values],
            "done": self.done,
            "cancelled": self.cancelled,
            "cancel_scope": self.cancel_scope,
            "cancel_reason": visible_text(self.cancel_reason),
            "note": visible_text(self.note),
            "reason": visible_text(self.reason),
        }


def _decimal(number: Decimal | int | None) -> Decimal | None:
    return None if number is None else Decimal(number)


def _plain(number: Decimal | int) -> str:
    """A figure in plain notation without trailing zeros: 12.50 → 「12.5」, 1E+2 → 「100」.

    Exact: what was typed is what is stored, on SQLite and PostgreSQL alike, and what the
    audit trail says (``results.rules`` has refused more decimals than the unit allows).
    """
    return format(Decimal(number).normalize(), "f")


_RESULT_FIELDS = [
    "value",
    "extra_values",
    "done",
    "cancelled",
    "cancel_scope",
    "cancel_reason",
    "note",
    "reason",
]


def section_items(*, fiscal_year: FiscalYear, section: Section):
    """The rows of a section's plan for a year, in plan order."""
    return (
        PlanItem.objects.filter(
            initiative__business__fiscal_year=fiscal_year, initiative__business__section=section
        )
        .select_related("initiative__business")
        .order_by("initiative__business__order", "initiative__order", "order", "pk")
    )


def section_quarter_get(
    *, fiscal_year: FiscalYear, section: Section, quarter: int
) -> SectionQuarter:
    section_quarter, _ = SectionQuarter.objects.get_or_create(
        fiscal_year=fiscal_year, section=section, quarter=quarter
    )
    return section_quarter


def window_for(fiscal_year: FiscalYear, quarter: int) -> QuarterWindow | None:
    return QuarterWindow.objects.filter(fiscal_year=fiscal_year, quarter=quarter).first()


def _row_label(item: PlanItem) -> str:
    return f"「{item.group} {item.name}」".replace("「 ", "「")


def _validate_inputs(
    items: dict[int, PlanItem],
    inputs: list[ResultInput],
    quarter: int,
    existing: dict[int, Result],
) -> tuple[list[str], dict[int, list[str]]]:
    """Every problem of ``inputs`` as messages naming their row (``results.rules``, as the
    entry form applies them), and the confirmed plausibility warnings by row."""
    errors: list[str] = []
    confirmed: dict[int, list[str]] = {}
    for entry in inputs:
        item = items.get(entry.item_id)
        if item is None:
            errors.append(f"行ID {entry.item_id} はこの係の計画にありません。")
            continue
        label = _row_label(item)
        segment = item.earlier_target_at(quarter)  # a 補正 applies from its quarter on
        target = target_from_dict(segment["target"]) if segment else parsed_target(item.target_json)
        fields = dict(figure_fields(target))
        row = entry.row_entry()
        if target.kind != Kind.QUANTITY:
            row = replace(row, figures={k: v for k, v in row.figures.items() if v is not None})
        for name, message in row_problems(target, row):
            if name in row.figures and name not in fields:
                message = "この行には実績の数を入力できません（「実施」「未実施」で入力します）。"
            errors.append(f"{label}: {message}")
        warnings = implausible_figures(
            target,
            quarter,
            changed_figures(row.figures, existing.get(entry.item_id)),
            flow=is_flow(item),
        )
        if warnings and not entry.confirmed:
            errors.extend(f"{label}: {warning}{CONFIRM_HINT}" for _, warning in warnings)
        elif warnings:
            confirmed[entry.item_id] = [warning for _, warning in warnings]
    return errors, confirmed


@transaction.atomic
def results_save(
    *,
    section_quarter: SectionQuarter,
    user: User,
    inputs: list[ResultInput],
    version: int,
) -> SectionQuarter:
    """Save a section's 実績 for one quarter as a draft, all rows at once.

    Refused (EntryError, nothing written) when the entry is submitted or approved, when
    the quarter's window is closed (the 事務局 may still correct), or when a value is
    invalid. Refused with StaleEntryError when ``version`` is not the current one:
    someone saved in between, and this save would silently overwrite their input.
    Every changed field is written to the audit trail.
    """
    # Lock the section-quarter row only (``of``), with what the save reads of it.
    locked = (
        SectionQuarter.objects.select_for_update(of=("self",))
        .select_related("fiscal_year__organization", "section")
        .get(pk=section_quarter.pk)
    )
    if locked.version != version:
        raise StaleEntryError(
            [
                "ほかの方が先にこの係の実績を保存しました。最新の内容を表示しましたので、"
                "確認してからもう一度入力してください。"
            ]
        )
    if locked.is_locked:
        raise EntryError([f"この四半期の実績は{locked.get_state_display()}のため変更できません。"])
    window = window_for(locked.fiscal_year, locked.quarter)
    if user.role != User.Role.SECRETARIAT and not (window and window.is_open):
        raise EntryError(["この四半期の入力期間ではありません。事務局にお問い合わせください。"])

    # Only what validation and the audit trail's labels read (not policies); the target
    # as text, decoded once per process (``parsed_target``).
    items = {
        item.pk: item
        for item in section_items(fiscal_year=locked.fiscal_year, section=locked.section)
        .select_related(None)
        .only("pk", "group", "name", "aggregation", "earlier_targets", "target_from_quarter")
        .annotate(target_json=Cast("target", TextField()))
    }
    existing = {
        r.item_id: r
        for r in Result.objects.filter(item_id__in=items.keys(), quarter=locked.quarter)
    }
    errors, confirmed = _validate_inputs(items, inputs, locked.quarter, existing)
    if errors:
        raise EntryError(errors)

    to_create: list[Result] = []
    to_update: list[Result] = []
    events: list[AuditEvent] = []
    organization = locked.fiscal_year.organization
    for entry in inputs:
        new = entry.as_fields()
        result = existing.get(entry.item_id)
        if result is None:
            result = Result(item_id=entry.item_id, quarter=locked.quarter, updated_by=user, **new)
            if not result.is_entered and not result.note and not result.reason:
                continue
            to_create.append(result)
            changes = {
                k: [None, _jsonable(v)] for k, v in new.items() if v not in (None, "", [], False)
            }
        else:
            changes = {
                k: [_jsonable(getattr(result, k)), _jsonable(v)]
                for k, v in new.items()
                if _jsonable(getattr(result, k)) != _jsonable(v)
            }
            if not changes:
                continue
            for k, v in new.items():
                setattr(result, k, v)
            result.updated_by = user
            # bulk_update does not run auto_now: stamp the change here.
            result.updated_at = timezone.now()
            to_update.append(result)
        if entry.item_id in confirmed:
            # The person confirmed a figure far beyond the target or the pace.
            changes["confirmed"] = [None, " ".join(confirmed[entry.item_id])]
        events.append(
            AuditEvent(
                organization=organization,
                user=user,
                action=AuditEvent.Action.RESULT_CHANGED,
                summary=f"第{locked.quarter}四半期 {_row_label(items[entry.item_id])}"[:300],
                changes=changes,
                plan_item=items[entry.item_id],
                section=locked.section,
            )
        )
    Result.objects.bulk_create(to_create)
    audit_record_many(events)
    # One INSERT … ON CONFLICT (item, quarter) DO UPDATE rather than bulk_update, whose
    # CASE WHEN per row and field cost more than all the rest of a save (bench/, 63 rows:
    # 177 → 7 ms of CPU). Rows go in without their id so that only (item, quarter) conflicts.
    Result.objects.bulk_create(
        [
            Result(
                item_id=r.item_id,
                quarter=r.quarter,
                updated_by_id=r.updated_by_id,
                **{f: getattr(r, f) for f in _RESULT_FIELDS},
            )
            for r in to_update
        ],
        update_conflicts=True,
        unique_fields=["item", "quarter"],
        update_fields=[*_RESULT_FIELDS, "updated_by", "updated_at"],
    )
    SectionQuarter.objects.filter(pk=locked.pk).update(version=F("version") + 1)
    locked.version += 1  # the row is locked until commit: nobody else changed it
    return locked


def _jsonable(value):
    """A value as the audit trail stores it: decimals in plain notation, 20 not 2E+1."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def shortfalls_without_reason(section_quarter: SectionQuarter) -> list[str]:
    """Rows behind (遅れ / 未着手) at this quarter that do not explain 理由・今後の対応."""
    items = list(
        section_items(fiscal_year=section_quarter.fiscal_year, section=section_quarter.section)
    )
    results: dict[int, list[Result]] = {}
    for result in Result.objects.filter(item__in=items, quarter__lte=section_quarter.quarter):
        results.setdefault(result.item_id, []).append(result)
    tolerance = section_quarter.fiscal_year.organization.tolerance
    # Judged as the entry page shows it: before the quarter's period, nothing is missing.
    begun = window_for(section_quarter.fiscal_year, section_quarter.quarter) is not None
    missing = []
    for item in items:
        progress = item_progress(
            item,
            results.get(item.pk, []),
            section_quarter.quarter,
            quarter_begun=begun,
            tolerance=tolerance,
        )
        if progress.status.is_shortfall and not progress.explained:
            missing.append(
                f"{_row_label(item)}: {progress.status}のため、理由・今後の対応を入力してください。"
            )
    return missing


def _transition(
    section_quarter: SectionQuarter,
    *,
    allowed_from: set[str],
    refusal: str,
) -> SectionQuarter:
    locked = SectionQuarter.objects.select_for_update().get(pk=section_quarter.pk)
    if locked.state not in allowed_from:
        raise EntryError([refusal.format(state=locked.get_state_display())])
    return locked


@transaction.atomic
def section_quarter_submit(*, section_quarter: SectionQuarter, user: User) -> SectionQuarter:
    """提出: send the section's quarter to the 課長. Every shortfall must have a reason."""
    locked = _transition(
        section_quarter,
        allowed_from={SectionQuarter.State.DRAFT, SectionQuarter.State.RETURNED},
        refusal="この四半期の実績は{state}のため提出できません。",
    )
    missing = shortfalls_without_reason(locked)
    if missing:
        raise EntryError(missing)
    locked.state = SectionQuarter.State.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.submitted_by = user
    locked.version += 1
    locked.save(update_fields=["state", "submitted_at", "submitted_by", "version", "updated_at"])
    _audit_transition(locked, user, AuditEvent.Action.SUBMITTED)
    return locked


_WITHDRAW_REFUSALS = {
    SectionQuarter.State.DRAFT: "まだ提出されていないため、取り消すものはありません。",
    SectionQuarter.State.RETURNED: (
        "課長が差し戻したため、取り消しは不要です。そのまま修正して再提出できます。"
    ),
    SectionQuarter.State.APPROVED: (
        "課長が承認したため、提出を取り消せません。修正が必要な場合は事務局に承認の解除を"
        "依頼してください。"
    ),
}


@transaction.atomic
def section_quarter_withdraw(*, section_quarter: SectionQuarter, user: User) -> SectionQuarter:
    """提出の取り消し: the 係 takes its submission back before the 課長 approves or returns it.

    The entry becomes a draft again. Refused once the 課長 has acted, and while the
    quarter's window is closed (the 係 could not correct nor resubmit it: the 事務局
    handles it then)."""
    locked = SectionQuarter.objects.select_for_update().get(pk=section_quarter.pk)
    if locked.state != SectionQuarter.State.SUBMITTED:
        raise EntryError([_WITHDRAW_REFUSALS[locked.state]])
    window = window_for(locked.fiscal_year, locked.quarter)
    if not (window and window.is_open):
        raise EntryError(
            ["入力期間が締め切られているため、提出を取り消せません。事務局に相談してください。"]
        )
    locked.state = SectionQuarter.State.DRAFT
    locked.comment = ""
    locked.version += 1
    locked.save(update_fields=["state", "comment", "version", "updated_at"])
    _audit_transition(locked, user, AuditEvent.Action.WITHDRAWN)
    return locked


@transaction.atomic
def section_quarter_approve(
    *,
    section_quarter: SectionQuarter,
    user: User,
    version: int | None = None,
    reviewed: dict[str, list] | None = None,
) -> SectionQuarter:
    """承認: the 課長 accepts the entry; it is locked from then on, and what was approved
    is recorded row by row (``approval_record``).

    ``version`` is the version of the entry the 課長 reviewed, ``reviewed`` its figures
    as shown (``entry_snapshot``). When the entry changed since (someone unlocked, edited
    and resubmitted it), the approval is refused with StaleApprovalError, listing per row
    what changed (old → new). ``version`` None skips the check (commands, the demo).
    """
    locked = _transition(
        section_quarter,
        allowed_from={SectionQuarter.State.SUBMITTED},
        refusal="提出されていない実績は承認できません（現在: {state}）。",
    )
    if version is not None and locked.version != version:
        raise StaleApprovalError(_changes_since(locked, reviewed))
    locked.state = SectionQuarter.State.APPROVED
    locked.decided_at = timezone.now()
    locked.decided_by = user
    locked.comment = ""
    locked.version += 1
    locked.save(
        update_fields=["state", "decided_at", "decided_by", "comment", "version", "updated_at"]
    )
    approval_record(section_quarter=locked, user=user)
    _audit_transition(locked, user, AuditEvent.Action.APPROVED)
    return locked


def approval_record(
    *, section_quarter: SectionQuarter, user: User | None, approved_at=None
) -> Approval:
    """Record, per row, what is approved for ``section_quarter``: the target in force at
    the quarter (its text and structure, ``PlanItem.target_at``), the quarter's figures,
    the cumulative figures, the status and the reason, judged as the entry page showed
    them to the 課長. Call inside the approving transaction."""
    fiscal_year = section_quarter.fiscal_year
    quarter = section_quarter.quarter
    items = list(
        section_items(fiscal_year=fiscal_year, section=section_quarter.section).select_related(None)
    )
    results: dict[int, list[Result]] = {}
    for result in Result.objects.filter(item__in=items, quarter__lte=quarter):
        results.setdefault(result.item_id, []).append(result)
    tolerance = fiscal_year.organization.tolerance
    approval = Approval.objects.create(
        section_quarter=section_quarter,
        version=section_quarter.version,
        approved_at=approved_at or timezone.now(),
        approved_by=user,
    )
    rows = []
    for item in items:
        target = item.target_at(quarter)
        folded = item_progress(
            item, results.get(item.pk, []), quarter, tolerance=tolerance, target=target
        )
        current = folded.current
        progress = folded.progress
        rows.append(
            ApprovedRow(
                approval=approval,
                item=item,
                quarter=quarter,
                target_text=item.target_text_at(quarter),
                target=target_to_dict(target),
                aggregation=item.aggregation,
                value=current.value if current else None,
                extra_values=list(current.extra_values or []) if current else [],
                done=current.done if current else None,
                cancelled=bool(current and current.cancelled),
                cancel_scope=current.cancel_scope if current else "",
                cancel_reason=current.cancel_reason if current else "",
                note=current.note if current else "",
                reason=current.reason if current else "",
                actual=folded.actual,
                extra_actuals=[None if v is None else str(v) for v in folded.extra_actuals],
                bar=progress.target,
                expected=round(progress.expected, 6),
                rate=progress.rate,
                status=progress.status.value,
                state_reason=folded.cancel_reason,
            )
        )
    ApprovedRow.objects.bulk_create(rows)
    return approval


@transaction.atomic
def approvals_backfill() -> int:
    """Record what was approved for approved quarters that have no approved record (approved
    before the record existed, or loaded in bulk): from their 実績, which the approval
    locked, against each row's target in force at the quarter. Returns how many
    section-quarters were recorded; each gets an audit entry."""
    missing = (
        SectionQuarter.objects.filter(state=SectionQuarter.State.APPROVED)
        .exclude(
            Exists(
                Approval.objects.filter(section_quarter=OuterRef("pk"), withdrawn_at__isnull=True)
            )
        )
        .select_related("fiscal_year__organization", "section", "decided_by")
        .order_by("fiscal_year_id", "quarter", "section_id")
    )
    count = 0
    for section_quarter in missing.select_for_update(of=("self",)):
        approval_record(
            section_quarter=section_quarter,
            user=section_quarter.decided_by,
            approved_at=section_quarter.decided_at,
        )
        audit_record(
            organization=section_quarter.fiscal_year.organization,
            user=None,
            action=AuditEvent.Action.APPROVED,
            summary=f"{section_quarter.section} 第{section_quarter.quarter}四半期"
            "（承認済みの内容を承認の記録に登録）",
            section=section_quarter.section,
        )
        count += 1
    return count


def _approval_withdraw(*, section_quarter: SectionQuarter, user: User, reason: str) -> None:
    approval = Approval.objects.filter(
        section_quarter=section_quarter, withdrawn_at__isnull=True
    ).first()
    if approval is None:
        return
    approval.withdrawn_at = timezone.now()
    approval.withdrawn_by = user
    approval.withdrawn_reason = reason
    approval.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
    approval.rows.update(current=False)


_SNAPSHOT_FIELDS = [
    "value",
    "extra_values",
    "done",
    "cancelled",
    "cancel_scope",
    "cancel_reason",
    "note",
    "reason",
]
_SNAPSHOT_LABELS = {
    "value": "実績",
    "extra_values": "実績（そのほかの数）",
    "done": "実施",
    "cancelled": "中止",
    "cancel_scope": "中止の範囲",
    "cancel_reason": "中止の理由",
    "note": "実施内容",
    "reason": "理由・今後の対応",
}


def entry_snapshot(section_quarter: SectionQuarter) -> dict[str, list]:
    """The entry's figures of its quarter as the 課長 sees them, by row id (JSON-ready):
    carried by the approval form so that a refused approval can say what changed."""
    return {
        str(result.item_id): [
            # The kind of 中止 as people read it (「事業を年度中止」), not its stored code.
            result.get_cancel_scope_display()
            if f == "cancel_scope"
            else _jsonable(getattr(result, f))
            for f in _SNAPSHOT_FIELDS
        ]
        for result in Result.objects.filter(
            item__initiative__business__fiscal_year_id=section_quarter.fiscal_year_id,
            item__initiative__business__section_id=section_quarter.section_id,
            quarter=section_quarter.quarter,
        ).order_by()
    }


def _snapshot_text(value) -> str:
    if value is None or value == "" or value == [] or value is False:
        return "（なし）"
    if value is True:
        return "はい"
    if isinstance(value, list):
        return "、".join(_snapshot_text(v) for v in value)
    return str(value)


def _changes_since(section_quarter: SectionQuarter, reviewed: dict[str, list] | None) -> list[str]:
    """Why an approval of an older version is refused, and what changed, per row."""
    messages = [
        "この係の実績は、承認の画面を開いた後に変更されました（承認解除・修正・再提出など）。"
        "変更点を確認してから、もう一度承認してください。"
    ]
    if reviewed is None:
        return messages
    now = entry_snapshot(section_quarter)
    ids = sorted({int(k) for k in (*reviewed, *now)})
    labels = {
        item.pk: _row_label(item)
        for item in PlanItem.objects.filter(pk__in=ids).only("pk", "group", "name")
    }
    empty = [None, [], None, False, "", "", "", ""]
    for item_id in ids:
        before = reviewed.get(str(item_id), empty)
        after = now.get(str(item_id), empty)
        parts = [
            f"{_SNAPSHOT_LABELS[field]} {_snapshot_text(old)} → {_snapshot_text(new)}"
            for field, old, new in zip(_SNAPSHOT_FIELDS, before, after, strict=True)
            if _snapshot_text(old) != _snapshot_text(new)
        ]
        if parts and item_id in labels:
            messages.append(f"{labels[item_id]}: " + "、".join(parts))
    return messages


@transaction.atomic
def section_quarter_return(
    *, section_quarter: SectionQuarter, user: User, comment: str
) -> SectionQuarter:
    """差戻し: the 課長 sends the entry back with a comment."""
    comment = visible_text(comment)
    if not comment:
        raise EntryError(["差戻しの理由（コメント）を入力してください。"])
    locked = _transition(
        section_quarter,
        allowed_from={SectionQuarter.State.SUBMITTED},
        refusal="提出されていない実績は差し戻せません（現在: {state}）。",
    )
    locked.state = SectionQuarter.State.RETURNED
    locked.decided_at = timezone.now()
    locked.decided_by = user
    locked.comment = comment
    locked.version += 1
    locked.save(
        update_fields=["state", "decided_at", "decided_by", "comment", "version", "updated_at"]
    )
    _audit_transition(locked, user, AuditEvent.Action.RETURNED, comment=locked.comment)
    return locked


@transaction.atomic
def section_quarter_unlock(
    *, section_quarter: SectionQuarter, user: User, reason: str
) -> SectionQuarter:
    """事務局 reopens an approved (or submitted) entry for correction, with a reason.

    An approval is withdrawn (its record kept, marked withdrawn with the reason): the
    dashboard and the books count the quarter again only once it is re-approved."""
    reason = visible_text(reason)
    if not reason:
        raise EntryError(["承認を解除する理由を入力してください。"])
    locked = _transition(
        section_quarter,
        allowed_from={SectionQuarter.State.APPROVED, SectionQuarter.State.SUBMITTED},
        refusal="この四半期の実績は{state}のため、解除の必要はありません。",
    )
    if locked.state == SectionQuarter.State.APPROVED:
        # The approved record stays as history; readers no longer count it.
        _approval_withdraw(section_quarter=locked, user=user, reason=reason)
    locked.state = SectionQuarter.State.DRAFT
    locked.comment = f"承認解除: {reason}"
    locked.version += 1
    locked.save(update_fields=["state", "comment", "version", "updated_at"])
    _audit_transition(locked, user, AuditEvent.Action.UNLOCKED, comment=reason)
    return locked


def _audit_transition(
    section_quarter: SectionQuarter, user: User, action: AuditEvent.Action, comment: str = ""
) -> None:
    audit_record(
        organization=section_quarter.fiscal_year.organization,
        user=user,
        action=action,
        summary=f"{section_quarter.section} 第{section_quarter.quarter}四半期"
        + (f"（{comment}）" if comment else ""),
        changes={"state": [None, section_quarter.state]},
        section=section_quarter.section,
    )


@transaction.atomic
def quarter_window_set(
    *,
    fiscal_year: FiscalYear,
    quarter: int,
    is_open: bool,
    deadline: date | None,
    user: User,
) -> QuarterWindow:
    """事務局 opens or closes a quarter's entry window and sets its deadline."""
    window, _ = QuarterWindow.objects.select_for_update().get_or_create(
        fiscal_year=fiscal_year, quarter=quarter
    )
    old = [window.is_open, window.deadline.isoformat() if window.deadline else None]
    window.is_open = is_open
    window.deadline = deadline
    window.full_clean()
    window.save(update_fields=["is_open", "deadline", "updated_at"])
    audit_record(
        organization=fiscal_year.organization,
        user=user,
        action=AuditEvent.Action.WINDOW_CHANGED,
        summary=f"{fiscal_year.label} 第{quarter}四半期の入力期間を{'開始' if is_open else '終了'}",
        changes={"is_open,deadline": [old, [is_open, deadline.isoformat() if deadline else None]]},
    )
    return window


@transaction.atomic
def organization_set_tolerance(
    *, organization: Organization, tolerance: Decimal, user: User
) -> Organization:
    """Change the 順調 band of the organisation (0 ≤ tolerance < 1)."""
    if not Decimal("0") <= tolerance < Decimal("1"):
        raise EntryError(["許容幅は 0 以上 1 未満で入力してください（例: 0.10 = 10%）。"])
    old = organization.tolerance
    organization.tolerance = tolerance
    organization.save(update_fields=["tolerance"])
    audit_record(
        organization=organization,
        user=user,
        action=AuditEvent.Action.SETTINGS_CHANGED,
        summary="順調とみなす許容幅",
        changes={"tolerance": [str(old), str(tolerance)]},
    )
    return organization

"""Writes that span models: loading a plan, editing a row and re-parsing its 目標値,
確定 of a year's plan, 補正 of a target after it, and applying a confirmed plan import."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from targets.aggregation import propose_aggregation
from targets.parser import parse_target, target_from_dict, target_to_dict
from targets.types import ParsedTarget

from .access import role_needs_department, role_needs_section
from .approvals import first_open_quarter
from .audit import audit_record
from .models import (
    AuditEvent,
    Business,
    CollaborationGrant,
    Commission,
    Department,
    FiscalYear,
    Initiative,
    Organization,
    PlanImport,
    PlanItem,
    Section,
    TargetQuantity,
    TargetRevision,
    User,
)


def target_fields(parsed: ParsedTarget) -> dict[str, Any]:
    """The PlanItem columns that repeat a parsed target for SQL."""
    main = parsed.main
    return {
        "target": target_to_dict(parsed),
        "target_kind": parsed.kind.value,
        "needs_review": parsed.needs_review,
        "target_value": main.value if main else None,
        "target_unit": main.unit if main else "",
    }


def new_item_fields(parsed: ParsedTarget) -> dict[str, Any]:
    """The columns of a new row from its parsed target: the target and its proposed 集計方法."""
    return {**target_fields(parsed), "aggregation": propose_aggregation(parsed).value}


_TARGET_FIELDS = ["target", "target_kind", "needs_review", "target_value", "target_unit"]


def target_quantities(item: PlanItem, parsed: ParsedTarget) -> list[TargetQuantity]:
    return [
        TargetQuantity(
            item=item,
            position=position,
            value=quantity.value,
            max_value=quantity.max,
            unit=quantity.unit,
            label=quantity.label,
        )
        for position, quantity in enumerate(parsed.quantities)
    ]


@transaction.atomic
def organization_create(
    *, name: str, kind: Organization.Kind, short_name: str = ""
) -> Organization:
    """An operator registers a council or a city (never a council user, never an import)."""
    organization = Organization(name=name.strip(), kind=kind, short_name=short_name.strip())
    organization.full_clean()
    organization.save()
    return organization


def _audit_relation(council: Organization, user: User | None, summary: str) -> None:
    audit_record(
        organization=council,
        user=user,
        action=AuditEvent.Action.RELATION_CHANGED,
        summary=summary,
    )


@transaction.atomic
def commission_add(
    *, council: Organization, commissioner: Organization, user: User | None = None
) -> Commission:
    """Relate a commissioning body (委託元) to a council; idempotent."""
    existing = Commission.objects.filter(council=council, commissioner=commissioner).first()
    if existing:
        return existing
    commission = Commission(council=council, commissioner=commissioner)
    commission.full_clean()
    commission.save()
    _audit_relation(council, user, f"委託元「{commissioner.name}」を登録")
    return commission


@transaction.atomic
def commission_remove(
    *, council: Organization, commissioner: Organization, user: User | None = None
) -> None:
    """Remove a 委託関係; refused while the council's plans still name that body."""
    in_use = Business.objects.filter(
        fiscal_year__organization=council, commissioned_by=commissioner
    ).count()
    if in_use:
        raise ValidationError(
            f"「{council.name}」の計画に「{commissioner.name}」からの受託事業が{in_use}件あるため、"
            "委託関係を削除できません。"
        )
    deleted, _ = Commission.objects.filter(council=council, commissioner=commissioner).delete()
    if deleted:
        _audit_relation(council, user, f"委託元「{commissioner.name}」の登録を削除")


@transaction.atomic
def collaboration_grant_add(
    *, council: Organization, city: Organization, user: User | None = None
) -> CollaborationGrant:
    """Let a council read a city's 協働事業一覧 and ふりかえり; idempotent."""
    existing = CollaborationGrant.objects.filter(council=council, city=city).first()
    if existing:
        return existing
    grant = CollaborationGrant(council=council, city=city)
    grant.full_clean()
    grant.save()
    _audit_relation(council, user, f"「{city.name}」の協働事業の閲覧を登録")
    return grant


@transaction.atomic
def collaboration_grant_remove(
    *, council: Organization, city: Organization, user: User | None = None
) -> None:
    deleted, _ = CollaborationGrant.objects.filter(council=council, city=city).delete()
    if deleted:
        _audit_relation(council, user, f"「{city.name}」の協働事業の閲覧の登録を削除")


@dataclass(frozen=True)
class PlanLoadResult:
    fiscal_year: FiscalYear
    created: bool
    items: int


@transaction.atomic
def plan_load(*, organization: Organization, data: dict[str, Any]) -> PlanLoadResult:
    """Load a plan in the structure of ``r2_plan.json`` into ``organization``.

    A business's ``commissioned_by`` must name a commissioner related to the organisation
    (ValidationError otherwise, nothing written). Idempotent: a year that already has businesses is left as it is.
    """
    year = int(data["fiscal_year"]["year"])
    fiscal_year, _ = FiscalYear.objects.get_or_create(organization=organization, year=year)
    if fiscal_year.businesses.exists():
        count = PlanItem.objects.filter(initiative__business__fiscal_year=fiscal_year).count()
        return PlanLoadResult(fiscal_year=fiscal_year, created=False, items=count)

    items: list[PlanItem] = []
    parsed_by_item: list[ParsedTarget] = []
    for dep_order, dep in enumerate(data["departments"], start=1):
        department, _ = Department.objects.get_or_create(
            organization=organization, name=dep["name"], defaults={"order": dep_order}
        )
        for sec_order, sec in enumerate(dep["sections"], start=1):
            section, _ = Section.objects.get_or_create(
                department=department, name=sec["name"], defaults={"order": sec_order}
            )
            for bus_order, bus in enumerate(sec["businesses"], start=1):
                # Only a commissioner related to the council (raises ValidationError).
                commissioned_by = (
                    organization.commissioner_named(bus["commissioned_by"])
                    if bus.get("commissioned_by")
                    else None
                )
                business = Business.objects.create(
                    fiscal_year=fiscal_year,
                    section=section,
                    name=bus["name"],
                    order=bus_order,
                    commissioned_by=commissioned_by,
                    policies=list(bus.get("section_policies") or []),
                    policies_shared=bool(bus.get("section_policies_shared")),
                )
                initiatives = Initiative.objects.bulk_create(
                    Initiative(
                        business=business,
                        number=ini["number"],
                        title=ini["title"],
                        policy=ini.get("policy") or "",
                        order=ini_order,
                    )
                    for ini_order, ini in enumerate(bus["initiatives"], start=1)
                )
                for initiative, ini in zip(initiatives, bus["initiatives"], strict=True):
                    for item_order, raw in enumerate(ini["items"], start=1):
                        parsed = parse_target(raw.get("target") or "", raw.get("detail") or "")
                        items.append(
                            PlanItem(
                                initiative=initiative,
                                order=item_order,
                                group=raw.get("group") or "",
                                name=raw.get("name") or "",
                                detail=raw.get("detail") or "",
                                target_text=raw.get("target") or "",
                                source_confidence=raw.get("confidence") or "",
                                source_note=raw.get("note") or "",
                                **new_item_fields(parsed),
                            )
                        )
                        parsed_by_item.append(parsed)
    created = PlanItem.objects.bulk_create(items)
    TargetQuantity.objects.bulk_create(
        quantity
        for item, parsed in zip(created, parsed_by_item, strict=True)
        for quantity in target_quantities(item, parsed)
    )
    return PlanLoadResult(fiscal_year=fiscal_year, created=True, items=len(created))


def _audit_item(item: PlanItem, user: User | None, changes: dict, summary: str) -> None:
    if changes:
        audit_record(
            organization=item.initiative.business.fiscal_year.organization,
            user=user,
            action=AuditEvent.Action.PLAN_ITEM_CHANGED,
            summary=f"{summary} 「{item.group} {item.name}」",
            changes=changes,
            plan_item=item,
            section=item.initiative.business.section,
        )


@dataclass(frozen=True)
class PlanItemChange:
    """What an edit of a row did: the row, and the 補正 it asked for (None: none needed)."""

    item: PlanItem
    revision: TargetRevision | None = None


def _locked_item(item: PlanItem) -> tuple[PlanItem, FiscalYear]:
    """The row as stored, locked until the transaction ends, with its year."""
    stored = (
        PlanItem.objects.select_for_update(of=("self",))
        .select_related("initiative__business__fiscal_year", "initiative__business__section")
        .get(pk=item.pk)
    )
    return stored, stored.initiative.business.fiscal_year


@transaction.atomic
def plan_item_update(
    *,
    item: PlanItem,
    group: str,
    name: str,
    detail: str,
    target_text: str,
    aggregation: str | None = None,
    revision_reason: str = "",
    revision_from: int | None = None,
    source: str = TargetRevision.Source.SCREEN,
    user: User | None = None,
    summary: str = "計画の行を変更",
) -> PlanItemChange:
    """Change a row's texts and 集計方法; what changed goes to the audit trail (old → new).

    Before the year's plan is 確定, a new 目標値 is parsed again and replaces the target
    at once; a changed 目標値 without a new ``aggregation`` gets the 集計方法 its wording
    proposes. After 確定, the other texts change at once but a new 目標値 becomes a 補正
    request (``revision_reason`` and ``revision_from`` are then required) and the row's
    target stays as it is until the 事務局 approves it; a changed 内容 alone does not
    re-read a 確定 target. Raises ValidationError (nothing written) with Japanese messages.
    """
    stored, fiscal_year = _locked_item(item)
    texts = {"group": group, "name": name, "detail": detail}
    changes = {k: [getattr(stored, k), v] for k, v in texts.items() if getattr(stored, k) != v}
    target_changed = target_text != stored.target_text
    fixed = fiscal_year.is_plan_fixed
    parsed = parse_target(target_text, detail)
    untouched = aggregation is None or aggregation == stored.aggregation
    if untouched:
        # A new wording proposes its own 集計方法 unless the person chose one.
        proposes = target_changed and not fixed
        aggregation = propose_aggregation(parsed).value if proposes else stored.aggregation
    if aggregation != stored.aggregation:
        if fixed:
            _check_aggregation_change(stored)
        changes["aggregation"] = [stored.aggregation, aggregation]

    for field_name, value in texts.items():
        setattr(stored, field_name, value)
    stored.aggregation = aggregation
    fields = [*texts, "aggregation"]
    revision = None
    if target_changed and fixed:
        revision = _revision_create(
            item=stored,
            new_text=target_text,
            parsed=parsed,
            hand_made=False,
            reason=revision_reason,
            from_quarter=revision_from,
            source=source,
            user=user,
        )
    elif target_changed or (not fixed and not stored.target_edited):
        # Before 確定 the target follows its texts (the schedule may be in 内容).
        changes.update({"target_text": [stored.target_text, target_text]} if target_changed else {})
        stored.target_text = target_text
        for field_name, value in target_fields(parsed).items():
            setattr(stored, field_name, value)
        stored.target_edited = False
        fields += ["target_text", "target_edited", *_TARGET_FIELDS]
    stored.full_clean()
    stored.save(update_fields=fields)
    if "target" in fields:
        _replace_quantities(stored, parsed)
    _audit_item(stored, user, changes, summary)
    _copy(stored, item)
    return PlanItemChange(item=item, revision=revision)


def _copy(source: PlanItem, target: PlanItem) -> None:
    """Bring the caller's instance (often a bound form's) up to date with what was saved."""
    if source is not target:
        for model_field in PlanItem._meta.concrete_fields:
            setattr(target, model_field.attname, getattr(source, model_field.attname))


@transaction.atomic
def plan_item_create(
    *,
    initiative: Initiative,
    group: str,
    name: str,
    detail: str,
    target_text: str,
    order: int = 0,
    aggregation: str | None = None,
    user: User | None = None,
    summary: str = "計画の行を追加",
) -> PlanItem:
    """Add a row: its 目標値 parsed, its 集計方法 proposed unless given, the audit entry."""
    parsed = parse_target(target_text, detail)
    fields = new_item_fields(parsed)
    if aggregation:
        fields["aggregation"] = aggregation
    item = PlanItem(
        initiative=initiative,
        order=order,
        group=group,
        name=name,
        detail=detail,
        target_text=target_text,
        **fields,
    )
    item.full_clean()
    item.save()
    TargetQuantity.objects.bulk_create(target_quantities(item, parsed))
    _audit_item(item, user, {"target_text": ["", target_text]}, summary)
    return item


@transaction.atomic
def plan_item_set_structure(
    *,
    item: PlanItem,
    parsed: ParsedTarget,
    revision_reason: str = "",
    revision_from: int | None = None,
    user: User | None = None,
) -> PlanItemChange:
    """Replace a row's parsed target by one edited by hand (for rows marked 要確認).

    The written 目標値 stays as it is; the row keeps the hand-made structure until its
    text is changed again. After 確定 this is a 補正 request like a new 目標値.
    """
    stored, fiscal_year = _locked_item(item)
    new = target_to_dict(parsed)
    if fiscal_year.is_plan_fixed:
        if new == stored.target:
            return PlanItemChange(item=item)
        revision = _revision_create(
            item=stored,
            new_text=stored.target_text,
            parsed=parsed,
            hand_made=True,
            reason=revision_reason,
            from_quarter=revision_from,
            source=TargetRevision.Source.SCREEN,
            user=user,
        )
        return PlanItemChange(item=item, revision=revision)
    old = stored.target
    for field_name, value in target_fields(parsed).items():
        setattr(stored, field_name, value)
    stored.target_edited = True
    stored.full_clean()
    stored.save(update_fields=["target_edited", *_TARGET_FIELDS])
    _replace_quantities(stored, parsed)
    if old != stored.target:
        _audit_item(stored, user, {"target": [old, stored.target]}, "目標値の意味を手で修正")
    _copy(stored, item)
    return PlanItemChange(item=item)


# ---------------------------------------------------------------------------------------
# 確定 and 補正


@transaction.atomic
def plan_fix(*, fiscal_year: FiscalYear, user: User | None) -> FiscalYear:
    """確定: from now on a 目標値 of this year changes only through an approved 補正."""
    locked = (
        FiscalYear.objects.select_for_update().select_related("organization").get(pk=fiscal_year.pk)
    )
    if locked.is_plan_fixed:
        raise ValidationError(f"{locked.label}の事業計画は既に確定しています。")
    if not locked.businesses.exists():
        raise ValidationError(f"{locked.label}には確定する事業計画がありません。")
    locked.plan_fixed_at = timezone.now()
    locked.plan_fixed_by = user if user is not None and user.is_authenticated else None
    locked.save(update_fields=["plan_fixed_at", "plan_fixed_by"])
    audit_record(
        organization=locked.organization,
        user=user,
        action=AuditEvent.Action.PLAN_FIXED,
        summary=f"{locked.label}の事業計画を確定",
    )
    fiscal_year.plan_fixed_at = locked.plan_fixed_at
    fiscal_year.plan_fixed_by = locked.plan_fixed_by
    return fiscal_year


def revision_first_quarter(item: PlanItem) -> int | None:
    """The earliest quarter a 補正 of ``item`` may apply from (None: every quarter approved)."""
    business = item.initiative.business
    return first_open_quarter(
        fiscal_year_id=business.fiscal_year_id, section_id=business.section_id
    )


def _check_from_quarter(item: PlanItem, from_quarter: int | None, field: str) -> None:
    first = revision_first_quarter(item)
    if first is None:
        raise ValidationError(
            {field: "第4四半期まで承認済みのため、この年度の目標はもう補正できません。"}
        )
    if from_quarter is None or not 1 <= from_quarter <= 4:
        raise ValidationError({field: "補正を適用する四半期を選んでください。"})
    if from_quarter < first:
        raise ValidationError(
            {
                field: f"第{from_quarter}四半期は承認済みのため、その目標は変えられません。"
                f"第{first}四半期以降から適用してください。"
            }
        )


def _check_aggregation_change(item: PlanItem) -> None:
    """A 確定 row's 集計方法 changes only while none of its 係's quarters is approved:
    an approved quarter's figure would otherwise change its meaning."""
    if revision_first_quarter(item) != 1:
        raise ValidationError(
            {
                "aggregation": "承認済みの四半期があるため、集計方法は変えられません"
                "（承認した数の意味が変わるためです）。"
            }
        )


def _revision_errors(item: PlanItem, reason: str, from_quarter: int | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not reason.strip():
        errors["revision_reason"] = "確定後に目標値を変えるには、補正の理由を入力してください。"
    try:
        _check_from_quarter(item, from_quarter, "revision_from")
    except ValidationError as error:
        errors.update({k: v[0] for k, v in error.message_dict.items()})
    if item.revisions.filter(state=TargetRevision.State.REQUESTED).exists():
        errors["target_text"] = (
            "この行には承認待ちの補正があります。事務局が承認または却下してから申請してください。"
        )
    return errors


def target_change_errors(
    *, item: PlanItem, target_text: str, revision_reason: str, revision_from: int | None
) -> dict[str, str]:
    """What would refuse a change of ``item``'s 目標値 to ``target_text``, by form field.

    Empty when the plan is not 確定, the 目標値 is unchanged, or the 補正 asked for is
    acceptable. Forms call it to show the messages beside their fields; the services
    check the same again when they write.
    """
    fiscal_year = FiscalYear.objects.get(businesses__initiatives__items=item)
    if not fiscal_year.is_plan_fixed or target_text == item.target_text:
        return {}
    return _revision_errors(item, revision_reason, revision_from)


def aggregation_change_errors(*, item: PlanItem, aggregation: str | None) -> dict[str, str]:
    """What would refuse changing ``item``'s 集計方法 to ``aggregation``, by form field."""
    if not aggregation or aggregation == item.aggregation:
        return {}
    if not FiscalYear.objects.filter(
        businesses__initiatives__items=item, plan_fixed_at__isnull=False
    ).exists():
        return {}
    try:
        _check_aggregation_change(item)
    except ValidationError as error:
        return {k: v[0] for k, v in error.message_dict.items()}
    return {}


def _revision_create(
    *,
    item: PlanItem,
    new_text: str,
    parsed: ParsedTarget,
    hand_made: bool,
    reason: str,
    from_quarter: int | None,
    source: str,
    user: User | None,
) -> TargetRevision:
    """A 補正 request for a locked row; raises ValidationError (field names of the form)."""
    errors = _revision_errors(item, reason, from_quarter)
    if errors:
        raise ValidationError(errors)
    revision = TargetRevision(
        item=item,
        source=source,
        from_quarter=from_quarter,
        old_text=item.target_text,
        old_target=item.target,
        new_text=new_text,
        new_target=target_to_dict(parsed),
        hand_made=hand_made,
        reason=reason.strip(),
        requested_by=user if user is not None and user.is_authenticated else None,
    )
    revision.full_clean()
    revision.save()
    business = item.initiative.business
    audit_record(
        organization=business.fiscal_year.organization,
        user=user,
        action=AuditEvent.Action.REVISION_REQUESTED,
        summary=f"目標の補正を申請「{item.group} {item.name}」（{revision.from_label}）",
        changes={"target_text": [item.target_text, new_text], "from_quarter": from_quarter},
        plan_item=item,
        section=business.section,
    )
    return revision


def _locked_revision(revision: TargetRevision) -> TargetRevision:
    locked = (
        TargetRevision.objects.select_for_update(of=("self",))
        .select_related("item")
        .get(pk=revision.pk)
    )
    if locked.state != TargetRevision.State.REQUESTED:
        raise ValidationError(f"この補正は既に{locked.get_state_display()}です。")
    return locked


@transaction.atomic
def target_revision_approve(
    *, revision: TargetRevision, user: User | None, note: str = ""
) -> TargetRevision:
    """The 事務局 approves a 補正: the row's target changes from its quarter on.

    The quarters before ``from_quarter`` keep the target they had (``PlanItem.target_at``).
    Refused (ValidationError) when a 課長 has approved ``from_quarter`` or a later quarter
    since the request.
    """
    locked = _locked_revision(revision)
    item, fiscal_year = _locked_item(locked.item)
    _check_from_quarter(item, locked.from_quarter, "from_quarter")
    start = locked.from_quarter
    current_from = item.target_from_quarter or 1
    earlier = [segment for segment in item.earlier_targets if segment["from"] < start]
    if current_from < start:
        earlier.append({"from": current_from, "text": item.target_text, "target": item.target})
    parsed = target_from_dict(locked.new_target)
    old_text = item.target_text
    item.earlier_targets = earlier
    item.target_from_quarter = start
    item.target_text = locked.new_text
    for field_name, value in target_fields(parsed).items():
        setattr(item, field_name, value)
    item.target_edited = locked.hand_made
    item.full_clean()
    item.save(
        update_fields=[
            "earlier_targets",
            "target_from_quarter",
            "target_text",
            "target_edited",
            *_TARGET_FIELDS,
        ]
    )
    _replace_quantities(item, parsed)
    locked.state = TargetRevision.State.APPROVED
    locked.decided_at = timezone.now()
    locked.decided_by = user if user is not None and user.is_authenticated else None
    locked.decision_note = note.strip()
    locked.save(update_fields=["state", "decided_at", "decided_by", "decision_note"])
    business = item.initiative.business
    audit_record(
        organization=fiscal_year.organization,
        user=user,
        action=AuditEvent.Action.REVISION_APPROVED,
        summary=f"目標の補正を承認「{item.group} {item.name}」（{locked.from_label}）",
        changes={"target_text": [old_text, locked.new_text], "from_quarter": start},
        plan_item=item,
        section=business.section,
    )
    revision.refresh_from_db()
    return revision


@transaction.atomic
def target_revision_refuse(
    *, revision: TargetRevision, user: User | None, note: str
) -> TargetRevision:
    """The 事務局 refuses a 補正 (with a reason for the 係); the row is not changed."""
    if not note.strip():
        raise ValidationError({"note": "却下の理由を入力してください。"})
    locked = _locked_revision(revision)
    locked.state = TargetRevision.State.REFUSED
    locked.decided_at = timezone.now()
    locked.decided_by = user if user is not None and user.is_authenticated else None
    locked.decision_note = note.strip()
    locked.save(update_fields=["state", "decided_at", "decided_by", "decision_note"])
    item = locked.item
    business = item.initiative.business
    audit_record(
        organization=business.fiscal_year.organization,
        user=user,
        action=AuditEvent.Action.REVISION_REFUSED,
        summary=f"目標の補正を却下「{item.group} {item.name}」",
        changes={"target_text": [locked.old_text, locked.new_text], "note": locked.decision_note},
        plan_item=item,
        section=business.section,
    )
    revision.refresh_from_db()
    return revision


def _replace_quantities(item: PlanItem, parsed: ParsedTarget) -> None:
    item.quantities.all().delete()
    TargetQuantity.objects.bulk_create(target_quantities(item, parsed))


def plan_items_reparse(*, items: Iterable[PlanItem]) -> int:
    """Parse every given row again (after a parser change).

    Rows edited by hand are kept, and so are rows of a 確定 plan: their target changes
    only through a 補正.
    """
    items = list(items)
    fixed = set(
        PlanItem.objects.filter(
            pk__in=[item.pk for item in items],
            initiative__business__fiscal_year__plan_fixed_at__isnull=False,
        ).values_list("pk", flat=True)
    )
    count = 0
    for item in items:
        if item.target_edited or item.pk in fixed:
            continue
        parsed = parse_target(item.target_text, item.detail)
        with transaction.atomic():
            for field, value in target_fields(parsed).items():
                setattr(item, field, value)
            item.save(update_fields=_TARGET_FIELDS)
            _replace_quantities(item, parsed)
        count += 1
    return count


@transaction.atomic
def login_unlock(*, organization: Organization, username: str, address: str, user: User) -> int:
    """The 事務局 lifts the lockout of one of its council's users at one address.

    Returns how many lockout records were removed (0: nothing was locked, or the name is
    not a user of this council — another council's users are never touched).
    """
    from axes.models import AccessAttempt

    if not User.objects.filter(organization=organization, username=username).exists():
        return 0
    deleted, _ = AccessAttempt.objects.filter(username=username, ip_address=address).delete()
    if deleted:
        audit_record(
            organization=organization,
            user=user,
            action=AuditEvent.Action.LOGIN_UNLOCKED,
            summary=f"「{username}」（{address}）のログインの停止を解除",
        )
    return deleted


# ---------------------------------------------------------------------------------------
# A plan workbook read into a year that has a plan: every change shown, then confirmed


_TEXT_LABELS = {
    "group": "項目",
    "name": "内容（小項目）",
    "detail": "内容",
    "target_text": "目標値",
}


@dataclass(frozen=True)
class RowChange:
    """One row the file changes: ``kind`` is "changed", "added" or "removed"."""

    kind: str
    business: str
    label: str
    fields: tuple[tuple[str, str, str], ...] = ()  # (what, old, new)
    needs_revision: bool = False  # the 目標値 changes in a 確定 plan: a 補正
    item: PlanItem | None = None
    section_id: int | None = None

    @property
    def kind_label(self) -> str:
        return {"changed": "変更", "added": "追加", "removed": "削除"}[self.kind]


@dataclass
class PlanChanges:
    """What confirming a plan import would change, row by row."""

    fixed: bool
    rows: list[RowChange] = field(default_factory=list)
    other: list[str] = field(default_factory=list)  # 方針 and 取り組み
    moved: int = 0  # rows whose place in the table changes

    def count(self, kind: str) -> int:
        return sum(1 for row in self.rows if row.kind == kind)

    @property
    def changed_count(self) -> int:
        return self.count("changed")

    @property
    def added_count(self) -> int:
        return self.count("added")

    @property
    def removed_count(self) -> int:
        return self.count("removed")

    @property
    def revisions(self) -> list[RowChange]:
        return [row for row in self.rows if row.needs_revision]

    @property
    def is_empty(self) -> bool:
        return not (self.rows or self.other or self.moved)


def _row_label(group: str, name: str, detail: str = "") -> str:
    """「会議の開催 (1)理事会」, else the first line of 内容."""
    text = f"{group} {name}".strip()
    if not text and detail.strip():
        text = detail.strip().splitlines()[0]
    return text or "（名前のない行）"


def plan_changes(*, fiscal_year: FiscalYear, businesses: list[dict[str, Any]]) -> PlanChanges:
    """Compare the plan in a file (``PlanImport.businesses``) with the year's plan.

    Rows are matched by their key; a row without a key is added, a row of the year that the
    file no longer has is removed. Businesses and initiatives are matched by their id
    (books.imports checked that they all exist). Writes nothing. Queries: businesses,
    initiatives, rows.
    """
    changes = PlanChanges(fixed=fiscal_year.is_plan_fixed)
    db_businesses = {
        b.pk: b for b in Business.objects.filter(fiscal_year=fiscal_year).select_related("section")
    }
    db_initiatives = {i.pk: i for i in Initiative.objects.filter(business__fiscal_year=fiscal_year)}
    db_items = {
        str(i.key): i
        for i in PlanItem.objects.filter(initiative__business__fiscal_year=fiscal_year).order_by(
            "initiative__business__order", "initiative__order", "order", "id"
        )
    }
    seen: set[str] = set()
    for business in businesses:
        db_business = db_businesses[business["pk"]]
        policies = (
            db_business.policies if business["policies_from_previous"] else business["policies"]
        )
        if policies != db_business.policies:
            changes.other.append(f"事業「{db_business.name}」の係の方針")
        for initiative in business["initiatives"]:
            db = db_initiatives[initiative["pk"]]
            policy = "\n".join(initiative["policy_lines"])
            if (db.number, db.title, db.policy) != (
                initiative["number"],
                initiative["title"],
                policy,
            ):
                changes.other.append(f"取り組み「{db}」の見出し・方針")
            for order, item in enumerate(initiative["items"], start=1):
                if item["key"] is None:
                    changes.rows.append(
                        RowChange(
                            kind="added",
                            business=db_business.name,
                            label=_row_label(item["group"], item["name"], item["detail"]),
                            fields=(("目標値", "", item["target_text"]),),
                            section_id=db_business.section_id,
                        )
                    )
                    continue
                seen.add(item["key"])
                row = db_items[item["key"]]
                fields = tuple(
                    (label, getattr(row, name), item[name])
                    for name, label in _TEXT_LABELS.items()
                    if getattr(row, name) != item[name]
                )
                if fields:
                    changes.rows.append(
                        RowChange(
                            kind="changed",
                            business=db_business.name,
                            label=_row_label(row.group, row.name, row.detail),
                            fields=fields,
                            needs_revision=changes.fixed and row.target_text != item["target_text"],
                            item=row,
                            section_id=db_business.section_id,
                        )
                    )
                if row.initiative_id != db.pk or row.order != order:
                    changes.moved += 1
    for key, row in db_items.items():
        if key not in seen:
            business = db_businesses[db_initiatives[row.initiative_id].business_id]
            changes.rows.append(
                RowChange(
                    kind="removed",
                    business=business.name,
                    label=_row_label(row.group, row.name, row.detail),
                    fields=(("目標値", row.target_text, ""),),
                    item=row,
                    section_id=business.section_id,
                )
            )
    return changes


def _check_still_applies(fiscal_year: FiscalYear, businesses: list[dict[str, Any]]) -> None:
    """The plan may have changed since the file was read: refuse what no longer fits."""
    stale = ValidationError(
        "取り込んだ後で、この年度の計画が画面で変更されました。"
        "もう一度ブックを出力して直し、取り込み直してください。"
    )
    business_ids = set(
        Business.objects.filter(fiscal_year=fiscal_year).values_list("pk", flat=True)
    )
    initiatives = dict(
        Initiative.objects.filter(business__fiscal_year=fiscal_year).values_list(
            "pk", "business_id"
        )
    )
    keys = {
        str(key)
        for key in PlanItem.objects.filter(
            initiative__business__fiscal_year=fiscal_year
        ).values_list("key", flat=True)
    }
    for business in businesses:
        if business["pk"] not in business_ids:
            raise stale
        for initiative in business["initiatives"]:
            if initiatives.get(initiative["pk"]) != business["pk"]:
                raise stale
            if any(
                item["key"] is not None and item["key"] not in keys for item in initiative["items"]
            ):
                raise stale


@transaction.atomic
def plan_import_apply(
    *,
    plan_import: PlanImport,
    user: User | None,
    reason: str = "",
    from_quarter: int | None = None,
) -> str:
    """Write a previewed plan import: the 事務局 confirmed it.

    Texts change at once. In a 確定 plan a changed 目標値 is a 補正 that the confirming
    事務局 approves here, with ``reason`` and ``from_quarter`` (required then); an open
    request on such a row is refused as replaced. Rows the file dropped are deleted
    unless they have 実績. Raises ValidationError (nothing written) with every problem.
    Returns the message for the person.
    """
    locked = (
        PlanImport.objects.select_for_update()
        .select_related("fiscal_year__organization")
        .get(pk=plan_import.pk)
    )
    if locked.state != PlanImport.State.PENDING:
        raise ValidationError(f"この取り込みは既に{locked.get_state_display()}です。")
    fiscal_year = FiscalYear.objects.select_for_update().get(pk=locked.fiscal_year_id)
    fiscal_year.organization = locked.fiscal_year.organization
    businesses = locked.businesses
    _check_still_applies(fiscal_year, businesses)
    changes = plan_changes(fiscal_year=fiscal_year, businesses=businesses)
    errors: list[str] = []
    if changes.revisions:
        if not reason.strip():
            errors.append("目標値が変わる行があります。補正の理由を入力してください。")
        checked: set[int] = set()
        for row in changes.revisions:
            if row.section_id in checked:
                continue
            checked.add(row.section_id)
            try:
                _check_from_quarter(row.item, from_quarter, "from_quarter")
            except ValidationError as error:
                section = row.item.initiative.business.section.name
                errors.extend(f"{section}: {m}" for m in error.messages)
    for row in changes.rows:
        if row.kind == "removed" and row.item.results.exists():
            errors.append(
                f"「{row.label}」の行はブックにありませんが、実績が入力されているため削除できません。"
            )
    if errors:
        raise ValidationError(errors)

    updated = revised = 0
    db_businesses = {b.pk: b for b in Business.objects.filter(fiscal_year=fiscal_year)}
    db_initiatives = {i.pk: i for i in Initiative.objects.filter(business__fiscal_year=fiscal_year)}
    db_items = {
        str(i.key): i
        for i in PlanItem.objects.filter(initiative__business__fiscal_year=fiscal_year)
    }
    new_items: list[PlanItem] = []
    parsed_new: list[ParsedTarget] = []
    moved: list[PlanItem] = []
    for business in businesses:
        db_business = db_businesses[business["pk"]]
        if not business["policies_from_previous"] and business["policies"] != db_business.policies:
            db_business.policies = business["policies"]
            db_business.full_clean()
            db_business.save(update_fields=["policies"])
            updated += 1
        for initiative in business["initiatives"]:
            db = db_initiatives[initiative["pk"]]
            fields = {
                "number": initiative["number"],
                "title": initiative["title"],
                "policy": "\n".join(initiative["policy_lines"]),
            }
            changed = [k for k, v in fields.items() if getattr(db, k) != v]
            if changed:
                for name in changed:
                    setattr(db, name, fields[name])
                db.full_clean()
                db.save(update_fields=changed)
                updated += 1
            for order, item in enumerate(initiative["items"], start=1):
                if item["key"] is None:
                    parsed = parse_target(item["target_text"], item["detail"])
                    new_items.append(
                        PlanItem(
                            initiative=db,
                            order=order,
                            group=item["group"],
                            name=item["name"],
                            detail=item["detail"],
                            target_text=item["target_text"],
                            **new_item_fields(parsed),
                        )
                    )
                    parsed_new.append(parsed)
                    continue
                row = db_items[item["key"]]
                texts = {name: item[name] for name in _TEXT_LABELS}
                if any(getattr(row, k) != v for k, v in texts.items()):
                    revision_needed = (
                        fiscal_year.is_plan_fixed and row.target_text != texts["target_text"]
                    )
                    if revision_needed:
                        for open_request in row.revisions.filter(
                            state=TargetRevision.State.REQUESTED
                        ):
                            target_revision_refuse(
                                revision=open_request,
                                user=user,
                                note="事業計画の取り込みによる補正で置き換えました。",
                            )
                    change = plan_item_update(
                        item=row,
                        user=user,
                        summary="取り込み",
                        revision_reason=reason,
                        revision_from=from_quarter,
                        source=TargetRevision.Source.IMPORT,
                        **texts,
                    )
                    if change.revision is not None:
                        target_revision_approve(revision=change.revision, user=user)
                        revised += 1
                        row.refresh_from_db()
                    updated += 1
                if row.initiative_id != db.pk or row.order != order:
                    row.initiative = db
                    row.order = order
                    moved.append(row)
    for item in new_items:
        item.full_clean(exclude=["initiative"])
    created_items = PlanItem.objects.bulk_create(new_items)
    TargetQuantity.objects.bulk_create(
        q
        for item, parsed in zip(created_items, parsed_new, strict=True)
        for q in target_quantities(item, parsed)
    )
    PlanItem.objects.bulk_update(moved, ["initiative", "order"])
    removed = [row.item.pk for row in changes.rows if row.kind == "removed"]
    PlanItem.objects.filter(pk__in=removed).delete()
    message = (
        f"{fiscal_year.label}の事業計画を更新しました"
        f"（変更 {updated}件・追加 {len(created_items)}行・削除 {len(removed)}行"
        + (f"・補正 {revised}件" if revised else "")
        + "）。"
    )
    locked.state = PlanImport.State.APPLIED
    locked.decided_at = timezone.now()
    locked.decided_by = user if user is not None and user.is_authenticated else None
    locked.save(update_fields=["state", "decided_at", "decided_by"])
    audit_record(
        organization=fiscal_year.organization,
        user=user,
        action=AuditEvent.Action.IMPORTED,
        summary=message,
    )
    return message


@transaction.atomic
def plan_import_cancel(*, plan_import: PlanImport, user: User | None) -> PlanImport:
    """Drop a previewed plan import: nothing of the file is written."""
    locked = PlanImport.objects.select_for_update().get(pk=plan_import.pk)
    if locked.state != PlanImport.State.PENDING:
        raise ValidationError(f"この取り込みは既に{locked.get_state_display()}です。")
    locked.state = PlanImport.State.CANCELLED
    locked.decided_at = timezone.now()
    locked.decided_by = user if user is not None and user.is_authenticated else None
    locked.save(update_fields=["state", "decided_at", "decided_by"])
    audit_record(
        organization=locked.fiscal_year.organization,
        user=user,
        action=AuditEvent.Action.IMPORTED,
        summary=f"{locked.fiscal_year.label}の事業計画の取り込みを取り消し（反映せず）",
    )
    return locked


@transaction.atomic
def plan_import_create(
    *, fiscal_year: FiscalYear, businesses: list[dict[str, Any]], file_name: str, user: User | None
) -> PlanImport:
    """Keep a checked plan file for the 事務局 to review; nothing of the plan changes."""
    plan_import = PlanImport(
        fiscal_year=fiscal_year,
        businesses=businesses,
        file_name=file_name[:255],
        created_by=user if user is not None and user.is_authenticated else None,
    )
    plan_import.full_clean()
    plan_import.save()
    return plan_import


# ---------------------------------------------------------------------------------------
# People: the 事務局 adds, changes and deactivates its council's users


@dataclass(frozen=True)
class Placement:
    """What a person does in the council: role and, where the role has one, 課 or 係."""

    role: str
    department: Department | None = None
    section: Section | None = None


def _placement_fields(placement: Placement) -> dict[str, Any]:
    """The columns of a placement; a 課 or 係 the role does not use is left empty."""
    return {
        "role": placement.role,
        "department": placement.department if role_needs_department(placement.role) else None,
        "section": placement.section if role_needs_section(placement.role) else None,
    }


def _person_state(person: User) -> dict[str, Any]:
    return {
        "full_name": f"{person.last_name} {person.first_name}".strip(),
        "email": person.email,
        "role": person.role,
        "department": person.department.name if person.department_id else "",
        "section": person.section.name if person.section_id else "",
    }


def _check_placement(organization: Organization, placement: Placement) -> None:
    owners = set()
    if placement.department is not None:
        owners.add(placement.department.organization_id)
    if placement.section is not None:
        owners.add(placement.section.department.organization_id)
    if owners - {organization.pk}:
        raise ValidationError("ほかの法人の課・係は選べません。")


@transaction.atomic
def user_add(
    *,
    organization: Organization,
    username: str,
    last_name: str,
    first_name: str,
    email: str,
    placement: Placement,
    password: str,
    user: User,
) -> User:
    """A new user of ``organization``, signing in with ``password`` (which they change)."""
    _check_placement(organization, placement)
    person = User(
        organization=organization,
        username=username,
        last_name=last_name,
        first_name=first_name,
        email=email,
        **_placement_fields(placement),
    )
    person.set_password(password)
    person.full_clean()
    person.save()
    state = _person_state(person)
    audit_record(
        organization=organization,
        user=user,
        action=AuditEvent.Action.USER_ADDED,
        summary=f"「{person.display_name}」（{username}）を追加",
        changes={key: [None, value] for key, value in state.items()},
        section=person.section,
    )
    return person


@transaction.atomic
def user_change(
    *,
    person: User,
    last_name: str,
    first_name: str,
    email: str,
    placement: Placement,
    user: User,
) -> User:
    """Name, mail address, role and 課・係 of one of the council's users."""
    _check_placement(person.organization, placement)
    if person.pk == user.pk and placement.role != person.role:
        # As with deactivating oneself: a 事務局 never takes away their own management.
        raise ValidationError(
            "自分自身の役割は変えられません。ほかの事務局の方に依頼してください。"
        )
    before = _person_state(person)
    person.last_name, person.first_name, person.email = last_name, first_name, email
    for name, value in _placement_fields(placement).items():
        setattr(person, name, value)
    person.full_clean()
    person.save(update_fields=["last_name", "first_name", "email", "role", "department", "section"])
    after = _person_state(person)
    changed = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    if changed:
        audit_record(
            organization=person.organization,
            user=user,
            action=AuditEvent.Action.USER_CHANGED,
            summary=f"「{person.display_name}」（{person.username}）を変更",
            changes=changed,
            section=person.section,
        )
    return person


@transaction.atomic
def user_set_active(*, person: User, active: bool, user: User) -> User:
    """Stop (or resume) one user's sign-in. The user stays, so every record keeps their name."""
    if not active and person.pk == user.pk:
        raise ValidationError("自分自身の利用は停止できません。")
    if person.is_active == active:
        return person
    person.is_active = active
    person.save(update_fields=["is_active"])
    audit_record(
        organization=person.organization,
        user=user,
        action=(
            AuditEvent.Action.USER_REACTIVATED if active else AuditEvent.Action.USER_DEACTIVATED
        ),
        summary=f"「{person.display_name}」（{person.username}）の利用を"
        + ("再開" if active else "停止"),
    )
    return person


@transaction.atomic
def user_password_reset_send(*, person: User, site_url: str, user: User) -> None:
    """Mail ``person`` a one-time link to set a new password (Django's reset token: it
    stops working once the password changes, and after PASSWORD_RESET_TIMEOUT)."""
    from django.conf import settings
    from django.contrib.auth.tokens import default_token_generator
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    if not person.is_active:
        raise ValidationError("利用を停止している利用者にはメールを送れません。")
    if not person.email:
        raise ValidationError(
            "メールアドレスが登録されていません。利用者の変更でメールアドレスを登録してください。"
        )
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(person.pk)),
            "token": default_token_generator.make_token(person),
        },
    )
    context = {
        "person": person,
        "organization": person.organization,
        "link": site_url.rstrip("/") + path,
        "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
    }
    audit_record(
        organization=person.organization,
        user=user,
        action=AuditEvent.Action.PASSWORD_RESET_SENT,
        summary=f"「{person.display_name}」（{person.username}）にパスワード再設定のメールを送信",
    )
    send_mail(
        subject="【shakyo】パスワードの再設定",
        message=render_to_string("registration/password_reset_mail.txt", context),
        from_email=None,
        recipient_list=[person.email],
    )

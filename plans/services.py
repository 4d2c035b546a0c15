"""Writes that span models: loading a plan, editing a row and re-parsing its 目標値."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from targets.parser import parse_target, target_to_dict
from targets.types import ParsedTarget

from .audit import audit_record
from .models import (
    AuditEvent,
    Business,
    Department,
    FiscalYear,
    Initiative,
    Organization,
    PlanItem,
    Section,
    TargetQuantity,
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


def commissioner_get_or_create(*, name: str) -> Organization:
    """The commissioning body (委託元) of a 受託事業, e.g. 西東京市 or 東京都社会福祉協議会."""
    kind = Organization.Kind.COUNCIL if "社会福祉協議会" in name else Organization.Kind.CITY
    organization, _ = Organization.objects.get_or_create(name=name, defaults={"kind": kind})
    return organization


@dataclass(frozen=True)
class PlanLoadResult:
    fiscal_year: FiscalYear
    created: bool
    items: int


@transaction.atomic
def plan_load(*, organization: Organization, data: dict[str, Any]) -> PlanLoadResult:
    """Load a plan in the structure of ``r2_plan.json`` into ``organization``.

    Idempotent: a year that already has businesses is left as it is.
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
                commissioned_by = (
                    commissioner_get_or_create(name=bus["commissioned_by"])
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
                                **target_fields(parsed),
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


@transaction.atomic
def plan_item_update(
    *,
    item: PlanItem,
    group: str,
    name: str,
    detail: str,
    target_text: str,
    user: User | None = None,
    summary: str = "計画の行を変更",
) -> PlanItem:
    """Change a row's texts; the 目標値 is parsed again from the new text.

    What changed is written to the audit trail (old → new) under ``summary``.
    """
    new = {"group": group, "name": name, "detail": detail, "target_text": target_text}
    # Old values from the database: a bound ModelForm has already changed ``item``.
    stored = PlanItem.objects.filter(pk=item.pk).values(*new).get()
    changes = {k: [stored[k], v] for k, v in new.items() if stored[k] != v}
    parsed = parse_target(target_text, detail)
    item.group = group
    item.name = name
    item.detail = detail
    item.target_text = target_text
    for field, value in target_fields(parsed).items():
        setattr(item, field, value)
    item.target_edited = False
    item.full_clean()
    item.save(
        update_fields=["group", "name", "detail", "target_text", "target_edited", *_TARGET_FIELDS]
    )
    _replace_quantities(item, parsed)
    _audit_item(item, user, changes, summary)
    return item


@transaction.atomic
def plan_item_set_structure(
    *, item: PlanItem, parsed: ParsedTarget, user: User | None = None
) -> PlanItem:
    """Replace a row's parsed target by one edited by hand (for rows marked 要確認).

    The written 目標値 stays as it is; the row keeps the hand-made structure until its
    text is changed again.
    """
    old = item.target
    for field, value in target_fields(parsed).items():
        setattr(item, field, value)
    item.target_edited = True
    item.full_clean()
    item.save(update_fields=["target_edited", *_TARGET_FIELDS])
    _replace_quantities(item, parsed)
    if old != item.target:
        _audit_item(item, user, {"target": [old, item.target]}, "目標値の解析結果を手で修正")
    return item


def _replace_quantities(item: PlanItem, parsed: ParsedTarget) -> None:
    item.quantities.all().delete()
    TargetQuantity.objects.bulk_create(target_quantities(item, parsed))


def plan_items_reparse(*, items: Iterable[PlanItem]) -> int:
    """Parse every given row again (after a parser change); rows edited by hand are kept."""
    count = 0
    for item in items:
        if item.target_edited:
            continue
        parsed = parse_target(item.target_text, item.detail)
        with transaction.atomic():
            for field, value in target_fields(parsed).items():
                setattr(item, field, value)
            item.save(update_fields=_TARGET_FIELDS)
            _replace_quantities(item, parsed)
        count += 1
    return count

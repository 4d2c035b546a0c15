"""Approved 実績 of a page of plan rows, read through the one basis (results.basis)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from plans.models import PlanItem
from results.basis import Basis, BasisRow, read_progress
from results.status import Status


@dataclass(frozen=True)
class ApprovedRow:
    """One plan row at a quarter, as the 課長 approved it (nothing when not approved)."""

    item: PlanItem
    year: int
    quarter: int
    approved: bool
    target_text: str
    revised: bool
    quarter_value: Decimal | None
    cumulative: Decimal | None
    extra_cumulative: list[Decimal | None]
    done: bool | None
    status: Status
    achievement_rate: Decimal | None
    cancelled: bool
    cancel_reason: str
    reasons: list[dict[str, object]]


def approved_rows(items: Sequence[PlanItem], *, quarter: int) -> list[ApprovedRow]:
    """The approved figures of ``items`` at ``quarter`` (items with their business, year
    and organisation selected). Two queries whatever the number of rows."""
    rows = [
        BasisRow(
            item=item,
            business_id=item.initiative.business_id,
            fiscal_year_id=item.initiative.business.fiscal_year_id,
            section_id=item.initiative.business.section_id,
            tolerance=item.initiative.business.fiscal_year.organization.tolerance,
            target_at=item.target_at,
        )
        for item in items
    ]
    figures = read_progress(rows, basis=Basis.APPROVED, quarter=quarter)
    result = []
    for item in items:
        business = item.initiative.business
        approved = figures.is_approved(business.fiscal_year_id, business.section_id)
        progress = figures.rows[item.pk].progress
        by_quarter = progress.by_quarter
        current = by_quarter.get(quarter)
        result.append(
            ApprovedRow(
                item=item,
                year=business.fiscal_year.year,
                quarter=quarter,
                approved=approved,
                target_text=item.target_text_at(quarter),
                revised=item.target_from_quarter is not None
                and item.target_from_quarter <= quarter,
                quarter_value=current.value if current else None,
                cumulative=progress.actual,
                extra_cumulative=list(progress.extra_actuals),
                done=_done(by_quarter.values()),
                status=progress.status,
                achievement_rate=progress.progress.rate,
                cancelled=progress.status == Status.CANCELLED,
                cancel_reason=progress.cancel_reason,
                reasons=[
                    {"quarter": q, "text": r.reason}
                    for q, r in sorted(by_quarter.items())
                    if q <= quarter and r.reason
                ],
            )
        )
    return result


def _done(results) -> bool | None:
    flags = [r.done for r in results if r.done is not None]
    return any(flags) if flags else None

"""The one writer of the audit trail."""

from __future__ import annotations

from typing import Any

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

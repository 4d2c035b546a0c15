"""Who may make which book, and import what. Reads build on ``plans.access``.

事務局: every book and every import of its council. 課長・係長: the plan and the report of
what they may read (their 課); 係長 also the offline 実績 workbook of their own 係, and
its import. 理事・評議員: the read-only books (plan, report, city report). 市の所管課:
only the city report of the businesses its own body commissioned.
"""

from __future__ import annotations

from django.db.models import QuerySet

from plans.access import can_enter, can_review, visible_businesses
from plans.models import Business, Organization, Section, User

from .imports import can_enter_results

Role = User.Role

_COUNCIL_READERS = {Role.SECRETARIAT, Role.BOARD, Role.DEPARTMENT_HEAD, Role.SECTION_STAFF}


def book_scope(user: User) -> QuerySet[Business]:
    """The businesses a book made for ``user`` may contain: exactly what they may read."""
    return visible_businesses(user)


def can_export_plan(user: User) -> bool:
    """事業計画 and 事業報告."""
    return (
        user.is_authenticated and user.organization_id is not None and user.role in _COUNCIL_READERS
    )


def city_bodies(user: User) -> QuerySet[Organization]:
    """The commissioning bodies whose 市への報告 ``user`` may make."""
    if not user.is_authenticated or user.organization_id is None:
        return Organization.objects.none()
    if user.role == Role.CITY:
        return Organization.objects.filter(pk=user.organization_id)
    if user.role in (Role.SECRETARIAT, Role.BOARD):
        # The council's related commissioners (Commission) that commissioned some business.
        return Organization.objects.filter(
            commissions_given__council_id=user.organization_id,
            commissioned_businesses__fiscal_year__organization_id=user.organization_id,
        ).distinct()
    return Organization.objects.none()


def can_export_city(user: User, commissioner: Organization) -> bool:
    return city_bodies(user).filter(pk=commissioner.pk).exists()


def entry_sections(user: User) -> QuerySet[Section]:
    """The sections whose offline 実績 workbook ``user`` may export and import."""
    if not user.is_authenticated or user.organization_id is None:
        return Section.objects.none()
    sections = Section.objects.filter(department__organization_id=user.organization_id)
    if user.role == Role.SECRETARIAT:
        return sections
    if user.role == Role.SECTION_STAFF and user.section_id:
        return sections.filter(pk=user.section_id)
    return Section.objects.none()


def can_enter_section(user: User, section: Section) -> bool:
    return can_enter_results(user, section)


def can_import_plan(user: User) -> bool:
    return (
        user.is_authenticated and user.organization_id is not None and user.role == Role.SECRETARIAT
    )


def can_edit_summary(user: User, section: Section) -> bool:
    """The 係 writes its 総括 (and the 事務局 may correct it)."""
    return can_enter(user, section)


def can_read_summary(user: User, section: Section) -> bool:
    """The 課長 reads it in the review of the quarter; the writers read it too."""
    return can_review(user, section)

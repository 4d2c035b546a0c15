"""Who may see and change a city's 協働事業一覧 and its ふりかえり.

* 市の協働担当 (collab_staff): reads and edits their own city's inventory (import, edit,
  profile, link to a 社協 business) and its ふりかえり.
* 市の所管課 (city): reads their city's inventory; edits the ふりかえり of their own 課's
  projects (all of the city's projects when no 課 is set on the user).
* 理事・評議員 (board) and 事務局 of a 社協: read the inventories of the cities an operator
  granted to their council (CollaborationGrant), never change them.
* everyone else: nothing (403).
"""

from __future__ import annotations

from django.db.models import QuerySet

from plans.access import CITY_ROLES
from plans.models import Organization, User

from .models import CollaborationProject

Role = User.Role
_COUNCIL_READERS = {Role.BOARD, Role.SECRETARIAT}


def visible_cities(user: User) -> QuerySet[Organization]:
    """The cities whose inventories ``user`` may read."""
    cities = Organization.objects.filter(kind=Organization.Kind.CITY)
    if not user.is_authenticated or not user.organization_id:
        return cities.none()
    if user.role in CITY_ROLES:
        return cities.filter(pk=user.organization_id)
    if user.role in _COUNCIL_READERS:
        # Only the cities an operator granted to this council (plans.models.CollaborationGrant).
        return cities.filter(collaboration_readers__council_id=user.organization_id)
    return cities.none()


def can_view_city(user: User, city: Organization) -> bool:
    return visible_cities(user).filter(pk=city.pk).exists()


def can_view_project(user: User, project: CollaborationProject) -> bool:
    return can_view_city(user, project.organization)


def can_edit_inventory(user: User, city: Organization) -> bool:
    """Only the city's own 協働 staff change its inventory."""
    return (
        user.is_authenticated
        and user.role == Role.COLLAB_STAFF
        and user.organization_id == city.pk
        and city.kind == Organization.Kind.CITY
    )


def can_edit_review(user: User, project: CollaborationProject) -> bool:
    """The city's 協働 staff, and the 所管課 for its own projects, write the ふりかえり."""
    if not user.is_authenticated or user.organization_id != project.organization_id:
        return False
    if user.role == Role.COLLAB_STAFF:
        return True
    if user.role != Role.CITY:
        return False
    if not user.city_department:
        return True
    return user.city_department in (project.section, *project.section.split())

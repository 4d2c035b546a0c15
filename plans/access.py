"""Who may see and change what: the one place the role rules of DESIGN.md live.

Every view resolves its object through these functions, so a rule changes here once.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from .models import Business, Department, Organization, Section, User

Role = User.Role

# Roles that read the whole organisation's plans.
_ORG_WIDE = {Role.SECRETARIAT, Role.BOARD}
# Roles of a city: they read what their city commissioned, across councils, and their
# city's 協働事業一覧 (collab.access).
CITY_ROLES = frozenset({Role.CITY, Role.COLLAB_STAFF})


def is_city_user(user: User) -> bool:
    return user.is_authenticated and user.role in CITY_ROLES


def visible_businesses(user: User) -> QuerySet[Business]:
    """The businesses whose plans and 実績 ``user`` may read."""
    qs = Business.objects.all()
    if not user.is_authenticated or not user.role or not user.organization_id:
        return qs.none()
    if user.role in CITY_ROLES:
        qs = commissioned_by_body(user.organization_id)
        if user.city_department:
            qs = qs.filter(Q(city_department="") | Q(city_department=user.city_department))
        return qs
    qs = qs.filter(fiscal_year__organization_id=user.organization_id)
    if user.role in _ORG_WIDE:
        return qs
    department_id = user.home_department_id
    if department_id is None:
        return qs.none()
    return qs.filter(section__department_id=department_id)


def commissioned_by_body(body_id: int) -> QuerySet[Business]:
    """The businesses ``body_id`` commissioned from councils an operator related it to.

    The relation (plans.models.Commission), not the name on a business, decides: a business
    that names a body without the relation is never shown to that body.
    """
    return Business.objects.filter(
        commissioned_by_id=body_id,
        fiscal_year__organization__commissions_received__commissioner_id=body_id,
    )


def can_view_business(user: User, business: Business) -> bool:
    return visible_businesses(user).filter(pk=business.pk).exists()


def can_edit_section_plan(user: User, section: Section) -> bool:
    """事務局 edits every plan of its organisation; 係長・担当 only their own section's."""
    if not user.is_authenticated or user.organization_id is None:
        return False
    if user.organization_id != section.department.organization_id:
        return False
    if user.role == Role.SECRETARIAT:
        return True
    return user.role == Role.SECTION_STAFF and user.section_id == section.pk


def require(condition: bool) -> None:
    """Raise 403 unless ``condition``; views call this after resolving an object."""
    if not condition:
        raise PermissionDenied("この操作を行う権限がありません。")


def member_organization(user: User) -> Organization:
    """The council the user belongs to (403 for users without one)."""
    require(user.is_authenticated and user.organization_id is not None)
    return user.organization


def _same_organization(user: User, organization_id: int) -> bool:
    return user.is_authenticated and user.organization_id == organization_id


def can_enter(user: User, section: Section) -> bool:
    """事務局 of the organisation and the section's own staff enter its 実績."""
    return can_edit_section_plan(user, section)


def can_withdraw_submission(user: User, section: Section) -> bool:
    """Who takes back a submission before the 課長 acts: those who enter the 係's 実績
    (its 係長・担当, and the 事務局)."""
    return can_enter(user, section)


def can_decide(user: User, section: Section) -> bool:
    """The 課長 of the section's 課 approves or returns its entries."""
    return (
        _same_organization(user, section.department.organization_id)
        and user.role == Role.DEPARTMENT_HEAD
        and user.department_id == section.department_id
    )


def can_oversee_department(user: User, department: Department) -> bool:
    """The 課長 of the 課, and the 事務局, see its sections' submission states."""
    return is_secretariat(user, department.organization_id) or (
        _same_organization(user, department.organization_id)
        and user.role == Role.DEPARTMENT_HEAD
        and user.department_id == department.pk
    )


def can_review(user: User, section: Section) -> bool:
    """Who opens a section's entry page and a row's history (names are shown there)."""
    return can_enter(user, section) or can_decide(user, section)


def can_unlock_logins(user: User) -> bool:
    """The 事務局 lifts the login lockouts of its own council's users."""
    return (
        user.is_authenticated
        and user.organization_id is not None
        and is_secretariat(user, user.organization_id)
    )


def is_secretariat(user: User, organization_id: int) -> bool:
    return _same_organization(user, organization_id) and user.role == Role.SECRETARIAT


# ---------------------------------------------------------------------------------------
# What a person is responsible for: the landing page lists this work.


def own_entry_section_id(user: User) -> int | None:
    """The 係 whose 実績 ``user`` enters as their own work (係長・担当), else None."""
    if user.is_authenticated and user.role == Role.SECTION_STAFF and user.organization_id:
        return user.section_id
    return None


def deciding_department_id(user: User) -> int | None:
    """The 課 whose entries ``user`` approves or returns (課長), else None."""
    if user.is_authenticated and user.role == Role.DEPARTMENT_HEAD and user.organization_id:
        return user.department_id
    return None


def oversees_organization(user: User) -> bool:
    """The 事務局 follows every 係's entry of its council (未提出, windows)."""
    return (
        user.is_authenticated and user.organization_id is not None and user.role == Role.SECRETARIAT
    )


def reads_council_results(user: User) -> bool:
    """Council members (not the city) see the entry windows of their council."""
    return (
        user.is_authenticated
        and user.organization_id is not None
        and bool(user.role)
        and user.role not in CITY_ROLES
    )


def scope_sentence(user: User) -> str:
    """Why a page may be out of reach: what this person's role lets them see."""
    if not user.is_authenticated:
        return "ログインしてからもう一度お試しください。"
    if not user.role or user.organization_id is None:
        return "役割または所属が設定されていません。事務局にお問い合わせください。"
    organization = user.organization.name
    match user.role:
        case Role.SECRETARIAT:
            return f"事務局の方は{organization}のすべての事業計画と実績を扱えます。"
        case Role.BOARD:
            return f"理事・評議員の方は{organization}の事業計画と承認済みの実績を閲覧できます（変更はできません）。"
        case Role.DEPARTMENT_HEAD:
            return (
                "課長の方は担当する課の事業計画と実績を閲覧し、課の係の実績を承認・差戻しできます。"
            )
        case Role.SECTION_STAFF:
            return "係長・担当の方は所属する課の事業計画を閲覧し、自分の係の実績を入力できます。"
        case Role.CITY:
            return f"市の所管課の方には、{organization}が委託した事業（受託事業）だけを表示します。"
        case Role.COLLAB_STAFF:
            return f"市の協働担当の方は{organization}の協働事業一覧を扱えます。"
    return ""


def can_read_unapproved(user: User) -> bool:
    """Council staff (事務局, 課長, 係長・担当) may make an internal book that includes
    実績 not yet approved; the board and the city read approved figures only."""
    return (
        user.is_authenticated
        and user.organization_id is not None
        and user.role in (Role.SECRETARIAT, Role.DEPARTMENT_HEAD, Role.SECTION_STAFF)
    )


# ---------------------------------------------------------------------------------------
# 確定 and 補正


def can_fix_plan(user: User, organization_id: int) -> bool:
    """The 事務局 fixes (確定) its council's plan and decides every 補正 of it."""
    return is_secretariat(user, organization_id)


def can_decide_revision(user: User, section: Section) -> bool:
    return is_secretariat(user, section.department.organization_id)


def revision_sections(user: User) -> QuerySet[Section]:
    """The 係 whose 補正 ``user`` follows: every 係 for the 事務局, their own for staff."""
    if not user.is_authenticated or user.organization_id is None:
        return Section.objects.none()
    sections = Section.objects.filter(department__organization_id=user.organization_id)
    if user.role == Role.SECRETARIAT:
        return sections
    if user.role == Role.SECTION_STAFF and user.section_id:
        return sections.filter(pk=user.section_id)
    return Section.objects.none()


def follows_revisions(user: User) -> bool:
    """Whether ``user`` has a 補正 page to open (no query: the role says it)."""
    return (
        user.is_authenticated
        and user.organization_id is not None
        and (
            user.role == Role.SECRETARIAT
            or (user.role == Role.SECTION_STAFF and bool(user.section_id))
        )
    )


# ---------------------------------------------------------------------------------------
# People: the 事務局 manages its own council's users (never another organisation's)

# The roles a council's 事務局 gives; the city's roles are given by the operators.
COUNCIL_ROLES = (Role.SECRETARIAT, Role.DEPARTMENT_HEAD, Role.SECTION_STAFF, Role.BOARD)


def can_manage_users(user: User) -> bool:
    """The 事務局 of a council adds, changes and deactivates its council's users."""
    return (
        user.is_authenticated
        and user.organization_id is not None
        and is_secretariat(user, user.organization_id)
    )


def managed_users(user: User) -> QuerySet[User]:
    """The users ``user`` manages: everyone of their council (deactivated ones too)."""
    if not can_manage_users(user):
        return User.objects.none()
    return User.objects.filter(organization_id=user.organization_id)


def can_deactivate(user: User, person: User) -> bool:
    """Nobody deactivates themselves: a council never locks out its last 事務局 that way."""
    return can_manage_users(user) and person.pk != user.pk


def role_needs_department(role: str) -> bool:
    """A 課長 is the head of one 課."""
    return role == Role.DEPARTMENT_HEAD


def role_needs_section(role: str) -> bool:
    """A 係長・担当 enters the 実績 of one 係."""
    return role == Role.SECTION_STAFF

"""What an API token reads, and who manages tokens: the API's one place for access rules.

A token reads what the matching screens show its organisation: a council's own token
what its 理事・評議員 see (every business, approved figures only, no personal data); a
commissioning body's token only the businesses it commissioned, as the city's 所管課 does.
"""

from __future__ import annotations

from django.db.models import QuerySet

from plans.access import commissioned_by_body, is_secretariat
from plans.models import Business, Organization, User

from .models import ApiToken


def token_businesses(token: ApiToken) -> QuerySet[Business]:
    """The businesses (of every year) whose plan rows and approved 実績 ``token`` reads."""
    if token.scope == ApiToken.Scope.OWN:
        return Business.objects.filter(fiscal_year__organization_id=token.holder_id)
    # Through the operator's 委託関係 only, as the city's 所管課 reads (plans.access).
    qs = commissioned_by_body(token.holder_id)
    if token.council_id is not None:
        qs = qs.filter(fiscal_year__organization_id=token.council_id)
    return qs


def can_manage_tokens(user: User) -> bool:
    """The 事務局 issues and revokes its council's tokens."""
    return (
        user.is_authenticated
        and user.organization_id is not None
        and is_secretariat(user, user.organization_id)
    )


def managed_tokens(user: User) -> QuerySet[ApiToken]:
    """The tokens a 事務局 sees: its council's own, and those it issued to its 委託元."""
    council_id = user.organization_id
    own = ApiToken.objects.filter(scope=ApiToken.Scope.OWN, holder_id=council_id)
    given = ApiToken.objects.filter(scope=ApiToken.Scope.COMMISSIONED, council_id=council_id)
    return (own | given).select_related("holder", "created_by", "revoked_by")


def commissioners_of(council: Organization) -> QuerySet[Organization]:
    """The bodies an operator related to ``council`` (Commission): the 事務局 may give them a
    token."""
    return Organization.objects.filter(commissions_given__council=council)

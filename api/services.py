"""Issuing and revoking API tokens (audited like every other change)."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from plans.audit import audit_record
from plans.models import AuditEvent, Organization, User

from .access import can_manage_tokens, commissioners_of
from .models import ApiToken, hash_key, new_key

# last_used_at is informational: write it at most this often, not on every request.
_TOUCH_EVERY = timedelta(minutes=5)


@transaction.atomic
def api_token_issue(
    *, user: User, name: str, commissioner: Organization | None = None
) -> tuple[ApiToken, str]:
    """Issue a token for the user's council (``commissioner`` None) or for one of its 委託元.

    Returns the token and its key; the key is shown once and only its hash is kept.
    """
    if not can_manage_tokens(user):
        raise PermissionDenied("APIの利用キーを発行できるのは事務局です。")
    council = user.organization
    if (
        commissioner is not None
        and not commissioners_of(council).filter(pk=commissioner.pk).exists()
    ):
        raise PermissionDenied("この法人は事業を委託していません。")
    key = new_key()
    token = ApiToken.objects.create(
        holder=commissioner or council,
        scope=ApiToken.Scope.COMMISSIONED if commissioner else ApiToken.Scope.OWN,
        council=council if commissioner else None,
        name=name,
        key_prefix=key[:12],
        key_hash=hash_key(key),
        created_by=user,
    )
    audit_record(
        organization=council,
        user=user,
        action=AuditEvent.Action.SETTINGS_CHANGED,
        summary=f"APIの利用キーを発行しました（{token.holder}・{name}）",
    )
    return token, key


@transaction.atomic
def api_token_issue_for_body(
    *, holder: Organization, name: str, council: Organization | None = None
) -> tuple[ApiToken, str]:
    """An operator's token for a commissioning body (``manage.py api_token``).

    Without ``council`` it reads what ``holder`` commissioned from every council it is
    related to, as the city's screens do; with one, only from that council. The holder
    must commission something: a token that reads nothing is a mistake, not a key.
    """
    bodies = Organization.objects.filter(commissions_given__isnull=False)
    if council is not None:
        bodies = bodies.filter(commissions_given__council=council)
    if not bodies.filter(pk=holder.pk).exists():
        where = f"{council.name}に" if council else ""
        raise PermissionDenied(
            f"{holder.name}は{where}事業を委託していません（委託関係がありません）。"
        )
    key = new_key()
    token = ApiToken.objects.create(
        holder=holder,
        scope=ApiToken.Scope.COMMISSIONED,
        council=council,
        name=name,
        key_prefix=key[:12],
        key_hash=hash_key(key),
    )
    audit_record(
        organization=council or holder,
        user=None,
        action=AuditEvent.Action.SETTINGS_CHANGED,
        summary=f"システム管理者がAPIの利用キーを発行しました（{holder}・{name}）",
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, user: User | None, token: ApiToken) -> None:
    """Revoke ``token`` (``user`` None: an operator's command)."""
    if token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    token.revoked_by = user
    token.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        organization=user.organization if user else (token.council or token.holder),
        user=user,
        action=AuditEvent.Action.SETTINGS_CHANGED,
        summary=f"APIの利用キーを無効にしました（{token.holder}・{token.name}）",
    )


def api_token_touch(token: ApiToken) -> None:
    """Note when a token was last used (at most every few minutes)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > _TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now

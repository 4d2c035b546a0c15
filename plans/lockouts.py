"""Login lockouts (django-axes): when a locked pair may sign in again, and which pairs of
its own council's users the 事務局 sees and may lift.

A lockout is kept per pair user name + client address (settings.AXES_LOCKOUT_PARAMETERS,
address from shakyo.proxy.client_address), so a stranger guessing a colleague's password
locks only their own pair, never the colleague at the office.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from shakyo.proxy import client_address

from .models import User


@dataclass(frozen=True)
class LockedLogin:
    username: str
    display_name: str
    address: str
    failures: int
    until: datetime


def _recent() -> datetime:
    return timezone.now() - settings.AXES_COOLOFF_TIME


def locked_until(username: str, address: str) -> datetime | None:
    """When the pair's lockout ends: its last failure plus the cool-off (None if none)."""
    last = AccessAttempt.objects.filter(
        username=username, ip_address=address, attempt_time__gte=_recent()
    ).aggregate(last=Max("attempt_time"))["last"]
    return last + settings.AXES_COOLOFF_TIME if last else None


def locked_logins(organization_id: int) -> list[LockedLogin]:
    """The locked pairs of the council's users, newest first.

    Queries: the council's users, the attempts of their names within the cool-off.
    """
    names = dict(
        (user.username, user.display_name)
        for user in User.objects.filter(organization_id=organization_id).only(
            "username", "first_name", "last_name"
        )
    )
    if not names:
        return []
    rows = (
        AccessAttempt.objects.filter(username__in=names, attempt_time__gte=_recent())
        .values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .order_by("-last")
    )
    return [
        LockedLogin(
            username=row["username"],
            display_name=names[row["username"]],
            address=row["ip_address"],
            failures=row["failures"],
            until=row["last"] + settings.AXES_COOLOFF_TIME,
        )
        for row in rows
    ]


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """django-axes' answer to a locked pair (AXES_LOCKOUT_CALLABLE): when to retry, in
    Japanese, and how the 事務局 lifts it."""
    username = get_client_username(request, credentials) or ""
    until = locked_until(username, client_address(request)) if username else None
    return render(
        request,
        "registration/locked_out.html",
        {
            "username": username,
            "until": timezone.localtime(until) if until else None,
            "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        },
        status=429,
    )

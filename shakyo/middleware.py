"""Session lifetime: at most 12 hours after login, however active the user is."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

_LOGIN_AT = "shakyo_login_at"


class SessionLifetimeMiddleware:
    """Log out a session older than ``SESSION_MAX_LIFETIME``.

    The idle limit is Django's own (SESSION_COOKIE_AGE renewed on every request); this
    adds the absolute one, measured from the first request after login.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = timezone.now().timestamp()
            started = request.session.setdefault(_LOGIN_AT, now)
            if now - started > settings.SESSION_MAX_LIFETIME.total_seconds():
                logout(request)
        return self.get_response(request)

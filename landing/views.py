"""The landing page (what needs this person now) and the error pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from plans import access

from . import selectors


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    page = selectors.landing(request.user, today=timezone.localdate())
    return render(request, "landing/home.html", {"page": page})


def _error(request: HttpRequest, template: str, status: int, exception: Exception | None):
    user = getattr(request, "user", None)
    reason = ""
    if exception is not None and exception.args and isinstance(exception.args[0], str):
        reason = exception.args[0]
    return render(
        request,
        template,
        {
            "reason": reason,
            "scope": access.scope_sentence(user) if user is not None else "",
        },
        status=status,
    )


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """403 in Japanese: the reason given by the access rule and what this role may see."""
    return _error(request, "403.html", 403, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404 in Japanese (Django's own messages such as 「No … matches」 are not shown)."""
    return _error(request, "404.html", 404, None)

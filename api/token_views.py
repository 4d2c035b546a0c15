"""The 事務局's screen for API tokens: list, issue (the key is shown once), revoke."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from plans.access import require

from . import access, services
from .forms import TokenIssueForm


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    require(access.can_manage_tokens(request.user))
    council = request.user.organization
    form = TokenIssueForm(request.POST or None, commissioners=access.commissioners_of(council))
    if request.method == "POST" and form.is_valid():
        token, key = services.api_token_issue(
            user=request.user,
            name=form.cleaned_data["name"],
            commissioner=form.cleaned_data["commissioner"],
        )
        # The key is shown on this response only; it is not stored anywhere readable.
        return render(request, "api/token_issued.html", {"token": token, "key": key})
    tokens = access.managed_tokens(request.user)
    return render(request, "api/tokens.html", {"form": form, "tokens": tokens})


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    require(access.can_manage_tokens(request.user))
    token = get_object_or_404(access.managed_tokens(request.user), pk=pk)
    services.api_token_revoke(user=request.user, token=token)
    messages.success(
        request, f"利用キー「{token.name}」を無効にしました。このキーではもう読み出せません。"
    )
    return redirect("api:tokens")

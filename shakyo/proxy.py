"""The client's real address, behind the office's reverse proxies or not.

Login throttling (django-axes, ``AXES_CLIENT_IP_CALLABLE``) keys a lockout on the pair
user name + this address, so it must be the person's address, never the proxy's — and
never one the person wrote into a header themselves.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """REMOTE_ADDR; behind ``PROXY_COUNT`` trusted proxies, the address the outermost one saw.

    Each proxy appends the address it was connected from to X-Forwarded-For, and the
    nearest one is REMOTE_ADDR. With N trusted proxies the client is the N-th entry from
    the right; anything left of it was written by the client and is ignored. A header
    shorter than N (a request that bypassed the proxies) or not an address falls back to
    REMOTE_ADDR.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    hops = settings.PROXY_COUNT if settings.BEHIND_PROXY else 0
    if hops < 1:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < hops:
        return remote
    candidate = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote

"""How sign-in failures are counted (django-axes callables, named in settings).

Failures count per account and, separately, per client address; see the
README, "Sign-in and email".
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def attempted_email(request, credentials):
    """The attempted email, trimmed and lower-cased as users.email is stored."""
    username = credentials.get("username") if credentials else request.POST.get("username")
    return username.strip().lower() if isinstance(username, str) else username


def lockout_parameters(request, credentials):
    # Axes asks without a password only to reset after a successful sign-in. Reset
    # that account alone: resetting the address as well would let an attacker
    # clear the count by signing in to their own account between guesses.
    if credentials is not None and "password" not in credentials:
        return ["username"]
    return ["username", "ip_address"]


def client_address(request):
    """The client address failures are counted by (behind N proxies: the Nth from the right)."""
    count = settings.RAPTORFLOW_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if count and len(forwarded) >= count:
        # Entries further left were written by the client and could be anything.
        candidate = forwarded[-count]
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            pass
    return request.META.get("REMOTE_ADDR")

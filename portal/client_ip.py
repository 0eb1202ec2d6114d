"""The client's address, the same way for sign-in throttling as for the API's throttle.

Behind TRUSTED_PROXIES proxies, the client is the entry that many places from the right of
X-Forwarded-For (each proxy appends the address it got the request from); anything further left
was written by the client and proves nothing. Without proxies it is REMOTE_ADDR. This is the rule
DRF applies with NUM_PROXIES; django-axes takes it through AXES_CLIENT_IP_CALLABLE (its own
django-ipware route is not used: one rule for both throttles).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    proxies = settings.REST_FRAMEWORK.get("NUM_PROXIES") or 0
    remote = request.META.get("REMOTE_ADDR", "")
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        return remote  # fewer hops than proxies: the request did not come through them all
    return forwarded[-proxies]

"""/.well-known/security.txt (RFC 9116) and /robots.txt: plain text, no cookies, cacheable."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET


def _plain(lines: list[str]) -> HttpResponse:
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_GET
@cache_control(public=True, max_age=86400)
def security_txt(request: HttpRequest) -> HttpResponse:
    """Who to tell about a vulnerability, and until when this file may be trusted.

    `Expires` is SECURITY_TXT_EXPIRES when set (RFC 9116 2.5.5 asks for a date that someone
    renews); otherwise a year from the day it is served, which never goes stale but promises less.
    """
    expires = settings.SECURITY_TXT_EXPIRES or (
        (timezone.now() + timedelta(days=365)).replace(microsecond=0).isoformat()
    )
    canonical = request.build_absolute_uri("/.well-known/security.txt")
    return _plain(
        [
            *(f"Contact: {contact}" for contact in settings.SECURITY_CONTACTS),
            f"Expires: {expires}",
            "Preferred-Languages: en, de, fr, es, fa, ckb",
            f"Canonical: {canonical}",
        ]
    )


@require_GET
@cache_control(public=True, max_age=86400)
def robots_txt(request: HttpRequest) -> HttpResponse:
    # The public pages are for everyone; the admin is not, and the API has its own documentation.
    return _plain(["User-agent: *", "Disallow: /admin/", "Disallow: /api/"])

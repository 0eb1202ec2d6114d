"""What base.html needs on every public page: the language switcher's links."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils import translation


def language_links(request: HttpRequest) -> list[dict[str, Any]]:
    """The current page in each language: plain links (a POST form would set a CSRF cookie)."""
    query = request.META.get("QUERY_STRING", "")
    current = translation.get_language()
    links = []
    for code, _name in settings.LANGUAGES:
        url = translate_url(request.path, code)
        info = translation.get_language_info(code)
        links.append(
            {
                "code": code,
                "name_local": info["name_local"],
                "bidi": info["bidi"],
                "url": f"{url}?{query}" if query else url,
                "current": code == current,
            }
        )
    return links


def site(request: HttpRequest) -> dict[str, Any]:
    return {
        "site_name": settings.SITE_NAME,
        # Lazy: only pages that show the switcher pay for it (the admin does not).
        "language_links": lambda: language_links(request),
    }

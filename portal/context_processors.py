"""What base.html needs on every public page: the language switcher's links."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils import translation


def language_links(request: HttpRequest) -> list[dict[str, Any]]:
    """The current page in each language: plain links (a POST form would set a CSRF cookie)."""
    query = request.META.get("QUERY_STRING", "")
    current = translation.get_language()
    return [
        {
            **link,
            "url": f"{link['url']}?{query}" if query else link["url"],
            "current": code == current,
        }
        for code, link in _paths_in_each_language(request.path)
    ]


@lru_cache(maxsize=4096)
def _paths_in_each_language(path: str) -> tuple[tuple[str, dict[str, Any]], ...]:
    # Resolving and reversing the path six times was a tenth of a comparison page's time; the
    # answer depends on the path and the URLconf alone. Unknown paths (a 404) map to themselves.
    links = []
    for code, _name in settings.LANGUAGES:
        info = translation.get_language_info(code)
        url = translate_url(path, code)
        links.append(
            (
                code,
                {"code": code, "name_local": info["name_local"], "bidi": info["bidi"], "url": url},
            )
        )
    return tuple(links)


def site(request: HttpRequest) -> dict[str, Any]:
    return {
        "site_name": settings.SITE_NAME,
        # Lazy: only pages that show the switcher pay for it (the admin does not).
        "language_links": lambda: language_links(request),
    }

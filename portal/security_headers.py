"""Security headers for every response: the site practises the criteria it publishes.

A strict Content-Security-Policy (no 'unsafe-inline', nothing from other origins), plus
Referrer-Policy, X-Content-Type-Options and Permissions-Policy. Django's SecurityMiddleware sets
the last two as well; they are set here too (without overriding) so that a response answered
before it, such as a static file, still carries them.

The API documentation (Swagger UI from drf-spectacular) is the one exception, scoped to its path:
its stock page has one inline <style> block (allowed by its hash, not by 'unsafe-inline') and
Swagger UI's own stylesheet draws its icons as data: images.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

import drf_spectacular
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

API_DOCS_PATH = "/api/docs/"


@cache
def _swagger_style_hash() -> str:
    """The CSP hash of the inline <style> of drf-spectacular's Swagger UI page."""
    template = (
        Path(drf_spectacular.__file__).parent / "templates" / "drf_spectacular" / "swagger_ui.html"
    )
    match = re.search(r"<style>(.*?)</style>", template.read_text(encoding="utf-8"), re.DOTALL)
    if match is None:
        return ""
    digest = hashlib.sha256(match.group(1).encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def api_docs_policy() -> str:
    """The site's policy with the Swagger UI's two needs added, nothing else loosened."""
    policy = settings.CSP_POLICY
    policy = policy.replace("style-src 'self'", f"style-src 'self' {_swagger_style_hash()}")
    return policy.replace("img-src 'self'", "img-src 'self' data:")


def policy_for(path: str) -> str:
    if path.startswith(API_DOCS_PATH):
        return api_docs_policy()
    return settings.CSP_POLICY


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        headers = response.headers
        headers.setdefault("Content-Security-Policy", policy_for(request.path))
        headers.setdefault("Referrer-Policy", settings.SECURE_REFERRER_POLICY or "same-origin")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response

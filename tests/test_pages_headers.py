"""The public site practises what it preaches: a strict CSP and no cookies for visitors."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

PUBLIC_PAGES = [
    "/en/",
    "/ckb/",
    "/en/providers/",
    "/fa/aliasing/",
    "/en/self-hosting/",
    "/en/services/proton-mail/",
    "/ckb/services/simplelogin/",
    "/en/criteria/",
    "/en/compare/",
    "/ckb/compare/?openpgp=true&compare=proton-mail&compare=mailbox-org",
]


@pytest.fixture(autouse=True)
def _fresh_page_cache(settings) -> None:
    settings.API_ANON_THROTTLE_RATE = None
    cache.clear()


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_every_public_page_has_a_strict_policy_and_sets_no_cookie(seeded, client, url):
    for attempt in ("rendered", "cached"):
        response = client.get(url)
        assert response.status_code == 200, attempt
        policy = directives(response["Content-Security-Policy"])
        assert policy["default-src"] == ["'self'"]
        assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
        assert "unsafe-inline" not in response["Content-Security-Policy"]
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "camera=()" in response["Permissions-Policy"]
        assert not response.cookies, attempt
        assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_pages_have_no_inline_script_style_or_third_party_reference(seeded, client, url):
    html = client.get(url).content.decode()
    assert "<style" not in html and " style=" not in html
    assert not re.search(r"<script(?![^>]*\ssrc=)", html)
    assert not re.search(r' on[a-z]+="', html)  # no inline event handlers
    # Every stylesheet, script and image comes from our own origin.
    for attribute in re.findall(r'<(?:link|script|img)[^>]*(?:href|src)="([^"]+)"', html):
        assert attribute.startswith("/"), attribute
    assert "csrfmiddlewaretoken" not in html


def test_static_files_are_served_by_the_app_with_the_headers(client):
    response = client.get("/static/css/site.css")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    # Logical properties only, so right-to-left pages mirror with the same stylesheet.
    assert b"margin-inline" in body
    physical = rb"(?:margin|padding|border|inset)-(?:left|right)\s*:|[\s{;](?:left|right)\s*:"
    assert not re.search(physical, body)
    assert not re.search(rb"text-align:\s*(?:left|right)|float:\s*(?:left|right)", body)
    assert "Content-Security-Policy" in response.headers
    assert not response.cookies


def test_api_docs_work_under_their_own_scoped_policy(db, client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    style = re.search(r"<style>(.*?)</style>", response.content.decode(), re.DOTALL)
    assert style is not None
    import base64
    import hashlib

    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert f"'sha256-{digest}'" in directives(policy)["style-src"]
    assert "data:" in directives(policy)["img-src"]
    # Every script the page loads is from our origin (no inline script: the split view).
    assert not re.search(r"<script>", response.content.decode())
    for src in re.findall(r'<script src="([^"]+)"', response.content.decode()):
        assert src.startswith("/"), src
    assert not response.cookies
    # The looser image rule stays on the docs page.
    assert "data:" not in client.get("/en/criteria/")["Content-Security-Policy"]

"""Responses are compressed: brotli where nothing varies per user, gzip (with its padding
against BREACH) where a page carries a per-user secret, never both."""

from __future__ import annotations

import gzip

import brotli
import pytest

from tests.http import body


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    settings.API_ANON_THROTTLE_RATE = None


@pytest.mark.parametrize("url", ["/en/compare/", "/ckb/services/proton-mail/", "/api/v1/services/"])
def test_public_pages_and_the_api_are_brotli_for_clients_that_take_it(seeded, client, url):
    plain = client.get(url, HTTP_ACCEPT_ENCODING="identity")
    packed = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "br"
    assert "Accept-Encoding" in packed["Vary"]
    assert brotli.decompress(packed.content) == plain.content
    assert len(packed.content) < len(plain.content) / 4
    only_gzip = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert only_gzip["Content-Encoding"] == "gzip"
    assert gzip.decompress(only_gzip.content) == plain.content


def test_a_page_with_a_csrf_token_is_never_brotli(db, client):
    """The sign-in form carries a CSRF token and varies on the cookie: gzip with padding only."""
    response = client.get("/admin/login/", HTTP_ACCEPT_ENCODING="gzip, br")
    assert response.status_code == 200
    assert "Cookie" in response["Vary"]
    assert response["Content-Encoding"] == "gzip"


def test_the_streamed_csv_is_not_held_to_be_compressed_by_brotli(seeded, client):
    response = client.get("/api/v1/services/?format=csv", HTTP_ACCEPT_ENCODING="br")
    assert response.streaming
    assert response.get("Content-Encoding") != "br"
    assert body(response).count(b"\r\n") > 8  # the header and every seeded service

"""Anonymous clients are throttled per address, at a configurable rate."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _fresh_counters(settings):
    settings.API_ANON_THROTTLE_RATE = "3/minute"
    cache.clear()  # the throttle counts in the cache
    yield
    cache.clear()


def test_the_fourth_request_in_a_minute_is_a_429_with_retry_after(db, client):
    for _ in range(3):
        assert client.get("/api/v1/languages/").status_code == 200
    response = client.get("/api/v1/languages/")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert "throttled" in response.json()["detail"]


def test_all_endpoints_share_one_allowance(db, client):
    for url in ("/api/v1/languages/", "/api/v1/services/", "/api/schema/"):
        assert client.get(url).status_code == 200
    assert client.get("/api/v1/features/").status_code == 429


def test_each_address_has_its_own_allowance(db, client):
    for _ in range(3):
        client.get("/api/v1/languages/", REMOTE_ADDR="192.0.2.1")
    assert client.get("/api/v1/languages/", REMOTE_ADDR="192.0.2.1").status_code == 429
    assert client.get("/api/v1/languages/", REMOTE_ADDR="192.0.2.2").status_code == 200


def test_a_forged_forwarded_for_header_does_not_reset_the_allowance(db, client):
    for n in range(3):
        client.get("/api/v1/languages/", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    response = client.get("/api/v1/languages/", HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert response.status_code == 429


def test_the_rate_is_read_per_request_and_off_means_unlimited(db, client, settings):
    settings.API_ANON_THROTTLE_RATE = None
    for _ in range(10):
        assert client.get("/api/v1/languages/").status_code == 200


def _settings_with(**env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "import portal.settings as s; print(s.API_ANON_THROTTLE_RATE)"],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("API_ANON_THROTTLE_RATE")},
            "DEBUG": "true",
            **env,
        },
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_rate_comes_from_the_environment_and_is_checked():
    assert _settings_with().stdout.strip() == "120/minute"
    assert _settings_with(API_ANON_THROTTLE_RATE="10/second").stdout.strip() == "10/second"
    assert _settings_with(API_ANON_THROTTLE_RATE="off").stdout.strip() == "None"
    broken = _settings_with(API_ANON_THROTTLE_RATE="ten a minute")
    assert broken.returncode != 0
    assert "API_ANON_THROTTLE_RATE" in broken.stderr


def test_every_response_says_where_the_client_stands(seeded, client, settings):
    from django.core.cache import cache

    cache.clear()
    settings.API_ANON_THROTTLE_RATE = "3/minute"
    first = client.get("/api/v1/languages/", REMOTE_ADDR="192.0.2.77")
    assert (first["RateLimit-Limit"], first["RateLimit-Remaining"]) == ("3", "2")
    assert 0 < int(first["RateLimit-Reset"]) <= 60
    not_modified = client.get(
        "/api/v1/languages/", REMOTE_ADDR="192.0.2.77", HTTP_IF_NONE_MATCH=first["ETag"]
    )
    assert not_modified.status_code == 304 and not_modified["RateLimit-Remaining"] == "1"
    client.get("/api/v1/languages/", REMOTE_ADDR="192.0.2.77")
    refused = client.get("/api/v1/languages/", REMOTE_ADDR="192.0.2.77")
    assert refused.status_code == 429
    assert refused["RateLimit-Remaining"] == "0" and "Retry-After" in refused


def test_the_schema_and_the_docs_say_where_the_client_stands_too(db, client):
    for url in ("/api/schema/", "/api/docs/"):
        response = client.get(url, REMOTE_ADDR="192.0.2.78")
        assert response.status_code == 200
        assert response["RateLimit-Limit"] == "3"
    assert client.get("/api/v1/languages/", REMOTE_ADDR="192.0.2.78")["RateLimit-Remaining"] == "0"

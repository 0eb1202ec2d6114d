"""Redis down or silent degrades, never breaks: public pages, the API and the admin keep
answering from the database, quickly, with a log line and a counter; nothing hangs."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import override_settings

from portal.cache_backends import HEALTH
from tests.workers import RedisServer

PAGES = ("/en/", "/en/compare/", "/en/services/proton-mail/", "/api/v1/services/")


def redis_cache(url: str) -> dict:
    return {
        "default": {
            "BACKEND": "portal.cache_backends.ResilientRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


@pytest.fixture(autouse=True)
def _fresh_health() -> Iterator[None]:
    HEALTH.reset()
    yield
    HEALTH.reset()


@pytest.fixture
def silent_listener() -> Iterator[int]:
    """A port that accepts connections and never answers (a hung Redis)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(2)
    for conn in held:
        conn.close()
    server.close()


def timed_get(client, path: str) -> tuple[int, float]:
    started = time.monotonic()
    response = client.get(path)
    return response.status_code, time.monotonic() - started


def test_pages_and_the_api_answer_with_redis_stopped(seeded, client, caplog):
    server = RedisServer()
    server.start()
    with override_settings(CACHES=redis_cache(server.url), PAGE_CACHE_SECONDS=600):
        assert client.get("/en/").status_code == 200  # cached while Redis is up
        server.stop()
        for path in PAGES:
            status, seconds = timed_get(client, path)
            assert status == 200, path
            assert seconds < 3, (path, seconds)
        assert HEALTH.failures >= 1 and HEALTH.skipped >= 1
        assert "cache unavailable" in caplog.text
        assert cache.get("anything", "default") == "default"


def test_a_silent_redis_costs_one_timeout_not_one_per_request(seeded, client, silent_listener):
    with override_settings(
        CACHES=redis_cache(f"redis://127.0.0.1:{silent_listener}/0"), PAGE_CACHE_SECONDS=600
    ):
        timings = [timed_get(client, path) for path in PAGES * 2]
    assert all(status == 200 for status, _seconds in timings)
    assert timings[0][1] < 3  # the first request pays the socket timeout, once
    assert sum(seconds for _status, seconds in timings[1:]) < 5  # the rest skip the cache
    assert HEALTH.failures == 1


def test_the_admin_keeps_working_with_redis_stopped(editor, signed_in):
    server = RedisServer()
    server.start()
    server.stop()
    with override_settings(CACHES=redis_cache(server.url)):
        client = signed_in(editor)
        assert client.get("/admin/providers/service/").status_code == 200

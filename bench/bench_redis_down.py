"""Benchmark: public pages and the API with Redis up, stopped, and silent (not a test; prints
figures).

Run: DEBUG=true .venv/bin/python bench/bench_redis_down.py [REQUESTS]

A throw-away SQLite database with the seed; Django's test client in one process (no web server,
so the figures are the application's own cost); the page cache on (600 s) and pointed at a
private redis-server on a free loopback port. For each state, REQUESTS (default 200) requests
spread over /en/, /en/compare/, a service page and /api/v1/services/: requests per second,
median and worst latency, and the cache's failure and skip counters. Then the cost of a sign-in
lockout: the time of the 5th wrong password (the lockout) and of a request while locked.
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
STATE = Path(tempfile.mkdtemp(prefix="mailvet-bench-redis-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ["DEBUG"] = "true"
os.environ["DATABASE_URL"] = f"sqlite:///{STATE / 'bench.sqlite3'}"
os.environ["PAGE_CACHE_SECONDS"] = "600"
os.environ["API_ANON_THROTTLE_RATE"] = "off"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

from portal.cache_backends import HEALTH  # noqa: E402
from tests.workers import RedisServer  # noqa: E402

PATHS = ("/en/", "/en/compare/", "/en/services/proton-mail/", "/api/v1/services/")


def redis_cache(url: str) -> dict:
    return {
        "default": {
            "BACKEND": "portal.cache_backends.ResilientRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


def measure(title: str, url: str, requests: int) -> None:
    HEALTH.reset()
    client = Client(SERVER_NAME="localhost")
    latencies = []
    with override_settings(CACHES=redis_cache(url)):
        started = time.monotonic()
        for number in range(requests):
            t0 = time.monotonic()
            status = client.get(PATHS[number % len(PATHS)]).status_code
            latencies.append((time.monotonic() - t0) * 1000)
            assert status == 200, status
        elapsed = time.monotonic() - started
    median = statistics.median(latencies)
    print(
        f"{title:28s} {requests / elapsed:7.1f} requests/s, median {median:6.1f} ms, "
        f"worst {max(latencies):7.1f} ms; cache failures {HEALTH.failures}, "
        f"skipped {HEALTH.skipped}"
    )


def silent_listener() -> tuple[socket.socket, threading.Event]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    server.settimeout(0.2)
    stop = threading.Event()
    held: list[socket.socket] = []

    def accept() -> None:
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    threading.Thread(target=accept, daemon=True).start()
    return server, stop


def lockout_timings() -> None:
    from portal.accounts import create_staff_member

    credentials = create_staff_member("bench-editor", "editor")
    client = Client(SERVER_NAME="localhost")
    timings = []
    for _ in range(6):
        t0 = time.monotonic()
        response = client.post(
            "/admin/login/", {"username": credentials.username, "password": "wrong-password-1"}
        )
        timings.append(((time.monotonic() - t0) * 1000, response.status_code))
    text = ", ".join(f"{ms:.0f} ms ({status})" for ms, status in timings)
    print(f"sign-in attempts with a wrong password: {text}")


def main(requests: int) -> None:
    try:
        call_command("migrate", verbosity=0)
        call_command("loadseed", verbosity=0)
        redis = RedisServer()
        redis.start()
        measure("Redis up", redis.url, requests)
        redis.stop()
        measure("Redis stopped", redis.url, requests)
        server, stop = silent_listener()
        measure(
            "Redis silent (accepts only)",
            f"redis://127.0.0.1:{server.getsockname()[1]}/0",
            requests,
        )
        stop.set()
        server.close()
        lockout_timings()
    finally:
        shutil.rmtree(STATE, ignore_errors=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)

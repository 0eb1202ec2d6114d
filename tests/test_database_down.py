"""A database that cannot be reached gives a clean 503 in the page's language, never a
traceback: a real connection to a closed port, in a production-like process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.workers import free_port

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, django
django.setup()
from django.test import Client
client = Client(raise_request_exception=False)
out = {}
for path in ("/en/", "/de/compare/", "/fa/criteria/", "/api/v1/services/"):
    r = client.get(path)
    out[path] = [r.status_code, r.get("Retry-After"), r.content.decode()[:2000]]
# Signing in needs the database (the account, the lockout counters).
r = client.post("/admin/login/", {"username": "someone", "password": "something-long"})
out["POST /admin/login/"] = [r.status_code, r.get("Retry-After"), r.content.decode()[:2000]]
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def responses() -> dict:
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE"}},
        "DEBUG": "false",
        "SECRET_KEY": "a-test-secret-" + "y" * 50,
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": f"postgres://nobody@127.0.0.1:{free_port()}/nothing",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_every_kind_of_page_is_a_503_with_retry_after(responses):
    for path, (status, retry_after, _body) in responses.items():
        assert status == 503, path
        assert retry_after == "30", path


def test_the_503_page_is_in_the_pages_language_and_shows_no_traceback(responses):
    english, german, persian = (responses[p][2] for p in ("/en/", "/de/compare/", "/fa/criteria/"))
    assert "Temporarily unavailable" in english
    assert 'lang="de"' in german and "Temporarily unavailable" not in german
    assert 'lang="fa" dir="rtl"' in persian
    for _status, _retry, body in responses.values():
        assert "Traceback" not in body and "OperationalError" not in body

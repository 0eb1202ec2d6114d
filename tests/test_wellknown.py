"""security.txt (RFC 9116), robots.txt, and a production configuration that `check --deploy`
finds nothing to say about."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_security_txt_names_a_contact_and_an_expiry(client, settings):
    settings.SECURITY_CONTACTS = ["mailto:security@mailvet.example"]
    settings.SECURITY_TXT_EXPIRES = "2027-06-30T00:00:00+00:00"
    response = client.get("/.well-known/security.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "Contact: mailto:security@mailvet.example" in lines
    assert "Expires: 2027-06-30T00:00:00+00:00" in lines
    assert "Canonical: http://testserver/.well-known/security.txt" in lines
    assert not response.cookies


def test_without_a_set_expiry_it_expires_within_a_year(client, settings):
    settings.SECURITY_TXT_EXPIRES = ""
    text = client.get("/.well-known/security.txt").content.decode()
    expires = next(line for line in text.splitlines() if line.startswith("Expires: "))
    days = (
        datetime.fromisoformat(expires.removeprefix("Expires: ")) - datetime.now().astimezone()
    ).days
    assert 300 < days <= 365


def test_robots_txt_keeps_crawlers_out_of_the_admin(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert "Disallow: /admin/" in response.content.decode().splitlines()


def test_check_deploy_is_silent_in_the_documented_production_settings():
    env = {
        # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; production must not.
        **{
            k: v
            for k, v in os.environ.items()
            if k not in {"DEBUG", "SECURE_SSL_REDIRECT", "DJANGO_ALLOW_ASYNC_UNSAFE"}
        },
        "DEBUG": "false",
        "SECRET_KEY": "a-production-secret-" + "x" * 50,
        "ALLOWED_HOSTS": "mailvet.example",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout

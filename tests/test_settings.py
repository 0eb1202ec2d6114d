"""Settings come from the environment, and production refuses the development secret key."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal import settings as project_settings

ROOT = Path(__file__).resolve().parent.parent


def _import_settings(**env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"}
    }
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import portal.settings as s; print(s.DATABASES['default']['ENGINE'],"
            " s.CELERY_BROKER_URL, s.CACHES['default']['BACKEND'])",
        ],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_the_default_secret_key():
    result = _import_settings(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY is the development default" in result.stderr


def test_secret_key_can_come_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("a-real-secret-from-a-file\n")
    assert _import_settings(DEBUG="false", SECRET_KEY_FILE=str(secret)).returncode == 0


def test_embedded_defaults_and_switches():
    embedded = _import_settings(DEBUG="true").stdout.split()
    # A real worker over a broker that needs no server (kombu's filesystem transport).
    assert embedded == [
        "django.db.backends.sqlite3",
        "filesystem://",
        "portal.file_cache.FileCache",
    ]
    switched = _import_settings(
        DEBUG="true",
        DATABASE_URL="postgres://u@127.0.0.1:5432/x",
        REDIS_URL="redis://127.0.0.1:6379/0",
    ).stdout.split()
    assert switched == [
        "django.db.backends.postgresql",
        "redis://127.0.0.1:6379/0",
        "portal.cache_backends.ResilientRedisCache",
    ]


@pytest.mark.parametrize(("raw", "expected"), [("true", True), ("0", False), ("", True)])
def test_env_bool(monkeypatch, raw, expected):
    monkeypatch.setenv("MAILVET_FLAG", raw)
    assert project_settings.env_bool("MAILVET_FLAG", True) is expected


def test_env_bool_and_int_reject_nonsense(monkeypatch):
    monkeypatch.setenv("MAILVET_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="boolean"):
        project_settings.env_bool("MAILVET_FLAG")
    monkeypatch.setenv("MAILVET_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="integer"):
        project_settings.env_int("MAILVET_NUMBER", 1)


def test_languages_and_fallback():
    codes = [code for code, _ in project_settings.LANGUAGES]
    assert codes == ["en", "ckb", "de", "fr", "es", "fa"]
    assert project_settings.MODELTRANSLATION_FALLBACK_LANGUAGES == ("en",)

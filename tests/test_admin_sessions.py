"""Admin sessions end when idle and at browser close, and a new one starts at each sign-in;
visitors still get no cookie at all."""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.test import Client

from tests.conftest import login_with_second_factor


def test_an_admin_session_is_a_browser_session_with_an_idle_timeout(editor, settings):
    client = Client()
    client.get("/admin/login/")
    before = client.cookies.get(settings.SESSION_COOKIE_NAME)
    login_with_second_factor(client, editor)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert not cookie["expires"] and not cookie["max-age"]  # ends with the browser
    assert before is None or before.value != cookie.value  # a new key at sign-in
    session = Session.objects.get(session_key=cookie.value)
    first_expiry = session.expire_date
    assert client.get("/admin/").status_code == 200
    session.refresh_from_db()
    assert session.expire_date >= first_expiry  # each request pushes the idle timeout back
    remaining = (session.expire_date - first_expiry).total_seconds()
    assert remaining < settings.SESSION_COOKIE_AGE


def test_an_idle_session_is_signed_out(editor, settings):
    from datetime import timedelta

    from django.utils import timezone

    client = login_with_second_factor(Client(), editor)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    assert client.get("/admin/").status_code == 302


def test_visitors_get_no_cookie(seeded, client):
    for path in ("/en/", "/en/compare/", "/api/v1/services/"):
        assert not client.get(path).cookies


def with_backup_code(credentials, number: int) -> Client:
    """A second device signing in: a TOTP code is good once, so it uses a backup code."""
    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/",
        {
            "username": credentials.username,
            "password": credentials.password,
            "otp_token": credentials.backup_codes[number],
        },
    )
    assert response.status_code == 302
    return client


def test_log_out_everywhere_ends_the_accounts_other_sessions(editor, publisher):
    laptop = login_with_second_factor(Client(), editor)
    phone = with_backup_code(editor, 0)
    colleague = with_backup_code(publisher, 0)
    page = laptop.get("/admin/").content.decode()
    assert "Log out everywhere" in page
    response = laptop.post("/admin/logout-everywhere/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert laptop.get("/admin/").status_code == 302
    assert phone.get("/admin/").status_code == 302
    assert colleague.get("/admin/").status_code == 200  # another account's session is untouched


def test_log_out_everywhere_is_a_post(editor):
    client = login_with_second_factor(Client(), editor)
    assert client.get("/admin/logout-everywhere/").status_code == 405

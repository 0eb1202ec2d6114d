"""Security keys beside TOTP: the password comes first, the key step only follows a right one,
every failure reads the same and is counted, and keys are added and removed only by their owner
soon after signing in. The key's own signature needs a real authenticator: that path runs in
the browser (tests/browser/test_security_keys_in_browser.py)."""

from __future__ import annotations

import base64
import json
import re
from unittest import mock

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.test import Client
from django_otp_webauthn.models import WebAuthnCredential

from portal import security_keys
from portal.accounts import Credentials
from tests.conftest import current_totp, login_with_second_factor

GENERIC = "Please enter a correct username, password and code."


def give_a_key(credentials: Credentials, number: int = 1) -> WebAuthnCredential:
    return WebAuthnCredential.objects.create(
        user=get_user_model().objects.get(username=credentials.username),
        name=f"security key {number}",
        credential_id=bytes([number]) * 32,
        public_key=b"not-checked-here",
        aaguid="00000000-0000-0000-0000-000000000000",
        confirmed=True,
    )


def password_only(client: Client, credentials: Credentials, password: str = ""):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": credentials.username, "password": password or credentials.password},
    )


def failures(username: str) -> int:
    attempt = AccessAttempt.objects.filter(username=username).first()
    return attempt.failures_since_start if attempt else 0


@pytest.fixture
def editor_with_key(editor: Credentials) -> Credentials:
    give_a_key(editor)
    return editor


def test_a_right_password_without_a_code_leads_to_the_key_step(editor_with_key):
    client = Client()
    response = password_only(client, editor_with_key)
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/key/?next=%2Fadmin%2F"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b"Use my security key" in page.content
    assert client.get("/admin/").status_code == 302  # not signed in yet
    assert failures(editor_with_key.username) == 0


def test_a_wrong_password_says_nothing_about_the_key(editor_with_key, publisher):
    with_key = password_only(Client(), editor_with_key, "not-the-password")
    without_key = password_only(Client(), publisher, "not-the-password")
    pages = []
    for response, who in ((with_key, editor_with_key), (without_key, publisher)):
        assert response.status_code == 200
        page = response.content.decode().replace(who.username, "NAME")
        pages.append(re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page))
    assert GENERIC in pages[0]
    assert pages[0] == pages[1]  # the same page, key or not
    assert failures(editor_with_key.username) == 1


def test_the_key_step_needs_the_password_first(editor_with_key):
    client = Client()
    assert client.get("/admin/login/key/")["Location"] == "/admin/login/"
    assert client.post("/admin/login/key/begin/").status_code == 403


def test_the_key_step_asks_for_this_accounts_keys_only(editor_with_key, publisher):
    give_a_key(publisher, number=2)
    client = Client()
    password_only(client, editor_with_key)
    response = client.post("/admin/login/key/begin/")
    assert response.status_code == 200
    options = response.json()
    assert options["rpId"] == "testserver"
    editors_key = base64.urlsafe_b64encode(bytes([1]) * 32).rstrip(b"=").decode()
    assert [c["id"] for c in options["allowCredentials"]] == [editors_key]


def test_a_key_that_fails_is_a_counted_failure_and_ends_the_key_step(editor_with_key):
    client = Client()
    password_only(client, editor_with_key)
    client.post("/admin/login/key/begin/")
    response = client.post("/admin/login/key/complete/", data="{}", content_type="application/json")
    assert response.status_code == 403
    assert response.json()["detail"].startswith(GENERIC)
    assert failures(editor_with_key.username) == 1
    assert client.get("/admin/login/key/")["Location"] == "/admin/login/"
    assert client.get("/admin/").status_code == 302


def test_the_key_step_checks_the_csrf_token(editor_with_key):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/admin/login/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content).group(1)
    client.post(
        "/admin/login/?next=/admin/",
        {
            "username": editor_with_key.username,
            "password": editor_with_key.password,
            "csrfmiddlewaretoken": token.decode(),
        },
    )
    assert client.post("/admin/login/key/begin/").status_code == 403
    configuration = json.loads(
        re.search(
            rb'<script id="otp_webauthn_config" type="application/json">(.*?)</script>',
            client.get("/admin/login/key/").content,
        ).group(1)
    )
    allowed = client.post("/admin/login/key/begin/", HTTP_X_CSRFTOKEN=configuration["csrfToken"])
    assert allowed.status_code == 200


def test_the_key_step_expires(editor_with_key):
    client = Client()
    password_only(client, editor_with_key)
    later = security_keys.time.time() + security_keys.PENDING_SECONDS + 1
    with mock.patch.object(security_keys.time, "time", return_value=later):
        assert client.post("/admin/login/key/begin/").status_code == 403


def test_a_password_change_ends_the_key_step(editor_with_key):
    client = Client()
    password_only(client, editor_with_key)
    user = get_user_model().objects.get(username=editor_with_key.username)
    user.set_password("a-new-long-password-1")
    user.save()
    assert client.post("/admin/login/key/begin/").status_code == 403


def test_a_code_still_works_for_an_account_with_a_key(editor_with_key):
    client = Client()
    client.post(
        "/admin/login/?next=/admin/",
        {
            "username": editor_with_key.username,
            "password": editor_with_key.password,
            "otp_token": current_totp(editor_with_key.username),
        },
    )
    assert client.get("/admin/").status_code == 200


def test_the_keys_page_lists_ones_own_keys_and_says_how_to_recover(editor_with_key, publisher):
    give_a_key(publisher, number=2)
    client = login_with_second_factor(Client(), editor_with_key)
    page = client.get("/admin/security-keys/").content.decode()
    assert "security key 1" in page and "security key 2" not in page
    assert "backup codes" in page
    assert 'id="passkey-register-button"' in page
    # No script runs from the page itself: the data block is JSON, the rest are static files.
    for tag in re.findall(r"<script[^>]*>", page):
        assert 'type="application/json"' in tag or "src=" in tag
    assert "/admin/security-keys/" in client.get("/admin/").content.decode()


def test_registering_needs_a_recent_sign_in(editor):
    client = login_with_second_factor(Client(), editor)
    begin = client.post("/admin/security-keys/register/begin/")
    assert begin.status_code == 200
    assert begin.json()["rp"] == {"name": "mailvet", "id": "testserver"}
    later = security_keys.time.time() + security_keys.RECENT_SIGN_IN_SECONDS + 1
    with mock.patch.object(security_keys.time, "time", return_value=later):
        assert client.post("/admin/security-keys/register/begin/").status_code == 403
        page = client.get("/admin/security-keys/").content.decode()
        assert "sign in again" in page and "passkey-register-button" not in page


def test_registering_needs_a_signed_in_verified_user(editor):
    assert Client().post("/admin/security-keys/register/begin/").status_code == 403
    half_way = Client()
    password_only(half_way, editor)
    assert half_way.post("/admin/security-keys/register/begin/").status_code == 403


def test_a_key_is_removed_by_its_owner_only(editor_with_key, publisher):
    others = give_a_key(publisher, number=2)
    client = login_with_second_factor(Client(), editor_with_key)
    own = WebAuthnCredential.objects.get(user__username=editor_with_key.username)
    assert client.post(f"/admin/security-keys/{others.pk}/remove/").status_code == 404
    assert client.post(f"/admin/security-keys/{own.pk}/remove/").status_code == 302
    assert list(WebAuthnCredential.objects.all()) == [others]


def test_removing_a_key_needs_a_recent_sign_in(editor_with_key):
    client = login_with_second_factor(Client(), editor_with_key)
    own = WebAuthnCredential.objects.get()
    later = security_keys.time.time() + security_keys.RECENT_SIGN_IN_SECONDS + 1
    with mock.patch.object(security_keys.time, "time", return_value=later):
        assert client.post(f"/admin/security-keys/{own.pk}/remove/").status_code == 403
    assert WebAuthnCredential.objects.exists()

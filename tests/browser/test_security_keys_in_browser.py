"""Security keys in a real browser, with Chromium's virtual WebAuthn authenticator (over CDP):
an editor signs in with a code, adds a key, signs out, and signs in with the password and the key
alone; a wrong password with the key at hand reads like any other failure."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from axes.models import AccessAttempt
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from portal.accounts import Credentials, create_staff_member
from tests.conftest import current_totp

GENERIC = "Please enter a correct username, password and code."


@pytest.fixture
def site(live_server) -> str:  # type: ignore[no-untyped-def]
    # WebAuthn needs a secure context and a domain for the relying party ID: http://localhost
    # is both, http://127.0.0.1 is not a domain.
    return live_server.url.replace("127.0.0.1", "localhost")


@pytest.fixture
def page(browser: Browser, site: str) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    problems: list[str] = []

    def record(message: ConsoleMessage) -> None:
        # CSP violations and script errors are console errors. Failed loads are told by the
        # responses below: the admin has no favicon, and the browser asks for one.
        if message.type in {"error", "warning"} and "Failed to load resource" not in message.text:
            problems.append(f"console {message.type}: {message.text}")

    page.on("console", record)
    page.on(
        "response",
        lambda r: (
            problems.append(f"{r.status}: {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.problems = problems  # type: ignore[attr-defined]
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    yield page
    context.close()


def sign_in(page: Page, site: str, who: Credentials, password: str, code: str = "") -> None:
    page.goto(f"{site}/admin/login/?next=/admin/")
    page.fill("input[name=username]", who.username)
    page.fill("input[name=password]", password)
    page.fill("input[name=otp_token]", code)
    page.click("input[type=submit]")
    page.wait_for_load_state()


def sign_out(page: Page) -> None:
    page.locator("#logout-form").get_by_role("button", name="Log out", exact=True).click()
    page.wait_for_load_state()


def add_a_key(page: Page) -> None:
    page.get_by_role("link", name="Security keys").click()
    expect(page.locator("#content-main")).to_contain_text("You have no security key yet.")
    page.get_by_role("button", name="Add a security key").click()
    expect(page.locator("#security-keys tbody tr")).to_have_count(1)  # the page reloads


def test_sign_in_with_a_security_key_instead_of_a_code(page: Page, site: str) -> None:
    editor = create_staff_member("key-editor", "editor")
    sign_in(page, site, editor, editor.password, current_totp(editor.username))
    add_a_key(page)
    expect(page.locator("#security-keys")).to_contain_text("security key 1")
    sign_out(page)

    sign_in(page, site, editor, editor.password)  # no code
    assert "/admin/login/key/" in page.url
    page.get_by_role("button", name="Use my security key").click()
    expect(page.locator("#user-tools")).to_contain_text("key-editor")
    assert page.url == f"{site}/admin/"
    assert WebAuthnCredential.objects.get(user__username="key-editor").last_used_at is not None
    sign_out(page)

    sign_in(page, site, editor, "not-the-password")
    assert "/admin/login/key/" not in page.url
    expect(page.locator(".errornote")).to_contain_text(GENERIC)
    assert page.problems == []  # type: ignore[attr-defined]


def test_a_key_that_no_longer_counts_is_a_counted_failure(page: Page, site: str) -> None:
    editor = create_staff_member("key-publisher", "publisher")
    sign_in(page, site, editor, editor.password, editor.backup_codes[0])
    add_a_key(page)
    sign_out(page)
    sign_in(page, site, editor, editor.password)
    assert "/admin/login/key/" in page.url
    # Removed meanwhile (say, by an operator after a loss): the key answers, the site refuses.
    WebAuthnCredential.objects.filter(user__username="key-publisher").update(confirmed=False)

    page.get_by_role("button", name="Use my security key").click()
    expect(page.locator("#passkey-verification-status-message")).to_contain_text(GENERIC)
    assert AccessAttempt.objects.get(username="key-publisher").failures_since_start == 1
    page.goto(f"{site}/admin/")
    assert "/admin/login/" in page.url  # not signed in

"""The main editorial path in a real browser: an editor changes a live service, a publisher
publishes it, and visitors see the live version all along until then."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from portal.accounts import Credentials, create_staff_member
from providers.models import Service


@pytest.fixture
def site(seeded: None, live_server) -> str:  # type: ignore[no-untyped-def]
    return live_server.url


def _signed_in(browser: Browser, site: str, credentials: Credentials) -> Page:
    page = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
    page.goto(f"{site}/admin/login/?next=/admin/")
    page.fill("input[name=username]", credentials.username)
    page.fill("input[name=password]", credentials.password)
    # A backup code: one use each, and no device to pick.
    page.fill("input[name=otp_token]", credentials.backup_codes[0])
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_be_visible()
    return page


def test_an_edit_waits_for_the_publisher_then_goes_live(browser: Browser, site: str) -> None:
    editor = create_staff_member("browser-editor", "editor")
    publisher = create_staff_member("browser-publisher", "publisher")
    service = Service.objects.get(slug="proton-mail")
    change_url = f"{site}/admin/providers/service/{service.pk}/change/"
    public_url = f"{site}/en/services/{service.slug}/"
    new_summary = "A summary changed through review."

    as_editor = _signed_in(browser, site, editor)
    as_editor.goto(change_url)
    as_editor.fill("textarea[name=summary_en]", new_summary)
    as_editor.get_by_role("button", name="Submit changes for review").click()
    expect(as_editor.locator(".messagelist")).to_contain_text("pending revision")
    expect(as_editor.locator(".mv-revision")).to_contain_text("In review")
    # The form shows the revision; the button is only for publishers.
    expect(as_editor.locator("textarea[name=summary_en]")).to_have_value(new_summary)
    expect(as_editor.get_by_role("button", name="Publish changes")).to_have_count(0)

    visitor = browser.new_context().new_page()
    visitor.goto(public_url)
    expect(visitor.locator("main")).not_to_contain_text(new_summary)

    as_publisher = _signed_in(browser, site, publisher)
    as_publisher.goto(change_url)
    preview = as_publisher.context.new_page()
    preview.goto(f"{site}/admin/providers/service/{service.pk}/changes/preview/?language=en")
    expect(preview.locator("main")).to_contain_text(new_summary)
    as_publisher.get_by_role("button", name="Publish changes").click()
    expect(as_publisher.locator(".messagelist")).to_contain_text("Publish changes done")

    visitor.goto(public_url)
    expect(visitor.locator("main")).to_contain_text(new_summary)
    service.refresh_from_db()
    assert service.state == "published"

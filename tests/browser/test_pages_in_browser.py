"""The public pages in a real browser: Debian's chromium driven by Playwright.

Screenshots of the comparison page in en and ckb are saved under test-output/screenshots/.
A missing chromium fails the run: CI installs it (.ci/ensure-services.sh).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"


@pytest.fixture
def page(browser: Browser, site: str) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: _record(m, problems))
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    # Anything not served by the test server is a third-party request.
    page.on(
        "request",
        lambda r: problems.append(f"third-party: {r.url}") if not r.url.startswith(site) else None,
    )
    page.problems = problems  # type: ignore[attr-defined]
    yield page
    context.close()


def _record(message: ConsoleMessage, problems: list[str]) -> None:
    # CSP violations and script errors are reported as console errors.
    if message.type in {"error", "warning"}:
        problems.append(f"console {message.type}: {message.text}")


def _text_edges(page: Page, selector: str) -> tuple[float, float]:
    """Left and right edge of an element's text (not its box, which spans the full width)."""
    return tuple(
        page.evaluate(
            "(s) => { const r = document.createRange();"
            " r.selectNodeContents(document.querySelector(s));"
            " const b = r.getBoundingClientRect(); return [b.left, b.right]; }",
            selector,
        )
    )


def test_filtering_the_comparison_by_clicking(page: Page, site: str) -> None:
    page.goto(f"{site}/en/compare/")
    everyone = page.locator("tbody tr").count()
    # What a visitor clicks: the "Yes" of a yes/no/any control (a label of a radio button).
    page.get_by_role("group", name="OpenPGP", exact=True).get_by_text("Yes").click()
    page.get_by_role("group", name="Web Key Directory (WKD)").get_by_text("Yes").click()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    # The controls left at "any" are not in the address: it names the chosen filters only.
    assert page.url.endswith("/en/compare/?openpgp=true&wkd=true"), page.url
    rows = page.locator("tbody tr")
    assert rows.count() == 2 < everyone
    names = " ".join(rows.all_inner_texts())
    assert "Proton Mail" in names and "Mailbox.org" in names
    assert page.get_by_role("group", name="OpenPGP", exact=True).get_by_label("Yes").is_checked()
    # The chip of an active filter removes just that one.
    page.get_by_role("link", name="Remove the filter “OpenPGP”").click()
    page.wait_for_load_state()
    assert page.url.endswith("/en/compare/?wkd=true"), page.url
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "compare-en.png", full_page=True)
    assert page.problems == []  # type: ignore[attr-defined]


def test_on_a_phone_the_results_come_first_and_every_filter_is_one_tap_away(
    browser: Browser, site: str
) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site}/en/compare/?openpgp=true")
    # Only the active filter is shown, so the first result is on the first screen.
    visible = [c for c in page.locator(".control").all() if c.is_visible()]
    assert len(visible) == 1
    first_row = page.locator("tbody tr").first.bounding_box()
    assert first_row is not None and first_row["y"] < 740, first_row
    # Each service is a card: no sideways scrolling, every value beside its feature's name.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    cell = page.locator("tbody tr").first.locator("td.cell-yes").first
    label = cell.evaluate("(el) => getComputedStyle(el, '::after').content")
    assert label.strip('"') == cell.get_attribute("data-label")
    # Without any script: the switch is a check box styled as a button.
    page.get_by_text("Show all filters").click()
    visible = [c for c in page.locator(".control").all() if c.is_visible()]
    assert len(visible) > 20
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "compare-phone-en.png", full_page=True)
    context.close()


def test_the_tables_header_and_first_column_stay_in_view(browser: Browser, site: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 500})
    page = context.new_page()
    page.goto(f"{site}/en/compare/")
    region = page.locator(".results-section .table-scroll")
    before = page.locator(".comparison thead th").nth(6).bounding_box()
    name = page.locator(".comparison tbody th").first.bounding_box()
    assert before is not None and name is not None
    region.evaluate("(el) => { el.scrollTop = 150; el.scrollLeft = 400; }")
    header = page.locator(".comparison thead th").nth(6).bounding_box()
    name_after = page.locator(".comparison tbody th").first.bounding_box()
    box = region.bounding_box()
    assert header is not None and name_after is not None and box is not None
    # Scrolled down, the header row is still at the top of the box; scrolled sideways, the
    # service names are still at its start edge.
    assert abs(header["y"] - box["y"]) < 3
    assert abs(name_after["x"] - box["x"]) < 3
    assert header["x"] < before["x"]
    context.close()


def test_comparing_two_services_side_by_side(page: Page, site: str) -> None:
    page.goto(f"{site}/en/compare/")
    page.locator("tbody tr", has_text="Proton Mail").locator("input[type=checkbox]").check()
    page.locator("tbody tr", has_text="Tutanota").locator("input[type=checkbox]").check()
    page.get_by_role("button", name="Compare selected").click()
    page.wait_for_load_state()
    side = page.locator("section.side-by-side")
    headers = side.locator("thead th").all_inner_texts()
    assert sorted(headers[1:]) == ["Proton Mail", "Tutanota"]
    assert side.locator("tbody tr").count() > 5
    assert page.problems == []  # type: ignore[attr-defined]


def test_central_kurdish_pages_are_laid_out_right_to_left(page: Page, site: str) -> None:
    page.goto(f"{site}/en/compare/")
    left, right = _text_edges(page, "h1")
    assert left < page.viewport_size["width"] * 0.25  # type: ignore[index]
    page.get_by_role("link", name="کوردی").first.click()
    page.wait_for_load_state()
    assert "/ckb/compare/" in page.url
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    # Logical properties mirror the layout: the heading's text starts at the right edge.
    left, right = _text_edges(page, "h1")
    width = page.viewport_size["width"]  # type: ignore[index]
    assert right > width * 0.75 and left > width * 0.25
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "compare-ckb.png", full_page=True)
    assert page.problems == []  # type: ignore[attr-defined]


def test_english_fallback_runs_left_to_right_inside_a_kurdish_page(page: Page, site: str) -> None:
    # Without a Kurdish translation of StartMail's summary and of a feature name, /ckb/ shows
    # the English ones. (The seed translates both; the test takes them away.)
    from providers.models import Feature, Service

    Service.objects.filter(slug="startmail").update(summary_ckb="")
    Feature.objects.filter(name_en="Web Key Directory (WKD)").update(name_ckb="")
    page.goto(f"{site}/ckb/providers/")
    assert page.evaluate("getComputedStyle(document.documentElement).direction") == "rtl"
    summary = page.locator("#startmail .summary [lang=en]")
    assert "StartMail" in summary.inner_text()
    assert summary.evaluate("(el) => getComputedStyle(el).direction") == "ltr"
    # A short label inside a right-to-left table header: the feature names of the comparison.
    page.goto(f"{site}/ckb/compare/")
    label = page.locator("thead th [lang=en]", has_text="Web Key Directory (WKD)").first
    assert label.evaluate("(el) => getComputedStyle(el).direction") == "ltr"
    assert page.problems == []  # type: ignore[attr-defined]

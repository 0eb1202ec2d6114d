"""Every public page through axe-core in chromium: no serious or critical WCAG A/AA violation.

Each page is checked in English (left to right) and in Central Kurdish and Persian (right to
left), in the light and the dark colour scheme, and the comparison also at a 360 px phone width.
axe-core is vendored under tests/browser/vendor/axe-core/ (test-only, never served). A missing
chromium fails the run, as in test_pages_in_browser.py: CI installs it (.ci/ensure-services.sh).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2 at levels A and AA (axe has no rule tagged "wcag22a").
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
FAILING_IMPACTS = frozenset({"serious", "critical"})
LANGUAGES = ("en", "ckb", "fa")
RIGHT_TO_LEFT = frozenset({"ckb", "fa"})
SCHEMES = ("light", "dark")
DESKTOP = {"width": 1280, "height": 1000}
PHONE = {"width": 360, "height": 800}
# Three of the seed's services, of all three kinds, for the side-by-side table.
SIDE_BY_SIDE = ("proton-mail", "simplelogin", "mailcow")


@dataclass(frozen=True)
class PublicPage:
    name: str
    path: str  # after the language prefix
    status: int = 200

    def url(self, site: str, language: str) -> str:
        return f"{site}/{language}/{self.path}"


def comparison_pages() -> list[PublicPage]:
    side = "&".join(f"compare={slug}" for slug in SIDE_BY_SIDE)
    return [
        PublicPage("comparison", "compare/"),
        PublicPage("comparison, filtered", "compare/?openpgp=true&wkd=true"),
        PublicPage("comparison, nothing matches", "compare/?kind=aliasing&imap=true&pop3=true"),
        # A filter that cannot be applied: the page is a 400 with the form's errors on top.
        PublicPage("comparison, invalid filter", "compare/?openpgp=perhaps", status=400),
        PublicPage("comparison, side by side", f"compare/?{side}"),
    ]


def public_pages() -> list[PublicPage]:
    """Every page a visitor can reach in one language, from the seed's published services."""
    from providers.models import Service
    from providers.views import CATEGORIES

    slugs = Service.objects.published().order_by("slug").values_list("slug", flat=True)
    return [
        PublicPage("home", ""),
        *(PublicPage(f"category {c.slug}", f"{c.slug}/") for c in CATEGORIES),
        *(PublicPage(f"service {slug}", f"services/{slug}/") for slug in slugs),
        *comparison_pages(),
        PublicPage("criteria", "criteria/"),
        PublicPage("not found", "no-such-page/", status=404),
    ]


def open_context(browser: Browser, scheme: str, viewport: dict[str, int]) -> BrowserContext:
    # The pages keep their real Content-Security-Policy (no bypass_csp): axe must see what a
    # visitor sees, and bypassing it would also apply any inline style the policy blocks.
    return browser.new_context(color_scheme=scheme, viewport=viewport)  # type: ignore[arg-type]


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe's WCAG A/AA violations of the page as loaded.

    `page.add_script_tag` inserts an inline <script>, which the site's `script-src 'self'`
    refuses; evaluating the file through the DevTools protocol is not subject to the page's CSP.
    """
    page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']}).then((r) => r.violations)",
        WCAG_TAGS,
    )


UNAPPLIED_STYLESHEETS = (
    "[...document.querySelectorAll('link[rel=stylesheet]')].filter((l) => !l.sheet)"
    ".map((l) => l.href)"
)


def describe(violation: dict[str, Any], where: str) -> str:
    targets = "; ".join(
        " >>> ".join(node["target"]) if isinstance(node["target"], list) else str(node["target"])
        for node in violation["nodes"]
    )
    return f"{where}: {violation['id']} ({violation['impact']}) {violation['help']} -> {targets}"


def check_pages(
    context: BrowserContext, site: str, language: str, pages: list[PublicPage], where: str
) -> list[str]:
    """Serious and critical violations of the pages, one line each; lesser ones are printed."""
    page = context.new_page()
    failures: list[str] = []
    for public_page in pages:
        url = public_page.url(site, language)
        response = page.goto(url)
        assert response is not None and response.status == public_page.status, url
        if public_page.status == 200:  # Django's plain 404 page is English, without dir
            expected = "rtl" if language in RIGHT_TO_LEFT else "ltr"
            assert page.locator("html").get_attribute("dir") == expected, url
        # Judging an unstyled page would report the browser's defaults, not the design: a
        # stylesheet refused (integrity mismatch, 404) has no `sheet`.
        unapplied = page.evaluate(UNAPPLIED_STYLESHEETS)
        assert unapplied == [], f"{url}: stylesheets not applied: {unapplied}"
        for violation in axe_violations(page):
            line = describe(violation, f"{public_page.name} {url[len(site) :]} [{where}]")
            if violation["impact"] in FAILING_IMPACTS:
                failures.append(line)
            else:
                print(line)
    page.close()
    return failures


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_public_page_has_no_serious_accessibility_violation(
    browser: Browser, site: str, language: str
) -> None:
    # One test per language rather than per page and scheme: each test with the live server
    # loads the seed again (seconds), and one list of every failure reads better anyway.
    failures: list[str] = []
    for scheme in SCHEMES:
        for viewport, pages in ((DESKTOP, public_pages()), (PHONE, comparison_pages())):
            context = open_context(browser, scheme, viewport)
            try:
                where = f"{scheme}, {viewport['width']} px"
                failures += check_pages(context, site, language, pages, where)
            finally:
                context.close()
    assert failures == [], "\n" + "\n".join(failures)


# Swagger UI's own markup and theme (drf-spectacular-sidecar), not the site's templates: the page
# has no lang (its template's <html> is outside any block), its operation summaries nest a
# button in a button, some of its greys are too light, and its side links are small. Anything
# else fails; remove an id here once an override or a newer Swagger UI fixes it.
SWAGGER_UI_KNOWN = frozenset(
    {"html-has-lang", "nested-interactive", "color-contrast", "target-size"}
)


def test_the_api_documentation_has_no_serious_violation_beyond_swagger_uis_own(
    browser: Browser, site: str
) -> None:
    # One language: Swagger UI is not translated, and it draws the page with script.
    context = open_context(browser, "light", DESKTOP)
    try:
        page = context.new_page()
        page.goto(f"{site}/api/docs/")
        page.locator(".swagger-ui .opblock").first.wait_for()
        serious = [v for v in axe_violations(page) if v["impact"] in FAILING_IMPACTS]
    finally:
        context.close()
    for violation in serious:
        print(describe(violation, "API docs /api/docs/ [light, 1280 px]"))
    unexpected = [v for v in serious if v["id"] not in SWAGGER_UI_KNOWN]
    assert unexpected == [], "\n" + "\n".join(describe(v, "/api/docs/") for v in unexpected)


def test_the_checker_reports_a_serious_violation_when_there_is_one(browser: Browser) -> None:
    # Guards the harness itself: an unnamed button is a critical violation (button-name), so
    # axe running on a page and its result being read must turn it into a failure line.
    context = open_context(browser, "light", DESKTOP)
    try:
        page = context.new_page()
        page.set_content("<!DOCTYPE html><html lang=en><title>t</title><main><button></button>")
        lines = [describe(v, "test page") for v in axe_violations(page)]
    finally:
        context.close()
    assert any("button-name (critical)" in line for line in lines), lines

"""Screenshots of the public pages in English, Central Kurdish and Persian, for the README.

Run: DEBUG=true .venv/bin/python docs/screenshots.py [--full-page] [--dark] [--out docs/screenshots]

It loads the seed into a throw-away SQLite database (nothing touches db.sqlite3, the page cache
or the broker folders under var/), serves the site from a thread on a free local port, and
drives Debian's chromium (MAILVET_CHROMIUM, default /usr/bin/chromium) with Playwright to write
`<language>-<page>-<desktop|phone>.png` (`-dark` added with --dark): the home page, a category
page, a service page and the comparison, at 1280 and 360 px wide. By default each image is the
first screen a visitor sees; --full-page captures the whole page.

The Kurdish and Persian pages need a font with Arabic script on the machine (Debian:
fonts-noto-core), or they are drawn as empty boxes.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("en", "ckb", "fa")
# (file name part, path after the language prefix)
PAGES = (
    ("home", ""),
    ("category", "providers/"),
    ("service", "services/proton-mail/"),
    ("compare", "compare/"),
)
WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 360, "height": 780}}


def configure(folder: Path) -> None:
    """A private database, cache and broker folder, set before Django reads its settings."""
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'screenshots.sqlite3'}"
    os.environ["CACHE_DIR"] = str(folder / "cache")
    os.environ["CELERY_FILESYSTEM_DIR"] = str(folder / "celery")
    os.environ["PAGE_CACHE_SECONDS"] = "0"
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    # Playwright's sync API keeps an event loop in this thread; the Django calls made here
    # (migrate, loadseed) run before it starts, not from inside its callbacks.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    import django

    django.setup()


def serve() -> str:
    """The site on a free local port, from a daemon thread; returns its base URL."""
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler)
    server.set_app(get_wsgi_application())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    return f"http://{host}:{port}"


# Pixels by which the page is wider than the screen (it then scrolls sideways).
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def shoot_page(page: Page, url: str, target: Path, full_page: bool) -> None:
    response = page.goto(url)
    if response is None or response.status != 200:
        raise SystemExit(f"{url}: {response and response.status}")
    page.evaluate("document.fonts.ready.then(() => true)")
    overflow = page.evaluate(OVERFLOW)
    if overflow > 0:
        # A design bug worth seeing rather than hiding; in RTL, chromium also draws the first
        # screen of such a page blank.
        print(f"warning: {url} is {overflow} px wider than the screen", file=sys.stderr)
    page.screenshot(path=target, full_page=full_page)


def shoot(site: str, out: Path, full_page: bool, dark: bool) -> list[Path]:
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("MAILVET_CHROMIUM", "/usr/bin/chromium")
    suffix = "-dark" if dark else ""
    written: list[Path] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        for width_name, viewport in WIDTHS.items():
            scheme = "dark" if dark else "light"
            context = browser.new_context(viewport=viewport, color_scheme=scheme)  # type: ignore[arg-type]
            page = context.new_page()
            for language in LANGUAGES:
                for name, path in PAGES:
                    target = out / f"{language}-{name}-{width_name}{suffix}.png"
                    shoot_page(page, f"{site}/{language}/{path}", target, full_page)
                    written.append(target)
            context.close()
        browser.close()
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--full-page", action="store_true", help="the whole page, not one screen")
    parser.add_argument("--dark", action="store_true", help="the dark colour scheme")
    args = parser.parse_args()

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="mailvet-screenshots-") as folder:
        configure(Path(folder))
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        call_command("loadseed", verbosity=0)
        for path in shoot(serve(), args.out, args.full_page, args.dark):
            print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

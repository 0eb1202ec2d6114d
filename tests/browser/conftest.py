"""What every browser test shares: Debian's chromium driven by Playwright, and the live site.

A missing chromium fails the run: CI installs it (.ci/ensure-services.sh).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the Django calls here are the tests'
# own set-up (the seed), not made from inside that loop's callbacks.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import Browser, sync_playwright

CHROMIUM = os.environ.get("MAILVET_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"No chromium at {CHROMIUM}: install Debian's chromium package.", pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        yield browser
        browser.close()


@pytest.fixture
def site(seeded: None, live_server) -> str:  # type: ignore[no-untyped-def]
    return live_server.url

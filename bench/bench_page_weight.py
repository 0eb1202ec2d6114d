"""Measure what a first visit to each public page downloads: HTML, CSS, icons and images.

Run: DEBUG=true .venv/bin/python bench/bench_page_weight.py [--languages en ckb fa] [--limit 100]

It loads the seed into a throw-away SQLite database (nothing touches db.sqlite3 or var/),
then fetches, with Django's test client, every public page in each language and every
stylesheet, image, icon (the favicon and SVG sprites included), script and font the page
refers to: from the HTML (`<link href>`, `<img src>`, `<use href>`, `<script src>`) and from
the stylesheets (`url()`, `@import`, followed). Each file is counted once per page, as a first
visit with an empty cache downloads it once.

For every page it prints the bytes of HTML, CSS, images and anything else (scripts, fonts), the
total raw and gzipped (each file on its own, at level 9 as WhiteNoise compresses static files),
and flags the pages whose raw total is over the limit (100 kB, the goal for the comparison of
the seed's 8 services). The exit status is 0 either way: it measures.
"""

from __future__ import annotations

import argparse
import gzip
import logging
import os
import re
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_api import configure

LIMIT_KB = 100
KB = 1000
IMAGE_SUFFIXES = (".svg", ".png", ".jpg", ".jpeg", ".webp", ".avif", ".gif", ".ico")
# The side-by-side example: three of the seed's services, one of each kind.
SIDE_BY_SIDE = "compare=proton-mail&compare=simplelogin&compare=mailcow"
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""")


class References(HTMLParser):
    """The sub-resources a page's HTML makes the browser download, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []  # (kind, url)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        rel = values.get("rel", "").lower().split()
        if tag == "link" and "stylesheet" in rel:
            self.found.append(("css", values["href"]))
        elif tag == "link" and ("icon" in rel or "preload" in rel) and values.get("href"):
            self.found.append(("image", values["href"]))
        elif tag == "img" and values.get("src"):
            self.found.append(("image", values["src"]))
        elif tag == "use" and (values.get("href") or values.get("xlink:href")):
            # An external SVG sprite (`icons.svg#name`) is one download, whatever the fragment.
            href = values.get("href") or values["xlink:href"]
            if not href.startswith("#"):
                self.found.append(("image", href))
        elif tag == "script" and values.get("src"):
            self.found.append(("other", values["src"]))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


@dataclass
class Weight:
    page: str
    status: int
    raw: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(("html", "css", "image", "other"), 0)
    )
    gzipped: int = 0
    missing: list[str] = field(default_factory=list)

    def add(self, kind: str, body: bytes) -> None:
        self.raw[kind] += len(body)
        self.gzipped += len(gzip.compress(body, compresslevel=9, mtime=0))

    @property
    def total(self) -> int:
        return sum(self.raw.values())


def public_paths(language: str) -> list[str]:
    from providers.models import Service
    from providers.views import CATEGORIES

    slugs = Service.objects.published().order_by("slug").values_list("slug", flat=True)
    prefix = f"/{language}/"
    return [
        prefix,
        *(f"{prefix}{category.slug}/" for category in CATEGORIES),
        *(f"{prefix}services/{slug}/" for slug in slugs),
        f"{prefix}compare/",
        f"{prefix}compare/?openpgp=true&wkd=true",
        f"{prefix}compare/?{SIDE_BY_SIDE}",
        f"{prefix}criteria/",
        f"{prefix}no-such-page/",
    ]


def body_of(response) -> bytes:  # type: ignore[no-untyped-def]
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def kind_of(url: str, declared: str) -> str:
    path = urlsplit(url).path.lower()
    if path.endswith(".css"):
        return "css"
    if path.endswith(IMAGE_SUFFIXES):
        return "image"
    return declared


def weigh(client, path: str) -> Weight:  # type: ignore[no-untyped-def]
    response = client.get(path)
    html = body_of(response)
    weight = Weight(path, response.status_code)
    weight.add("html", html)
    parser = References()
    parser.feed(html.decode(response.charset or "utf-8"))
    pending = [(kind, urljoin(path, url)) for kind, url in parser.found]
    seen: set[str] = set()
    while pending:
        declared, url = pending.pop(0)
        parts = urlsplit(url)
        if parts.scheme in {"data", "http", "https"} or parts.netloc:
            continue  # inline data is in its file already; other origins would be a CSP error
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        if target in seen:
            continue
        seen.add(target)
        resource = client.get(target)
        if resource.status_code != 200:
            weight.missing.append(f"{target} ({resource.status_code})")
            continue
        body = body_of(resource)
        kind = kind_of(target, declared)
        weight.add(kind, body)
        if kind == "css":
            pending.extend(("other", urljoin(target, ref)) for ref in css_references(body))
    return weight


def css_references(css: bytes) -> Iterable[str]:
    text = re.sub(rb"/\*.*?\*/", b"", css, flags=re.DOTALL).decode("utf-8", "replace")
    for match in CSS_URL.finditer(text):
        yield match.group(2) or match.group(4)


def report(weights: list[Weight], limit: int) -> None:
    width = max(len(weight.page) for weight in weights)
    header = f"{'page':<{width}} {'status':>6} {'HTML':>8} {'CSS':>8} {'images':>8} {'other':>8}"
    print(f"{header} {'total':>8} {'gzip':>8}  (kB = 1000 bytes)")
    for weight in weights:
        raw = weight.raw
        flag = f"  OVER {limit // KB} kB" if weight.total > limit else ""
        sizes = [raw["html"], raw["css"], raw["image"], raw["other"], weight.total, weight.gzipped]
        columns = " ".join(f"{size / KB:>8.1f}" for size in sizes)
        print(f"{weight.page:<{width}} {weight.status:>6} {columns}{flag}")
        for missing in weight.missing:
            print(f"    missing: {missing}")
    over = [weight.page for weight in weights if weight.total > limit]
    print(f"{len(weights)} pages, {len(over)} over {limit // KB} kB (raw total)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--languages", nargs="+", default=["en", "ckb", "fa"])
    parser.add_argument("--limit", type=int, default=LIMIT_KB, help="kB (1000 bytes)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="mailvet-bench-") as folder:
        # The seed's saves bump the page cache's version and may enqueue tasks: both stay in
        # this folder, away from the cache and broker folders a running `make run` shares.
        os.environ["CACHE_DIR"] = str(Path(folder) / "cache")
        os.environ["CELERY_FILESYSTEM_DIR"] = str(Path(folder) / "celery")
        configure(Path(folder) / "bench.sqlite3")
        from django.core.management import call_command
        from django.test import Client
        from django.test.utils import override_settings

        call_command("migrate", verbosity=0)
        call_command("loadseed", verbosity=0)
        client = Client(HTTP_HOST="localhost")
        paths = [path for language in args.languages for path in public_paths(language)]
        # Language-neutral: Swagger UI, whose scripts are counted under "other".
        paths.append("/api/docs/")
        # DEBUG stays on for the settings (the development secret key, static files from the
        # finders) but off for the responses: a visitor's 404 page, not Django's debug page.
        logging.getLogger("django.request").setLevel(logging.ERROR)  # the expected 404s
        with override_settings(DEBUG=False):
            weights = [weigh(client, path) for path in paths]
        report(weights, args.limit * KB)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The scripts and stylesheets a page loads and their `integrity` (W3C SRI), via html.parser.

Only the elements SRI can protect are collected: `<script src>`, `<link rel=stylesheet>`, and the
preloads that fetch a script or style (`rel=modulepreload`, `rel=preload as=script|style`), whose
integrity browsers check too. The first `<base href>` is kept, since relative URLs resolve
against it (HTML, "document base URL"), not against the page's own address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

# SRI 3.5: hash-algo "-" base64-value, space separated; an unknown algorithm is ignored by browsers.
_METADATA = re.compile(r"^(sha256|sha384|sha512)-[A-Za-z0-9+/]+={0,2}(\?\S*)?$")
_PRELOADED = {"script": "script", "style": "stylesheet"}


@dataclass(frozen=True)
class Subresource:
    kind: str  # "script" or "stylesheet"
    url: str  # as written in the page
    integrity: str | None

    @property
    def has_valid_integrity(self) -> bool:
        return bool(self.integrity) and any(
            _METADATA.match(token) for token in (self.integrity or "").split()
        )


@dataclass(frozen=True)
class Page:
    base: str | None  # the first <base href>, as written
    resources: list[Subresource] = field(default_factory=list)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[Subresource] = []
        self.base: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): value for name, value in attrs}
        if tag == "base" and values.get("href") and self.base is None:
            self.base = values["href"]
        elif tag == "script" and values.get("src"):
            self.found.append(Subresource("script", values["src"] or "", values.get("integrity")))
        elif tag == "link" and values.get("href"):
            kind = _link_kind((values.get("rel") or "").lower().split(), values.get("as"))
            if kind:
                self.found.append(Subresource(kind, values["href"] or "", values.get("integrity")))

    handle_startendtag = handle_starttag


def _link_kind(rel: list[str], as_: str | None) -> str | None:
    if "stylesheet" in rel:
        return "stylesheet"
    if "modulepreload" in rel:
        return "script"
    if "preload" in rel:
        return _PRELOADED.get((as_ or "").strip().lower())
    return None


def parse_page(html: str) -> Page:
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return Page(collector.base, collector.found)


def subresources(html: str) -> list[Subresource]:
    return parse_page(html).resources

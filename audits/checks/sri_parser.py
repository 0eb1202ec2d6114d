"""The scripts and stylesheets a page loads and their `integrity` (W3C SRI), via html.parser."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

# SRI 3.5: hash-algo "-" base64-value, space separated; an unknown algorithm is ignored by browsers.
_METADATA = re.compile(r"^(sha256|sha384|sha512)-[A-Za-z0-9+/]+={0,2}(\?\S*)?$")


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


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[Subresource] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): value for name, value in attrs}
        if tag == "script" and values.get("src"):
            self.found.append(Subresource("script", values["src"] or "", values.get("integrity")))
        elif tag == "link" and values.get("href"):
            rel = (values.get("rel") or "").lower().split()
            if "stylesheet" in rel:
                self.found.append(
                    Subresource("stylesheet", values["href"] or "", values.get("integrity"))
                )

    handle_startendtag = handle_starttag


def subresources(html: str) -> list[Subresource]:
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector.found

"""Strict-Transport-Security header parsing (RFC 6797 6.1)."""

from __future__ import annotations

import re
from dataclasses import dataclass

# RFC 7230 token characters; HSTS directive names and unquoted values are tokens.
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")


class HstsSyntaxError(ValueError):
    pass


@dataclass(frozen=True)
class HstsPolicy:
    max_age: int
    include_subdomains: bool
    preload: bool


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    if not _TOKEN.match(value):
        raise HstsSyntaxError(f"not a token or quoted string: {value!r}")
    return value


def parse_hsts(header: str) -> HstsPolicy:
    """Parse one STS header value; raises HstsSyntaxError where RFC 6797 says to ignore it."""
    seen: dict[str, str | None] = {}
    for part in header.split(";"):
        part = part.strip()
        if not part:
            continue  # empty directives are allowed by the grammar ( *( ";" [ directive ] ) )
        name, sep, value = part.partition("=")
        name = name.strip().lower()
        if not _TOKEN.match(name):
            raise HstsSyntaxError(f"bad directive name: {name!r}")
        if name in seen:
            # 6.1 (2): a directive appearing more than once makes the whole header invalid.
            raise HstsSyntaxError(f"directive {name} appears twice")
        seen[name] = _unquote(value.strip()) if sep else None
    raw_age = seen.get("max-age")
    if raw_age is None or not raw_age.isdigit():
        raise HstsSyntaxError("max-age is missing or not a number")  # 6.1.1: REQUIRED
    return HstsPolicy(
        max_age=int(raw_age),
        include_subdomains="includesubdomains" in seen,
        preload="preload" in seen,
    )

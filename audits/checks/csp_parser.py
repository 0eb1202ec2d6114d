"""Content-Security-Policy parsing, as far as the `csp` check needs it (CSP Level 3, 2.2)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ScriptVerdict:
    restricted: bool  # some directive governs scripts (script-src, else default-src)
    unsafe: tuple[str, ...]  # 'unsafe-inline' / 'unsafe-eval' that take effect


def parse_csp(header: str) -> dict[str, list[str]]:
    """Directive name (lower case) -> source list. The first of a repeated directive wins."""
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        tokens = part.split()
        if not tokens:
            continue
        name = tokens[0].lower()
        directives.setdefault(name, tokens[1:])
    return directives


def script_verdict(directives: dict[str, list[str]]) -> ScriptVerdict:
    sources = directives.get("script-src", directives.get("default-src"))
    if sources is None:
        return ScriptVerdict(False, ())
    lowered = [s.lower() for s in sources]
    unsafe = []
    # CSP 2+ browsers ignore 'unsafe-inline' when a nonce or hash is present (CSP3 8.3).
    has_nonce_or_hash = any(
        s.startswith(("'nonce-", "'sha256-", "'sha384-", "'sha512-")) for s in lowered
    )
    if "'unsafe-inline'" in lowered and not has_nonce_or_hash:
        unsafe.append("'unsafe-inline'")
    if "'unsafe-eval'" in lowered:
        unsafe.append("'unsafe-eval'")
    return ScriptVerdict(True, tuple(unsafe))

"""Pure builders for what the test servers serve: MTA-STS policies, homepages, WKD paths.

Everything here is deterministic, so zones.py can state expectations (hashes, sizes) at import time
without any server running.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable

# z-base-32 (used by the WKD draft for the hashed local part), not RFC 4648 base32.
_ZBASE32_ALPHABET = "ybndrfg8ejkmcpqxot1uwisza345h769"


def zbase32(data: bytes) -> str:
    """Encode bytes as z-base-32, five bits per character, most significant bits first."""
    bits = int.from_bytes(data, "big")
    nbits = len(data) * 8
    # Pad on the right to a multiple of five bits, as the encoding reads the stream in 5-bit groups.
    pad = -nbits % 5
    bits <<= pad
    chars = []
    for shift in range(nbits + pad - 5, -1, -5):
        chars.append(_ZBASE32_ALPHABET[(bits >> shift) & 0x1F])
    return "".join(chars)


def wkd_hash(local_part: str) -> str:
    """The WKD hashed user id: z-base-32 of the SHA-1 of the lower-cased local part."""
    digest = hashlib.sha1(local_part.lower().encode("utf-8"), usedforsecurity=False).digest()
    return zbase32(digest)


def wkd_advanced_path(address: str) -> str:
    """Path of a key under the advanced method, served by the host openpgpkey.<domain>."""
    local, domain = address.split("@", 1)
    return f"/.well-known/openpgpkey/{domain.lower()}/hu/{wkd_hash(local)}"


def wkd_direct_path(address: str) -> str:
    local = address.split("@", 1)[0]
    return f"/.well-known/openpgpkey/hu/{wkd_hash(local)}"


def mta_sts_policy(mode: str, mx: Iterable[str], max_age: int, padding: int = 0) -> str:
    """An RFC 8461 policy body (CRLF lines). `padding` adds extra mx lines to reach a size."""
    lines = ["version: STSv1", f"mode: {mode}"]
    lines += [f"mx: {host}" for host in mx]
    lines.append(f"max_age: {max_age}")
    body = "\r\n".join(lines) + "\r\n"
    index = 0
    while len(body) < padding:
        # Valid-looking lines, so only the size cap (not a syntax error) rejects the policy.
        body += f"mx: filler-{index:06d}.invalid\r\n"
        index += 1
    return body


def sri(body: str) -> str:
    """The `integrity` attribute value (sha384) for a resource body."""
    digest = hashlib.sha384(body.encode("utf-8")).digest()
    return "sha384-" + base64.b64encode(digest).decode("ascii")


APP_JS = "document.documentElement.dataset.ready = 'yes';\n"
STYLE_CSS = "body { font-family: sans-serif; margin-inline: auto; max-inline-size: 40rem; }\n"


def homepage(title: str, with_integrity: bool, extra_head: str = "") -> str:
    """A small homepage linking one script and one stylesheet, with or without SRI."""
    if with_integrity:
        script = (
            f'<script src="/static/app.js" integrity="{sri(APP_JS)}" crossorigin="anonymous">'
            "</script>"
        )
        style = (
            f'<link rel="stylesheet" href="/static/style.css" integrity="{sri(STYLE_CSS)}"'
            ' crossorigin="anonymous">'
        )
    else:
        script = '<script src="/static/app.js"></script>'
        style = '<link rel="stylesheet" href="/static/style.css">'
    return (
        "<!doctype html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{title}</title>\n'
        f"{style}\n{script}\n{extra_head}</head>\n"
        f"<body><h1>{title}</h1></body></html>\n"
    )

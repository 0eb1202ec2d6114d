"""Minimal OpenPGP reading for WKD: packet framing (RFC 9580 4.2) and the user ID packets in it.

Only what the check needs: walk the packets of a transferable public key and return the user IDs
(tag 13). Signatures are not verified; the check asks "is a key for this address published",
not "is it trustworthy".
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

USER_ID_TAG = 13
_ZBASE32 = "ybndrfg8ejkmcpqxot1uwisza345h769"


class OpenPgpError(ValueError):
    pass


def zbase32(data: bytes) -> str:
    """z-base-32 (the WKD draft's encoding of the hashed local part), most significant bit first."""
    value = int.from_bytes(data, "big")
    bits = len(data) * 8
    padding = -bits % 5
    value <<= padding
    total = bits + padding
    return "".join(_ZBASE32[(value >> shift) & 31] for shift in range(total - 5, -1, -5))


# Only A-Z: str.lower() would also fold non-ASCII letters (the Kelvin sign K becomes an ASCII k,
# İ becomes i plus a combining dot), giving a hash no WKD server computed.
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def ascii_lower(text: str) -> str:
    """`text` with the ASCII letters A-Z lower-cased and every other character as it is."""
    return text.translate(_ASCII_LOWER)


def wkd_hash(local_part: str) -> str:
    """The WKD hashed user id (draft-koch-openpgp-webkey-service section 3.1): z-base-32 of the
    SHA-1 over the UTF-8 local part, its ASCII upper-case letters mapped to lower case."""
    digest = hashlib.sha1(ascii_lower(local_part).encode("utf-8"), usedforsecurity=False).digest()
    return zbase32(digest)


def _new_format_length(data: bytes, pos: int) -> tuple[int, int, bool]:
    """(length, header bytes used, partial?) of a new-format length at `pos` (RFC 9580 4.2.1)."""
    if pos >= len(data):
        raise OpenPgpError("truncated packet length")
    first = data[pos]
    if first < 192:
        return first, 1, False
    if first < 224:
        if pos + 1 >= len(data):
            raise OpenPgpError("truncated packet length")
        return ((first - 192) << 8) + data[pos + 1] + 192, 2, False
    if first == 255:
        if pos + 4 >= len(data):
            raise OpenPgpError("truncated packet length")
        return int.from_bytes(data[pos + 1 : pos + 5], "big"), 5, False
    return 1 << (first & 0x1F), 1, True  # partial body length


def packets(data: bytes) -> Iterator[tuple[int, bytes]]:
    """Yield (tag, body) for every packet; raises OpenPgpError on malformed framing."""
    pos = 0
    while pos < len(data):
        header = data[pos]
        if not header & 0x80:
            raise OpenPgpError(f"byte {pos} is not a packet header")
        if header & 0x40:  # new format
            tag = header & 0x3F
            pos += 1
            body = b""
            while True:
                length, used, partial = _new_format_length(data, pos)
                pos += used
                body += data[pos : pos + length]
                pos += length
                if not partial:
                    break
        else:  # legacy format: tag in bits 5-2, length type in bits 1-0
            tag = (header >> 2) & 0x0F
            length_type = header & 0x03
            if length_type == 3:
                body, pos = data[pos + 1 :], len(data)  # indeterminate: to the end
            else:
                size = 1 << length_type
                length = int.from_bytes(data[pos + 1 : pos + 1 + size], "big")
                pos += 1 + size
                body = data[pos : pos + length]
                pos += length
        if pos > len(data):
            raise OpenPgpError("packet runs past the end of the data")
        yield tag, body


def user_ids(data: bytes) -> list[str]:
    if data.lstrip().startswith(b"-----BEGIN"):
        # The WKD draft requires the binary format, not ASCII armor.
        raise OpenPgpError("ASCII-armored key; WKD serves binary keys")
    return [
        body.decode("utf-8", errors="replace") for tag, body in packets(data) if tag == USER_ID_TAG
    ]


def user_id_has_address(user_id: str, address: str) -> bool:
    """A user ID names the address as "Name <addr>" or as the bare address (RFC 9580 5.11)."""
    found = re.search(r"<([^<>]+)>", user_id)
    candidate = found.group(1) if found else user_id.strip()
    return candidate.lower() == address.lower()

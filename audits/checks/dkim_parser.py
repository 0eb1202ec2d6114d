"""DKIM key records (RFC 6376 3.6.1) and the tag=value lists they are written in (3.2), no DNS.

Key strength is judged elsewhere (audits/checks/dkim.py); this module says whether a record is
well formed and whether a verifier of email could use it at all.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

# RFC 6376 2.8 FWS: whitespace, possibly folded (a CRLF followed by whitespace). Inside a DNS
# TXT record the CRLF is rare, but nothing forbids it, so it is accepted wherever FWS is.
FWS = " \t\r\n"
_TAG_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")  # 3.2: tag-name = ALPHA *ALNUMPUNC
# 3.2: tag-value = [ tval *( 1*(WSP / FWS) tval ) ], tval = 1*VALCHAR (%x21-3A / %x3C-7E).
_VALUE = re.compile(r"[\x21-\x3a\x3c-\x7e \t\r\n]*")
# 3.6.1: x-key-h-tag-alg, x-key-s-tag-type and x-key-t-tag-flag are all hyphenated-words.
_HYPHENATED_WORD = re.compile(r"[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?")
_LIST_ITEM = re.compile(rf"^{_HYPHENATED_WORD.pattern}$|^\*$")
KNOWN_KEY_TYPES = ("rsa", "ed25519")  # RFC 6376 3.6.1 and RFC 8463 3
_KEY_RECORD = re.compile(rf"^[{FWS}]*v[{FWS}]*=[{FWS}]*DKIM1|(?:^|;)[{FWS}]*p[{FWS}]*=")


class TagListError(ValueError):
    """The text is not an RFC 6376 3.2 tag-list."""


class DkimKeySyntaxError(ValueError):
    """The key record breaks RFC 6376 3.6.1: verifiers fail with PERMFAIL (key syntax error)."""


def parse_tag_list(text: str) -> dict[str, str]:
    """RFC 6376 3.2: `tag-spec *(";" tag-spec) [";"]`, as an ordered name -> value dict.

    Names are case-sensitive ("Tags MUST be interpreted in a case-sensitive manner"); the
    whitespace around names and values is dropped, the whitespace inside a value kept.
    """
    parts = text.split(";")
    if len(parts) > 1 and not parts[-1].strip(FWS):
        parts.pop()  # the optional trailing ";"
    tags: dict[str, str] = {}
    for part in parts:
        name, sep, value = part.partition("=")
        name, value = name.strip(FWS), value.strip(FWS)
        if not part.strip(FWS):
            raise TagListError("empty tag-spec (two ';' in a row, or none before it)")
        if not sep:
            raise TagListError(f"{part.strip(FWS)!r} is not tag=value")
        if not _TAG_NAME.fullmatch(name):
            raise TagListError(f"invalid tag name {name!r}")
        if not _VALUE.fullmatch(value):
            raise TagListError(f"{name}= has a character outside printable ASCII")
        if name in tags:
            # "if a tag name does occur more than once, the entire tag-list is invalid"
            raise TagListError(f"tag {name}= appears twice")
        tags[name] = value
    return tags


def looks_like_key_record(text: str) -> bool:
    """Whether a TXT record at a selector is meant as a key record (v=DKIM1 first, or a p=).

    Other TXT records can sit at the same name (a wildcard, a verification token); they are
    not key records and must not be judged as broken ones.
    """
    return _KEY_RECORD.search(text) is not None


@dataclass(frozen=True)
class DkimKeyRecord:
    key_type: str  # k=, lower-cased; "rsa" when absent
    public_key: bytes  # p= decoded; b"" for a revoked key
    hashes: tuple[str, ...] | None  # h=, lower-cased; None: all algorithms allowed
    services: tuple[str, ...]  # s=, lower-cased; ("*",) when absent
    flags: tuple[str, ...]  # t=, lower-cased

    @property
    def revoked(self) -> bool:
        return not self.public_key  # 3.6.1 p=: "An empty value means ... revoked"

    @property
    def testing(self) -> bool:
        return "y" in self.flags

    @property
    def strict(self) -> bool:
        return "s" in self.flags

    @property
    def problem(self) -> str | None:
        """Why a verifier of email cannot use this (well-formed) key, or None."""
        if self.key_type not in KNOWN_KEY_TYPES:
            # 3.6.1 k=: "Unrecognized key types MUST be ignored."
            return f"unknown key type k={self.key_type}"
        if self.hashes is not None and "sha256" not in self.hashes:
            # 3.6.1 h=: only the listed algorithms may sign; RFC 8301 3.1 forbids rsa-sha1,
            # and RFC 8463 signs Ed25519 over SHA-256 too, so without sha256 nothing verifies.
            return f"h={':'.join(self.hashes)} allows no usable hash (sha256; RFC 8301)"
        if not {"*", "email"} & set(self.services):
            # 3.6.1 s=: "Verifiers for a given service type MUST ignore this record if the
            # appropriate type is not listed."
            return f"s={':'.join(self.services)} does not include email or *"
        return None


def _colon_list(tags: dict[str, str], name: str) -> tuple[str, ...] | None:
    """A 3.6.1 colon-separated list (FWS allowed around ":"), lower-cased; None if absent.

    The list values are ABNF literals ("sha256", "email", "y"), which RFC 5234 2.3 matches
    case-insensitively; verifiers compare them that way too.
    """
    if name not in tags:
        return None
    items = tuple(item.strip(FWS).lower() for item in tags[name].split(":"))
    for item in items:
        if not _LIST_ITEM.match(item):
            raise DkimKeySyntaxError(f"{name}= has an invalid entry {item!r}")
    return items


def _public_key(tags: dict[str, str]) -> bytes:
    if "p" not in tags:
        raise DkimKeySyntaxError("no p= tag (REQUIRED, RFC 6376 3.6.1)")
    # key-p-tag: base64string = ALPHADIGITPS *([FWS] ALPHADIGITPS) ...: whitespace is allowed.
    encoded = "".join(tags["p"].split())
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise DkimKeySyntaxError("p= is not base64") from exc


def parse_key_record(text: str) -> DkimKeyRecord:
    """RFC 6376 3.6.1; raises DkimKeySyntaxError for a record verifiers must reject."""
    try:
        tags = parse_tag_list(text)
    except TagListError as exc:
        raise DkimKeySyntaxError(str(exc)) from exc
    if "v" in tags:
        # "This tag MUST be the first tag in the record. Records beginning with a v= tag with
        # any other value MUST be discarded" (a string comparison: "DKIM1.0" is not "DKIM1").
        if next(iter(tags)) != "v":
            raise DkimKeySyntaxError("v= must be the first tag")
        if tags["v"] != "DKIM1":
            raise DkimKeySyntaxError(f"v={tags['v']} is not DKIM1")
    services = _colon_list(tags, "s") or ("*",)
    return DkimKeyRecord(
        key_type=tags.get("k", "rsa").lower(),
        public_key=_public_key(tags),
        hashes=_colon_list(tags, "h"),
        services=services,
        # t=: "Unrecognized flags MUST be ignored", so unknown ones are kept but never read.
        flags=_colon_list(tags, "t") or (),
    )

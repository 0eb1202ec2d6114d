"""DMARC record syntax and error recovery (RFC 7489 6.3, 6.4, 6.6.3 step 6), without any DNS.

A receiver does not drop a record for every mistake in it, and neither does this parser:

- a record that does not start with v=DMARC1 is no DMARC record at all (6.3, 6.6.3 step 2);
- a tag appearing twice voids the record: 6.3 says DMARC uses DKIM's tag-value syntax, and
  RFC 6376 3.2 makes the whole tag list invalid then;
- an invalid or missing p=, or an invalid sp=, makes the record p=none when its rua= holds a
  valid URI, and voids it otherwise (6.6.3 step 6);
- a syntax error in any other tag falls back to that tag's default, an invalid report URI is
  dropped, an unknown tag is ignored (6.3).

What was ignored or replaced is kept in DmarcRecord.ignored, for the check's details.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

POLICIES = ("none", "quarantine", "reject")
REPORT_FORMATS = ("afrf",)  # 6.3 rf: the formats IANA registered (section 11); afrf only
MAX_RI = 2**32 - 1  # 6.3 ri: "32-bit unsigned integer"
WSP = " \t"
# 6.4: dmarc-version = "v" *WSP "=" *WSP %x44 %x4d %x41 %x52 %x43 %x31, first in the record;
# the tag name is an ABNF literal (case-insensitive), the value is spelt out octet by octet.
_VERSION = re.compile(r"^[vV][ \t]*=[ \t]*DMARC1[ \t]*(;|$)")
_TAG_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")  # RFC 6376 3.2 tag-name
# 6.4: dmarc-uri = URI [ "!" 1*DIGIT [ "k" / "m" / "g" / "t" ] ]
_URI = re.compile(r"^(?P<uri>[A-Za-z][A-Za-z0-9+.-]*:[^!\s]+)(?:!(?P<size>\d+[kmgtKMGT]?))?$")
_KEYWORD = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?")  # RFC 5321 Keyword


class DmarcSyntaxError(ValueError):
    """Receivers apply no DMARC with this record (or it is no DMARC record at all)."""


class _Invalid(ValueError):
    """One tag's value breaks its grammar; the message says how."""


@dataclass(frozen=True)
class Ignored:
    """A tag-spec the record was read without, or with a replacement value."""

    tag: str
    value: str
    kind: str  # "unknown" tag, "invalid" value or tag-spec, "missing" p=, "misplaced" p=
    reason: str
    applied: Any = None  # the value in force instead (JSON-able); None: simply dropped

    def as_dict(self) -> dict[str, Any]:
        applied = list(self.applied) if isinstance(self.applied, tuple) else self.applied
        return {
            "tag": self.tag,
            "value": self.value,
            "kind": self.kind,
            "reason": self.reason,
            "applied": applied,
        }


@dataclass(frozen=True)
class DmarcRecord:
    policy: str
    subdomain_policy: str | None = None
    pct: int = 100
    rua: tuple[str, ...] = ()
    ruf: tuple[str, ...] = ()
    adkim: str = "r"
    aspf: str = "r"
    fo: tuple[str, ...] = ("0",)
    rf: tuple[str, ...] = ("afrf",)
    ri: int = 86400
    ignored: tuple[Ignored, ...] = ()
    tags: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def effective_subdomain_policy(self) -> str:
        return self.subdomain_policy or self.policy

    @property
    def has_syntax_errors(self) -> bool:
        """Anything receivers had to work around; unknown tags are not errors (6.3)."""
        return any(entry.kind != "unknown" for entry in self.ignored)

    def ignored_as_dicts(self) -> list[dict[str, Any]]:
        return [entry.as_dict() for entry in self.ignored]


def is_dmarc_record(text: str) -> bool:
    """RFC 7489 6.6.3 step 2: records not starting with v=DMARC1 are discarded."""
    return _VERSION.match(text) is not None


# --- One reader per tag: the value, or _Invalid ----------------------------------------------


def _policy(value: str) -> str:
    if value.lower() not in POLICIES:
        raise _Invalid(f"must be one of {', '.join(POLICIES)}")
    return value.lower()


def _alignment(value: str) -> str:
    if value.lower() not in ("r", "s"):
        raise _Invalid("must be r or s")
    return value.lower()


def _pct(value: str) -> int:
    if not re.fullmatch(r"\d{1,3}", value) or int(value) > 100:
        raise _Invalid("must be an integer from 0 to 100")
    return int(value)


def _ri(value: str) -> int:
    if not value.isascii() or not value.isdigit() or int(value) > MAX_RI:
        raise _Invalid("must be a 32-bit unsigned integer")
    return int(value)


def _colon_list(value: str) -> tuple[str, ...]:
    return tuple(item.strip(WSP).lower() for item in value.split(":"))


def _fo(value: str) -> tuple[str, ...]:
    options = _colon_list(value)
    if not all(option in ("0", "1", "d", "s") for option in options):
        raise _Invalid("must be a colon-separated list of 0, 1, d and s")
    return options


def _rf(value: str) -> tuple[str, ...]:
    formats = _colon_list(value)
    if not all(_KEYWORD.fullmatch(f) for f in formats):
        raise _Invalid("must be a colon-separated list of report format names")
    # "a Mail Receiver observing a different value SHOULD ignore it"
    known = tuple(f for f in formats if f in REPORT_FORMATS)
    if not known:
        raise _Invalid(f"names no registered report format ({', '.join(REPORT_FORMATS)})")
    return known


def _uri(item: str) -> str | None:
    match = _URI.match(item)
    if match is None:
        return None
    uri = match.group("uri")
    if uri.lower().startswith("mailto:") and "@" not in uri:
        return None
    return uri


def parse_uris(value: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The valid and the invalid URIs of a rua=/ruf= list (6.4 dmarc-uri)."""
    items = [item.strip(WSP) for item in value.split(",")]
    valid = tuple(uri for item in items if (uri := _uri(item)) is not None)
    invalid = tuple(item for item in items if _uri(item) is None)
    return valid, invalid


_READERS: dict[str, Callable[[str], Any]] = {
    "p": _policy,
    "sp": _policy,
    "adkim": _alignment,
    "aspf": _alignment,
    "pct": _pct,
    "ri": _ri,
    "fo": _fo,
    "rf": _rf,
}
# 6.3's defaults; rua, ruf and sp have none (sp's absence means p's value).
_DEFAULTS: dict[str, Any] = {
    "adkim": "r",
    "aspf": "r",
    "pct": 100,
    "ri": 86400,
    "fo": ("0",),
    "rf": ("afrf",),
    "rua": (),
    "ruf": (),
}


# --- The record ------------------------------------------------------------------------------


def _tag_specs(text: str) -> tuple[dict[str, str], list[Ignored], str | None]:
    """The tags after v=DMARC1 (lower-cased names), the malformed tag-specs, and the name of
    the tag-spec right after v= ("" when that one is malformed)."""
    tags: dict[str, str] = {}
    ignored: list[Ignored] = []
    first: str | None = None
    for spec in (part.strip(WSP) for part in text.split(";")[1:]):
        if not spec:
            continue  # the trailing dmarc-sep, or an empty spec a receiver simply skips
        name, sep, value = (s.strip(WSP) for s in spec.partition("="))
        if first is None:
            first = name.lower() if sep else ""
        if not sep or not _TAG_NAME.fullmatch(name):
            reason = "not a tag=value pair: ignored (RFC 7489 6.3)"
            ignored.append(Ignored(name if sep else spec, value, "invalid", reason))
            continue
        key = name.lower()  # 6.4: tag names are ABNF literals, case-insensitive
        if key in tags or key == "v":
            raise DmarcSyntaxError(f"Tag {key}= appears twice (RFC 6376 3.2: record invalid)")
        tags[key] = value
    return tags, ignored, first


def _read_tags(tags: dict[str, str]) -> tuple[dict[str, Any], list[Ignored]]:
    values: dict[str, Any] = {}
    ignored: list[Ignored] = []
    for key, value in tags.items():
        if key in ("rua", "ruf"):
            values[key], invalid = parse_uris(value)
            if invalid:
                reason = f"invalid URI {', '.join(map(repr, invalid))}: dropped (RFC 7489 6.3)"
                ignored.append(Ignored(key, value, "invalid", reason, values[key]))
            continue
        reader = _READERS.get(key)
        if reader is None:
            reason = "unknown tag: ignored (RFC 7489 6.3)"
            ignored.append(Ignored(key, value, "unknown", reason))
            continue
        try:
            values[key] = reader(value)
        except _Invalid as exc:
            if key in ("p", "sp"):
                continue  # decided by _policies(), which needs the whole record
            reason = f"{key}= {exc}: the default applies (RFC 7489 6.3)"
            ignored.append(Ignored(key, value, "invalid", reason, _DEFAULTS[key]))
    return values, ignored


def _policies(
    tags: dict[str, str], values: dict[str, Any], first: str | None
) -> tuple[str, str | None, list[Ignored]]:
    """p= and sp= as 6.6.3 step 6 has them applied."""
    p_bad = values.get("p") is None
    sp_bad = "sp" in tags and values.get("sp") is None
    if not (p_bad or sp_bad):
        if first == "p":
            return values["p"], values.get("sp"), []
        reason = "p= must come right after v= (RFC 7489 6.3, 6.4)"
        return (
            values["p"],
            values.get("sp"),
            [Ignored("p", tags["p"], "misplaced", reason, values["p"])],
        )
    if not values.get("rua"):
        raise DmarcSyntaxError(
            "No valid p= (or an invalid sp=) and no valid rua= URI: receivers apply no DMARC "
            "(RFC 7489 6.6.3)"
        )
    allowed = f"must be one of {', '.join(POLICIES)}"
    outcome = "with a valid rua= the whole record is applied as p=none (RFC 7489 6.6.3)"
    ignored = []
    if p_bad:
        kind, why = ("invalid", f"p= {allowed}") if "p" in tags else ("missing", "p= is missing")
        ignored.append(Ignored("p", tags.get("p", ""), kind, f"{why}; {outcome}", "none"))
    if sp_bad:
        reason = f"sp= {allowed}; {outcome}"
        ignored.append(Ignored("sp", tags["sp"], "invalid", reason, "none"))
    return "none", None, ignored


def parse_record(text: str) -> DmarcRecord:
    if not is_dmarc_record(text):
        raise DmarcSyntaxError("Not a DMARC record (must start with v=DMARC1)")
    tags, malformed, first = _tag_specs(text)
    values, ignored = _read_tags(tags)
    policy, subdomain_policy, policy_notes = _policies(tags, values, first)
    return DmarcRecord(
        policy=policy,
        subdomain_policy=subdomain_policy,
        **{key: values.get(key, default) for key, default in _DEFAULTS.items()},
        ignored=(*policy_notes, *malformed, *ignored),
        tags=tags,
    )

"""MTA-STS TXT record and policy file parsing, and MX pattern matching (RFC 8461)."""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_AGE_LIMIT = 31557600  # 3.2: max_age is at most 31557600 seconds (about one year)
_ID = re.compile(r"^[A-Za-z0-9]{1,32}$")
_KEY = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")


class StsSyntaxError(ValueError):
    pass


@dataclass(frozen=True)
class StsRecord:
    id: str


@dataclass(frozen=True)
class StsPolicy:
    version: str
    mode: str
    mx: tuple[str, ...]
    max_age: int


def is_sts_record(txt: str) -> bool:
    """3.1: TXT records that do not begin with "v=STSv1;" are to be discarded."""
    return re.match(r"^v=STSv1\s*(;|$)", txt) is not None


def parse_sts_record(txt: str) -> StsRecord:
    fields: dict[str, str] = {}
    for part in txt.split(";"):
        part = part.strip()
        if not part:
            continue
        key, sep, value = part.partition("=")
        if not sep:
            raise StsSyntaxError(f"field without a value: {part!r}")
        fields.setdefault(key.strip(), value.strip())
    if fields.get("v") != "STSv1" or not txt.startswith("v="):
        raise StsSyntaxError('the record must start with "v=STSv1"')
    record_id = fields.get("id")
    if record_id is None or not _ID.match(record_id):
        raise StsSyntaxError("id must be 1 to 32 letters and digits")
    return StsRecord(record_id)


def parse_policy(text: str) -> StsPolicy:
    """3.2. Lines end in CRLF; a bare LF is accepted, as receivers in the wild are lenient."""
    values: dict[str, str] = {}
    mx: list[str] = []
    for raw in text.split("\n"):
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        key, value = key.strip(), value.strip()
        if not sep or not _KEY.match(key):
            raise StsSyntaxError(f"not a key: value line: {line[:80]!r}")
        if key == "mx":
            mx.append(value.lower().rstrip("."))
        else:
            values.setdefault(key, value)  # unknown keys are ignored (3.2); first one counts
    if values.get("version") != "STSv1":
        raise StsSyntaxError('version must be "STSv1"')
    mode = values.get("mode")
    if mode not in ("enforce", "testing", "none"):
        raise StsSyntaxError('mode must be "enforce", "testing" or "none"')
    raw_age = values.get("max_age", "")
    if not raw_age.isdigit() or len(raw_age) > 10 or int(raw_age) > MAX_AGE_LIMIT:
        raise StsSyntaxError(f"max_age must be a number of seconds up to {MAX_AGE_LIMIT}")
    if mode != "none" and not mx:
        raise StsSyntaxError('a policy in mode "enforce" or "testing" needs mx lines')
    return StsPolicy("STSv1", mode, tuple(mx), int(raw_age))


def mx_matches(pattern: str, host: str) -> bool:
    """4.1: an exact name, or "*." plus a suffix that stands for exactly one leftmost label."""
    pattern = pattern.lower().rstrip(".")
    host = host.lower().rstrip(".")
    if pattern.startswith("*."):
        label, dot, rest = host.partition(".")
        return bool(label) and bool(dot) and rest == pattern[2:]
    return host == pattern

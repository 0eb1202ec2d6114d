"""DMARC record syntax (RFC 7489 6.3 and 6.4), without any DNS."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

POLICIES = ("none", "quarantine", "reject")
_VERSION = re.compile(r"^\s*v\s*=\s*DMARC1\s*(;|$)")
_TAG = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
# RFC 7489 6.4: dmarc-uri = URI [ "!" 1*DIGIT [ "k" / "m" / "g" / "t" ] ]
_URI = re.compile(r"^(?P<uri>[A-Za-z][A-Za-z0-9+.-]*:[^!\s]+)(?:!(?P<size>\d+[kmgtKMGT]?))?$")


class DmarcSyntaxError(ValueError):
    """The record breaks RFC 7489's grammar."""


@dataclass(frozen=True)
class DmarcRecord:
    policy: str
    subdomain_policy: str | None = None
    pct: int = 100
    rua: tuple[str, ...] = ()
    ruf: tuple[str, ...] = ()
    tags: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def effective_subdomain_policy(self) -> str:
        return self.subdomain_policy or self.policy


def is_dmarc_record(text: str) -> bool:
    """RFC 7489 6.6.3: records not starting with v=DMARC1 are discarded."""
    return _VERSION.match(text) is not None


def parse_uris(value: str) -> tuple[str, ...]:
    uris = []
    for item in (part.strip() for part in value.split(",")):
        match = _URI.match(item)
        if match is None:
            raise DmarcSyntaxError(f"Invalid report URI {item!r}")
        uri = match.group("uri")
        if uri.lower().startswith("mailto:") and "@" not in uri:
            raise DmarcSyntaxError(f"mailto: URI without an address: {item!r}")
        uris.append(uri)
    return tuple(uris)


def parse_record(text: str) -> DmarcRecord:
    if not is_dmarc_record(text):
        raise DmarcSyntaxError("Not a DMARC record (must start with v=DMARC1)")
    tags: dict[str, str] = {}
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue  # a trailing ";" is allowed (dmarc-record ends in [dmarc-sep])
        name, sep, value = part.partition("=")
        name, value = name.strip().lower(), value.strip()
        if not sep or not _TAG.match(name):
            raise DmarcSyntaxError(f"Invalid tag {part!r}")
        if name in tags:
            raise DmarcSyntaxError(f"Tag {name}= appears twice")
        tags[name] = value
    policy = tags.get("p", "").lower()
    if policy not in POLICIES:
        raise DmarcSyntaxError(f"p= must be one of {', '.join(POLICIES)}, not {policy!r}")
    sp = tags.get("sp")
    if sp is not None and sp.lower() not in POLICIES:
        raise DmarcSyntaxError(f"sp= must be one of {', '.join(POLICIES)}, not {sp!r}")
    pct_text = tags.get("pct", "100")
    if not pct_text.isdigit() or not 0 <= int(pct_text) <= 100:
        raise DmarcSyntaxError(f"pct= must be an integer from 0 to 100, not {pct_text!r}")
    return DmarcRecord(
        policy=policy,
        subdomain_policy=sp.lower() if sp is not None else None,
        pct=int(pct_text),
        rua=parse_uris(tags["rua"]) if tags.get("rua") else (),
        ruf=parse_uris(tags["ruf"]) if tags.get("ruf") else (),
        tags=tags,
    )

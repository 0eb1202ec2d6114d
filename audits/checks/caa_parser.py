"""CAA properties (RFC 8659 4) and what a relevant record set authorises, without any DNS."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# Tags with meaning to CAs today (IANA "Certification Authority Restriction Properties"):
# RFC 8659's three, the CA/Browser Forum's contact tags and RFC 9495's issuemail. issuevmc is
# read by the CAs that issue Verified Mark Certificates.
KNOWN_TAGS = frozenset(
    {"issue", "issuewild", "iodef", "issuemail", "issuevmc", "contactemail", "contactphone"}
)
CRITICAL = 128  # 4.1: bit 0, the most significant; the other bits are reserved and ignored
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
# 4.2: issuer-domain-name = label *("." label); parameter tags share the label form.
_ISSUER = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")
_PARAMETER = re.compile(rf"({_LABEL})[ \t]*=[ \t]*([\x21-\x3a\x3c-\x7e]*)")
_RECORD = re.compile(r'^(\d+)\s+([A-Za-z0-9]+)\s+"((?:[^"\\]|\\.)*)"$')
_ESCAPE = re.compile(r"\\(\d{3}|.)")  # RFC 1035 5.1: \DDD (decimal) or \X
_WSP = " \t"


@dataclass(frozen=True)
class CaaProperty:
    flags: int
    tag: str  # lower-cased: 4.1 "Matching of tags is case insensitive"
    value: str

    @property
    def critical(self) -> bool:
        return bool(self.flags & CRITICAL)


def _unescape(match: re.Match[str]) -> str:
    escaped = match.group(1)
    return chr(int(escaped)) if escaped.isdigit() else escaped


def parse_presentation(text: str) -> CaaProperty:
    """A CAA rdata in presentation format: `0 issue "ca.example"`."""
    match = _RECORD.match(text.strip())
    if match is None:
        raise ValueError(f"Unreadable CAA record {text!r}")
    value = _ESCAPE.sub(_unescape, match.group(3))
    return CaaProperty(int(match.group(1)), match.group(2).lower(), value)


def issuer_of(value: str) -> str | None:
    """The issuer-domain-name of an issue/issuewild value; None if it names none or is malformed.

    4.2: issue-value = *WSP [issuer-domain-name *WSP] [";" *WSP [parameters *WSP]], and a
    value that does not match "MUST be treated the same as one specifying an empty
    issuer-domain-name": it restricts issuance and authorises no one.
    """
    if issue_value_problem(value):
        return None
    return value.partition(";")[0].strip(_WSP) or None


def issue_value_problem(value: str) -> str | None:
    issuer, sep, params = value.partition(";")
    issuer = issuer.strip(_WSP)
    if issuer and not _ISSUER.fullmatch(issuer):
        return f"invalid issuer domain name {issuer!r}"
    params = params.strip(_WSP)
    if not sep or not params:
        return None
    # parameters = (parameter *WSP ";" *WSP parameters) / parameter: no empty one, no trailer.
    for param in params.split(";"):
        if not _PARAMETER.fullmatch(param.strip(_WSP)):
            return f"invalid parameter {param.strip(_WSP)!r} (expected tag=value)"
    return None


def iodef_value_problem(value: str) -> str | None:
    """RFC 8659 4.4: a mailto: or http(s): URL."""
    lower = value.lower()
    if lower.startswith("mailto:") and "@" in value[7:]:
        return None
    if re.match(r"^https?://[^/\s]+", lower):
        return None
    return f"iodef {value!r} is not a mailto: or http(s): URL"


def property_problem(prop: CaaProperty) -> str | None:
    if prop.tag in ("issue", "issuewild"):
        problem = issue_value_problem(prop.value)
        return f'{prop.tag}: {problem}; CAs read it as {prop.tag} ";"' if problem else None
    if prop.tag == "iodef":
        return iodef_value_problem(prop.value)
    if prop.tag not in KNOWN_TAGS and prop.critical:
        return f"unknown critical property {prop.tag!r}: CAs must refuse to issue"
    return None


@dataclass(frozen=True)
class Authorisation:
    """Which CAs a relevant record set lets issue. None: CAA does not restrict; (): no CA."""

    names: tuple[str, ...] | None  # certificates for the domain name itself (and sub-names)
    wildcards: tuple[str, ...] | None  # certificates for *.<name>
    critical_unknown: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()  # unknown tags without the critical flag

    @property
    def restricts_names(self) -> bool:
        return self.names is not None

    def as_dict(self) -> dict[str, list[str] | None]:
        return {
            "names": None if self.names is None else list(self.names),
            "wildcards": None if self.wildcards is None else list(self.wildcards),
        }


def _issuers(props: list[CaaProperty]) -> tuple[str, ...] | None:
    if not props:
        return None
    # 4.2: authorisations are additive; an empty or malformed issuer adds no one.
    return tuple(dict.fromkeys(i for p in props if (i := issuer_of(p.value)) is not None))


def authorisation(properties: Iterable[CaaProperty]) -> Authorisation:
    props = list(properties)
    critical = tuple(p.tag for p in props if p.tag not in KNOWN_TAGS and p.critical)
    ignored = tuple(p.tag for p in props if p.tag not in KNOWN_TAGS and not p.critical)
    if critical:
        # 4.1: "A CA MUST NOT issue certificates for any FQDN if the Relevant RRset for that
        # FQDN contains a CAA critical Property for an unknown or unsupported Property Tag."
        return Authorisation((), (), critical, ignored)
    issue = [p for p in props if p.tag == "issue"]
    issuewild = [p for p in props if p.tag == "issuewild"]
    # 4.3: issuewild is ignored for ordinary names, and for wildcard names it replaces issue
    # when present; without it, issue governs wildcards too.
    names = _issuers(issue)
    wildcards = _issuers(issuewild) if issuewild else names
    return Authorisation(names, wildcards, critical, ignored)

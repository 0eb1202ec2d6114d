"""The `caa` check: CAA records (RFC 8659) for the domain, found by climbing the tree.

RFC 8659 3: the relevant record set is the one at the domain or, if empty, at the closest
ancestor that has one. pass: a well-formed issue/issuewild restricts issuance; warn: records
exist but none restricts issuance (only iodef, say); fail: no CAA anywhere up the tree, or a
malformed issue/issuewild/iodef (a CA may then treat it as "no issuance" or ignore it), or an
unknown tag with the critical flag (RFC 8659 4.1: CAs must then refuse to issue).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from audits.checks.result import CheckResult, CheckStatus
from audits.net.config import NetConfig
from audits.net.dns import DnsError, Resolver

CHECK = "caa"
KNOWN_TAGS = frozenset({"issue", "issuewild", "iodef", "issuemail", "issuevmc", "contactemail"})
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_ISSUER = re.compile(rf"^{_LABEL}(?:\.{_LABEL})*$")
_PARAM_TAG = re.compile(r"^[A-Za-z0-9]+$")
_PARAM_VALUE = re.compile(r"^[\x21-\x3a\x3c-\x7e]*$")  # RFC 8659 4.2: no ";" and no space
_RECORD = re.compile(r'^(\d+)\s+([A-Za-z0-9]+)\s+"((?:[^"\\]|\\.)*)"$')


@dataclass(frozen=True)
class CaaProperty:
    flags: int
    tag: str
    value: str

    @property
    def critical(self) -> bool:
        return bool(self.flags & 128)


def parse_presentation(text: str) -> CaaProperty:
    """A CAA rdata in presentation format: `0 issue "ca.example"`."""
    match = _RECORD.match(text.strip())
    if match is None:
        raise ValueError(f"Unreadable CAA record {text!r}")
    value = re.sub(r"\\(.)", r"\1", match.group(3))
    return CaaProperty(int(match.group(1)), match.group(2).lower(), value)


def issue_value_problem(value: str) -> str | None:
    """RFC 8659 4.2: issue-value = *WSP [issuer-domain-name *WSP] [";" *WSP [parameters] *WSP]."""
    issuer, sep, params = value.partition(";")
    issuer = issuer.strip()
    if issuer and not _ISSUER.match(issuer):
        return f"invalid issuer domain name {issuer!r}"
    if not sep:
        return None
    for param in filter(None, (p.strip() for p in params.split(";"))):
        tag, eq, pvalue = param.partition("=")
        if not eq or not _PARAM_TAG.match(tag.strip()) or not _PARAM_VALUE.match(pvalue.strip()):
            return f"invalid parameter {param!r} (expected tag=value)"
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
        return issue_value_problem(prop.value)
    if prop.tag == "iodef":
        return iodef_value_problem(prop.value)
    if prop.tag not in KNOWN_TAGS and prop.critical:
        return f"unknown critical property {prop.tag!r}: CAs must refuse to issue"
    return None


def relevant_records(domain: str, dns: Resolver) -> tuple[str | None, tuple[str, ...]]:
    """RFC 8659 3: the first non-empty CAA RRset from the domain up to (not including) the root."""
    labels = domain.rstrip(".").split(".")
    for start in range(len(labels)):
        name = ".".join(labels[start:])
        records = dns.query(name, "CAA").records
        if records:
            return name, records
    return None, ()


def check_caa(domain: str, dns: Resolver, config: NetConfig) -> CheckResult:
    """CAA records restricting which CAs may issue for `domain` (RFC 8659)."""
    started = time.monotonic()

    def result(status: CheckStatus, summary: str, details: dict) -> CheckResult:
        return CheckResult(
            CHECK, domain, status, summary, details, (time.monotonic() - started) * 1000
        )

    try:
        found_at, records = relevant_records(domain, dns)
    except DnsError as exc:
        return result(
            CheckStatus.ERROR, _("The CAA records could not be looked up."), {"error": str(exc)}
        )
    if found_at is None:
        summary = _("No CAA record: any certificate authority may issue for this domain.")
        return result(CheckStatus.FAIL, summary, {"records": []})
    problems: list[str] = []
    properties: list[CaaProperty] = []
    for text in records:
        try:
            prop = parse_presentation(text)
        except ValueError as exc:
            problems.append(str(exc))
            continue
        properties.append(prop)
        problem = property_problem(prop)
        if problem:
            problems.append(problem)
    details = {"found_at": found_at, "records": list(records), "problems": problems}
    if problems:
        return result(CheckStatus.FAIL, _("The CAA records are malformed."), details)
    if not any(p.tag in ("issue", "issuewild") for p in properties):
        summary = _("CAA records exist but none restricts issuance (no issue/issuewild).")
        return result(CheckStatus.WARN, summary, details)
    return result(CheckStatus.PASS, _("CAA records restrict which CAs may issue."), details)

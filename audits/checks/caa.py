"""The `caa` check: CAA records (RFC 8659) for the domain, found by climbing the tree.

RFC 8659 3: the relevant record set is the one at the domain or, if empty, at the closest
ancestor that has one. What it authorises is worked out in caa_parser.py (4.1-4.3).

pass: issue properties restrict which CAs may issue for the domain (issue ";" included: no CA
may); warn: records exist but do not restrict ordinary issuance, either because none is an
issue/issuewild (only iodef, say) or because only issuewild is there, which governs wildcard
certificates alone (4.3); fail: no CAA anywhere up the tree, a malformed issue/issuewild/iodef
(CAs read a malformed issue as `issue ";"`), or an unknown tag with the critical flag (4.1:
CAs must then refuse to issue at all).
"""

from __future__ import annotations

import time

from django.utils.translation import gettext_lazy as _

from audits.checks.caa_parser import (
    KNOWN_TAGS,
    Authorisation,
    CaaProperty,
    authorisation,
    parse_presentation,
    property_problem,
)
from audits.checks.result import CheckResult, CheckStatus
from audits.net.config import NetConfig
from audits.net.dns import DnsError, Resolver

CHECK = "caa"


def relevant_records(domain: str, dns: Resolver) -> tuple[str | None, tuple[str, ...]]:
    """RFC 8659 3: the first non-empty CAA RRset from the domain up to (not including) the root."""
    labels = domain.rstrip(".").split(".")
    for start in range(len(labels)):
        name = ".".join(labels[start:])
        records = dns.query(name, "CAA").records
        if records:
            return name, records
    return None, ()


def _read(records: tuple[str, ...]) -> tuple[list[CaaProperty], list[str]]:
    properties: list[CaaProperty] = []
    problems: list[str] = []
    for text in records:
        try:
            prop = parse_presentation(text)
        except ValueError as exc:
            problems.append(str(exc))
            continue
        properties.append(prop)
        problem = property_problem(prop)
        # An unknown critical tag is no syntax error: authorisation() reports it on its own.
        if problem and prop.tag in KNOWN_TAGS:
            problems.append(problem)
    return properties, problems


def _verdict(auth: Authorisation, problems: list[str]) -> tuple[CheckStatus, str]:
    if problems:
        return CheckStatus.FAIL, _("The CAA records are malformed.")
    if auth.critical_unknown:
        return CheckStatus.FAIL, _(
            "An unknown critical CAA property forbids every certificate authority from issuing."
        )
    if auth.wildcards is None:
        return CheckStatus.WARN, _(
            "CAA records exist but none restricts issuance (no issue/issuewild)."
        )
    if not auth.restricts_names:
        return CheckStatus.WARN, _(
            "CAA records restrict only wildcard certificates (issuewild): any certificate "
            "authority may still issue for the domain itself."
        )
    return CheckStatus.PASS, _("CAA records restrict which CAs may issue.")


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
    properties, problems = _read(records)
    auth = authorisation(properties)
    details = {
        "found_at": found_at,
        "records": list(records),
        "problems": problems,
        # names / wildcards: the CAs allowed; [] none may issue, None CAA does not restrict.
        "issuers": auth.as_dict(),
        "critical_unknown": list(auth.critical_unknown),
        "ignored": list(auth.ignored),
    }
    status, summary = _verdict(auth, problems)
    return result(status, summary, details)

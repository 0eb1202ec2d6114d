"""The `dmarc` check: the DMARC policy that applies to mail from <domain> (RFC 7489).

Policy discovery follows RFC 7489 6.6.3: _dmarc.<domain> first; when it holds no DMARC record,
_dmarc.<organizational domain> (3.2, from the bundled Public Suffix List: org_domain.py), whose
sp= (or, without one, p=) then applies. A lookup that fails is an error at either step, never
taken for "no record".

DMARCbis (the draft that obsoletes RFC 7489) replaces the Public Suffix List with a "DNS tree
walk": it asks _dmarc at every parent of the domain in turn, up to the top-level domain (eight
queries at most: labels beyond the seventh are dropped at once), and takes as organizational
domain the first record with psd=n, the name just below a record with psd=y, or else the
record with the fewest labels. For a.b.example.com it therefore also asks _dmarc.b.example.com
and _dmarc.com, yet without psd= tags it ends at example.com as RFC 7489 does; the two differ
where psd= is published or where the list and the DNS disagree. This check keeps to RFC 7489;
_discover is the one function to change when receivers move to the tree walk.

pass: p=quarantine or p=reject (sp when inherited) applied to all mail (pct=100), no weaker
sp=none, no syntax errors; warn: enforcing but pct < 100, sp=none, or errors receivers work
around (details "ignored"); fail: no record, two records (6.6.3 step 5: no DMARC at all), a
record receivers discard (6.6.3 step 6), or a policy of none.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from audits.checks.dmarc_parser import (
    DmarcRecord,
    DmarcSyntaxError,
    is_dmarc_record,
    parse_record,
)
from audits.checks.org_domain import organizational_domain
from audits.checks.result import CheckResult, CheckStatus
from audits.net.config import NetConfig
from audits.net.dns import DnsError, Resolver

CHECK = "dmarc"


@dataclass(frozen=True)
class Discovery:
    """Where policy discovery ended: the domain whose records count, and what it asked."""

    policy_domain: str | None  # the domain itself, its organizational domain, or None
    org_domain: str
    records: tuple[str, ...]  # the DMARC records there (0, 1 or more)
    discarded: tuple[str, ...]  # TXT records at the names asked that are not DMARC records
    queried: tuple[str, ...]


class DiscoveryError(Exception):
    def __init__(self, error: DnsError, queried: tuple[str, ...]) -> None:
        super().__init__(str(error))
        self.queried = queried


def _discover(domain: str, dns: Resolver) -> Discovery:
    """RFC 7489 6.6.3 steps 1-4; raises DiscoveryError when a lookup fails."""
    org = organizational_domain(domain)
    candidates = [domain] if org == domain else [domain, org]
    queried: list[str] = []
    discarded: list[str] = []
    for candidate in candidates:
        name = f"_dmarc.{candidate}"
        queried.append(name)
        try:
            answer = dns.query(name, "TXT")
        except DnsError as exc:
            raise DiscoveryError(exc, tuple(queried)) from exc
        # The resolver layer already concatenated multi-string TXT records (6.6.3).
        records = tuple(r for r in answer.records if is_dmarc_record(r))
        discarded += [r for r in answer.records if not is_dmarc_record(r)]
        if records:
            return Discovery(candidate, org, records, tuple(discarded), tuple(queried))
    return Discovery(None, org, (), tuple(discarded), tuple(queried))


def check_dmarc(domain: str, dns: Resolver, config: NetConfig) -> CheckResult:
    """DMARC policy of `domain` (RFC 7489 6.1, 6.3, 6.6.3)."""
    started = time.monotonic()
    name = domain.rstrip(".").lower()

    def result(status: CheckStatus, summary: str, details: dict) -> CheckResult:
        return CheckResult(
            CHECK, domain, status, summary, details, (time.monotonic() - started) * 1000
        )

    try:
        discovery = _discover(name, dns)
    except DiscoveryError as exc:
        details = {"name": f"_dmarc.{name}", "error": str(exc), "queried": list(exc.queried)}
        return result(CheckStatus.ERROR, _("The DMARC record could not be looked up."), details)
    where = _where(discovery, name)
    if not discovery.records:
        return result(CheckStatus.FAIL, _("No DMARC record is published."), where)
    if len(discovery.records) > 1:
        summary = _("More than one DMARC record: receivers ignore DMARC for this domain.")
        return result(CheckStatus.FAIL, summary, where)
    try:
        record = parse_record(discovery.records[0])
    except DmarcSyntaxError as exc:
        summary = _("The DMARC record has a syntax error.")
        return result(CheckStatus.FAIL, summary, {**where, "error": str(exc)})
    # 6.6.3: a policy found at the organizational domain applies to the domain as sp= does.
    inherited = where["inherited"]
    applied = record.effective_subdomain_policy if inherited else record.policy
    status, summary = _verdict(record, applied, inherited)
    return result(status, summary, {**where, **_policy(record, applied)})


def _where(discovery: Discovery, name: str) -> dict[str, Any]:
    """Details: where the record was looked for and found (policy_domain None: nowhere)."""
    where: dict[str, Any] = {
        "name": f"_dmarc.{discovery.policy_domain or name}",
        "policy_domain": discovery.policy_domain,
        "org_domain": discovery.org_domain,
        "inherited": discovery.policy_domain not in (None, name),
        "queried": list(discovery.queried),
        "records": list(discovery.records),
    }
    if discovery.discarded:
        where["discarded"] = list(discovery.discarded)
    return where


def _policy(record: DmarcRecord, applied: str) -> dict[str, Any]:
    """Details: the record as receivers apply it, and what they had to ignore or replace."""
    return {
        "p": record.policy,
        "sp": record.subdomain_policy,
        "applied_policy": applied,
        "pct": record.pct,
        "rua": list(record.rua),
        "ruf": list(record.ruf),
        "adkim": record.adkim,
        "aspf": record.aspf,
        "ignored": record.ignored_as_dicts(),
    }


def _verdict(record: DmarcRecord, applied: str, inherited: bool) -> tuple[CheckStatus, str]:
    if applied == "none" and inherited:
        return CheckStatus.FAIL, _(
            "The organizational domain's DMARC policy for subdomains is none: failing mail "
            "is still delivered."
        )
    if applied == "none":
        return CheckStatus.FAIL, _("DMARC policy is p=none: failing mail is still delivered.")
    if record.pct < 100:
        return CheckStatus.WARN, _(
            "DMARC policy is enforced on only part of the mail (pct below 100)."
        )
    if not inherited and record.effective_subdomain_policy == "none":
        return CheckStatus.WARN, _(
            "DMARC is enforced for the domain but not for its subdomains (sp=none)."
        )
    if record.has_syntax_errors:
        return CheckStatus.WARN, _(
            "The DMARC record has errors that receivers ignore or replace with defaults."
        )
    return CheckStatus.PASS, _("DMARC policy rejects or quarantines failing mail.")

"""The `mx` check: MX present and resolvable (RFC 5321 5.1), null MX (RFC 7505), no CNAME targets.

Also home of `lookup_mx` / `is_null_mx`, which the other mail checks use to find their targets
and to become not_applicable for a domain that accepts no mail. A failed MX lookup is never
"accepts no mail": audits/runner.py then reports the checks that need the hosts as errors.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from audits.checks.result import CheckResult, CheckStatus
from audits.net.config import NetConfig
from audits.net.dns import DnsError, Resolver

CHECK = "mx"


@dataclass(frozen=True)
class MxRecord:
    preference: int
    host: str  # without the trailing dot; "" for the null MX target "."


@dataclass(frozen=True)
class MxSet:
    records: tuple[MxRecord, ...]

    @property
    def is_null(self) -> bool:
        """RFC 7505 3: a single MX record, preference 0, target "."."""
        return len(self.records) == 1 and self.records[0].host == ""

    @property
    def hosts(self) -> tuple[str, ...]:
        ordered = sorted(self.records, key=lambda r: (r.preference, r.host))
        return tuple(r.host for r in ordered if r.host)


def lookup_mx(domain: str, dns: Resolver) -> MxSet:
    """The domain's MX records; raises DnsError when they cannot be looked up."""
    records = []
    for text in dns.query(domain, "MX").records:
        preference, _, host = text.partition(" ")
        if preference.isdigit():
            records.append(MxRecord(int(preference), host.strip().rstrip(".").lower()))
    return MxSet(tuple(records))


def is_null_mx(domain: str, dns: Resolver) -> bool:
    """True when the domain publishes a null MX; lookup failures count as "not null"."""
    try:
        return lookup_mx(domain, dns).is_null
    except DnsError:
        return False


def not_applicable_for_null_mx(check: str, domain: str) -> CheckResult:
    return CheckResult(
        check,
        domain,
        CheckStatus.NOT_APPLICABLE,
        _("The domain accepts no mail (null MX, RFC 7505)."),
        {"null_mx": True},
    )


def check_mx(domain: str, dns: Resolver, config: NetConfig) -> CheckResult:
    """MX records of `domain` (RFC 5321 5.1, RFC 7505).

    pass: every MX host resolves to an address and none is a CNAME; warn: a host is an alias
    (RFC 5321 5.1 requires the MX target to be the host's canonical name); info: null MX;
    fail: no MX, a null MX mixed with other records, or a host without an address.
    """
    started = time.monotonic()

    def result(status: CheckStatus, summary: str, details: dict) -> CheckResult:
        return CheckResult(CHECK, domain, status, summary, details, _ms(started))

    try:
        mx = lookup_mx(domain, dns)
    except DnsError as exc:
        return result(
            CheckStatus.ERROR, _("The MX records could not be looked up."), {"error": str(exc)}
        )
    records = [{"preference": r.preference, "host": r.host or "."} for r in mx.records]
    if not mx.records:
        summary = _("No MX record: mail would fall back to the domain's address record.")
        return result(CheckStatus.FAIL, summary, {"records": []})
    if mx.is_null:
        return result(
            CheckStatus.INFO,
            _("Null MX: the domain accepts no mail (RFC 7505)."),
            {"records": records, "null_mx": True},
        )
    if any(not r.host for r in mx.records):
        summary = _("A null MX is mixed with other MX records (RFC 7505 3).")
        return result(CheckStatus.FAIL, summary, {"records": records})

    hosts: list[dict] = []
    for host in mx.hosts:
        try:
            hosts.append(_inspect_host(host, dns))
        except DnsError as exc:
            hosts.append({"host": host, "addresses": [], "cname": None, "error": str(exc)})
    details = {"records": records, "hosts": hosts}
    # A host whose lookup failed is unknown, not "without an address" (a failure is no absence).
    failed = [f"{h['host']}: {h['error']}" for h in hosts if "error" in h]
    unresolvable = [h["host"] for h in hosts if not h["addresses"] and "error" not in h]
    aliases = [h["host"] for h in hosts if h["cname"]]
    if unresolvable:
        summary = _("Some MX hosts do not resolve to an address.")
        return result(CheckStatus.FAIL, summary, {**details, "unresolvable": unresolvable})
    if failed:
        summary = _("Some MX hosts could not be looked up.")
        return result(CheckStatus.ERROR, summary, {**details, "errors": failed})
    if aliases:
        summary = _("Some MX hosts are CNAME aliases, which RFC 5321 forbids.")
        return result(CheckStatus.WARN, summary, {**details, "cname_hosts": aliases})
    return result(CheckStatus.PASS, _("MX records are present and every host resolves."), details)


def _inspect_host(host: str, dns: Resolver) -> dict:
    answer = dns.query(host, "A")
    addresses = list(answer.records)
    if not addresses:
        # Only asked when there is no IPv4 address: an IPv6-only MX is fine.
        addresses = list(dns.query(host, "AAAA").records)
    cname = answer.cnames[0].rstrip(".") if answer.cnames else None
    return {"host": host, "addresses": addresses, "cname": cname}


def _ms(started: float) -> float:
    return (time.monotonic() - started) * 1000

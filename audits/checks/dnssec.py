"""The `dnssec` check: the domain and its MX hosts validate (RFC 4033-4035).

The verdict is the validating resolver's: AD set means secure (RFC 4035 3.2.3); no AD means
insecure (no chain of trust); SERVFAIL that disappears with the CD flag means bogus (signed,
but the signatures do not validate). Insecure and bogus both fail, with different summaries,
because the fixes differ: sign the zone versus repair the signing.
"""

from __future__ import annotations

import time

from django.utils.translation import gettext_lazy as _

from audits.checks.mx import lookup_mx
from audits.checks.result import CheckResult, CheckStatus
from audits.net.config import NetConfig
from audits.net.dns import DnsError, DnssecVerdict, DnsServFail, Resolver, dnssec_verdict

CHECK = "dnssec"


_RANK = {DnssecVerdict.SECURE: 0, DnssecVerdict.INSECURE: 1, DnssecVerdict.BOGUS: 2}


def _worse(a: DnssecVerdict, b: DnssecVerdict) -> DnssecVerdict:
    return a if _RANK[a] >= _RANK[b] else b


def host_zone_verdict(dns: Resolver, host: str) -> tuple[str, DnssecVerdict]:
    """The zone `host` lives in (the closest name with an SOA) and that zone's verdict.

    A SERVFAIL on the way that CD cures makes the verdict bogus: the denial of an SOA below
    the apex is signed by the host's zone, so a bogus denial means that zone does not
    validate. Climbing then goes on with CD answers to name the zone.
    """
    labels = host.rstrip(".").split(".")
    bogus = False
    for start in range(len(labels)):
        name = ".".join(labels[start:])
        try:
            answer = dns.query(name, "SOA")
        except DnsServFail:
            # Raises again if CD does not help either: then the failure is not DNSSEC's.
            answer = dns.query(name, "SOA", check_disabled=True)
            bogus = True
        if answer.records:
            if bogus:
                return name, DnssecVerdict.BOGUS
            return name, DnssecVerdict.SECURE if answer.secure else DnssecVerdict.INSECURE
    raise DnsError(f"No zone (SOA) found above {host}")


def check_dnssec(
    domain: str, dns: Resolver, config: NetConfig, mx_hosts: tuple[str, ...] | None = None
) -> CheckResult:
    """DNSSEC status of `domain` (its SOA) and of each MX host (its zone's SOA and its A RRset).

    `mx_hosts` defaults to the domain's MX records.
    """
    started = time.monotonic()

    def result(status: CheckStatus, summary: str, details: dict) -> CheckResult:
        return CheckResult(
            CHECK, domain, status, summary, details, (time.monotonic() - started) * 1000
        )

    try:
        verdicts = {domain: dnssec_verdict(dns, domain, "SOA")}
    except DnsError as exc:
        return result(
            CheckStatus.ERROR,
            _("The domain's DNSSEC status could not be determined."),
            {"error": str(exc)},
        )
    errors: dict[str, str] = {}
    hosts = mx_hosts
    if hosts is None:
        try:
            hosts = lookup_mx(domain, dns).hosts
        except DnsError as exc:
            hosts = ()
            errors["mx"] = str(exc)
    zones: dict[str, str] = {}
    for host in hosts:
        try:
            zones[host], zone_verdict = host_zone_verdict(dns, host)
            # The zone may validate while the host's own RRset is broken: take the worse.
            verdicts[host] = _worse(zone_verdict, dnssec_verdict(dns, host, "A"))
        except DnsError as exc:
            errors[host] = str(exc)
    details = {
        "verdicts": {name: verdict.value for name, verdict in verdicts.items()},
        "mx_zones": zones,
        "errors": errors,
    }
    bogus = [n for n, v in verdicts.items() if v is DnssecVerdict.BOGUS]
    insecure = [n for n, v in verdicts.items() if v is DnssecVerdict.INSECURE]
    if bogus:
        summary = _(
            "DNSSEC validation fails (bogus signatures): validating resolvers reject the data."
        )
        return result(CheckStatus.FAIL, summary, {**details, "bogus": bogus})
    if insecure:
        summary = _("Not protected by DNSSEC (insecure: no validated chain of trust).")
        return result(CheckStatus.FAIL, summary, {**details, "insecure": insecure})
    if errors:
        summary = _("The DNSSEC status of some MX hosts could not be determined.")
        return result(CheckStatus.ERROR, summary, details)
    return result(
        CheckStatus.PASS, _("The domain and its MX hosts are DNSSEC-signed and validate."), details
    )

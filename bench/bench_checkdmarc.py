"""Benchmark: our checks and checkdmarc's, side by side, on the local test network.

Run (as root: checkdmarc only talks to port 53, so Unbound listens there too):

    .venv/bin/pip install -e '.[dev,bench]'
    DEBUG=true .venv/bin/python bench/bench_checkdmarc.py

Domains: good.test, weak.test, broken.test, nullmx.test and GENERATED good.test-like zones
(gen01.test ...; tests/testnet/generated.py). For each check family checkdmarc covers (DNSSEC, MX,
SPF, DMARC, MTA-STS, TLS-RPT, and DANE as far as it looks up TLSA records), each domain is checked
REPEATS times by both, alternately, after one untimed warm-up call each so that both find Unbound's
cache warm. checkdmarc's own caches are emptied before every call, or the repeats would time
dictionary look-ups.

Printed: median milliseconds per family, ours against checkdmarc; per domain whether both reach
the same verdict (ok / problem / n/a); the evidence for each disagreement.

Not compared, and why:
- STARTTLS: checkdmarc connects to port 25 of each MX; the test servers listen on 2525
  (AUDIT_PORT_OVERRIDES) and checkdmarc has no port setting, so its TLS test is skipped
  (skip_tls) rather than faked.
- BIMI, SOA and NS: checkdmarc checks them, we have no such checks.

Offline: checkdmarc reads the public suffix list bundled with `publicsuffixlist` (no download);
the only other traffic it starts is the MTA-STS policy fetch, which goes through the system
resolver. A watchdog ends the process if anything hangs anyway.
"""

from __future__ import annotations

import faulthandler
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DEBUG", "true")

import checkdmarc  # noqa: E402
import checkdmarc.dmarc  # noqa: E402
import checkdmarc.dnssec  # noqa: E402
import checkdmarc.mta_sts  # noqa: E402
import checkdmarc.smtp  # noqa: E402
import checkdmarc.smtp_tls_reporting  # noqa: E402
import checkdmarc.spf  # noqa: E402
import checkdmarc.utils  # noqa: E402
import django  # noqa: E402
import dns.flags  # noqa: E402
import dns.rcode  # noqa: E402
from dns.nameserver import Do53Nameserver  # noqa: E402

django.setup()

from audits.checks.result import CheckResult  # noqa: E402
from audits.net.config import NetConfig  # noqa: E402

# The runner's own table of check calls, so each check is invoked exactly as in an audit.
from audits.runner import plan_checks  # noqa: E402
from tests.netutil import audit_target  # noqa: E402
from tests.testnet import dnsd, network  # noqa: E402
from tests.testnet.generated import generated_zones  # noqa: E402
from tests.testnet.zones import DOMAINS, Domain  # noqa: E402

HAND_WRITTEN = ("good.test", "weak.test", "broken.test", "nullmx.test")
GENERATED = 10
REPEATS = 5
DNS_TIMEOUT = 2.0
# Generous: a full run takes well under a minute. Only a hang should ever reach it.
WATCHDOG_SECONDS = 600

Verdict = str  # "ok", "problem" or "n/a"
CdmCall = Callable[[Domain, list[str]], Any]


@dataclass(frozen=True)
class Family:
    name: str
    ours: str  # our check key
    call: CdmCall  # checkdmarc, given the domain and the nameserver list
    verdict: Callable[[Any], Verdict]
    describe: Callable[[Any], str]
    caveat: str = ""


def _valid(result: dict[str, Any]) -> Verdict:
    return "ok" if result.get("valid") else "problem"


def _describe(result: dict[str, Any]) -> str:
    if "error" in result:
        return f"error: {result['error']}"
    warnings = result.get("warnings") or []
    return f"valid={result.get('valid')}, {len(warnings)} warning(s)" + (
        f": {warnings[0]}" if warnings else ""
    )


def _mx_verdict(result: dict[str, Any]) -> Verdict:
    # A host without an address cannot receive mail; a null MX gives no hosts and no error.
    if "error" in result or any(not host["addresses"] for host in result["hosts"]):
        return "problem"
    return "ok"


def _mx_describe(result: dict[str, Any]) -> str:
    hosts = ", ".join(f"{h['hostname']} {h['addresses'] or 'no address'}" for h in result["hosts"])
    return f"hosts: {hosts or 'none'}; {_describe(result)}"


def _tlsa(domain: Domain, nameservers: list[str]) -> list[list[str]]:
    # checkdmarc looks TLSA up inside check_mx; the lookup alone is timed here, on the same MX
    # hosts our dane check is given.
    return [
        checkdmarc.dnssec.get_tlsa_records(host, nameservers=nameservers, timeout=DNS_TIMEOUT)
        for host in domain.mx
    ]


def _tlsa_verdict(result: list[list[str]]) -> Verdict:
    if not result:
        return "n/a"
    return "ok" if all(result) else "problem"


def _tlsa_describe(result: list[list[str]]) -> str:
    return f"signed TLSA records found on {sum(1 for r in result if r)}/{len(result)} MX hosts"


FAMILIES: tuple[Family, ...] = (
    Family(
        "DNSSEC",
        "dnssec",
        lambda d, ns: checkdmarc.dnssec.test_dnssec(d.name, nameservers=ns, timeout=DNS_TIMEOUT),
        lambda r: "ok" if r else "problem",
        lambda r: f"test_dnssec={r}",
        "checkdmarc fetches the zone's DNSKEY and checks one RRSIG (over DNSKEY, MX, A, NS or "
        "CNAME) against it, ignoring the AD flag and the chain of trust; ours asks the "
        "validating resolver about the domain's and each MX zone's SOA and A records.",
    ),
    Family(
        "MX",
        "mx",
        lambda d, ns: checkdmarc.smtp.check_mx(
            d.name, skip_tls=True, nameservers=ns, timeout=DNS_TIMEOUT
        ),
        _mx_verdict,
        _mx_describe,
        "checkdmarc also runs test_dnssec and a TLSA lookup per MX host and PTR lookups per "
        "address (its STARTTLS test is off, see below); ours checks the MX records and that "
        "each host resolves and is not a CNAME.",
    ),
    Family(
        "SPF",
        "spf",
        lambda d, ns: checkdmarc.spf.check_spf(d.name, nameservers=ns, timeout=DNS_TIMEOUT),
        _valid,
        _describe,
    ),
    Family(
        "DMARC",
        "dmarc",
        lambda d, ns: checkdmarc.dmarc.check_dmarc(d.name, nameservers=ns, timeout=DNS_TIMEOUT),
        _valid,
        _describe,
    ),
    Family(
        "MTA-STS",
        "mta_sts",
        lambda d, ns: checkdmarc.mta_sts.check_mta_sts(d.name, nameservers=ns, timeout=DNS_TIMEOUT),
        _valid,
        _describe,
        "checkdmarc's time ends where its policy fetch fails (see below); ours fetches the "
        "policy over HTTPS and matches it against the MX hosts.",
    ),
    Family(
        "TLS-RPT",
        "tls_rpt",
        lambda d, ns: checkdmarc.smtp_tls_reporting.check_smtp_tls_reporting(
            d.name, nameservers=ns, timeout=DNS_TIMEOUT
        ),
        _valid,
        _describe,
    ),
    Family(
        "DANE (TLSA)",
        "dane",
        _tlsa,
        _tlsa_verdict,
        _tlsa_describe,
        "checkdmarc only looks the TLSA records up and checks their RRSIG; ours also connects "
        "to each MX over SMTP and matches the records against the certificate it presents.",
    ),
)


def _our_verdict(result: CheckResult) -> Verdict:
    status = result.status.value
    if status == "not_applicable":
        return "n/a"
    return "ok" if status in ("pass", "warn", "info") else "problem"


def _clear_checkdmarc_caches() -> None:
    for cache in (
        checkdmarc.utils.DNS_CACHE,
        checkdmarc.dnssec.DNSSEC_CACHE,
        checkdmarc.dnssec.DNSKEY_CACHE,
        checkdmarc.dnssec.TLSA_CACHE,
    ):
        cache.clear()


@dataclass
class Outcome:
    ours_ms: list[float]
    cdm_ms: list[float]
    ours: CheckResult
    cdm: Any


def _measure(family: Family, domain: Domain, config: NetConfig, ns: list[str]) -> Outcome:
    checks = plan_checks(audit_target(domain), domain.mx, domain.web or domain.name, config)
    ours_call = checks[family.ours]

    def cdm_call() -> Any:
        _clear_checkdmarc_caches()
        return family.call(domain, ns)

    ours, cdm = ours_call(), cdm_call()  # warm-up
    outcome = Outcome([], [], ours, cdm)
    for _ in range(REPEATS):
        started = time.perf_counter()
        outcome.ours = ours_call()
        outcome.ours_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        outcome.cdm = cdm_call()
        outcome.cdm_ms.append((time.perf_counter() - started) * 1000)
    return outcome


def _soa_evidence(resolver: tuple[str, int], name: str) -> str:
    """What the validating resolver says about the zone's SOA, with and without CD."""
    plain = dnsd.query(resolver, name, "SOA")
    unchecked = dnsd.query(resolver, name, "SOA", cd=True)
    ad = bool(plain.flags & dns.flags.AD)
    return (
        f"Unbound: {name} SOA -> {dns.rcode.to_text(plain.rcode())} (AD={ad}); "
        f"with CD -> {dns.rcode.to_text(unchecked.rcode())}"
    )


def _print_times(results: dict[tuple[str, str], Outcome], domains: list[Domain]) -> None:
    print(f"\nmedian ms per call over {len(domains)} domains x {REPEATS} runs:")
    print(f"  {'family':<12} {'ours':>8} {'checkdmarc':>11} {'cdm/ours':>8}  agree")
    for family in FAMILIES:
        rows = [results[(family.name, d.name)] for d in domains]
        ours = statistics.median(ms for row in rows for ms in row.ours_ms)
        cdm = statistics.median(ms for row in rows for ms in row.cdm_ms)
        agree = sum(_our_verdict(r.ours) == family.verdict(r.cdm) for r in rows)
        print(
            f"  {family.name:<12} {ours:8.1f} {cdm:11.1f} {cdm / ours:8.2f}  "
            f"{agree}/{len(rows)} domains"
        )


def _print_verdicts(results: dict[tuple[str, str], Outcome], domains: list[Domain]) -> None:
    print("\nverdicts, ours/checkdmarc ('=' when both agree):")
    width = max(len(d.name) for d in domains)
    print(f"  {'':<{width}} " + " ".join(f"{f.name:<16}" for f in FAMILIES))
    for domain in domains:
        cells = []
        for family in FAMILIES:
            outcome = results[(family.name, domain.name)]
            ours, cdm = _our_verdict(outcome.ours), family.verdict(outcome.cdm)
            cells.append(f"{'= ' + ours if ours == cdm else ours + '/' + cdm:<16}")
        print(f"  {domain.name:<{width}} " + " ".join(cells))


def _print_disagreements(
    results: dict[tuple[str, str], Outcome], domains: list[Domain], resolver: tuple[str, int]
) -> None:
    """Each kind of disagreement once (the generated domains repeat the same ones), with what
    each side reported for the first domain showing it."""
    print("\ndisagreements, with what each side reported:")
    groups: dict[tuple[str, str, str], list[tuple[Domain, Outcome]]] = {}
    for family in FAMILIES:
        for domain in domains:
            outcome = results[(family.name, domain.name)]
            if _our_verdict(outcome.ours) != family.verdict(outcome.cdm):
                told = family.describe(outcome.cdm).replace(domain.name, "<domain>")
                key = (family.name, outcome.ours.status.value, told)
                groups.setdefault(key, []).append((domain, outcome))
    for (name, _, _), members in groups.items():
        family = next(f for f in FAMILIES if f.name == name)
        domain, outcome = members[0]
        print(f"  {name}: {', '.join(d.name for d, _ in members)}")
        print(f"    ours:       {outcome.ours.status.value}: {outcome.ours.summary}")
        print(f"    checkdmarc: {_short(family.describe(outcome.cdm))}")
        if family.ours == "dnssec":
            print(f"    evidence:   {_soa_evidence(resolver, domain.name)}")
    if not groups:
        print("  none")


def _short(text: str, limit: int = 220) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _print_caveats() -> None:
    print("\nscope of each side, where the times are not like for like:")
    for family in FAMILIES:
        if family.caveat:
            print(f"  {family.name}: {family.caveat}")


def _outcome(call: Callable[[], Any]) -> str:
    try:
        return repr(call())
    except Exception as exc:  # what checkdmarc lets escape is the finding here
        return f"raised {type(exc).__name__}({exc})"


def _print_port_evidence(ip: str, port: int, domain: Domain) -> None:
    """What checkdmarc does when told the resolver's real port instead of relying on 53."""
    with_port = [Do53Nameserver(ip, port)]
    _clear_checkdmarc_caches()
    spf = _outcome(
        lambda: checkdmarc.spf.check_spf(
            domain.name, nameservers=with_port, timeout=DNS_TIMEOUT
        ).get("valid")
    )
    dnssec = _outcome(
        lambda: checkdmarc.dnssec.test_dnssec(
            domain.name, nameservers=with_port, timeout=DNS_TIMEOUT
        )
    )
    tlsa = _outcome(
        lambda: checkdmarc.dnssec.get_tlsa_records(
            domain.mx[0], nameservers=with_port, timeout=DNS_TIMEOUT
        )
    )
    _clear_checkdmarc_caches()
    print(f"  given nameservers=[Do53Nameserver({ip!r}, {port})] instead, for {domain.name}:")
    print(f"    check_spf valid: {spf} (its lookups go through dnspython's Resolver)")
    print(f"    test_dnssec: {dnssec}")
    print(f"    get_tlsa_records({domain.mx[0]!r}): {tlsa}")
    print(
        f"    (both call dns.query.tcp(request, str(nameserver)), and str() of that nameserver "
        f"is {str(with_port[0])!r}, not an address)"
    )


def _print_notes(net: network.Testnet, domain: Domain) -> None:
    ip = net.nameserver[0]
    print("\nnot compared:")
    print(
        "  STARTTLS: checkdmarc connects to port 25 of each MX; the test servers listen on "
        f"{net.env['AUDIT_PORT_OVERRIDES']} and checkdmarc has no port setting, so its TLS test "
        "is skipped (skip_tls=True)."
    )
    print("  BIMI, SOA, NS: checked by checkdmarc only.")
    print("  DKIM, CAA, SMTPS, TLS, HSTS/CSP/SRI, HTTPS redirect, WKD: checked by us only.")
    print("\nhow checkdmarc reached the test network:")
    print(
        f"  DNS: nameservers=[{ip!r}] on port 53 (Unbound listens on {ip}:53 as well as "
        f"{ip}:{net.nameserver[1]}; checkdmarc's DNSSEC and TLSA code calls dns.query.tcp "
        "without a port)."
    )
    cdm = checkdmarc.mta_sts.check_mta_sts(domain.name, nameservers=[ip], timeout=DNS_TIMEOUT)
    print(
        f"  MTA-STS policy for {domain.name}: fetched with requests from "
        f"https://mta-sts.{domain.name}/ (port 443, system resolver, system CA store), not "
        f"through the nameservers given; result: {_short(_describe(cdm))}"
    )


def main() -> None:
    faulthandler.dump_traceback_later(WATCHDOG_SECONDS, exit=True)
    _, generated = generated_zones(GENERATED)
    domains = [d for d in DOMAINS if d.name in HAND_WRITTEN] + list(generated)
    state = Path(tempfile.mkdtemp(prefix="mailvet-bench-checkdmarc-"))
    try:
        net = network.up(state, GENERATED, resolver_on_port_53=True)
        print(
            f"checkdmarc {checkdmarc.__version__}; test network with {len(net.zones)} zones up in "
            f"{net.startup_seconds:.1f} s; domains: {', '.join(HAND_WRITTEN)} and "
            f"{GENERATED} generated ({generated[0].name} .. {generated[-1].name})"
        )
        config = NetConfig.from_env(net.env)
        ns = [net.nameserver[0]]
        results = {
            (family.name, domain.name): _measure(family, domain, config, ns)
            for family in FAMILIES
            for domain in domains
        }
        _print_times(results, domains)
        _print_verdicts(results, domains)
        _print_caveats()
        _print_disagreements(results, domains, net.nameserver)
        _print_notes(net, domains[0])
        _print_port_evidence(*net.nameserver, domains[0])
    finally:
        network.down(state)
        shutil.rmtree(state, ignore_errors=True)
        faulthandler.cancel_dump_traceback_later()


if __name__ == "__main__":
    main()

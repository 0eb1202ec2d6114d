"""`tls_web` and `tls_mail`: protocol versions, cipher suites, DH groups and the certificate.

RFC 8996 deprecates TLS 1.0 and 1.1 (RFC 7568 and 6176 did SSL 3.0 and 2.0): a server that still
accepts any of them fails. RFC 9325 (BCP 195) 4.2 recommends forward-secret AEAD suites, and 4.1
finite-field DH groups of at least 2048 bits: a server that accepts a suite without them fails. The
certificate must verify for the name (RFC 6125) against the public roots plus AUDIT_CA_BUNDLE.
Every address of a host is scanned (up to MAX_ADDRESSES_PER_HOST) with sslyze (net/tls_scan).

One result is evidence for three criteria with different words (audits/scoring.py), so besides
the overall status (every defect fails: "No TLS errors or vulnerabilities ... certificate related
errors and weak DH parameters") the details carry one status per ASPECT, judged by the words of
the criterion that aspect answers (see `aspects`): `versions` ("a server suite preference of TLS
1.2 or later and a plan for RFC8996"), `suites` ("a server suite preference ... for strong cipher
suites which support forward secrecy and authenticated encryption"), `dh` and `certificate`.
Where a server accepts weak suites beside strong ones, its preference between them is measured
with handshakes of our own (net/tls_preference), since sslyze reports no server order.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from django.utils.translation import gettext_lazy as _

from audits.checks.result import CheckResult, CheckStatus
from audits.net.config import NetConfig
from audits.net.guard import ForbiddenAddress
from audits.net.tls import ConnectionProblem, Deadline, guarded_addresses, has_route
from audits.net.tls_preference import Finding, Preference, measure, needs_measuring
from audits.net.tls_scan import MIN_DH_BITS, MODERN_VERSIONS, ScanTarget, ServerTls, scan_servers

Resolve = Callable[[str], list[str]]
T = TypeVar("T")
R = TypeVar("R")

# A check's verdict over several hosts: a definite defect outranks "could not tell".
_RANK = [CheckStatus.FAIL, CheckStatus.ERROR, CheckStatus.WARN, CheckStatus.PASS]


def worst(statuses: Iterable[CheckStatus]) -> CheckStatus:
    found = set(statuses)
    for status in _RANK:
        if status in found:
            return status
    return CheckStatus.PASS


def concurrently(func: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """Run `func` over `items` in threads: a check's wall time is its slowest host, not the sum."""
    items = list(items)
    if len(items) <= 1:
        return [func(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(8, len(items))) as pool:
        return list(pool.map(func, items))


def unique(hosts: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(h.rstrip(".").lower() for h in hosts))


def per_host_result(
    check: str,
    hosts: list[str],
    verdicts: list[dict[str, Any]],
    summaries: dict[CheckStatus, Any],
    started: float,
) -> CheckResult:
    """One result from per-host verdicts (dicts with a "status"): the worst status decides and
    picks the summary; the statuses are stored as their string values."""
    status = worst(CheckStatus(v["status"]) for v in verdicts)
    for verdict in verdicts:
        verdict["status"] = CheckStatus(verdict["status"]).value
    return CheckResult(
        check,
        ", ".join(hosts),
        status,
        summaries[status],
        {"hosts": verdicts},
        duration_ms=(time.monotonic() - started) * 1000,
    )


def no_mx_hosts(check: str) -> CheckResult:
    """The result of a per-MX check for a domain without MX hosts (null MX or none)."""
    return CheckResult(
        check, "", CheckStatus.NOT_APPLICABLE, _("No MX hosts: the domain accepts no mail.")
    )


# Addresses scanned per host: enough to catch a mixed fleet behind one name, bounded so a hostile
# answer listing hundreds of addresses cannot turn one check into hundreds of scans. Addresses this
# machine has no route to (IPv6 on an IPv4-only worker) are left out rather than failed.
MAX_ADDRESSES_PER_HOST = 4

_LEGACY_RFC = {"SSLv2": "RFC 6176", "SSLv3": "RFC 7568", "TLSv1": "RFC 8996", "TLSv1.1": "RFC 8996"}


def judge_server(
    server: ServerTls, preference: Preference | None = None
) -> tuple[CheckStatus, list[str]]:
    """The verdict on one server's TLS, with the reasons for it."""
    if server.connection_error:
        return CheckStatus.ERROR, [server.connection_error]
    problems: list[str] = []
    for version in server.legacy_versions:
        problems.append(f"accepts {version} (forbidden by {_LEGACY_RFC[version]})")
    if not any(v in server.accepted_versions for v in MODERN_VERSIONS) and not any(
        v in server.untested_versions for v in MODERN_VERSIONS
    ):
        problems.append("accepts neither TLS 1.2 nor TLS 1.3")
    weak = server.modern_suites_without_fs_or_aead
    if weak:
        problems.append(
            f"accepts {len(weak)} suite(s) without forward secrecy or AEAD (RFC 9325 4.2), "
            f"e.g. {weak[0]}"
        )
    if preference is not None and preference.finding is Finding.WEAK_CHOSEN:
        problems.append(preference.message)
    weak_dh = server.weak_dh_suites
    if weak_dh:
        sizes = [s.key_bits for s in weak_dh if s.key_bits]
        size = f"a {min(sizes)}-bit" if len(sizes) == len(weak_dh) else "a too small (< 768-bit)"
        problems.append(
            f"uses {size} Diffie-Hellman group (below {MIN_DH_BITS}, RFC 9325 4.1) "
            f"with {weak_dh[0].name}"
        )
    if server.certificate_checked and not server.certificate_valid:
        problems.append(f"certificate not valid for {server.host}: {server.certificate_error}")
    if problems:
        return CheckStatus.FAIL, problems
    untested: list[str] = []
    if server.untested_versions:
        untested.append(f"could not test {', '.join(server.untested_versions)}")
    if not server.certificate_checked:
        untested.append(f"could not check the certificate: {server.certificate_error}")
    if untested:
        return CheckStatus.ERROR, untested
    return CheckStatus.PASS, []


ASPECTS = ("versions", "suites", "dh", "certificate")


# The `suites` aspect of a server accepting weak suites beside strong ones, by its preference.
_PREFERENCE_STATUS = {
    Finding.STRONG_PREFERRED: CheckStatus.PASS,
    Finding.WEAK_CHOSEN: CheckStatus.FAIL,
    Finding.COULD_NOT_TEST: CheckStatus.ERROR,
}


def aspects(server: ServerTls, preference: Preference | None = None) -> dict[str, CheckStatus]:
    """One status per aspect of a server's TLS, each within the words of its criterion.

    - versions: neither TLS 1.2 nor 1.3, or SSL 2/3 (RFC 6176, 7568: MUST NOT), fails; TLS 1.0
      or 1.1 beside 1.2+ warns only: the criterion wants 1.2+ and "a plan for RFC8996", and a
      plan cannot be seen from outside, so accepting them is not yet a failure of its words.
    - suites: no forward-secret AEAD suite in TLS 1.2/1.3 fails. Weaker 1.2 suites accepted
      beside strong ones are judged by the server's measured PREFERENCE, which is what the
      criterion asks for: strong suites always preferred passes, a weak suite chosen over a
      strong one the client also offered fails (RFC 9325 4.2.1), not measured is an error.
    - dh: a finite-field group under 2048 bits fails (Logjam, RFC 9325 4.1).
    - certificate: not valid for the name fails; not fetched is an error.
    A server that could not be scanned, or a version that could not be tested, is an error.
    """
    if server.connection_error:
        return dict.fromkeys(ASPECTS, CheckStatus.ERROR)
    accepted = server.accepted_versions
    modern = [v for v in MODERN_VERSIONS if v in accepted]
    if any(v in accepted for v in ("SSLv2", "SSLv3")) or not (
        modern or any(v in server.untested_versions for v in MODERN_VERSIONS)
    ):
        versions = CheckStatus.FAIL
    elif server.untested_versions:
        versions = CheckStatus.ERROR
    elif server.legacy_versions:
        versions = CheckStatus.WARN
    else:
        versions = CheckStatus.PASS
    strong = [
        s for s in server.suites if s.version in MODERN_VERSIONS and s.forward_secret and s.aead
    ]
    if not strong:
        untested = any(v in server.untested_versions for v in MODERN_VERSIONS)
        suites = CheckStatus.ERROR if untested else CheckStatus.FAIL
    elif server.modern_suites_without_fs_or_aead:
        suites = _PREFERENCE_STATUS[preference.finding] if preference else CheckStatus.ERROR
    else:
        suites = CheckStatus.PASS
    if not server.certificate_checked:
        certificate = CheckStatus.ERROR
    else:
        certificate = CheckStatus.PASS if server.certificate_valid else CheckStatus.FAIL
    return {
        "versions": versions,
        "suites": suites,
        "dh": CheckStatus.FAIL if server.weak_dh_suites else CheckStatus.PASS,
        "certificate": certificate,
    }


def _server_details(server: ServerTls, preference: Preference | None) -> dict[str, Any]:
    status, problems = judge_server(server, preference)
    details: dict[str, Any] = {
        "host": server.host,
        "address": server.address,
        "port": server.port,
        "status": status.value,
        "problems": problems,
        "aspects": {name: found.value for name, found in aspects(server, preference).items()},
    }
    if server.connection_error:
        return details
    suites: dict[str, list[str]] = {}
    for suite in server.suites:
        suites.setdefault(suite.version, []).append(suite.name)
    return details | {
        "accepted_versions": server.accepted_versions,
        "suites": suites,
        "weak_dh": [{"suite": s.name, "bits": s.key_bits} for s in server.weak_dh_suites],
        "without_forward_secrecy_or_aead": server.modern_suites_without_fs_or_aead,
        "certificate_valid": server.certificate_valid,
        "certificate_error": server.certificate_error,
        "untested_versions": list(server.untested_versions),
        # null: no weak suite beside a strong one, so no preference to measure.
        "preference": preference.as_dict() if preference else None,
    }


def _targets(
    hosts: list[str], port: int, *, smtp_starttls: bool, resolve: Resolve, config: NetConfig
) -> tuple[list[ScanTarget], list[dict[str, Any]]]:
    """The (host, address) pairs to scan, and an error entry for each host that has none."""
    targets: list[ScanTarget] = []
    unreachable: list[dict[str, Any]] = []
    for host in hosts:
        try:
            addresses = guarded_addresses(host, resolve, config)
        except ForbiddenAddress as exc:
            # Refused by the SSRF guard: not scanned, and said so apart from "unreachable".
            unreachable.append(
                {
                    "host": host,
                    "status": CheckStatus.ERROR.value,
                    "problems": [str(exc)],
                    "refused": True,
                }
            )
            continue
        except ConnectionProblem as exc:
            unreachable.append(
                {"host": host, "status": CheckStatus.ERROR.value, "problems": [str(exc)]}
            )
            continue
        routed = [a for a in addresses if has_route(a)][:MAX_ADDRESSES_PER_HOST]
        if not routed:
            problem = f"no route from here to any address of {host}: {', '.join(addresses)}"
            unreachable.append(
                {"host": host, "status": CheckStatus.ERROR.value, "problems": [problem]}
            )
            continue
        targets += [ScanTarget(host, address, port, smtp_starttls) for address in routed]
    return targets, unreachable


def _check(
    check: str,
    hosts: list[str],
    port: int,
    *,
    smtp_starttls: bool,
    resolve: Resolve,
    config: NetConfig,
) -> CheckResult:
    started = time.monotonic()
    targets, unreachable = _targets(
        hosts, port, smtp_starttls=smtp_starttls, resolve=resolve, config=config
    )
    # The address lookups above came out of this check's time bound.
    left = config.tls_scan_timeout - (time.monotonic() - started)
    scanned = scan_servers(targets, config, bound=left)
    preferences = _preferences(targets, scanned, config, started)
    servers = unreachable + [
        _server_details(s, p) for s, p in zip(scanned, preferences, strict=True)
    ]
    summaries = {
        CheckStatus.PASS: _(
            "Only TLS 1.2 or newer, forward-secret AEAD suites, no weak DH, valid certificate."
        ),
        CheckStatus.FAIL: _("TLS configuration has defects."),
        CheckStatus.ERROR: _("TLS could not be tested on every host."),
    }
    result = per_host_result(check, hosts, servers, summaries, started)
    # Per aspect, the worst over every host; a host that could not even be resolved has no
    # aspects, so each of them is unknown (error) there.
    overall = {
        name: worst(CheckStatus(s.get("aspects", {}).get(name, "error")) for s in servers).value
        for name in ASPECTS
    }
    return dataclasses.replace(result, details={**result.details, "aspects": overall})


def _preferences(
    targets: list[ScanTarget], scanned: list[ServerTls], config: NetConfig, started: float
) -> list[Preference | None]:
    """Each scanned server's suite preference where it has weak suites beside strong ones,
    side by side and within what is left of the check's bound."""
    deadline = Deadline(config.tls_scan_timeout - (time.monotonic() - started))

    def one(pair: tuple[ScanTarget, ServerTls]) -> Preference | None:
        target, server = pair
        return measure(target, server, config, deadline) if needs_measuring(server) else None

    return concurrently(one, zip(targets, scanned, strict=True))


def check_tls_web(web_host: str | None, *, resolve: Resolve, config: NetConfig) -> CheckResult:
    """`tls_web`: the HTTPS server of the web host (RFC 8996, RFC 9325, RFC 6125)."""
    if not web_host:
        return CheckResult("tls_web", "", CheckStatus.NOT_APPLICABLE, _("No web host."))
    return _check(
        "tls_web", [web_host], config.port(443), smtp_starttls=False, resolve=resolve, config=config
    )


def check_tls_mail(mx_hosts: Iterable[str], *, resolve: Resolve, config: NetConfig) -> CheckResult:
    """`tls_mail`: each MX host's STARTTLS (RFC 3207) judged as `tls_web` is (RFC 8996, 9325)."""
    hosts = unique(mx_hosts)
    if not hosts:
        return no_mx_hosts("tls_mail")
    return _check(
        "tls_mail", hosts, config.port(25), smtp_starttls=True, resolve=resolve, config=config
    )

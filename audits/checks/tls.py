"""`tls_web` and `tls_mail`: protocol versions, cipher suites and the certificate.

RFC 8996 deprecates TLS 1.0 and 1.1: a server that still accepts either fails. RFC 9325 (BCP 195)
4.2 recommends forward-secret AEAD suites: a server that accepts a TLS 1.2 suite without them fails.
The certificate must verify for the name (RFC 6125) against the public roots plus AUDIT_CA_BUNDLE.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from django.utils.translation import gettext_lazy as _

from audits.checks.result import CheckResult, CheckStatus
from audits.net import smtp
from audits.net.config import NetConfig
from audits.net.guard import ForbiddenAddress
from audits.net.tls import (
    ConnectionProblem,
    Deadline,
    TlsScan,
    guarded_addresses,
    scan,
    tcp_connector,
)

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


def no_mx_hosts(check: str) -> CheckResult:
    """The result of a per-MX check for a domain without MX hosts (null MX or none)."""
    return CheckResult(
        check, "", CheckStatus.NOT_APPLICABLE, _("No MX hosts: the domain accepts no mail.")
    )


def judge_scan(scan_result: TlsScan) -> tuple[CheckStatus, list[str]]:
    """The verdict on one server's TLS, with the reasons for it."""
    problems: list[str] = []
    legacy = scan_result.legacy_versions
    if legacy:
        problems.append(f"accepts {', '.join(legacy)} (deprecated by RFC 8996)")
    if not any(v in scan_result.accepted for v in ("TLSv1.2", "TLSv1.3")):
        problems.append("no TLS 1.2 or 1.3")
    if scan_result.weak_suite:
        problems.append(f"accepts {scan_result.weak_suite} (no forward secrecy or no AEAD)")
    session = scan_result.session
    if session is not None and not session.verified:
        problems.append(f"certificate not valid: {session.verify_error}")
    return (CheckStatus.FAIL if problems else CheckStatus.PASS), problems


def _scan_details(scan_result: TlsScan) -> dict[str, Any]:
    session = scan_result.session
    return {
        "accepted": scan_result.accepted,
        "weak_suite": scan_result.weak_suite,
        "negotiated": {"version": session.version, "cipher": session.cipher} if session else None,
        "certificate_valid": bool(session and session.verified),
    }


def _host_verdict(
    host: str, work: Callable[[str], TlsScan], resolve: Resolve, config: NetConfig
) -> dict[str, Any]:
    try:
        address = guarded_addresses(host, resolve, config)[0]
        scan_result = work(address)
    except (ConnectionProblem, ForbiddenAddress) as exc:
        return {"host": host, "status": CheckStatus.ERROR, "problems": [str(exc)]}
    status, problems = judge_scan(scan_result)
    return {
        "host": host,
        "address": address,
        "status": status,
        "problems": problems,
        **_scan_details(scan_result),
    }


def _result(check: str, target: str, hosts: list[dict[str, Any]], started: float) -> CheckResult:
    status = worst(h["status"] for h in hosts)
    summary = {
        CheckStatus.PASS: _(
            "Only TLS 1.2 or newer, forward-secret AEAD suites, valid certificate."
        ),
        CheckStatus.FAIL: _("TLS configuration has defects."),
        CheckStatus.ERROR: _("TLS could not be tested on every host."),
    }[status]
    for host in hosts:
        host["status"] = host["status"].value
    return CheckResult(
        check,
        target,
        status,
        summary,
        {"hosts": hosts},
        duration_ms=(time.monotonic() - started) * 1000,
    )


def check_tls_web(web_host: str | None, *, resolve: Resolve, config: NetConfig) -> CheckResult:
    """`tls_web`: the HTTPS server of the web host (RFC 8996, RFC 9325, RFC 6125)."""
    started = time.monotonic()
    if not web_host:
        return CheckResult("tls_web", "", CheckStatus.NOT_APPLICABLE, _("No web host."))
    port = config.port(443)
    verdict = _host_verdict(
        web_host,
        lambda address: scan(tcp_connector(address, port), web_host, config),
        resolve,
        config,
    )
    return _result("tls_web", web_host, [verdict], started)


def check_tls_mail(mx_hosts: Iterable[str], *, resolve: Resolve, config: NetConfig) -> CheckResult:
    """`tls_mail`: each MX host's STARTTLS (RFC 3207) judged as `tls_web` is (RFC 8996, 9325)."""
    started = time.monotonic()
    hosts = unique(mx_hosts)
    if not hosts:
        return no_mx_hosts("tls_mail")
    port = config.port(25)

    def one(host: str) -> dict[str, Any]:
        def work(address: str) -> TlsScan:
            deadline = Deadline(config.check_timeout)
            return scan(smtp.starttls_connector(address, port, config, deadline), host, config)

        return _host_verdict(host, work, resolve, config)

    return _result("tls_mail", ", ".join(hosts), concurrently(one, hosts), started)

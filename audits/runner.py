"""Run every check for one domain concurrently, each within its time bound.

No database here: the `audit` command and the Celery task both call `run_audit` with plain values.
The wall time of an audit is close to its slowest check, not the sum, because every check runs
in its own thread (they spend their time waiting on the network).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from audits.checks.caa import check_caa
from audits.checks.dane import TlsaRecord, TlsaSet, check_dane
from audits.checks.dkim import check_dkim
from audits.checks.dmarc import check_dmarc
from audits.checks.dnssec import check_dnssec
from audits.checks.expect_ct import check_expect_ct
from audits.checks.mta_sts import check_mta_sts
from audits.checks.mx import MxSet, check_mx, lookup_mx
from audits.checks.result import CheckResult, CheckStatus
from audits.checks.smtps import check_smtps_submission
from audits.checks.spf import check_spf
from audits.checks.starttls import check_starttls
from audits.checks.tls import check_tls_mail, check_tls_web
from audits.checks.tls_rpt import check_tls_rpt
from audits.checks.web import check_csp, check_hsts, check_https_redirect, check_sri
from audits.checks.wkd import check_wkd
from audits.net.config import NetConfig
from audits.net.dns import DnsError, DnsResolver, DnsServFail
from audits.registry import BY_KEY, GRACE_SECONDS, time_bound

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AuditTarget:
    """What to audit. Hosts left empty are derived: MX from DNS, the web host is the domain."""

    domain: str
    mx_hosts: tuple[str, ...] = ()
    web_host: str | None = None
    submission_host: str | None = None
    dkim_selectors: tuple[str, ...] = ()
    wkd_address: str | None = None


@dataclass(frozen=True)
class AuditReport:
    domain: str
    results: tuple[CheckResult, ...]
    wall_ms: float
    mx_hosts: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict:
        return {"domain": self.domain, "results": [r.as_dict() for r in self.results]}


Progress = Callable[[CheckResult], None]


def run_audit(
    target: AuditTarget,
    config: NetConfig,
    progress: Progress | None = None,
    only: tuple[str, ...] | None = None,
) -> AuditReport:
    """Run every check (or the registry keys in `only`) on `target` and collect the results."""
    started = time.monotonic()
    unknown = set(only or ()) - set(BY_KEY)
    if unknown:
        raise ValueError(f"Unknown checks: {', '.join(sorted(unknown))}")
    dns = DnsResolver.for_check(config)
    needs_mx = only is None or bool(set(only) & MX_DEPENDENT)
    mx_hosts = target.mx_hosts or (_mx_hosts(target.domain, dns) if needs_mx else ())
    web_host = target.web_host or target.domain
    planned = plan_checks(target, mx_hosts, web_host, config)
    checks = planned if only is None else {key: planned[key] for key in only}
    if not checks:
        return AuditReport(target.domain, (), (time.monotonic() - started) * 1000, mx_hosts)
    results: list[CheckResult] = []
    with ThreadPoolExecutor(max_workers=len(checks), thread_name_prefix="audit") as pool:
        futures: dict[str, Future[CheckResult]] = {
            key: pool.submit(_guarded, key, target.domain, run) for key, run in checks.items()
        }
        submitted = time.monotonic()
        for key, future in futures.items():
            bound = time_bound(key, config)
            deadline = submitted + bound + GRACE_SECONDS
            try:
                result = future.result(timeout=max(0.0, deadline - time.monotonic()))
            except FutureTimeout:
                result = CheckResult(
                    key,
                    target.domain,
                    CheckStatus.ERROR,
                    _("The check did not finish within its time bound."),
                    {"bound_seconds": bound},
                )
            results.append(result)
            if progress is not None:
                progress(result)
        # Threads stuck past the bound are left to their own socket timeouts; not waiting on
        # them keeps the audit's wall time bounded.
        pool.shutdown(wait=False, cancel_futures=True)
    return AuditReport(
        target.domain, tuple(results), (time.monotonic() - started) * 1000, tuple(mx_hosts)
    )


# Checks about the domain's MX hosts, looked up once before the checks start. (dnssec also
# covers the MX hosts when a mail check needed them anyway; on a web host it does not.)
MX_DEPENDENT = frozenset({"mx", "mta_sts", "dane", "starttls", "tls_mail"})


def _mx_hosts(domain: str, dns: DnsResolver) -> tuple[str, ...]:
    try:
        mx: MxSet = lookup_mx(domain, dns)
    except DnsError:
        return ()  # the mx check itself reports why
    return () if mx.is_null else mx.hosts


def plan_checks(
    target: AuditTarget, mx_hosts: tuple[str, ...], web_host: str, config: NetConfig
) -> dict[str, Callable[[], CheckResult]]:
    """Check key -> a call with everything it needs. Each gets its own resolver and time bound."""
    domain = target.domain

    def resolver() -> DnsResolver:
        return DnsResolver.for_check(config)

    def addresses(host: str) -> list[str]:
        return resolver().addresses(host)

    def txt(name: str) -> list[str]:
        return list(resolver().query(name, "TXT").records)

    return {
        "dnssec": lambda: check_dnssec(domain, resolver(), config, mx_hosts or None),
        "mx": lambda: check_mx(domain, resolver(), config),
        "spf": lambda: check_spf(domain, resolver(), config),
        "dmarc": lambda: check_dmarc(domain, resolver(), config),
        "dkim": lambda: check_dkim(domain, resolver(), config, target.dkim_selectors),
        "mta_sts": lambda: check_mta_sts(
            domain, mx_hosts, resolve_txt=txt, resolve=addresses, config=config
        ),
        "tls_rpt": lambda: check_tls_rpt(domain, resolver(), config),
        "dane": lambda: check_dane(
            mx_hosts,
            {h: tlsa_set(resolver(), h) for h in mx_hosts},
            resolve=addresses,
            config=config,
        ),
        "caa": lambda: check_caa(domain, resolver(), config),
        "starttls": lambda: check_starttls(mx_hosts, resolve=addresses, config=config),
        "smtps_submission": lambda: check_smtps_submission(
            target.submission_host, resolve=addresses, config=config
        ),
        "tls_web": lambda: check_tls_web(web_host, resolve=addresses, config=config),
        "tls_mail": lambda: check_tls_mail(mx_hosts, resolve=addresses, config=config),
        "hsts": lambda: check_hsts(web_host, resolve=addresses, config=config),
        "csp": lambda: check_csp(web_host, resolve=addresses, config=config),
        "sri": lambda: check_sri(web_host, resolve=addresses, config=config),
        "https_redirect": lambda: check_https_redirect(web_host, resolve=addresses, config=config),
        "wkd": lambda: check_wkd(target.wkd_address, resolve=addresses, config=config),
        "expect_ct": lambda: check_expect_ct(web_host),
    }


def tlsa_set(dns: DnsResolver, mx_host: str, port: int = 25) -> TlsaSet:
    """The TLSA RRset at _25._tcp.<mx> with its DNSSEC state (RFC 7672 section 2.2)."""
    try:
        answer = dns.query(f"_{port}._tcp.{mx_host}", "TLSA")
    except DnsServFail:
        return TlsaSet(records=(), secure=False, bogus=True)
    records = []
    for text in answer.records:
        usage, selector, mtype, *data = text.split()
        records.append(
            TlsaRecord(int(usage), int(selector), int(mtype), bytes.fromhex("".join(data)))
        )
    return TlsaSet(records=tuple(records), secure=answer.secure)


def _guarded(key: str, domain: str, run: Callable[[], CheckResult]) -> CheckResult:
    """A check that raises becomes an error result: one broken check never sinks the audit."""
    try:
        return run()
    except DnsError as exc:
        return CheckResult(
            key, domain, CheckStatus.ERROR, _("DNS lookup failed."), {"error": str(exc)}
        )
    except Exception as exc:
        logger.exception("check %s crashed on %s", key, domain)
        return CheckResult(
            key,
            domain,
            CheckStatus.ERROR,
            _("The check failed unexpectedly."),
            {"error": f"{type(exc).__name__}: {exc}"},
        )

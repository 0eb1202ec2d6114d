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
from audits.scoring import PREREQUISITES
from providers.domains import dkim_name, normalise_address, normalise_name, normalise_selector

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AuditTarget:
    """What to audit. Hosts left empty are derived: MX from DNS, the web host is the domain, the
    submission hosts from SRV records or conventional names (audits/checks/submission.py)."""

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
    target = canonical_target(target, config)
    dns = DnsResolver.for_check(config)
    needs_mx = only is None or bool(set(only) & MX_DEPENDENT)
    mx_error = None
    mx_hosts = target.mx_hosts
    if not mx_hosts and needs_mx:
        mx_hosts, mx_error = _mx_hosts(target.domain, dns)
    web_host = target.web_host or target.domain
    planned = plan_checks(target, mx_hosts, web_host, config, mx_error=mx_error)
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


def canonical_target(target: AuditTarget, config: NetConfig) -> AuditTarget:
    """`target` with every name in A-label form and every selector checked.

    Names stored by the admin may be U-labels ("straße.de"); the checks and the resolver take
    A-labels only. Raises InvalidDomain (a ValueError) for a name that cannot be audited.
    """
    allow_test = config.allow_private_networks

    def name(raw: str) -> str:
        return normalise_name(raw, allow_test=allow_test).ascii

    domain = name(target.domain)
    selectors = tuple(normalise_selector(s) for s in target.dkim_selectors)
    for selector in selectors:
        dkim_name(selector, domain)  # refuses a selector too long for this domain
    address = target.wkd_address
    return AuditTarget(
        domain=domain,
        mx_hosts=tuple(name(h) for h in target.mx_hosts),
        web_host=name(target.web_host) if target.web_host else None,
        submission_host=name(target.submission_host) if target.submission_host else None,
        dkim_selectors=selectors,
        wkd_address=normalise_address(address, allow_test=allow_test).ascii if address else None,
    )


# Checks about the domain's MX hosts, looked up once before the checks start (the table of
# prerequisites is audits/scoring.py's). dnssec also covers the MX hosts when a mail check needed
# them anyway; on a web host it does not.
MX_DEPENDENT = frozenset({"mx", *(c for c, needs in PREREQUISITES.items() if needs == "mx")})


def _mx_hosts(domain: str, dns: DnsResolver) -> tuple[tuple[str, ...], str | None]:
    """The MX hosts, and why they are unknown when the lookup failed.

    A failed lookup is not an empty answer: the mx check reports it itself, and the checks that
    need the hosts are reported as errors rather than as "accepts no mail".
    """
    try:
        mx: MxSet = lookup_mx(domain, dns)
    except DnsError as exc:
        return (), str(exc)
    return (() if mx.is_null else mx.hosts), None


def mx_unknown(check: str, domain: str, error: str) -> CheckResult:
    """The result of a check that needs the MX hosts when their lookup failed."""
    return CheckResult(
        check,
        domain,
        CheckStatus.ERROR,
        _("The MX records could not be looked up."),
        {"prerequisite": "mx", "error": f"could not determine the MX hosts: {error}"},
    )


def plan_checks(
    target: AuditTarget,
    mx_hosts: tuple[str, ...],
    web_host: str,
    config: NetConfig,
    *,
    mx_error: str | None = None,
) -> dict[str, Callable[[], CheckResult]]:
    """Check key -> a call with everything it needs. Each gets its own resolver and time bound.

    With `mx_error` (the MX lookup failed), the checks that need the MX hosts are errors.
    """
    planned = _plan(target, mx_hosts, web_host, config)
    if mx_error is not None:
        for key in MX_DEPENDENT - {"mx"}:
            planned[key] = lambda key=key: mx_unknown(key, target.domain, mx_error)
    return planned


def _plan(
    target: AuditTarget, mx_hosts: tuple[str, ...], web_host: str, config: NetConfig
) -> dict[str, Callable[[], CheckResult]]:
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
            target.submission_host,
            resolve=addresses,
            config=config,
            domain=domain,
            dns=resolver(),
        ),
        "tls_web": lambda: check_tls_web(web_host, resolve=addresses, config=config),
        "tls_mail": lambda: check_tls_mail(mx_hosts, resolve=addresses, config=config),
        "hsts": lambda: check_hsts(web_host, resolve=addresses, config=config),
        "csp": lambda: check_csp(web_host, resolve=addresses, config=config),
        "sri": lambda: check_sri(web_host, resolve=addresses, config=config),
        "https_redirect": lambda: check_https_redirect(web_host, resolve=addresses, config=config),
        "wkd": lambda: check_wkd(
            domain, address=target.wkd_address, resolve=addresses, config=config
        ),
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

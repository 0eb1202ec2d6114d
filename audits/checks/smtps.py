"""`smtps_submission`: mail submission over TLS, at every host and port a mail client would use.

The endpoints are the given submission host on 465 and 587, or else what discovery finds
(audits/checks/submission.py: SRV records of RFC 6186 / RFC 8314, then smtp.<domain> and
mail.<domain>). Each is judged on its own terms: implicit TLS (RFC 8314 3.3) where the service
is `_submissions` or the port 465, STARTTLS (RFC 6409, RFC 3207) where it is `_submission` or 587;
either must negotiate TLS 1.2 or newer (RFC 8996).

A port that refuses the connection is "not offered" on a given or guessed host, but a failure on
an endpoint the domain's own SRV records advertise. A timeout or reset means it could not be
tested; so does a host the SSRF guard refused to connect to, reported with that reason.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy as _

from audits.checks.result import CheckResult, CheckStatus
from audits.checks.starttls import MODERN_VERSIONS, judge_probe
from audits.checks.submission import Discovery, Endpoint, discover, given_host
from audits.checks.tls import concurrently, worst
from audits.net import smtp
from audits.net.config import NetConfig
from audits.net.dns import Resolver
from audits.net.guard import ForbiddenAddress
from audits.net.tls import ConnectionProblem, guarded_addresses

CHECK = "smtps_submission"
NOT_OFFERED = "not_offered"


def _probe(endpoint: Endpoint, address: str, config: NetConfig) -> tuple[CheckStatus, str]:
    port = config.port(endpoint.port)
    if endpoint.tls == "implicit":
        probe = smtp.probe_implicit_tls(endpoint.host, address, port, config)
        ok = probe.tls is not None and probe.tls.version in MODERN_VERSIONS
        message = f"{probe.tls.version} with {probe.tls.cipher}" if probe.tls else probe.tls_error
        return (CheckStatus.PASS if ok else CheckStatus.FAIL), message or "no TLS"
    return judge_probe(smtp.probe_starttls(endpoint.host, address, port, config))


def _attempt(
    endpoint: Endpoint, resolve: Callable[[str], list[str]], config: NetConfig
) -> dict[str, Any]:
    found: dict[str, Any] = {
        "host": endpoint.host,
        "port": endpoint.port,
        "tls": endpoint.tls,
        "source": endpoint.source,
    }
    try:
        address = guarded_addresses(endpoint.host, resolve, config)[0]
    except ForbiddenAddress as exc:
        # Not "could not be resolved": it resolved, to an address we must not connect to.
        return {**found, "status": CheckStatus.ERROR.value, "refused": True, "message": str(exc)}
    except ConnectionProblem as exc:
        return {**found, "status": CheckStatus.ERROR.value, "message": str(exc)}
    status: str
    try:
        verdict, message = _probe(endpoint, address, config)
        status = verdict.value
    except ConnectionProblem as exc:
        # Nothing listening is an answer; silence or a reset is not.
        if exc.kind != "refused":
            status = CheckStatus.ERROR.value
        elif endpoint.source == "srv":
            status = CheckStatus.FAIL.value  # the domain's own SRV record promises this port
        else:
            status = NOT_OFFERED
        message = str(exc)
    return {**found, "address": address, "status": status, "message": message}


def check_smtps_submission(
    submission_host: str | None,
    *,
    resolve: Callable[[str], list[str]],
    config: NetConfig,
    domain: str | None = None,
    dns: Resolver | None = None,
) -> CheckResult:
    """Submission over TLS at `submission_host`, or wherever `domain`'s clients would find it."""
    started = time.monotonic()
    if submission_host:
        found = given_host(submission_host)
    elif domain and dns is not None:
        found = discover(domain, dns, resolve)
    else:
        return CheckResult(CHECK, "", CheckStatus.NOT_APPLICABLE, _("No submission host."))
    attempts = concurrently(lambda e: _attempt(e, resolve, config), list(found.endpoints))
    status, summary = _verdict(found, attempts)
    details: dict[str, Any] = {
        "discovery": {"method": found.method, "how": found.explanation, **found.lookups},
        "attempts": attempts,
    }
    if found.errors:
        details["errors"] = list(found.errors)
    hosts = ", ".join(dict.fromkeys(e.host for e in found.endpoints))
    return CheckResult(
        CHECK,
        hosts or submission_host or domain or "",
        status,
        summary,
        details,
        duration_ms=(time.monotonic() - started) * 1000,
    )


def _verdict(found: Discovery, attempts: list[dict[str, Any]]) -> tuple[CheckStatus, Any]:
    offered = [CheckStatus(a["status"]) for a in attempts if a["status"] != NOT_OFFERED]
    status = worst(offered) if offered else None
    if status is CheckStatus.FAIL:
        return status, _("A submission host or port does not offer TLS 1.2 or newer.")
    if found.errors or status is CheckStatus.ERROR:
        # A discovery lookup that failed may hide an endpoint: no pass on what we did see.
        return CheckStatus.ERROR, _("The submission host could not be tested.")
    if status is CheckStatus.PASS:
        if not any(
            a["tls"] == "implicit" and a["status"] == CheckStatus.PASS.value for a in attempts
        ):
            # The criterion asks for SMTPS: implicit TLS (RFC 8314 3.3). STARTTLS is secure too
            # when it works, but a client can be stripped of it, so it is only partly met.
            return CheckStatus.WARN, _(
                "Submission is offered with STARTTLS only, not with implicit TLS (SMTPS)."
            )
        return status, _("Submission is offered over TLS 1.2 or newer.")
    if attempts:  # every port of a given or guessed host refused the connection
        return (
            CheckStatus.FAIL,
            _("Neither implicit TLS on 465 nor STARTTLS on 587 with TLS 1.2 or newer."),
        )
    # SRV "." for both services, or nothing found: the domain offers no SMTP submission, which
    # the criterion ("assuming SMTP is used") then does not apply to.
    return CheckStatus.NOT_APPLICABLE, _("No submission host.")

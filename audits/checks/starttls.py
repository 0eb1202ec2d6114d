"""`starttls`: every MX host offers STARTTLS (RFC 3207) and negotiates TLS 1.2 or newer (RFC 8996).

The handshake is the one a modern client makes (TLS >= 1.2); a server that cannot complete it
fails. Certificate validity is judged by `tls_mail` and `dane`, not here: RFC 3207 STARTTLS is
opportunistic, so an MX with a self-signed certificate still encrypts.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _

from audits.checks.result import CheckResult, CheckStatus
from audits.checks.tls import concurrently, no_mx_hosts, per_host_result, unique
from audits.net import smtp
from audits.net.config import NetConfig
from audits.net.guard import ForbiddenAddress
from audits.net.tls import ConnectionProblem, guarded_addresses

MODERN_VERSIONS = frozenset({"TLSv1.2", "TLSv1.3"})


def judge_probe(probe: smtp.SmtpProbe) -> tuple[CheckStatus, str]:
    if not probe.starttls_offered:
        return CheckStatus.FAIL, "STARTTLS is not offered"
    if probe.tls is None:
        return CheckStatus.FAIL, f"no TLS 1.2+ handshake: {probe.tls_error}"
    if probe.tls.version not in MODERN_VERSIONS:
        return CheckStatus.FAIL, f"negotiated {probe.tls.version}"
    return CheckStatus.PASS, f"{probe.tls.version} with {probe.tls.cipher}"


def check_starttls(
    mx_hosts: Iterable[str], *, resolve: Callable[[str], list[str]], config: NetConfig
) -> CheckResult:
    started = time.monotonic()
    hosts = unique(mx_hosts)
    if not hosts:
        return no_mx_hosts("starttls")
    port = config.port(25)

    def one(host: str) -> dict[str, Any]:
        try:
            address = guarded_addresses(host, resolve, config)[0]
            probe = smtp.probe_starttls(host, address, port, config)
        except ForbiddenAddress as exc:
            # The SSRF guard's refusal has its own reason: the host resolved, to a non-public
            # address, which is neither "could not be resolved" nor a verdict on the server.
            return {"host": host, "status": CheckStatus.ERROR, "refused": True, "message": str(exc)}
        except ConnectionProblem as exc:
            return {"host": host, "status": CheckStatus.ERROR, "message": str(exc)}
        status, message = judge_probe(probe)
        return {"host": host, "address": address, "status": status, "message": message}

    summaries = {
        CheckStatus.PASS: _("Every MX host offers STARTTLS with TLS 1.2 or newer."),
        CheckStatus.FAIL: _("An MX host does not offer STARTTLS with TLS 1.2 or newer."),
        CheckStatus.ERROR: _("An MX host could not be tested."),
    }
    return per_host_result("starttls", hosts, concurrently(one, hosts), summaries, started)

"""`smtps_submission`: mail submission over TLS at the submission host.

RFC 8314 3.3 prefers implicit TLS on port 465; STARTTLS on 587 (RFC 6409, RFC 3207) also counts.
Either must negotiate TLS 1.2 or newer (RFC 8996). A refused port means "not offered"; a timeout or
reset means the host could not be tested.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy as _

from audits.checks.result import CheckResult, CheckStatus
from audits.checks.starttls import MODERN_VERSIONS, judge_probe
from audits.checks.tls import concurrently
from audits.net import smtp
from audits.net.config import NetConfig
from audits.net.guard import ForbiddenAddress
from audits.net.tls import ConnectionProblem, guarded_addresses


def _attempt(host: str, address: str, config: NetConfig, standard: int) -> dict[str, Any]:
    port = config.port(standard)
    try:
        if standard == 465:
            probe = smtp.probe_implicit_tls(host, address, port, config)
            ok = probe.tls is not None and probe.tls.version in MODERN_VERSIONS
            status = CheckStatus.PASS if ok else CheckStatus.FAIL
            message = (
                f"{probe.tls.version} with {probe.tls.cipher}" if probe.tls else probe.tls_error
            )
        else:
            status, message = judge_probe(smtp.probe_starttls(host, address, port, config))
    except ConnectionProblem as exc:
        # Nothing listening is an answer ("not offered"); silence or a reset is not.
        status = CheckStatus.FAIL if exc.kind == "refused" else CheckStatus.ERROR
        message = str(exc)
    return {"port": standard, "status": status, "message": message}


def check_smtps_submission(
    submission_host: str | None, *, resolve: Callable[[str], list[str]], config: NetConfig
) -> CheckResult:
    started = time.monotonic()
    if not submission_host:
        return CheckResult(
            "smtps_submission", "", CheckStatus.NOT_APPLICABLE, _("No submission host.")
        )
    try:
        address = guarded_addresses(submission_host, resolve, config)[0]
    except (ConnectionProblem, ForbiddenAddress) as exc:
        return CheckResult(
            "smtps_submission",
            submission_host,
            CheckStatus.ERROR,
            _("The submission host could not be resolved."),
            {"message": str(exc)},
            duration_ms=(time.monotonic() - started) * 1000,
        )
    # Both ports at once: the wall time is the slower one, not the sum.
    attempts = concurrently(
        lambda port: _attempt(submission_host, address, config, port), [465, 587]
    )
    statuses = {a["status"] for a in attempts}
    if CheckStatus.PASS in statuses:
        status = CheckStatus.PASS
        summary = _("Submission is offered over TLS 1.2 or newer.")
    elif CheckStatus.ERROR in statuses:
        status = CheckStatus.ERROR
        summary = _("The submission host could not be tested.")
    else:
        status = CheckStatus.FAIL
        summary = _("Neither implicit TLS on 465 nor STARTTLS on 587 with TLS 1.2 or newer.")
    for attempt in attempts:
        attempt["status"] = attempt["status"].value
    return CheckResult(
        "smtps_submission",
        submission_host,
        status,
        summary,
        {"address": address, "attempts": attempts},
        duration_ms=(time.monotonic() - started) * 1000,
    )

"""`mta_sts`: SMTP MTA Strict Transport Security (RFC 8461).

The `_mta-sts` TXT record (3.1), the policy fetched from https://mta-sts.<domain>/.well-known/
mta-sts.txt with a valid certificate, no redirect followed and at most 64 KiB (3.3), its syntax
(3.2), its mode (enforce passes, testing warns, none fails), and every MX host matched by an `mx:`
pattern (4.1).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _

from audits.checks.mta_sts_parser import (
    StsSyntaxError,
    is_sts_record,
    mx_matches,
    parse_policy,
    parse_sts_record,
)
from audits.checks.result import CheckResult, CheckStatus
from audits.checks.tls import unique
from audits.net.config import NetConfig
from audits.net.guard import ForbiddenAddress
from audits.net.http import HttpError, fetch

MAX_POLICY_BYTES = 64 * 1024  # 3.3: senders may refuse larger policies; we cap reads there
MIN_SANE_MAX_AGE = 86400  # 3.2 recommends weeks; under a day makes the policy all but useless


def check_mta_sts(
    domain: str,
    mx_hosts: Iterable[str],
    *,
    resolve_txt: Callable[[str], list[str]],
    resolve: Callable[[str], list[str]],
    config: NetConfig,
) -> CheckResult:
    started = time.monotonic()
    details: dict[str, Any] = {}

    def result(status: CheckStatus, summary: Any) -> CheckResult:
        return CheckResult(
            "mta_sts",
            domain,
            status,
            summary,
            details,
            duration_ms=(time.monotonic() - started) * 1000,
        )

    hosts = unique(mx_hosts)
    if not hosts:
        return result(CheckStatus.NOT_APPLICABLE, _("No MX hosts: the domain accepts no mail."))

    try:
        txts = resolve_txt(f"_mta-sts.{domain}")
    except Exception as exc:  # a resolver failure of whatever type: we cannot tell
        details["message"] = str(exc)
        return result(CheckStatus.ERROR, _("The _mta-sts record could not be looked up."))
    records = [t for t in txts if is_sts_record(t)]
    details["records"] = records
    if not records:
        return result(CheckStatus.FAIL, _("No MTA-STS record."))
    if len(records) > 1:
        # 3.1: more than one record means senders assume no policy is available.
        return result(CheckStatus.FAIL, _("More than one MTA-STS record."))
    try:
        details["id"] = parse_sts_record(records[0]).id
    except StsSyntaxError as exc:
        details["message"] = str(exc)
        return result(CheckStatus.FAIL, _("The MTA-STS record is invalid."))

    url = f"https://mta-sts.{domain}/.well-known/mta-sts.txt"
    details["url"] = url
    try:
        response = fetch(url, resolve=resolve, config=config, max_bytes=MAX_POLICY_BYTES)
    except ForbiddenAddress as exc:
        details["message"] = str(exc)
        return result(CheckStatus.ERROR, _("The policy host is not a public address."))
    except HttpError as exc:
        details["message"] = str(exc)
        if exc.kind == "timeout":
            return result(CheckStatus.ERROR, _("The policy host did not answer in time."))
        if exc.kind == "tls":
            return result(CheckStatus.FAIL, _("The policy host has no valid certificate."))
        return result(CheckStatus.FAIL, _("The MTA-STS policy could not be fetched."))
    details["http_status"] = response.status
    if response.location is not None:
        details["location"] = response.location
        return result(
            CheckStatus.FAIL,
            _("The policy is served with a redirect (RFC 8461 3.3 forbids following it)."),
        )
    if response.status != 200:
        return result(CheckStatus.FAIL, _("The MTA-STS policy could not be fetched."))
    if response.truncated:
        return result(CheckStatus.FAIL, _("The MTA-STS policy is larger than 64 KiB."))
    content_type = (response.header("content-type") or "").split(";")[0].strip().lower()
    try:
        policy = parse_policy(response.body.decode("utf-8"))
    except (StsSyntaxError, UnicodeDecodeError) as exc:
        details["message"] = str(exc)
        return result(CheckStatus.FAIL, _("The MTA-STS policy is invalid."))
    details.update(mode=policy.mode, mx_patterns=list(policy.mx), max_age=policy.max_age)

    uncovered = [h for h in hosts if not any(mx_matches(p, h) for p in policy.mx)]
    details["uncovered_mx"] = uncovered
    if policy.mode == "none":
        return result(CheckStatus.FAIL, _('The MTA-STS policy mode is "none".'))
    if uncovered:
        return result(CheckStatus.FAIL, _("The MTA-STS policy does not cover every MX host."))
    warnings = []
    if policy.mode == "testing":
        warnings.append("mode is testing")
    if policy.max_age < MIN_SANE_MAX_AGE:
        warnings.append(f"max_age {policy.max_age} is under a day")
    if content_type != "text/plain":
        warnings.append(f"media type {content_type or 'missing'} instead of text/plain")
    details["warnings"] = warnings
    if warnings:
        return result(CheckStatus.WARN, _("MTA-STS is published but not fully enforced."))
    return result(CheckStatus.PASS, _("MTA-STS is enforced and covers every MX host."))

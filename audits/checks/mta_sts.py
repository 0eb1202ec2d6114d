"""`mta_sts`: SMTP MTA Strict Transport Security (RFC 8461).

The `_mta-sts` TXT record (3.1), the policy fetched from https://mta-sts.<domain>/.well-known/
mta-sts.txt with a valid certificate, no redirect followed and at most 64 KiB (3.3), served as
text/plain (3.2: MUST), its syntax (3.2), its mode, and every MX host matched by an `mx:` pattern
(4.1).

The criterion asks for "a valid MTA-STS ... policy", so validity is what fails: mode enforce and
testing both pass (testing is a valid mode, 5), and so does a short max_age (3.2 sets only a
maximum); both are noted in `notes`. Mode none fails: it is how a domain withdraws its policy
(5: senders treat the domain "as though it does not have any active policy"). A policy that
does not match every MX host fails too: it is not a valid policy for this domain's mail.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _

from audits.checks.mta_sts_parser import (
    StsPolicy,
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
MIN_SANE_MAX_AGE = 86400  # 3.2 expects weeks; under a day is noted, as it is still valid


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
        details.update(message=str(exc), refused=True)
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
    status, summary, found = judge_policy(policy, hosts, content_type)
    details.update(found)
    return result(status, summary)


def judge_policy(
    policy: StsPolicy, hosts: list[str], content_type: str
) -> tuple[CheckStatus, Any, dict[str, Any]]:
    """A parsed policy, as served, for these MX hosts: (status, summary, details to add)."""
    uncovered = [h for h in hosts if not any(mx_matches(p, h) for p in policy.mx)]
    found: dict[str, Any] = {"uncovered_mx": uncovered, "media_type": content_type or None}
    if content_type != "text/plain":
        # 3.2: the media type MUST be text/plain, and senders SHOULD refuse others (so that a
        # user-uploaded file on a shared host cannot pose as a policy).
        found["message"] = f"served as {content_type or 'no media type'}, not text/plain"
        return CheckStatus.FAIL, _("The MTA-STS policy is invalid."), found
    if policy.mode == "none":
        return CheckStatus.FAIL, _('The MTA-STS policy mode is "none".'), found
    if uncovered:
        return CheckStatus.FAIL, _("The MTA-STS policy does not cover every MX host."), found
    notes = []
    if policy.mode == "testing":
        notes.append("mode is testing: senders report failures but still deliver")
    if policy.max_age < MIN_SANE_MAX_AGE:
        notes.append(f"max_age {policy.max_age} is under a day")
    found["notes"] = notes
    if policy.mode == "testing":
        return CheckStatus.PASS, _("MTA-STS is published but not fully enforced."), found
    return CheckStatus.PASS, _("MTA-STS is enforced and covers every MX host."), found

"""The `dmarc` check: one DMARC record at _dmarc.<domain> with an enforcing policy (RFC 7489).

pass: p=quarantine or p=reject applied to all mail (pct=100) and no weaker sp=none;
warn: enforcing but pct < 100, or sp=none; fail: no record, two records (RFC 7489 6.6.3
says the receiver then applies no DMARC at all), a syntax error, or p=none.
Lookups of the organizational domain for subdomains (RFC 7489 6.6.3 step 3) are left out:
the check is pointed at the domains that send mail.
"""

from __future__ import annotations

import time

from django.utils.translation import gettext_lazy as _

from audits.checks.dmarc_parser import DmarcSyntaxError, is_dmarc_record, parse_record
from audits.checks.result import CheckResult, CheckStatus
from audits.net.config import NetConfig
from audits.net.dns import DnsError, Resolver

CHECK = "dmarc"


def check_dmarc(domain: str, dns: Resolver, config: NetConfig) -> CheckResult:
    """DMARC policy of `domain` (RFC 7489 6.1, 6.3, 6.6.3)."""
    started = time.monotonic()
    name = f"_dmarc.{domain}"

    def result(status: CheckStatus, summary: str, details: dict) -> CheckResult:
        details = {"name": name, **details}
        return CheckResult(
            CHECK, domain, status, summary, details, (time.monotonic() - started) * 1000
        )

    try:
        answer = dns.query(name, "TXT")
    except DnsError as exc:
        return result(
            CheckStatus.ERROR, _("The DMARC record could not be looked up."), {"error": str(exc)}
        )
    # The resolver layer already concatenated multi-string TXT records (RFC 7489 6.6.3).
    records = [r for r in answer.records if is_dmarc_record(r)]
    if not records:
        return result(CheckStatus.FAIL, _("No DMARC record is published."), {"records": []})
    if len(records) > 1:
        summary = _("More than one DMARC record: receivers ignore DMARC for this domain.")
        return result(CheckStatus.FAIL, summary, {"records": records})
    try:
        record = parse_record(records[0])
    except DmarcSyntaxError as exc:
        summary = _("The DMARC record has a syntax error.")
        return result(CheckStatus.FAIL, summary, {"records": records, "error": str(exc)})
    details = {
        "records": records,
        "p": record.policy,
        "sp": record.subdomain_policy,
        "pct": record.pct,
        "rua": list(record.rua),
        "ruf": list(record.ruf),
    }
    if record.policy == "none":
        summary = _("DMARC policy is p=none: failing mail is still delivered.")
        return result(CheckStatus.FAIL, summary, details)
    if record.pct < 100:
        summary = _("DMARC policy is enforced on only part of the mail (pct below 100).")
        return result(CheckStatus.WARN, summary, details)
    if record.effective_subdomain_policy == "none":
        summary = _("DMARC is enforced for the domain but not for its subdomains (sp=none).")
        return result(CheckStatus.WARN, summary, details)
    return result(CheckStatus.PASS, _("DMARC policy rejects or quarantines failing mail."), details)

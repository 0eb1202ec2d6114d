"""The `tls_rpt` check: an SMTP TLS Reporting policy at _smtp._tls.<domain> (RFC 8460 3).

pass: exactly one record, v=TLSRPTv1 first, a rua= of mailto: or https: URIs only; fail: no
record, several (RFC 8460 3: then no reports are sent), or a missing/invalid rua.
not_applicable for a null MX domain: it receives no mail, so there is no SMTP TLS to report on.
"""

from __future__ import annotations

import re
import time

from django.utils.translation import gettext_lazy as _

from audits.checks.mx import is_null_mx, not_applicable_for_null_mx
from audits.checks.result import CheckResult, CheckStatus
from audits.net.config import NetConfig
from audits.net.dns import DnsError, Resolver

CHECK = "tls_rpt"
_VERSION = re.compile(r"^v=TLSRPTv1\s*(;|$)")
_MAILTO = re.compile(r"^mailto:[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$", re.I)
_HTTPS = re.compile(r"^https://[^/\s,;?#]+(?:[/?#][^\s,;]*)?$", re.I)


class TlsRptSyntaxError(ValueError):
    pass


def is_tlsrpt_record(text: str) -> bool:
    return _VERSION.match(text) is not None


def parse_record(text: str) -> tuple[str, ...]:
    """The rua URIs of a TLSRPTv1 record; raises TlsRptSyntaxError when the record is invalid."""
    if not is_tlsrpt_record(text):
        raise TlsRptSyntaxError("The record does not start with v=TLSRPTv1")
    fields: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        name, sep, value = part.partition("=")
        if not sep:
            raise TlsRptSyntaxError(f"Invalid field {part!r}")
        fields.setdefault(name.strip().lower(), value.strip())
    if not fields.get("rua"):
        raise TlsRptSyntaxError("rua= is missing")
    uris = tuple(u.strip() for u in fields["rua"].split(","))
    for uri in uris:
        if not (_MAILTO.match(uri) or _HTTPS.match(uri)):
            raise TlsRptSyntaxError(f"rua {uri!r} is not a mailto: or https: URI")
    return uris


def check_tls_rpt(domain: str, dns: Resolver, config: NetConfig) -> CheckResult:
    """SMTP TLS reporting record of `domain` (RFC 8460 3)."""
    started = time.monotonic()
    name = f"_smtp._tls.{domain}"

    def result(status: CheckStatus, summary: str, details: dict) -> CheckResult:
        details = {"name": name, **details}
        return CheckResult(
            CHECK, domain, status, summary, details, (time.monotonic() - started) * 1000
        )

    if is_null_mx(domain, dns):
        return not_applicable_for_null_mx(CHECK, domain)
    try:
        answer = dns.query(name, "TXT")
    except DnsError as exc:
        return result(
            CheckStatus.ERROR, _("The TLS-RPT record could not be looked up."), {"error": str(exc)}
        )
    records = [r for r in answer.records if is_tlsrpt_record(r)]
    if not records:
        return result(CheckStatus.FAIL, _("No TLS-RPT record is published."), {"records": []})
    if len(records) > 1:
        summary = _("More than one TLS-RPT record: senders send no reports.")
        return result(CheckStatus.FAIL, summary, {"records": records})
    try:
        rua = parse_record(records[0])
    except TlsRptSyntaxError as exc:
        summary = _("The TLS-RPT record is invalid.")
        return result(CheckStatus.FAIL, summary, {"records": records, "error": str(exc)})
    summary = _("TLS-RPT is published with valid report addresses.")
    return result(CheckStatus.PASS, summary, {"records": records, "rua": list(rua)})

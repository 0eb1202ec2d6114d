"""`expect_ct`: reported as deprecated.

The Expect-CT header (RFC 9163) is obsolete: browsers enforce Certificate Transparency
themselves and ignore it, so the former criterion is answered with information, not a verdict.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from audits.checks.result import CheckResult, CheckStatus


def check_expect_ct(web_host: str | None = None) -> CheckResult:
    return CheckResult(
        "expect_ct",
        web_host or "",
        CheckStatus.INFO,
        _("Expect-CT is deprecated; browsers enforce Certificate Transparency themselves."),
        {"deprecated": True, "rfc": "RFC 9163"},
    )

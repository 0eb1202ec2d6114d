"""Which checks are evidence for which criterion, and how their results become a verdict.

One table. A criterion is met when every check serving it passes, not met when any fails, and
partly met when they warn or disagree. Errors and missing results leave it unknown: a check that
could not run proves nothing either way. The levels follow the criteria document ("Minimum to
qualify" / "Best case"); the keys are the seed's criterion keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from audits.checks.result import CheckStatus

Level = Literal["minimum", "best"]
Verdict = Literal["met", "partly", "not_met", "unknown"]


@dataclass(frozen=True)
class Evidence:
    criterion: str
    level: Level
    checks: tuple[str, ...]


EVIDENCE: tuple[Evidence, ...] = (
    Evidence("dnssec", "minimum", ("dnssec",)),
    # "No TLS errors or vulnerabilities": the web host and every MX.
    Evidence("no-tls-errors", "minimum", ("tls_web", "tls_mail")),
    Evidence("strong-cipher-suites", "minimum", ("tls_web", "tls_mail")),
    Evidence("mta-sts-tls-rpt", "minimum", ("mta_sts", "tls_rpt")),
    Evidence("dane", "minimum", ("dane",)),
    Evidence("spf-dkim", "minimum", ("spf", "dkim")),
    Evidence("dmarc", "minimum", ("dmarc",)),
    Evidence("tls-1-2-rfc8996", "minimum", ("starttls", "tls_mail")),
    Evidence("smtps-submission", "minimum", ("smtps_submission",)),
    Evidence("hsts", "minimum", ("hsts", "https_redirect")),
    Evidence("sri", "minimum", ("sri",)),
    Evidence("caa", "best", ("caa",)),
    Evidence("csp", "best", ("csp",)),
    Evidence("wkd", "best", ("wkd",)),
)

# Checks that feed no criterion directly: `mx` is a prerequisite of the mail checks, and
# Expect-CT is reported only to say it is deprecated (its criterion is retired).
NOT_SCORED: frozenset[str] = frozenset({"mx", "expect_ct"})


def verdict(evidence: Evidence, statuses: Mapping[str, CheckStatus]) -> Verdict:
    found = [statuses.get(check) for check in evidence.checks]
    if any(status is None or status == CheckStatus.ERROR for status in found):
        return "unknown"
    judged = [s for s in found if s not in (CheckStatus.INFO, CheckStatus.NOT_APPLICABLE)]
    if not judged:
        return "unknown"
    if any(s == CheckStatus.FAIL for s in judged):
        return "not_met"
    if all(s == CheckStatus.PASS for s in judged):
        return "met"
    return "partly"


def verdicts(statuses: Mapping[str, CheckStatus]) -> dict[str, Verdict]:
    """Criterion key -> verdict for one audit's results (check key -> status)."""
    return {evidence.criterion: verdict(evidence, statuses) for evidence in EVIDENCE}

"""Which checks are evidence for which criterion, and how their results become a verdict.

This table is THE mapping from criteria to checks: the criteria pages, the API and the audit
pipeline all read it, and criteria have no field of their own that could say otherwise. The keys
are the seed's criterion keys and the registry's check keys (audits/registry.py); a test keeps
both in step, and the levels follow the criteria document ("Minimum to qualify" / "Best case").

How a verdict is reached, in two steps:
1. Per check, over every domain and target the check ran on for the service (its mail domain, its
   MX hosts, its web host, its alias domain ...): the WORST status counts. A criterion speaks of
   the service, so one failing MX host fails it, and a host that could not be checked leaves it
   open (error) unless another host already failed. Informational and not-applicable results
   are ignored when any other result exists.
2. Per criterion, over its checks: met when every check passes, not met when any fails, partly
   met when they warn. Otherwise (a check errored or has no result) it is unknown: a check that
   could not run proves nothing either way. The same holds for a check whose PREREQUISITE erred:
   when the MX lookup failed, "MTA-STS not applicable" only means it was never really checked.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from audits.checks.result import CheckStatus
from audits.registry import BY_KEY

Level = Literal["minimum", "best"]
Verdict = Literal["met", "partly", "not_met", "unknown"]


@dataclass(frozen=True)
class Evidence:
    criterion: str
    level: Level
    checks: tuple[str, ...]
    # check -> the aspect of its result that this criterion's words speak of (tls_web and
    # tls_mail judge versions, suites, DH and certificates apart: audits/checks/tls.py ASPECTS).
    aspects: Mapping[str, str] = field(default_factory=dict)

    def status_key(self, check: str) -> str:
        aspect = self.aspects.get(check)
        return f"{check}.{aspect}" if aspect else check


EVIDENCE: tuple[Evidence, ...] = (
    Evidence("dnssec", "minimum", ("dnssec",)),
    # "No TLS errors or vulnerabilities": the web host and every MX.
    Evidence("no-tls-errors", "minimum", ("tls_web", "tls_mail")),
    # "A server suite preference ... for strong cipher suites": the suites, not every TLS defect.
    Evidence(
        "strong-cipher-suites",
        "minimum",
        ("tls_web", "tls_mail"),
        aspects={"tls_web": "suites", "tls_mail": "suites"},
    ),
    Evidence("mta-sts-tls-rpt", "minimum", ("mta_sts", "tls_rpt")),
    Evidence("dane", "minimum", ("dane",)),
    Evidence("spf-dkim", "minimum", ("spf", "dkim")),
    Evidence("dmarc", "minimum", ("dmarc",)),
    # "TLS 1.2 or later and a plan for RFC 8996": the protocol versions the MX hosts accept.
    Evidence(
        "tls-1-2-rfc8996", "minimum", ("starttls", "tls_mail"), aspects={"tls_mail": "versions"}
    ),
    Evidence("smtps-submission", "minimum", ("smtps_submission",)),
    Evidence("hsts", "minimum", ("hsts", "https_redirect")),
    Evidence("sri", "minimum", ("sri",)),
    # "A CAA Resource Record in addition to DANE support": both, as the criterion says.
    Evidence("caa", "best", ("caa", "dane")),
    Evidence("csp", "best", ("csp",)),
    Evidence("wkd", "best", ("wkd",)),
)

# Checks that feed no criterion directly: `mx` is a prerequisite of the mail checks, and
# Expect-CT is reported only to say it is deprecated (its criterion is retired).
NOT_SCORED: frozenset[str] = frozenset({"mx", "expect_ct"})


# Check -> the check whose lookup gives it its targets. When that one errs, the dependent check
# may say not_applicable ("no MX hosts") for a domain that does have them: its verdict is then
# unknown, unless it found a failure anyway (audits/runner.py reports such checks as errors too).
PREREQUISITES: dict[str, str] = {
    "mta_sts": "mx",
    "dane": "mx",
    "starttls": "mx",
    "tls_mail": "mx",
}

BY_CRITERION: dict[str, Evidence] = {evidence.criterion: evidence for evidence in EVIDENCE}

# Step 1's order, worst first: a known failure outranks a host that could not be checked.
_WORST_FIRST = (
    CheckStatus.FAIL,
    CheckStatus.ERROR,
    CheckStatus.WARN,
    CheckStatus.PASS,
    CheckStatus.INFO,
    CheckStatus.NOT_APPLICABLE,
)


def worst(statuses: Iterable[CheckStatus]) -> CheckStatus | None:
    """One check's status over all the domains and targets it ran on (None: it never ran)."""
    found = set(statuses)
    return next((status for status in _WORST_FIRST if status in found), None)


def combine(results: Iterable[tuple[str, CheckStatus]]) -> dict[str, CheckStatus]:
    """(check, status) pairs of one run, over all its domains -> check -> worst status."""
    per_check: dict[str, list[CheckStatus]] = {}
    for check, status in results:
        per_check.setdefault(check, []).append(status)
    return {check: status for check, found in per_check.items() if (status := worst(found))}


def status_pairs(
    check: str, status: CheckStatus, details: Mapping[str, Any] | None
) -> Iterator[tuple[str, CheckStatus]]:
    """A result as `combine` takes it: the check's status, and each aspect's as `check.aspect`."""
    yield check, status
    aspects = (details or {}).get("aspects")
    if isinstance(aspects, Mapping):
        for aspect, aspect_status in aspects.items():
            try:
                yield f"{check}.{aspect}", CheckStatus(aspect_status)
            except ValueError:
                continue  # not a status (a per-host breakdown): only the summary counts


def verdict(evidence: Evidence, statuses: Mapping[str, CheckStatus]) -> Verdict:
    # An aspect's status where the criterion names one; results stored before aspects existed
    # have none, and their check's overall status stands in.
    found = [
        statuses.get(evidence.status_key(check), statuses.get(check)) for check in evidence.checks
    ]
    judged = [s for s in found if s not in (CheckStatus.INFO, CheckStatus.NOT_APPLICABLE)]
    if any(s == CheckStatus.FAIL for s in judged):
        return "not_met"
    if any(_prerequisite_erred(check, statuses) for check in evidence.checks):
        return "unknown"
    if not judged or any(s is None or s == CheckStatus.ERROR for s in judged):
        return "unknown"
    if all(s == CheckStatus.PASS for s in judged):
        return "met"
    return "partly"


def _prerequisite_erred(check: str, statuses: Mapping[str, CheckStatus]) -> bool:
    prerequisite = PREREQUISITES.get(check)
    return prerequisite is not None and statuses.get(prerequisite) == CheckStatus.ERROR


def verdicts(statuses: Mapping[str, CheckStatus]) -> dict[str, Verdict]:
    """Criterion key -> verdict for one audit's results (check key -> status)."""
    return {evidence.criterion: verdict(evidence, statuses) for evidence in EVIDENCE}


def checks_for(criterion_key: str) -> tuple[str, ...]:
    """The checks that are evidence for a criterion (empty: it is judged by editors only)."""
    evidence = BY_CRITERION.get(criterion_key)
    return evidence.checks if evidence else ()


def _validate() -> None:
    # Fail at import, not in production, when the table names a check the registry lacks.
    named = {c for e in EVIDENCE for c in e.checks} | {*PREREQUISITES, *PREREQUISITES.values()}
    unknown = named - set(BY_KEY)
    if unknown or NOT_SCORED - set(BY_KEY):
        raise ImportError(f"audits.scoring names unknown checks: {sorted(unknown)}")


_validate()

"""What "verified" means for the comparison filter, and its registration with providers.

A service is verified for a check when its latest finished run has at least one result for the
check and every result for it (each domain and target) passed. Informational or not-applicable
results do not count as a pass: `verified=wkd` promises a working Web Key Directory.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet, Subquery

from audits.checks.result import CheckStatus
from audits.models import AuditResult, AuditRun
from audits.registry import CHECKS
from providers.verification import register_verified_filter

# Expect-CT is reported only to say it is deprecated: nothing to verify.
NOT_FILTERABLE = frozenset({"expect_ct"})


def filterable_checks() -> list[tuple[str, object]]:
    return [(spec.key, spec.label) for spec in CHECKS if spec.key not in NOT_FILTERABLE]


def latest_run_id() -> Subquery:
    """The id of the outer service's newest finished run."""
    return Subquery(
        AuditRun.objects.done_newest_first().filter(service=OuterRef("pk")).values("pk")[:1]
    )


def verified(queryset: QuerySet, keys: list[str]) -> QuerySet:
    queryset = queryset.annotate(latest_audit_run=latest_run_id())
    for key in dict.fromkeys(keys):
        results = AuditResult.objects.filter(run=OuterRef("latest_audit_run"), check_key=key)
        queryset = queryset.filter(
            Exists(results.filter(status=CheckStatus.PASS)),
            ~Exists(results.exclude(status=CheckStatus.PASS)),
        )
    return queryset


def register() -> None:
    register_verified_filter(filterable_checks, verified)

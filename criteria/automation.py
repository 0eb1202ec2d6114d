"""The criteria's interface to automated checks: the one writer of automated assessments, and
the lookup of which checks serve a criterion.

criteria cannot import audits (audits depends on criteria), so audits plugs itself in at start-up
(`audits.apps.AuditsConfig.ready` calls `register_checks`). Until it has, no criterion has checks,
which is also what a project without the audits app would see.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from providers.models import Service, ServiceKind

from .models import Assessment, AssessmentSource, Criterion, Verdict


@dataclass(frozen=True)
class CheckLookup:
    checks_for: Callable[[str], tuple[str, ...]]
    label: Callable[[str], str]


_lookup = CheckLookup(checks_for=lambda _key: (), label=lambda key: key)


def register_checks(
    checks_for: Callable[[str], tuple[str, ...]], label: Callable[[str], str]
) -> None:
    """Called once by the audits app: criterion key -> check keys, and a check key's label."""
    global _lookup
    _lookup = CheckLookup(checks_for, label)


def checks_for(criterion_key: str) -> tuple[str, ...]:
    return _lookup.checks_for(criterion_key)


def check_label(check_key: str) -> str:
    return _lookup.label(check_key)


# The criteria document speaks of email providers: aliasing services and self-hosted software are
# audited (their results are shown), but not assessed against the providers' criteria.
ASSESSED_KINDS = frozenset({ServiceKind.PROVIDER})


def applies_to(service: Service) -> bool:
    return service.kind in ASSESSED_KINDS


def record_automated_verdicts(
    service: Service,
    verdicts: Mapping[str, str],
    *,
    assessed_at: datetime,
    evidence_url: str,
) -> list[Assessment]:
    """Write the automated assessment of `service` for each criterion key in `verdicts`.

    The ONLY way an automated assessment is created or changed. Editorial assessments are
    separate rows (one per source) and are never touched: an editor's judgement is not overwritten
    by a machine. Criteria that do not exist, or are retired, are skipped. Returns the assessments
    written, so the caller can link them to its evidence.
    """
    if not applies_to(service):
        return []
    criteria = {c.key: c for c in Criterion.objects.filter(key__in=list(verdicts), retired=False)}
    for key in criteria:
        if verdicts[key] not in Verdict.values:
            raise ValueError(f"Unknown verdict {verdicts[key]!r} for {key}")
    existing = {
        a.criterion_id: a
        for a in Assessment.objects.filter(
            service=service, source=AssessmentSource.AUTOMATED, criterion__in=criteria.values()
        )
    }
    written: list[Assessment] = []
    unchanged: list[int] = []
    with transaction.atomic():
        for key, criterion in criteria.items():
            assessment = existing.get(criterion.pk)
            if assessment is not None and assessment.verdict == verdicts[key]:
                # Same verdict, newer date: updated below in one query, with no history row
                # for every nightly run that changed nothing (the run keeps the rest).
                unchanged.append(assessment.pk)
            else:
                assessment = assessment or Assessment(
                    service=service, criterion=criterion, source=AssessmentSource.AUTOMATED
                )
                assessment.verdict = verdicts[key]
                assessment.assessed_at = assessed_at
                assessment.assessed_by = None
                assessment.evidence_url = evidence_url
                assessment.save()
            assessment.criterion = criterion  # the caller reads its key: no query
            assessment.assessed_at, assessment.evidence_url = assessed_at, evidence_url
            written.append(assessment)
        if unchanged:
            Assessment.objects.filter(pk__in=unchanged).update(
                assessed_at=assessed_at, evidence_url=evidence_url
            )
    return written

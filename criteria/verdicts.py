"""Which assessment decides whether a service meets a criterion: editorial beats automated.

A service can have an editorial and an automated assessment of the same criterion. The editor's
judgement decides where there is one; an automated result counts only where no editor has
assessed the service, just as automated runs never overwrite editors (criteria/automation.py).
The criteria page, the API and anything else that names the services meeting a criterion call
this module, so the rule is stated once.
"""

from __future__ import annotations

from collections.abc import Iterable

from .models import Assessment, AssessmentSource, Verdict


def deciding(assessments: Iterable[Assessment]) -> dict[int, Assessment]:
    """Service id -> the assessment that decides for it, among assessments of ONE criterion."""
    decided: dict[int, Assessment] = {}
    for assessment in assessments:
        current = decided.get(assessment.service_id)
        if current is None or (
            assessment.source == AssessmentSource.EDITORIAL
            and current.source != AssessmentSource.EDITORIAL
        ):
            decided[assessment.service_id] = assessment
    return decided


def services_meeting(assessments: Iterable[Assessment]) -> list[Assessment]:
    """The assessments that make a service meet a criterion, one per service, by service name.

    `assessments` are one criterion's, with their service loaded; pass only those of published
    services (CriterionQuerySet.with_public_assessments) where the result is shown in public.
    """
    met = [a for a in deciding(assessments).values() if a.verdict == Verdict.MET]
    return sorted(met, key=lambda a: (a.service.name.lower(), a.service.slug))

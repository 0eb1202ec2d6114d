"""What a finished run leaves behind: its outcome, regression alerts, and automated evidence.

Called once per run, after its results are stored. The public pages are invalidated once here,
not once per row written (portal.cache.batched_invalidation).
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from audits.checks.result import CheckStatus
from audits.models import Alert, AuditResult, AuditRun, AutomatedEvidence, Outcome, RunState
from audits.scoring import EVIDENCE, combine, status_pairs, verdicts
from criteria.automation import record_automated_verdicts
from portal.cache import batched_invalidation, invalidate_pages

logger = logging.getLogger(__name__)

# How bad a status is, for regressions. Errors are not ranked: "could not tell" is neither worse
# nor better than the last verdict, so it neither opens nor closes an alert.
SEVERITY: dict[str, int] = {
    CheckStatus.PASS: 0,
    CheckStatus.INFO: 0,
    CheckStatus.NOT_APPLICABLE: 0,
    CheckStatus.WARN: 1,
    CheckStatus.FAIL: 2,
}
OUTCOME_ORDER = (
    (CheckStatus.ERROR, Outcome.ERROR),
    (CheckStatus.FAIL, Outcome.FAIL),
    (CheckStatus.WARN, Outcome.WARN),
)


def outcome(statuses: set[str]) -> str:
    if not statuses:
        return Outcome.EMPTY
    for status, result in OUTCOME_ORDER:
        if status in statuses:
            return result
    return Outcome.PASS


def finish_run(run: AuditRun) -> AuditRun:
    """Close a running run: outcome, change flag, alerts, evidence, then state done."""
    results = list(run.results.all())
    # The run being finished is still "running", so the newest done run is the one before it.
    before = AuditRun.objects.latest_done_for(run.service)
    previous = {r.identity: r for r in before.results.all()} if before is not None else {}
    now = timezone.now()
    # The rows written below would each invalidate the public pages; a finished run does it
    # once, at the end, whatever it wrote (a run that changed no assessment still shows a new
    # date and new results).
    with batched_invalidation(quiet=True), transaction.atomic():
        done = AuditRun.objects.filter(pk=run.pk, state=RunState.RUNNING).update(
            state=RunState.DONE,
            finished_at=now,
            outcome=outcome({r.status for r in results}),
            changed=_changed(results, previous),
            error="",
        )
        if not done:
            # Cancelled or failed meanwhile (leave no evidence behind), or deleted with its
            # service: report what is there, if anything.
            return AuditRun.objects.filter(pk=run.pk).first() or run
        run.refresh_from_db()
        opened = update_alerts(run, results, previous)
        record_evidence(run, results)
    # The lists and this service's own pages. Not the comparison's index: a run writes results,
    # assessments and alerts, none of the rows it holds (it asks for audit results per site
    # version), so 10,000 services audited daily do not rebuild it every few seconds.
    invalidate_pages([run.service_id], index=False)
    if opened:
        transaction.on_commit(lambda: _notify(run.pk))
    return run


def _changed(results: list[AuditResult], previous: dict[tuple, AuditResult]) -> bool:
    if not previous:
        return True
    now = {r.identity: r.status for r in results}
    return now != {identity: r.status for identity, r in previous.items()}


def update_alerts(
    run: AuditRun, results: list[AuditResult], previous: dict[tuple, AuditResult]
) -> list[Alert]:
    """Open an alert where a check got worse than in the previous run; close recovered ones."""
    opened = []
    open_alerts = {
        (a.domain, a.check_key, a.target): a
        for a in Alert.objects.open().filter(service=run.service)
    }
    for result in results:
        severity = SEVERITY.get(result.status)
        if severity is None:
            continue
        alert = open_alerts.get(result.identity)
        if alert is not None:
            if severity <= SEVERITY.get(alert.previous_status, 0):
                alert.closed_run, alert.closed_at = run, run.finished_at
                alert.save(update_fields=["closed_run", "closed_at"])
            continue
        before = previous.get(result.identity)
        before_severity = SEVERITY.get(before.status) if before is not None else None
        if before_severity is not None and severity > before_severity:
            opened.append(
                Alert.objects.create(
                    service=run.service,
                    domain=result.domain,
                    check_key=result.check_key,
                    target=result.target,
                    previous_status=before.status,
                    status=result.status,
                    message=result.message,
                    opened_run=run,
                    opened_at=run.finished_at,
                )
            )
    return opened


def evidence_url(run: AuditRun) -> str:
    return reverse("api:service-audit-detail", args=[run.service.slug, run.pk])


def record_evidence(run: AuditRun, results: list[AuditResult]) -> None:
    """Turn the run's results into automated assessments, each linked back to this run.

    A criterion is assessed when at least one of its checks ran, or when it already has an
    automated assessment (which then follows the new results rather than going stale).
    """
    statuses = combine(
        pair
        for r in results
        for pair in status_pairs(r.check_key, CheckStatus(r.status), r.details)
    )
    ran = set(statuses)
    judged = verdicts(statuses)
    previously = set(
        AutomatedEvidence.objects.filter(assessment__service=run.service).values_list(
            "assessment__criterion__key", flat=True
        )
    )
    wanted = {
        e.criterion: judged[e.criterion]
        for e in EVIDENCE
        if ran & set(e.checks) or e.criterion in previously
    }
    written = record_automated_verdicts(
        run.service, wanted, assessed_at=run.finished_at, evidence_url=evidence_url(run)
    )
    checks = {e.criterion: list(e.checks) for e in EVIDENCE}
    # Each assessment's link now points at this run: replaced in three queries, not two per row.
    AutomatedEvidence.objects.filter(assessment__in=written).delete()
    AutomatedEvidence.objects.bulk_create(
        AutomatedEvidence(assessment=a, run=run, checks=checks[a.criterion.key]) for a in written
    )


def _notify(run_id: int) -> None:
    from audits.notify import notify_regressions

    try:
        notify_regressions(run_id)
    except Exception:  # a mail server being down must not fail the run
        logger.exception("could not notify editors of the regressions of run %s", run_id)

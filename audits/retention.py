"""How long runs are kept: every run for AUDIT_RETENTION_DAYS, then only runs that changed
something (and what evidence still points at), so the history of every change is kept forever."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone

from audits.models import Alert, AuditRun, AutomatedEvidence, RunState


def prunable(now: datetime | None = None, days: int | None = None):
    now = now or timezone.now()
    days = settings.AUDIT_RETENTION_DAYS if days is None else days
    cutoff = now - timedelta(days=days)
    evidence = AutomatedEvidence.objects.filter(run=OuterRef("pk"))
    alerts = Alert.objects.filter(opened_run=OuterRef("pk"))
    # The newest finished run of a service is its current state: never pruned.
    newer = AuditRun.objects.filter(
        service=OuterRef("service"), state=RunState.DONE, finished_at__gt=OuterRef("finished_at")
    )
    return (
        AuditRun.objects.filter(Exists(newer), finished_at__lt=cutoff, changed=False)
        .exclude(state__in=[RunState.QUEUED, RunState.RUNNING])
        .exclude(Exists(evidence))
        .exclude(Exists(alerts))
    )


def prune(now: datetime | None = None, days: int | None = None, dry_run: bool = False) -> int:
    """Delete the unchanged runs older than the retention period; returns how many."""
    runs = prunable(now, days)
    count = runs.count()
    if not dry_run and count:
        AuditRun.objects.filter(pk__in=list(runs.values_list("pk", flat=True))).delete()
    return count

"""What the scheduler does on each tick: enqueue due services, re-send and sweep runs, prune.

Services are due when their last finished run is older than AUDIT_INTERVAL. A tick enqueues at
most its fair share (all published services spread over the ticks of one interval), oldest first,
so a fresh installation or a long outage does not start every audit at the same minute, and once
spread, each service stays at its own time of day.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, F, Max, OuterRef, Q
from django.utils import timezone

from audits.dispatch import dispatch_pending
from audits.models import AuditRun, RunState, Trigger
from audits.pipeline import fail_run, request_run
from providers.models import Service

logger = logging.getLogger(__name__)


def fair_share(services: int, interval: timedelta, tick: timedelta) -> int:
    """How many services one tick may enqueue so that all of them fit into one interval."""
    ticks = max(1, int(interval / tick))
    return max(1, math.ceil(services / ticks))


def due_services(now: datetime, interval: timedelta) -> list[Service]:
    """Published services with no active run whose last finished run is older than `interval`
    (never audited first, then the longest ago)."""
    active = AuditRun.objects.filter(
        service=OuterRef("pk"), state__in=[RunState.QUEUED, RunState.RUNNING]
    )
    services = (
        Service.objects.published()
        .annotate(
            last_run=Max(
                "audit_runs__finished_at",
                filter=Q(audit_runs__state__in=[RunState.DONE, RunState.FAILED]),
            )
        )
        .filter(~Exists(active))
        .filter(Q(last_run__isnull=True) | Q(last_run__lt=now - interval))
        .order_by(F("last_run").asc(nulls_first=True), "pk")
    )
    return list(services)


def enqueue_due(now: datetime | None = None) -> int:
    """One scheduler tick: re-send what never reached the broker, then enqueue due services."""
    now = now or timezone.now()
    dispatch_pending()
    interval = timedelta(seconds=settings.AUDIT_INTERVAL_SECONDS)
    tick = timedelta(seconds=settings.AUDIT_TICK_SECONDS)
    share = fair_share(Service.objects.published().count(), interval, tick)
    enqueued = 0
    for service in due_services(now, interval)[:share]:
        _run, created = request_run(service, Trigger.SCHEDULED)
        enqueued += created
    return enqueued


@dataclass(frozen=True)
class Sweep:
    failed: int
    requeued: int


def sweep_stuck(now: datetime | None = None) -> Sweep:
    """Fail runs stuck past their bound, with a reason, and queue each again once.

    A run is stuck when it was sent to the workers but nobody picked it up within
    AUDIT_STUCK_AFTER, or it is running past its lease (its worker died and no re-delivery took
    it over). A run that was itself a retry is not retried again: a run that kills its worker
    every time must not loop forever.
    """
    now = now or timezone.now()
    stuck_after = timedelta(seconds=settings.AUDIT_STUCK_AFTER_SECONDS)
    candidates = AuditRun.objects.filter(
        Q(state=RunState.QUEUED, dispatched_at__lt=now - stuck_after)
        | Q(state=RunState.RUNNING, lease_until__lt=now)
    ).select_related("service")
    failed = requeued = 0
    for run in candidates:
        reason = (
            "Not picked up by a worker within %(seconds)s seconds."
            if run.state == RunState.QUEUED
            else "Still running when its time bound ran out (the worker stopped or hung)."
        ) % {"seconds": settings.AUDIT_STUCK_AFTER_SECONDS}
        if not fail_run(run.pk, reason, from_states=(run.state,)):
            continue
        failed += 1
        logger.warning("audit run %s of %s failed: %s", run.pk, run.service, reason)
        if run.retry_of_id is None and run.service.is_published:
            _retry, created = request_run(run.service, Trigger.RETRY, retry_of=run)
            requeued += created
    return Sweep(failed, requeued)

"""The scheduler's tick, the sweeper and retention, on the database alone (no network, no
broker: the tick's messages are captured, not sent)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from audits import schedule
from audits.models import Alert, AuditRun, RunState, Trigger
from audits.retention import prune
from tests.factories import make_published_service, make_service

pytestmark = pytest.mark.django_db


def finished(service, days_ago: float, changed: bool = False) -> AuditRun:
    when = timezone.now() - timedelta(days=days_ago)
    return AuditRun.objects.create(
        service=service,
        trigger=Trigger.SCHEDULED,
        state=RunState.DONE,
        finished_at=when,
        changed=changed,
    )


def test_fair_share_spreads_services_over_the_interval():
    day, five_minutes = timedelta(days=1), timedelta(minutes=5)
    assert schedule.fair_share(8, day, five_minutes) == 1
    assert schedule.fair_share(1000, day, five_minutes) == 4  # 288 ticks a day
    assert schedule.fair_share(0, day, five_minutes) == 1


def test_only_published_services_not_audited_within_the_interval_are_due(settings):
    never = make_published_service(name="Never")
    stale = make_published_service(name="Stale")
    fresh = make_published_service(name="Fresh")
    make_service(name="Draft")
    finished(stale, days_ago=2)
    finished(fresh, days_ago=0.5)
    due = schedule.due_services(timezone.now(), timedelta(days=1))
    assert due == [never, stale]  # never audited first, then the longest ago


def test_a_tick_enqueues_a_due_service_once_even_when_ticks_overlap(
    settings, django_capture_on_commit_callbacks
):
    settings.AUDIT_TICK_SECONDS = 24 * 3600  # one tick per interval: everything is due now
    service = make_published_service()
    assert schedule.enqueue_due() == 1
    assert schedule.enqueue_due() == 0  # a second beat (or a second beat process)
    assert AuditRun.objects.filter(service=service).count() == 1


def test_a_run_queued_but_never_picked_up_is_failed_and_requeued_once(settings):
    settings.AUDIT_STUCK_AFTER_SECONDS = 60
    service = make_published_service()
    stuck = AuditRun.objects.create(
        service=service,
        trigger=Trigger.SCHEDULED,
        dispatched_at=timezone.now() - timedelta(minutes=5),
    )
    swept = schedule.sweep_stuck()
    assert (swept.failed, swept.requeued) == (1, 1)
    stuck.refresh_from_db()
    assert stuck.state == RunState.FAILED and "Not picked up" in stuck.error
    retry = AuditRun.objects.get(retry_of=stuck)
    assert retry.state == RunState.QUEUED and retry.trigger == Trigger.RETRY
    # The retry gets stuck too: failed, not retried again.
    AuditRun.objects.filter(pk=retry.pk).update(dispatched_at=timezone.now() - timedelta(hours=1))
    assert schedule.sweep_stuck() == schedule.Sweep(failed=1, requeued=0)


def test_a_running_run_past_its_lease_is_failed_with_a_reason():
    service = make_published_service()
    run = AuditRun.objects.create(
        service=service,
        trigger=Trigger.MANUAL,
        state=RunState.RUNNING,
        lease_until=timezone.now() - timedelta(seconds=1),
        claimed_by="elsewhere:1",
    )
    assert schedule.sweep_stuck().failed == 1
    run.refresh_from_db()
    assert run.state == RunState.FAILED and "time bound" in run.error


def test_retention_keeps_changes_alerts_and_the_newest_run():
    service = make_published_service()
    unchanged_old = finished(service, days_ago=500)
    changed_old = finished(service, days_ago=450, changed=True)
    alerted_old = finished(service, days_ago=420)
    Alert.objects.create(
        service=service,
        domain="x.test",
        check_key="dnssec",
        target="x.test",
        previous_status="pass",
        status="fail",
        opened_run=alerted_old,
        opened_at=alerted_old.finished_at,
    )
    recent = finished(service, days_ago=10)
    newest_but_old = finished(make_published_service(), days_ago=800)
    assert prune(days=400, dry_run=True) == 1
    assert prune(days=400) == 1
    kept = set(AuditRun.objects.values_list("pk", flat=True))
    assert unchanged_old.pk not in kept
    assert {changed_old.pk, alerted_old.pk, recent.pk, newest_but_old.pk} <= kept


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_ticking_at_the_same_moment_enqueue_a_service_once(settings):
    settings.AUDIT_TICK_SECONDS = 24 * 3600
    service = make_published_service()
    barrier = threading.Barrier(2)

    def tick() -> int:
        barrier.wait(timeout=10)
        try:
            return schedule.enqueue_due()
        finally:
            connection.close()  # each thread has its own connection

    with ThreadPoolExecutor(max_workers=2) as pool:
        enqueued = [f.result(timeout=60) for f in [pool.submit(tick), pool.submit(tick)]]
    assert sum(enqueued) == 1
    assert AuditRun.objects.filter(service=service).count() == 1

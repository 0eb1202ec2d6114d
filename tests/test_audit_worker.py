"""Audits through a real Redis and a real `celery worker` process, against the local test
network: the admin's button to the public page, Redis down when the button is pressed, and a
worker killed in the middle of a run."""

from __future__ import annotations

import os
import signal

import pytest
from django.conf import settings
from django.test import override_settings

from audits import schedule
from audits.models import AuditResult, AuditRun, RunState
from criteria.models import Assessment, AssessmentSource
from tests.conftest import login_with_second_factor
from tests.factories import make_audited_service
from tests.testnet.zones import DOMAINS
from tests.workers import RedisServer, Worker, use_broker, wait_until

GOOD = next(d for d in DOMAINS if d.name == "good.test")
BROKEN = next(d for d in DOMAINS if d.name == "broken.test")

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


@pytest.fixture
def redis_server():
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def broker(redis_server):
    """This process sends its tasks to the private Redis, as a web process would."""
    use_broker(redis_server.url, settings.REDIS_TRANSPORT_OPTIONS)
    yield redis_server
    use_broker("memory://")


@pytest.fixture
def worker(broker, testnet):
    started = Worker(broker.url, testnet.env)
    yield started
    started.stop()


def press_audit_now(client, service):
    return client.post(f"/admin/audits/auditrun/request/{service.pk}/", follow=True)


def finished_run(service, timeout: float = 120, worker: Worker | None = None) -> AuditRun:
    try:
        return wait_until(
            lambda: AuditRun.objects.filter(service=service, state=RunState.DONE).first(),
            timeout,
            f"an audit of {service} to finish",
        )
    except AssertionError:
        runs = list(AuditRun.objects.filter(service=service).values())
        log = worker.output() if worker else ""
        raise AssertionError(f"runs: {runs}\nworker log:\n{log}") from None


@override_settings(PAGE_CACHE_SECONDS=0)
def test_audit_now_reaches_the_public_page_through_a_worker(seeded, editor, worker, client):
    service = make_audited_service(GOOD, slug="good-mail", name="Good Mail")
    login_with_second_factor(client, editor)
    response = press_audit_now(client, service)
    assert b"Audit queued" in response.content
    run = finished_run(service, worker=worker)
    assert run.trigger == "manual" and run.results.filter(status="pass").count() > 20
    automated = Assessment.objects.filter(service=service, source=AssessmentSource.AUTOMATED)
    assert automated.filter(criterion__key="dane", verdict="met").exists()
    page = client.get("/en/services/good-mail/").content.decode()
    assert "Verified automatically" in page
    api = client.get("/api/v1/services/good-mail/").json()
    assert api["latest_audit"]["id"] == run.pk


def test_redis_down_keeps_the_run_queued_until_it_is_back(seeded, editor, broker, testnet, client):
    service = make_audited_service(GOOD, slug="good-mail", name="Good Mail")
    login_with_second_factor(client, editor)
    broker.stop()
    response = press_audit_now(client, service)
    assert response.status_code == 200
    assert b"queue is unavailable" in response.content
    run = AuditRun.objects.get(service=service)
    assert run.state == RunState.QUEUED and run.dispatched_at is None
    broker.start()
    started = Worker(broker.url, testnet.env)
    try:
        assert schedule.enqueue_due() >= 0  # the beat's tick re-sends what never left
        run.refresh_from_db()
        assert run.dispatched_at is not None
        assert finished_run(service, worker=started).pk == run.pk
    finally:
        started.stop()


def test_a_worker_killed_mid_run_is_redelivered_and_stores_each_result_once(
    seeded, broker, worker, testnet
):
    # broken.test's tarpit MX keeps the run busy long enough to kill the process running it.
    service = make_audited_service(BROKEN, slug="broken-mail", name="Broken Mail")
    from audits.pipeline import request_run

    run, _ = request_run(service, "manual")
    running = wait_until(
        lambda: AuditRun.objects.filter(pk=run.pk, state=RunState.RUNNING).first(),
        60,
        "the run to start",
    )
    pid = int(running.claimed_by.rpartition(":")[2])
    assert pid != worker.process.pid  # the pool's child, not the worker's main process
    os.kill(pid, signal.SIGKILL)
    done = finished_run(service, timeout=240, worker=worker)
    assert done.pk == run.pk and done.attempts >= 2, worker.output()
    identities = list(
        AuditResult.objects.filter(run=done).values_list("domain", "check_key", "target")
    )
    assert len(identities) == len(set(identities)) > 10

"""The API's Last-Modified moves when an audit becomes visible (a run finished), not when one is
merely queued or running, and the page cache is invalidated once per finished run."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from audits.finish import finish_run
from audits.models import AuditRun, RunState, Trigger
from audits.pipeline import claim, request_run
from portal.api import content_last_modified
from portal.cache import current_version
from tests.factories import make_published_service

pytestmark = pytest.mark.django_db


def test_queuing_and_starting_a_run_do_not_move_last_modified():
    service = make_published_service()
    before = content_last_modified()
    version = current_version()
    run, _ = request_run(service, Trigger.MANUAL)
    claim(run.pk, lease_seconds=60)
    assert content_last_modified() == before
    assert current_version() == version  # nothing a visitor sees changed


def test_a_finished_run_moves_last_modified_and_invalidates_the_pages_once():
    service = make_published_service(kind="aliasing")  # no assessments: only the run changes
    run, _ = request_run(service, Trigger.MANUAL)
    run = claim(run.pk, lease_seconds=60)
    AuditRun.objects.filter(pk=run.pk).update(queued_at=timezone.now() - timedelta(hours=1))
    version = current_version()
    finished = finish_run(run)
    assert finished.state == RunState.DONE
    assert content_last_modified() >= finished.finished_at - timedelta(seconds=1)
    assert current_version() == version + 1

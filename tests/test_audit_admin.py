"""The audits in the admin, used as an editor would: "Audit now" on a service, the bulk action,
read-only runs and alerts, and the dashboard panel."""

from __future__ import annotations

import pytest
from django.utils import timezone

from audits.models import Alert, AuditRun, RunState, Trigger
from tests.factories import make_published_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(editor, signed_in):
    return signed_in(editor)


def test_the_service_page_offers_audit_now_and_queues_one_run(
    editor_client, django_capture_on_commit_callbacks
):
    service = make_published_service(name="Button Mail")
    page = editor_client.get(f"/admin/providers/service/{service.pk}/change/").content.decode()
    assert "Audit now" in page and "Never audited." in page
    url = f"/admin/audits/auditrun/request/{service.pk}/"
    # The test runs inside a transaction: the task is sent when it "commits".
    with django_capture_on_commit_callbacks(execute=True):
        first = editor_client.post(url, follow=True).content.decode()
    assert "Audit queued for 1 service." in first
    again = editor_client.post(url, follow=True).content.decode()
    assert "already had an audit queued or running" in again
    run = AuditRun.objects.get(service=service)
    assert (run.state, run.trigger, run.requested_by.username) == (
        RunState.QUEUED,
        Trigger.MANUAL,
        "test-editor",
    )
    assert run.dispatched_at is not None  # the broker took the task
    page = editor_client.get(f"/admin/providers/service/{service.pk}/change/").content.decode()
    assert f"/admin/audits/auditrun/{run.pk}/change/" in page


def test_audit_now_is_a_post_only(editor_client):
    service = make_published_service()
    response = editor_client.get(f"/admin/audits/auditrun/request/{service.pk}/")
    assert response.status_code == 405 and not AuditRun.objects.exists()


def test_the_bulk_action_queues_each_selected_service(editor_client):
    services = [make_published_service() for _ in range(3)]
    response = editor_client.post(
        "/admin/providers/service/",
        {"action": "audit_selected", "_selected_action": [s.pk for s in services]},
        follow=True,
    )
    assert "Audits queued for 3 services." in response.content.decode()
    assert AuditRun.objects.count() == 3


def test_runs_and_alerts_are_read_only_even_for_a_publisher(publisher, signed_in):
    client = signed_in(publisher)
    service = make_published_service()
    run = AuditRun.objects.create(
        service=service,
        trigger=Trigger.SCHEDULED,
        state=RunState.DONE,
        finished_at=timezone.now(),
    )
    Alert.objects.create(
        service=service,
        domain="x.test",
        check_key="dane",
        target="mx.x.test",
        previous_status="pass",
        status="fail",
        opened_run=run,
        opened_at=timezone.now(),
    )
    assert client.get(f"/admin/audits/auditrun/{run.pk}/change/").status_code == 200
    assert client.post(f"/admin/audits/auditrun/{run.pk}/change/", {}).status_code == 403
    assert client.get("/admin/audits/auditrun/add/").status_code == 403
    assert (
        client.post(f"/admin/audits/auditrun/{run.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    index = client.get("/admin/").content.decode()
    assert "1 open regression alert" in index and "DANE (mx.x.test)" in index
    alerts = client.get("/admin/audits/alert/?open=yes").content.decode()
    assert "mx.x.test" in alerts


def test_a_staff_member_without_the_role_cannot_request_audits(db, client):
    from django.contrib.auth import get_user_model

    from portal.accounts import create_staff_member
    from tests.conftest import login_with_second_factor

    credentials = create_staff_member("plain-staff", "editor")
    get_user_model().objects.get(username="plain-staff").groups.clear()
    login_with_second_factor(client, credentials)
    service = make_published_service()
    client.post(f"/admin/audits/auditrun/request/{service.pk}/")
    assert not AuditRun.objects.exists()


def test_a_malformed_audit_setting_is_a_message_not_an_error_page(editor_client, monkeypatch):
    monkeypatch.setenv("AUDIT_NAMESERVERS", "not-an-address")
    service = make_published_service()
    response = editor_client.post(f"/admin/audits/auditrun/request/{service.pk}/", follow=True)
    assert response.status_code == 200
    assert "AUDIT_NAMESERVERS" in response.content.decode()
    assert not AuditRun.objects.exists()

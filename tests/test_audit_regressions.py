"""A check that gets worse opens an alert, mails the editors once and shows in the Atom feeds; a
later pass closes it. Driven by real runs against the local test network. The regression: the
service's certificates stop validating (the audit no longer trusts the test network's CA, as when
a provider deploys a certificate from an untrusted issuer), then validate again."""

from __future__ import annotations

import dataclasses

from django.contrib.auth import get_user_model
from django.core import mail

from audits import pipeline
from audits.models import Alert, AuditRun, Trigger
from portal.accounts import create_staff_member
from tests.factories import make_audited_service
from tests.testnet.zones import DOMAINS

GOOD = next(d for d in DOMAINS if d.name == "good.test")


def audit(service, config, capture, trusted: bool = True) -> AuditRun:
    if not trusted:
        config = dataclasses.replace(config, ca_bundle=None)
    run, _ = pipeline.request_run(service, Trigger.SCHEDULED)
    with capture(execute=True):
        return pipeline.execute(pipeline.claim(run.pk, lease_seconds=600), config)


def test_a_regression_opens_an_alert_mails_once_and_a_recovery_closes_it(
    seeded, config, client, django_capture_on_commit_callbacks
):
    editor = create_staff_member("alert-editor", "editor")
    get_user_model().objects.filter(username=editor.username).update(email="editor@example.org")
    service = make_audited_service(GOOD, slug="good-mail", name="Good Mail")
    audit(service, config, django_capture_on_commit_callbacks)
    assert not Alert.objects.exists()

    audit(service, config, django_capture_on_commit_callbacks, trusted=False)
    alert = Alert.objects.get(check_key="tls_web")
    assert (alert.target, alert.previous_status, alert.status) == ("www.good.test", "pass", "fail")
    assert alert.is_open and alert.notified_at is not None
    opened = Alert.objects.count()
    assert len(mail.outbox) == 1  # one mail for the run, however many checks got worse
    assert mail.outbox[0].to == ["editor@example.org"]
    assert "TLS (web)" in mail.outbox[0].body and "Good Mail" in mail.outbox[0].subject

    feed = client.get("/en/services/good-mail/verification.atom")
    assert feed.status_code == 200 and feed["Content-Type"].startswith("application/atom+xml")
    assert b"Good Mail: TLS (web) got worse on www.good.test" in feed.content
    assert b"TLS (web) got worse" in client.get("/en/verification.atom").content

    # Still failing: the open alerts stay open, no new ones, no new mail.
    audit(service, config, django_capture_on_commit_callbacks, trusted=False)
    assert Alert.objects.count() == opened and len(mail.outbox) == 1

    audit(service, config, django_capture_on_commit_callbacks)
    alert.refresh_from_db()
    assert not alert.is_open and not Alert.objects.open().exists()
    assert len(mail.outbox) == 1  # a recovery is in the feed, not in the inbox
    assert b"TLS (web) recovered on www.good.test" in client.get("/en/verification.atom").content


def test_a_draft_service_stays_out_of_the_feeds(seeded, client):
    from tests.factories import make_service

    draft = make_service(slug="secret-draft")
    assert client.get("/en/services/secret-draft/verification.atom").status_code == 404
    assert b"secret-draft" not in client.get("/en/verification.atom").content
    assert draft.pk

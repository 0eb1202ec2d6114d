"""A finished audit run leaves the comparison's index as it is, yet its audit answers are fresh.

Audits finish every few seconds with thousands of services (each audited daily), and a rebuild of
the index costs ~0.4 s per process at 10,000 services. A run writes results, assessments and
alerts, none of the rows the index holds, so it moves the site version (lists and pages) but not
the index's; the index asks for audit results (`verified`) per site version.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from audits.finish import finish_run
from audits.models import AuditResult, Trigger
from audits.pipeline import claim, request_run
from providers.comparison_index import current_index
from providers.models import ServiceDomain
from tests.factories import make_published_service, set_feature

pytestmark = pytest.mark.django_db


def finished_audit(service, status: str) -> None:
    run, _ = request_run(service, Trigger.MANUAL)
    run = claim(run.pk, lease_seconds=60)
    # As the pipeline stores them (audits.pipeline.store_results): in bulk, without signals.
    AuditResult.objects.bulk_create(
        [
            AuditResult(
                run=run,
                domain="mail.example",
                role=ServiceDomain.Role.MAIL,
                check_key="dnssec",
                target="mail.example",
                status=status,
                message="Checked.",
                checked_at=timezone.now(),
            )
        ]
    )
    finish_run(run)


def test_a_finished_audit_keeps_the_index_and_refreshes_its_audit_answers(client) -> None:
    audited = make_published_service(name="Audited Mail", slug="audited-mail")
    make_published_service(name="Other Mail", slug="other-mail")
    index = current_index()
    assert index.verified(("dnssec",)) == 0

    finished_audit(audited, "pass")

    assert current_index() is index  # not rebuilt
    assert index.verified(("dnssec",)) == 1 << index.position[audited.pk]
    page = client.get("/en/compare/?verified=dnssec").content.decode()
    assert "Audited Mail" in page and "Other Mail" not in page

    finished_audit(audited, "fail")

    assert current_index() is index
    assert index.verified(("dnssec",)) == 0
    page = client.get("/en/compare/?verified=dnssec").content.decode()
    assert "Audited Mail" not in page


def test_a_curated_change_rebuilds_the_index() -> None:
    service = make_published_service()
    index = current_index()
    set_feature(service, "openpgp", True)
    rebuilt = current_index()
    assert rebuilt is not index
    assert rebuilt.masks.yes["openpgp"] == 1 << rebuilt.position[service.pk]

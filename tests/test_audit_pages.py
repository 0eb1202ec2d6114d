"""What visitors and API clients see of a finished audit: the service page's panel, the
criteria page's automated verdicts, the `verified` filter, and the audits endpoints."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext

from audits import pipeline
from audits.models import AuditResult, AuditRun, Trigger
from tests.factories import make_audited_service
from tests.testnet.zones import DOMAINS

GOOD = next(d for d in DOMAINS if d.name == "good.test")
WEAK = next(d for d in DOMAINS if d.name == "weak.test")


@pytest.fixture
def audited(seeded, config):
    good = make_audited_service(GOOD, slug="good-mail", name="Good Mail")
    weak = make_audited_service(WEAK, slug="weak-mail", name="Weak Mail")
    runs = {}
    for service in (good, weak):
        run, _ = pipeline.request_run(service, Trigger.MANUAL)
        runs[service.slug] = pipeline.execute(pipeline.claim(run.pk, 600), config)
    return runs


def test_the_service_page_shows_each_result_with_details_and_history(audited, client):
    page = client.get("/en/services/good-mail/").content.decode()
    assert "Verified automatically" in page
    assert "www.good.test" in page and "DANE" in page and "<details>" in page
    assert 'class="bar bar-pass"' in page
    assert "verification.atom" in page


def test_the_panel_reads_in_the_visitors_language(audited, client):
    page = client.get("/de/services/good-mail/").content.decode()
    assert "Automatisch" in page or "automatisch" in page


def test_the_verified_filter_agrees_on_the_page_and_in_the_api(audited, client):
    api = client.get("/api/v1/services/?verified=dnssec,dane").json()
    slugs = {service["slug"] for service in api["results"]}
    assert "good-mail" in slugs and "weak-mail" not in slugs
    page = client.get("/en/compare/?verified=dnssec&verified=dane").content.decode()
    assert "good-mail" in page and "weak-mail" not in page


def test_an_unknown_verified_check_is_a_400(audited, client):
    response = client.get("/api/v1/services/?verified=dnssec,dnsec")
    assert response.status_code == 400 and "verified" in response.json()


def test_the_api_lists_runs_and_serves_one_with_its_results(audited, client):
    run = audited["good-mail"]
    runs = client.get("/api/v1/services/good-mail/audits/").json()
    assert [r["id"] for r in runs["results"]] == [run.pk]
    detail = client.get(f"/api/v1/services/good-mail/audits/{run.pk}/?lang=de").json()
    assert detail["outcome"] == "pass" or detail["outcome"] in {"warn", "error"}
    checks = {(r["domain"], r["check"]): r for r in detail["results"]}
    assert checks[("good.test", "dane")]["status"] == "pass"
    assert checks[("good.test", "dane")]["summary"]


def test_the_service_detail_has_the_latest_audit_and_linked_evidence(audited, client):
    service = client.get("/api/v1/services/good-mail/").json()
    latest = service["latest_audit"]
    assert latest["id"] == audited["good-mail"].pk
    assert {"check": "dnssec", "check_label": "DNSSEC", "status": "pass"} in latest["checks"]
    automated = [a for a in service["assessments"] if a["source"] == "automated"]
    assert automated and all(
        a["evidence_url"].endswith(f"/audits/{latest['id']}/") for a in automated
    )


def test_the_audits_of_a_draft_service_are_not_served(seeded, client):
    from tests.factories import make_service

    make_service(slug="draft-mail")
    assert client.get("/api/v1/services/draft-mail/audits/").status_code == 404


def test_the_criteria_page_names_services_that_the_audit_found_meeting_a_criterion(audited, client):
    page = client.get("/en/criteria/").content.decode()
    assert "Good Mail" in page


def service_page_queries(client) -> int:
    cache.clear()  # measure the rendering, not the page cache
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/en/services/good-mail/").status_code == 200
    return len(queries)


def test_the_service_page_costs_the_same_queries_whatever_the_number_of_runs(audited, client):
    first = audited["good-mail"]
    one_run = service_page_queries(client)
    for _ in range(3):  # copies of the run: a longer history, the same number of queries
        copy = AuditRun.objects.create(
            service=first.service,
            trigger=Trigger.SCHEDULED,
            state="done",
            finished_at=first.finished_at,
        )
        AuditResult.objects.bulk_create(
            AuditResult(**{**model_to_dict(r, exclude=["id", "run"]), "run": copy})
            for r in first.results.all()
        )
    assert service_page_queries(client) == one_run

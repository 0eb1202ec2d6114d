"""A service's audit, end to end without Celery: plan, claim, run against the local test network,
store, and turn the results into automated assessments."""

from __future__ import annotations

import pytest

from audits import pipeline
from audits.models import AuditResult, AuditRun, AutomatedEvidence, Outcome, RunState, Trigger
from criteria.models import Assessment, AssessmentSource, Verdict
from tests.factories import make_assessment, make_audited_service
from tests.testnet.zones import DOMAINS

GOOD = next(d for d in DOMAINS if d.name == "good.test")
WEAK = next(d for d in DOMAINS if d.name == "weak.test")


def run_now(service, config) -> AuditRun:
    run, created = pipeline.request_run(service, Trigger.MANUAL)
    assert created
    claimed = pipeline.claim(run.pk, lease_seconds=600)
    assert claimed is not None
    return pipeline.execute(claimed, config)


def test_a_plan_gives_each_role_its_checks_and_each_check_once(seeded):
    service = make_audited_service(GOOD)
    plans = {plan.role: plan for plan in pipeline.plan_service(service)}
    assert set(plans) == {"mail", "web", "submission"}
    assert "dane" in plans["mail"].checks and "hsts" not in plans["mail"].checks
    assert "hsts" in plans["web"].checks and "dane" not in plans["web"].checks
    assert plans["submission"].checks == ("dnssec", "smtps_submission")
    assert plans["mail"].target.wkd_address == GOOD.wkd_address


def test_without_a_submission_domain_the_mail_domain_discovers_one(seeded):
    service = make_audited_service(GOOD)
    assert "smtps_submission" not in {
        c for p in pipeline.plan_service(service) if p.role == "mail" for c in p.checks
    }
    service.domains.filter(role="submission").delete()
    plans = {plan.role: plan for plan in pipeline.plan_service(service)}
    assert "smtps_submission" in plans["mail"].checks
    assert plans["mail"].target.submission_host is None  # discovered from SRV or names


@pytest.mark.django_db
def test_a_service_with_no_domains_finishes_empty(seeded):
    from tests.factories import make_published_service

    service = make_published_service()
    run, _ = pipeline.request_run(service, Trigger.MANUAL)
    run = pipeline.execute(pipeline.claim(run.pk, lease_seconds=60), config=None)  # type: ignore[arg-type]
    assert (run.state, run.outcome, run.results.count()) == (RunState.DONE, Outcome.EMPTY, 0)


def test_a_good_service_is_stored_and_meets_its_checked_criteria(seeded, config):
    service = make_audited_service(GOOD)
    run = run_now(service, config)
    assert run.state == RunState.DONE
    results = list(run.results.all())
    statuses = {(r.domain, r.check_key): r.status for r in results}
    assert statuses[("good.test", "dane")] == "pass"
    assert statuses[("www.good.test", "hsts")] == "pass"
    assert statuses[("smtp.good.test", "smtps_submission")] == "pass"
    assert all(r.message for r in results)
    automated = {
        a.criterion.key: a.verdict
        for a in Assessment.objects.filter(service=service, source=AssessmentSource.AUTOMATED)
    }
    assert automated["dnssec"] == Verdict.MET
    assert automated["dane"] == Verdict.MET
    assert automated["hsts"] == Verdict.MET
    evidence = AutomatedEvidence.objects.get(
        assessment__service=service, assessment__criterion__key="dane"
    )
    assert evidence.run == run and list(evidence.results().values_list("check_key", flat=True)) == [
        "dane"
    ]


def test_a_weak_service_fails_and_an_editorial_verdict_is_kept(seeded, config):
    from criteria.models import Criterion

    service = make_audited_service(WEAK)
    editorial = make_assessment(service, Criterion.objects.get(key="dnssec"), verdict=Verdict.MET)
    run = run_now(service, config)
    assert run.outcome == Outcome.FAIL
    automated = Assessment.objects.get(
        service=service, criterion__key="dnssec", source=AssessmentSource.AUTOMATED
    )
    assert automated.verdict == Verdict.NOT_MET
    editorial.refresh_from_db()
    assert editorial.verdict == Verdict.MET  # never overwritten by the machine


def test_a_second_request_while_one_is_active_returns_the_same_run(seeded):
    service = make_audited_service(GOOD)
    first, created = pipeline.request_run(service, Trigger.MANUAL)
    second, created_again = pipeline.request_run(service, Trigger.SCHEDULED)
    assert created and not created_again and first.pk == second.pk


def test_a_run_is_claimed_once(seeded):
    service = make_audited_service(GOOD)
    run, _ = pipeline.request_run(service, Trigger.MANUAL)
    assert pipeline.claim(run.pk, lease_seconds=600) is not None
    assert pipeline.claim(run.pk, lease_seconds=600, identity="other-host:1") is None


def test_a_run_whose_worker_died_is_taken_over(seeded):
    import socket

    service = make_audited_service(GOOD)
    run, _ = pipeline.request_run(service, Trigger.MANUAL)
    # A process of this host that no longer exists (pids are never this large).
    assert pipeline.claim(run.pk, 600, identity=f"{socket.gethostname()}:99999999") is not None
    assert pipeline.claim(run.pk, 600) is not None


def test_a_cancelled_or_finished_run_is_never_claimed(seeded):
    service = make_audited_service(GOOD)
    run, _ = pipeline.request_run(service, Trigger.MANUAL)
    assert pipeline.cancel_run(run.pk)
    assert pipeline.claim(run.pk, lease_seconds=600) is None


def test_results_are_stored_once_per_domain_check_and_target(seeded, config):
    service = make_audited_service(GOOD)
    run = run_now(service, config)
    identities = [r.identity for r in AuditResult.objects.filter(run=run)]
    assert len(identities) == len(set(identities)) > 20

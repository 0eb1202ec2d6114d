"""Bad input stays contained: every case ends in a clear state, never a stuck run or a crash."""

from __future__ import annotations

import pytest

from audits import pipeline, runner
from audits.models import AuditRun, Outcome, RunState, Trigger
from providers.models import ServiceDomain
from tests.factories import make_published_service


def start(service) -> AuditRun:
    run, _ = pipeline.request_run(service, Trigger.MANUAL)
    return pipeline.claim(run.pk, lease_seconds=600)


def with_domain(name: str, role: str = "mail"):
    service = make_published_service()
    ServiceDomain.objects.create(service=service, name=name, role=role)
    return service


def test_a_domain_that_no_longer_resolves_finishes_with_errors_or_failures(seeded, config):
    run = pipeline.execute(start(with_domain("gone.good.test")), config)
    assert run.state == RunState.DONE
    statuses = dict(run.results.values_list("check_key", "status"))
    # No MX, no SPF; the MX-based checks have nothing to look at. (DNSSEC and CAA answer for
    # the signed parent zone, whose denial of the name validates.) DMARC applies the
    # organizational domain's policy, as receivers do (RFC 7489 6.6.3).
    assert (statuses["mx"], statuses["spf"]) == ("fail", "fail")
    dmarc = run.results.get(check_key="dmarc")
    assert dmarc.details["policy_domain"] == "good.test" and dmarc.details["inherited"]
    assert statuses["starttls"] == "not_applicable"
    assert run.outcome == Outcome.FAIL


def test_a_check_that_crashes_becomes_an_error_result(seeded, config, monkeypatch):
    planned = runner.plan_checks

    def with_a_crashing_caa(*args, **kwargs):
        checks = planned(*args, **kwargs)
        checks["caa"] = lambda: 1 / 0
        return checks

    # The one stand-in of this suite: no real check crashes on purpose.
    monkeypatch.setattr(runner, "plan_checks", with_a_crashing_caa)
    run = pipeline.execute(start(with_domain("good.test")), config)
    caa = run.results.get(check_key="caa")
    assert run.state == RunState.DONE
    assert caa.status == "error" and "ZeroDivisionError" in caa.details["error"]


def test_a_run_whose_service_is_deleted_meanwhile_ends_quietly(seeded, config):
    service = with_domain("good.test", role="web")
    run = start(service)
    service.delete()
    finished = pipeline.execute(run, config)
    assert not AuditRun.objects.filter(pk=finished.pk).exists()


@pytest.mark.django_db
def test_a_task_for_a_missing_run_does_nothing():
    from audits.tasks import audit_run

    assert audit_run.apply(args=[987654]).get() == "skipped"


@pytest.mark.django_db
def test_a_malformed_domain_cannot_be_stored():
    from django.core.exceptions import ValidationError

    domain = ServiceDomain(service=make_published_service(), name="exa mple..test", role="mail")
    with pytest.raises(ValidationError):
        domain.full_clean()

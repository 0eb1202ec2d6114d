"""Automated assessments come only from the audit pipeline: no admin form creates or changes one,
whoever is signed in, and the editors' inline shows their own verdicts only."""

from __future__ import annotations

import pytest
from django.utils import timezone

from criteria.models import Assessment, AssessmentSource, Criterion, Verdict
from tests.conftest import change_form_data
from tests.factories import make_published_service

pytestmark = pytest.mark.django_db


def test_a_publisher_cannot_add_an_automated_assessment(seeded, publisher, signed_in):
    client = signed_in(publisher)
    service = make_published_service()
    criterion = Criterion.objects.get(key="dnssec")
    page = client.get("/admin/criteria/assessment/add/")
    data = change_form_data(page)
    data.update(
        {"service": service.pk, "criterion": criterion.pk, "verdict": "met", "source": "automated"}
    )
    client.post("/admin/criteria/assessment/add/", data)
    assessment = Assessment.objects.get(service=service, criterion=criterion)
    assert assessment.source == AssessmentSource.EDITORIAL  # the posted source was ignored


def test_an_automated_assessment_cannot_be_changed_or_deleted_in_the_admin(
    seeded, publisher, signed_in
):
    client = signed_in(publisher)
    automated = Assessment.objects.create(
        service=make_published_service(),
        criterion=Criterion.objects.get(key="dnssec"),
        source=AssessmentSource.AUTOMATED,
        verdict=Verdict.NOT_MET,
        assessed_at=timezone.now(),
    )
    url = f"/admin/criteria/assessment/{automated.pk}/change/"
    data = change_form_data(client.get(url))
    data["verdict"] = "met"
    assert client.post(url, data).status_code == 403
    assert (
        client.post(
            f"/admin/criteria/assessment/{automated.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    automated.refresh_from_db()
    assert automated.verdict == Verdict.NOT_MET


def test_the_service_inline_lists_only_editorial_assessments(seeded, publisher, signed_in):
    client = signed_in(publisher)
    service = make_published_service()
    Assessment.objects.create(
        service=service,
        criterion=Criterion.objects.get(key="dane"),
        source=AssessmentSource.AUTOMATED,
        verdict=Verdict.MET,
    )
    page = client.get(f"/admin/providers/service/{service.pk}/change/")
    formsets = {f.formset.prefix: f.formset for f in page.context["inline_admin_formsets"]}
    assessments = formsets["assessments"]
    assert assessments.queryset.count() == 0

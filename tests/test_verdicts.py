"""An editor's assessment decides over an automated one, on every page and in the API alike."""

from __future__ import annotations

from criteria.models import Assessment, AssessmentSource, Criterion, Verdict
from criteria.verdicts import deciding, services_meeting
from tests.factories import make_assessment, make_criterion, make_published_service, make_service

AUTOMATED = AssessmentSource.AUTOMATED


def test_the_editor_decides_whatever_the_automated_check_says(db):
    criterion = make_criterion(state="published")
    overruled = make_published_service(name="Overruled")
    automatic = make_published_service(name="Automatic")
    make_assessment(overruled, criterion, verdict=Verdict.MET, source=AUTOMATED)
    editorial = make_assessment(overruled, criterion, verdict=Verdict.NOT_MET)
    only_automated = make_assessment(automatic, criterion, verdict=Verdict.MET, source=AUTOMATED)
    assessments = list(Assessment.objects.filter(criterion=criterion).select_related("service"))
    assert deciding(assessments) == {overruled.pk: editorial, automatic.pk: only_automated}
    assert services_meeting(assessments) == [only_automated]


def test_services_meeting_are_by_name_and_published_only(db):
    criterion = make_criterion(state="published")
    for name in ("beta", "Alpha"):
        make_assessment(make_published_service(name=name), criterion)
    make_assessment(make_service(name="Draft"), criterion)
    (loaded,) = Criterion.objects.filter(pk=criterion.pk).with_public_assessments()
    names = [a.service.name for a in services_meeting(loaded.public_assessments)]
    assert names == ["Alpha", "beta"]


def test_the_service_page_lists_the_editors_assessment_first(db, client):
    service = make_published_service(slug="both-ways")
    criterion = make_criterion(state="published")
    make_assessment(service, criterion, verdict=Verdict.MET, source=AUTOMATED)
    make_assessment(service, criterion, verdict=Verdict.PARTLY)
    page = client.get("/en/services/both-ways/").content.decode()
    assert page.index("verdict-partly") < page.index("verdict-met")

"""Content without a workflow of its own (page texts, the feature catalogue, assessments ...) is
reviewed too: an editor's change waits as a revision, deleting or adding live content is a
publisher's decision, and a preview shows the revision to staff only."""

from django.contrib.auth import get_user_model

from criteria.models import Assessment, AssessmentSource, Criterion
from portal.models import Revision
from portal.publishing import PublicationState
from portal.review import move_revision
from providers.models import Feature, PageText, Service
from tests.conftest import change_form_data
from tests.factories import make_assessment, make_criterion, make_service


def _user(credentials):
    return get_user_model().objects.get(username=credentials.username)


def _edit(client, obj, **changes):
    url = f"/admin/{obj._meta.app_label}/{obj._meta.model_name}/{obj.pk}/change/"
    data = change_form_data(client.get(url))
    data.update(changes)
    return client.post(url, data)


def test_an_editors_page_text_change_waits_for_review(seeded, editor, signed_in, client):
    text = (
        PageText.objects.get(key="home-intro")
        if PageText.objects.filter(key="home-intro").exists()
        else PageText.objects.filter(placement="home").first()
    )
    old = text.title_en or text.body_en
    field = "title_en" if text.title_en else "body_en"
    assert _edit(signed_in(editor), text, **{field: "Edited by an editor"}).status_code == 302
    text.refresh_from_db()
    assert getattr(text, field) == old
    assert b"Edited by an editor" not in client.get("/en/").content
    assert Revision.objects.open().of(text).get().payload["fields"][field] == "Edited by an editor"


def test_an_editors_feature_rename_waits_for_review(seeded, editor, signed_in, client):
    feature = Feature.objects.get(key=Feature.objects.values_list("key", flat=True).first())
    old = feature.name_en
    assert _edit(signed_in(editor), feature, name_en="Renamed feature").status_code == 302
    feature.refresh_from_db()
    assert feature.name_en == old
    assert b"Renamed feature" not in client.get("/en/compare/").content


def test_an_assessment_of_a_published_service_is_changed_through_review(
    seeded, editor, publisher, signed_in
):
    service = Service.objects.published().first()
    criterion = Criterion.objects.published().first()
    assessment = Assessment.objects.create(
        service=service, criterion=criterion, verdict="unknown", source="editorial"
    )
    _edit(signed_in(editor), assessment, verdict="met", _workflow="submit")
    assessment.refresh_from_db()
    assert assessment.verdict == "unknown"
    move_revision(Revision.objects.open().of(assessment).get(), "publish", _user(publisher))
    assessment.refresh_from_db()
    assert assessment.verdict == "met"
    assert assessment.assessed_by == _user(editor)


def test_an_assessment_of_a_draft_service_is_changed_in_place(editor, signed_in):
    service = make_service()
    criterion = make_criterion(state=PublicationState.PUBLISHED)
    assessment = make_assessment(service, criterion, verdict="unknown")
    _edit(signed_in(editor), assessment, verdict="met")
    assessment.refresh_from_db()
    assert assessment.verdict == "met"
    assert not Revision.objects.exists()


def test_editors_cannot_delete_live_content(seeded, editor, signed_in):
    client = signed_in(editor)
    text = PageText.objects.first()
    url = f"/admin/providers/pagetext/{text.pk}/delete/"
    assert client.post(url, {"post": "yes"}).status_code == 403
    response = client.post(
        "/admin/providers/pagetext/",
        {"action": "delete_selected", "_selected_action": [text.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302)
    assert PageText.objects.filter(pk=text.pk).exists()

    service = Service.objects.published().first()
    assessment = Assessment.objects.create(
        service=service, criterion=Criterion.objects.published().first(), source="editorial"
    )
    url = f"/admin/criteria/assessment/{assessment.pk}/delete/"
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Assessment.objects.filter(pk=assessment.pk).exists()


def test_a_publisher_may_delete_live_content(seeded, publisher, signed_in):
    text = PageText.objects.first()
    client = signed_in(publisher)
    assert (
        client.post(f"/admin/providers/pagetext/{text.pk}/delete/", {"post": "yes"}).status_code
        == 302
    )
    assert not PageText.objects.filter(pk=text.pk).exists()


def test_editors_cannot_add_content_that_is_live_at_once(editor, signed_in):
    client = signed_in(editor)
    for model in ("pagetext", "feature", "featuregroup", "recommendationgroup", "criteriongroup"):
        assert client.get(f"/admin/providers/{model}/add/").status_code in (403, 404)
    assert client.get("/admin/criteria/assessment/add/").status_code == 403
    assert (
        client.post(
            "/admin/providers/pagetext/add/",
            {"key": "sneaky", "placement": "home", "kind": "intro", "title_en": "Sneaky"},
        ).status_code
        == 403
    )
    assert not PageText.objects.filter(key="sneaky").exists()
    # New services and criteria start as drafts, so editors add them.
    assert client.get("/admin/providers/service/add/").status_code == 200


def test_automated_assessments_are_not_part_of_a_services_revision(seeded, editor, signed_in):
    service = Service.objects.published().first()
    criterion = Criterion.objects.published().first()
    Assessment.objects.create(
        service=service, criterion=criterion, source=AssessmentSource.AUTOMATED, verdict="met"
    )
    _edit(signed_in(editor), service, summary_en="Changed.")
    revision = Revision.objects.open().of(service).get()
    assert all(
        row["fields"]["source"] == AssessmentSource.EDITORIAL
        for row in revision.payload["parts"]["assessments"]
    )


def test_preview_shows_the_revision_to_staff_only(seeded, editor, signed_in, client):
    service = Service.objects.get(slug="proton-mail")
    staff = signed_in(editor)
    _edit(staff, service, summary_ckb="پێشبینینی گۆڕانکاری")
    url = f"/admin/providers/service/{service.pk}/changes/preview/?language=ckb"

    preview = staff.get(url)
    assert preview.status_code == 200
    assert "پێشبینینی گۆڕانکاری" in preview.content.decode()
    assert 'lang="ckb"' in preview.content.decode()
    assert "no-store" in preview["Cache-Control"]
    assert preview["X-Robots-Tag"] == "noindex, nofollow"

    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]
    public = client.get(f"/ckb/services/{service.slug}/")
    assert "پێشبینینی گۆڕانکاری" not in public.content.decode()
    service.refresh_from_db()
    assert service.summary_ckb != "پێشبینینی گۆڕانکاری"


def test_preview_without_a_revision_is_not_found(seeded, editor, signed_in):
    service = Service.objects.get(slug="proton-mail")
    response = signed_in(editor).get(f"/admin/providers/service/{service.pk}/changes/preview/")
    assert response.status_code == 404


def test_the_review_queue_lists_open_revisions(seeded, editor, signed_in):
    service = Service.objects.get(slug="proton-mail")
    client = signed_in(editor)
    _edit(client, service, summary_en="Queued change.", _workflow="submit")
    page = client.get("/admin/portal/revision/?state=in_review")
    assert page.status_code == 200
    assert f"/admin/providers/service/{service.pk}/change/".encode() in page.content


def test_deleting_live_content_closes_its_revision(seeded, editor, publisher, signed_in):
    text = PageText.objects.first()
    field = "title_en" if text.title_en else "body_en"
    _edit(signed_in(editor), text, **{field: "Edited."})
    assert Revision.objects.open().of(text).exists()
    signed_in(publisher).post(f"/admin/providers/pagetext/{text.pk}/delete/", {"post": "yes"})
    assert Revision.objects.get().state == "discarded"


def test_the_admin_index_shows_what_waits_for_review(seeded, editor, publisher, signed_in):
    service = Service.objects.get(slug="proton-mail")
    _edit(signed_in(editor), service, summary_en="Please review.", _workflow="submit")
    page = signed_in(publisher).get("/admin/")
    assert b"1 revision waiting for review" in page.content
    assert f"/admin/providers/service/{service.pk}/change/".encode() in page.content

"""Restoring a version from the history keeps every language and every part, never changes the
publication state, and for live content waits for a publisher like any other change."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.utils import timezone
from modeltranslation.utils import build_localized_fieldname

from criteria.models import Assessment, AssessmentSource, Criterion, CriterionGroup
from portal.accounts import create_staff_member
from portal.models import Revision, RevisionState
from portal.publishing import PublicationState
from portal.review import move_revision
from portal.translation_support import translated_field_names
from providers.models import Feature, FeatureGroup, PageText, RecommendationGroup, Service

LANGUAGES = ("en", "ckb", "de", "fr", "es", "fa")


def _user(credentials):
    return get_user_model().objects.get(username=credentials.username)


def _columns(obj) -> dict[str, str]:
    return {
        build_localized_fieldname(name, code): getattr(obj, build_localized_fieldname(name, code))
        for name in translated_field_names(type(obj))
        for code in LANGUAGES
    }


def _restore(client, obj, record):
    info = obj._meta.app_label, obj._meta.model_name
    url = f"/admin/{info[0]}/{info[1]}/{obj.pk}/history/{record.history_id}/"
    page = client.get(url)
    assert page.status_code == 200
    return client.post(url, {})


def _publish_open_revision(obj, submitter, publisher):
    revision = Revision.objects.open().of(obj).get()
    move_revision(revision, "submit", submitter)
    move_revision(revision, "publish", publisher)


def test_an_editor_restoring_a_draft_version_does_not_unpublish(seeded, editor, signed_in):
    service = Service.objects.get(slug="proton-mail")
    draft_version = service.history.model.objects.create(
        **{
            **{f.attname: getattr(service, f.attname) for f in Service._meta.concrete_fields},
            "state": PublicationState.DRAFT,
            "summary_en": "An old draft.",
            "history_date": timezone.now(),
            "history_type": "~",
        }
    )
    response = _restore(signed_in(editor), service, draft_version)

    assert response.status_code == 302
    service.refresh_from_db()
    assert service.state == PublicationState.PUBLISHED
    assert service.summary_en != "An old draft."
    revision = Revision.objects.open().of(service).get()
    assert revision.payload["fields"]["summary_en"] == "An old draft."
    assert "state" not in revision.payload["fields"]


def test_restoring_proton_mail_keeps_every_language_and_part(seeded, editor, publisher, signed_in):
    service = Service.objects.get(slug="proton-mail")
    original = service.history.first()
    before = _columns(service)
    assert before["summary_ckb"] and before["description_ckb"] and before["pricing_notes_ckb"]
    parts_before = {
        "links": sorted(service.links.values_list("kind", "url")),
        "sections": sorted(service.sections.values_list("heading_ckb", "body_ckb")),
        "values": sorted(service.feature_values.values_list("feature__key", "note_ckb")),
    }

    # Somebody publishes a change that loses the Kurdish summary and a link.
    service.summary_ckb = ""
    service.save()
    service.links.first().delete()
    service.sections.update(body_ckb="")

    _restore(signed_in(publisher), service, original)
    service.refresh_from_db()
    assert service.state == PublicationState.PUBLISHED
    assert service.summary_ckb == ""  # waiting for review, not yet live
    _publish_open_revision(service, _user(editor), _user(publisher))

    service.refresh_from_db()
    assert _columns(service) == before
    assert service.state == PublicationState.PUBLISHED
    assert sorted(service.links.values_list("kind", "url")) == parts_before["links"]
    assert (
        sorted(service.sections.values_list("heading_ckb", "body_ckb")) == parts_before["sections"]
    )
    assert (
        sorted(service.feature_values.values_list("feature__key", "note_ckb"))
        == parts_before["values"]
    )


def _admin_models_with_translations() -> list[type]:
    return sorted(
        (
            model
            for model in admin.site._registry
            if translated_field_names(model) and hasattr(model, "history")
        ),
        key=lambda model: model._meta.label,
    )


def test_every_translated_model_with_an_admin_is_covered():
    assert {m._meta.label for m in _admin_models_with_translations()} == {
        "criteria.Assessment",
        "criteria.Criterion",
        "criteria.CriterionGroup",
        "providers.Feature",
        "providers.FeatureGroup",
        "providers.PageText",
        "providers.RecommendationGroup",
        "providers.Service",
    }


def _an_instance(label: str):
    return {
        "criteria.Assessment": lambda: Assessment.objects.create(
            service=Service.objects.published().first(),
            criterion=Criterion.objects.published().first(),
            source=AssessmentSource.EDITORIAL,
            verdict="met",
        ),
        "criteria.Criterion": lambda: Criterion.objects.published().first(),
        "criteria.CriterionGroup": lambda: CriterionGroup.objects.first(),
        "providers.Feature": lambda: Feature.objects.first(),
        "providers.FeatureGroup": lambda: FeatureGroup.objects.first(),
        "providers.PageText": lambda: PageText.objects.first(),
        "providers.RecommendationGroup": lambda: RecommendationGroup.objects.first(),
        "providers.Service": lambda: Service.objects.published().first(),
    }[label]()


@pytest.mark.parametrize("label", [m._meta.label for m in _admin_models_with_translations()])
def test_restoring_brings_back_every_language_column(seeded, editor, publisher, signed_in, label):
    obj = _an_instance(label)
    assert obj is not None, f"the seed has no {label}"
    for column in _columns(obj):
        setattr(obj, column, f"version one {column}")
    obj.save()
    version_one = obj.history.first()
    before = _columns(obj)
    for column in _columns(obj):
        setattr(obj, column, f"version two {column}")
    obj.save()

    response = _restore(signed_in(editor), obj, version_one)
    assert response.status_code == 302
    obj.refresh_from_db()
    assert all(value.startswith("version two") for value in _columns(obj).values())
    _publish_open_revision(obj, _user(editor), _user(publisher))

    obj.refresh_from_db()
    assert _columns(obj) == before


def test_restoring_unpublished_content_changes_it_in_place(editor, signed_in):
    service = Service.objects.create(
        kind="provider", name="Draft Mail", slug="draft-mail", summary_en="One", summary_fa="یک"
    )
    first = service.history.first()
    service.summary_en, service.summary_fa = "Two", "دو"
    service.save()
    _restore(signed_in(editor), service, first)
    service.refresh_from_db()
    assert (service.summary_en, service.summary_fa) == ("One", "یک")
    assert service.state == PublicationState.DRAFT
    assert not Revision.objects.exists()


def test_restore_never_brings_back_or_removes_machine_evidence(
    seeded, editor, publisher, signed_in
):
    service = Service.objects.get(slug="proton-mail")
    original = service.history.first()
    criterion = (
        Criterion.objects.published()
        .exclude(assessments__service=service, assessments__source=AssessmentSource.AUTOMATED)
        .first()
    )
    automated = Assessment.objects.create(
        service=service, criterion=criterion, source=AssessmentSource.AUTOMATED, verdict="met"
    )
    service.summary_en = "Changed."
    service.save()
    _restore(signed_in(editor), service, original)
    _publish_open_revision(service, _user(editor), _user(publisher))
    assert Assessment.objects.filter(pk=automated.pk, verdict="met").exists()


def test_an_editor_without_change_permission_cannot_restore(seeded, db, client):
    viewer = create_staff_member("test-viewer", "editor")
    user = _user(viewer)
    user.groups.clear()
    service = Service.objects.get(slug="proton-mail")
    from tests.conftest import login_with_second_factor

    login_with_second_factor(client, viewer)
    url = f"/admin/providers/service/{service.pk}/history/{service.history.first().history_id}/"
    assert client.post(url, {}).status_code in (302, 403)
    assert not Revision.objects.exists()
    assert Revision.objects.filter(state=RevisionState.DRAFT).count() == 0


def test_restoring_a_published_version_does_not_republish_a_retired_service(editor, signed_in):
    service = Service.objects.create(
        kind="provider",
        name="Old Mail",
        slug="old-mail",
        summary_en="Was live.",
        state=PublicationState.PUBLISHED,
    )
    published_version = service.history.first()
    service.state = PublicationState.RETIRED
    service.summary_en = "Retired."
    service.save()

    response = signed_in(editor).post(
        f"/admin/providers/service/{service.pk}/history/{published_version.history_id}/",
        {"summary_en": "Typed into the form.", "state": "published"},
    )
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.state == PublicationState.RETIRED
    # The version's own text comes back, never what was posted with it.
    assert service.summary_en == "Was live."


def test_restoring_brings_back_a_feature_values_choices_and_number(editor, signed_in):
    from providers.models import FeatureChoice
    from tests.factories import set_feature

    service = Service.objects.create(kind="provider", name="M", slug="m", summary_en="x")
    choices = set_feature(service, "test_protocols", ["imap", "pop3"])
    number = set_feature(service, "test_storage", 10)
    service.summary_en = "version one"
    service.save()  # the version to restore: parts as they were before the next change
    version_one = service.history.first()

    # Like an admin save: the service first, then its inline parts.
    service.summary_en = "version two"
    service.save()
    choices.choices.set([FeatureChoice.objects.get(key="imap")])
    number.number_value = 99
    number.save()

    _restore(signed_in(editor), service, version_one)
    choices.refresh_from_db()
    number.refresh_from_db()
    assert sorted(choices.choices.values_list("key", flat=True)) == ["imap", "pop3"]
    assert number.number_value == 10
    assert Service.objects.get(pk=service.pk).summary_en == "version one"

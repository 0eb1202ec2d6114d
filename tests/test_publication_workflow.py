import pytest
from django.contrib.auth import get_user_model

from portal.publishing import (
    PublicationState,
    TransitionNotAllowed,
    allowed_transitions,
    apply_transition,
)
from providers.models import Service
from tests.conftest import change_form_data
from tests.factories import make_criterion, make_service


def _user(credentials):
    return get_user_model().objects.get(username=credentials.username)


def test_new_service_is_a_draft_and_not_public(db):
    service = make_service()
    assert service.state == PublicationState.DRAFT
    assert service not in Service.objects.published()


def test_editor_submits_and_publisher_publishes(editor, publisher):
    service = make_service()
    apply_transition(service, "submit", _user(editor))
    assert service.state == PublicationState.IN_REVIEW
    apply_transition(service, "publish", _user(publisher))
    service.refresh_from_db()
    assert service.state == PublicationState.PUBLISHED
    assert service.published_by == _user(publisher)
    assert service.published_at is not None
    assert list(Service.objects.published()) == [service]


def test_editor_cannot_publish(editor):
    service = make_service(state=PublicationState.IN_REVIEW)
    with pytest.raises(TransitionNotAllowed):
        apply_transition(service, "publish", _user(editor))
    service.refresh_from_db()
    assert service.state == PublicationState.IN_REVIEW


def test_publishing_skips_no_review(publisher):
    service = make_service()
    with pytest.raises(TransitionNotAllowed):
        apply_transition(service, "publish", _user(publisher))


def test_editor_is_offered_only_editorial_transitions(editor, publisher):
    service = make_service(state=PublicationState.IN_REVIEW)
    assert [t.name for t in allowed_transitions(_user(editor), service)] == ["withdraw"]
    assert [t.name for t in allowed_transitions(_user(publisher), service)] == [
        "withdraw",
        "publish",
    ]


def test_editor_cannot_publish_through_the_admin(editor, signed_in):
    service = make_service(state=PublicationState.IN_REVIEW)
    client = signed_in(editor)
    client.post(f"/admin/providers/service/{service.pk}/transition/publish/")
    service.refresh_from_db()
    assert service.state == PublicationState.IN_REVIEW


def test_editor_cannot_publish_with_the_bulk_action(editor, signed_in):
    service = make_service(state=PublicationState.IN_REVIEW)
    client = signed_in(editor)
    response = client.post(
        "/admin/providers/service/",
        {"action": "publish_selected", "_selected_action": [service.pk]},
    )
    service.refresh_from_db()
    assert service.state == PublicationState.IN_REVIEW
    assert response.status_code in (200, 302)


def test_publisher_publishes_through_the_admin(publisher, signed_in):
    service = make_service(state=PublicationState.IN_REVIEW)
    client = signed_in(publisher)
    response = client.post(f"/admin/providers/service/{service.pk}/transition/publish/")
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.state == PublicationState.PUBLISHED


def test_editor_cannot_change_published_content(editor, signed_in):
    service = make_service(state=PublicationState.PUBLISHED)
    client = signed_in(editor)
    url = f"/admin/providers/service/{service.pk}/change/"
    data = change_form_data(client.get(url))
    data["name"] = "Renamed"
    assert client.post(url, data).status_code == 302
    service.refresh_from_db()
    assert service.name != "Renamed"  # the change waits in a revision (tests/test_revisions.py)


def test_publisher_cannot_publish_what_they_submitted(publisher):
    service = make_service()
    apply_transition(service, "submit", _user(publisher))
    with pytest.raises(TransitionNotAllowed):
        apply_transition(service, "publish", _user(publisher))
    assert service.state == PublicationState.IN_REVIEW


def test_a_published_item_is_not_reopened(publisher):
    service = make_service(state=PublicationState.PUBLISHED)
    with pytest.raises(TransitionNotAllowed):
        apply_transition(service, "reopen", _user(publisher))


def test_state_cannot_be_set_through_the_change_form(editor, signed_in):
    service = make_service()
    client = signed_in(editor)
    page = client.get(f"/admin/providers/service/{service.pk}/change/")
    assert b'name="state"' not in page.content


def test_criteria_follow_the_same_workflow(editor, publisher):
    criterion = make_criterion()
    apply_transition(criterion, "submit", _user(editor))
    with pytest.raises(TransitionNotAllowed):
        apply_transition(criterion, "publish", _user(editor))
    apply_transition(criterion, "publish", _user(publisher))
    apply_transition(criterion, "retire", _user(publisher))
    assert criterion.state == PublicationState.RETIRED

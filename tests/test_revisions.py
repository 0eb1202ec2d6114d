"""Live content is edited through a pending revision: visitors see the live version until a
publisher publishes the revision, which then applies fields, languages and parts at once."""

import pytest
from django.contrib.auth import get_user_model

from portal.accounts import create_staff_member
from portal.models import Revision, RevisionState
from portal.publishing import PublicationState
from providers.models import Service
from tests.conftest import change_form_data
from tests.factories import make_published_service


def _user(credentials):
    return get_user_model().objects.get(username=credentials.username)


@pytest.fixture
def second_publisher(db):
    return create_staff_member("test-publisher-2", "publisher")


def _edit(client, service, **changes):
    url = f"/admin/providers/service/{service.pk}/change/"
    data = change_form_data(client.get(url))
    data.update(changes)
    return client.post(url, data)


def test_an_editors_change_to_live_content_waits_beside_it(editor, signed_in, client):
    service = make_published_service(summary_en="Live text.", summary_ckb="دەقی زیندوو.")
    editor_client = signed_in(editor)

    response = _edit(editor_client, service, summary_en="Better text.")

    assert response.status_code == 302
    service.refresh_from_db()
    assert service.state == PublicationState.PUBLISHED
    assert service.summary_en == "Live text."
    revision = Revision.objects.get()
    assert revision.state == RevisionState.DRAFT
    assert revision.payload["fields"]["summary_en"] == "Better text."
    assert revision.payload["fields"]["summary_ckb"] == "دەقی زیندوو."
    page = client.get(f"/en/services/{service.slug}/")
    assert page.status_code == 200
    assert b"Live text." in page.content and b"Better text." not in page.content
    # The editor's form shows the revision, not the live version.
    form = editor_client.get(f"/admin/providers/service/{service.pk}/change/")
    assert b"Better text." in form.content
    assert b"pending revision #" in form.content


def test_edits_go_into_the_one_open_revision(editor, publisher, signed_in):
    service = make_published_service(summary_en="Live text.")
    _edit(signed_in(editor), service, summary_en="First edit.")
    _edit(signed_in(publisher), service, summary_en="Second edit.")
    revision = Revision.objects.get()
    assert revision.payload["fields"]["summary_en"] == "Second edit."
    assert revision.created_by == _user(editor)
    assert revision.edited_by == _user(publisher)


def test_submit_saves_the_form_first_and_publish_applies_it(editor, publisher, signed_in, client):
    service = make_published_service(summary_en="Live text.")
    link = service.links.create(kind="homepage", url="https://old.example")
    history_before = service.history.count()

    response = _edit(signed_in(editor), service, summary_en="Reviewed text.", _workflow="submit")
    assert response.status_code == 302
    revision = Revision.objects.get()
    assert revision.state == RevisionState.IN_REVIEW
    assert revision.submitted_by == _user(editor)
    assert revision.payload["fields"]["summary_en"] == "Reviewed text."

    publisher_client = signed_in(publisher)
    url = f"/admin/providers/service/{service.pk}/change/"
    data = change_form_data(publisher_client.get(url))
    data["_workflow"] = "publish"
    assert publisher_client.post(url, data).status_code == 302

    service.refresh_from_db()
    revision.refresh_from_db()
    assert revision.state == RevisionState.PUBLISHED
    assert revision.decided_by == _user(publisher)
    assert service.summary_en == "Reviewed text."
    assert service.state == PublicationState.PUBLISHED
    assert service.published_by == _user(publisher)
    assert list(service.links.values_list("pk", "url")) == [(link.pk, "https://old.example")]
    assert service.history.count() == history_before + 1
    newest = service.history.first()
    assert newest.history_user == _user(publisher)
    assert f"#{revision.pk}" in newest.history_change_reason
    assert b"Reviewed text." in client.get(f"/en/services/{service.slug}/").content


def test_an_editor_cannot_publish_a_revision(editor, signed_in):
    service = make_published_service(summary_en="Live text.")
    client = signed_in(editor)
    _edit(client, service, summary_en="Unreviewed.", _workflow="submit")
    page = client.get(f"/admin/providers/service/{service.pk}/change/")
    assert b'value="publish"' not in page.content
    _edit(client, service, _workflow="publish")
    service.refresh_from_db()
    assert service.summary_en == "Live text."
    assert Revision.objects.get().state == RevisionState.IN_REVIEW


def test_four_eyes_a_publisher_cannot_publish_what_they_submitted(
    publisher, second_publisher, signed_in
):
    service = make_published_service(summary_en="Live text.")
    client = signed_in(publisher)
    _edit(client, service, summary_en="Own change.", _workflow="submit")
    _edit(client, service, _workflow="publish")
    service.refresh_from_db()
    assert service.summary_en == "Live text."

    _edit(signed_in(second_publisher), service, _workflow="publish")
    service.refresh_from_db()
    assert service.summary_en == "Own change."


def test_four_eyes_can_be_switched_off(publisher, signed_in, settings):
    settings.REVIEW_FOUR_EYES = False
    service = make_published_service(summary_en="Live text.")
    client = signed_in(publisher)
    _edit(client, service, summary_en="Own change.", _workflow="submit")
    _edit(client, service, _workflow="publish")
    service.refresh_from_db()
    assert service.summary_en == "Own change."


def test_changing_a_revision_in_review_sends_it_back_to_draft(
    editor, publisher, second_publisher, signed_in
):
    service = make_published_service(summary_en="Live text.")
    _edit(signed_in(editor), service, summary_en="Submitted.", _workflow="submit")
    # The publisher edits instead of only publishing: what is published is then theirs.
    _edit(signed_in(publisher), service, summary_en="Changed in review.", _workflow="publish")
    service.refresh_from_db()
    revision = Revision.objects.get()
    assert service.summary_en == "Live text."
    assert revision.state == RevisionState.DRAFT
    assert revision.submitted_by is None


def test_a_transition_with_an_invalid_form_moves_nothing_and_says_so(editor, signed_in):
    service = make_published_service(summary_en="Live text.")
    response = _edit(signed_in(editor), service, summary_en="", _workflow="submit")
    assert response.status_code == 200
    assert b"correct the errors below first" in response.content
    assert not Revision.objects.exists()


def test_a_draft_is_saved_before_it_is_submitted(editor, signed_in):
    service = Service.objects.create(
        kind="provider", name="Draft Mail", slug="draft-mail", summary_en="Old"
    )
    response = _edit(signed_in(editor), service, summary_en="Typed just now.", _workflow="submit")
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.summary_en == "Typed just now."
    assert service.state == PublicationState.IN_REVIEW


def test_inline_parts_of_live_content_change_only_when_published(editor, publisher, signed_in):
    service = make_published_service(summary_en="Live text.")
    link = service.links.create(kind="homepage", url="https://old.example")
    client = signed_in(editor)
    url = f"/admin/providers/service/{service.pk}/change/"
    data = change_form_data(client.get(url))
    # Change the link, add a download: both wait in the revision.
    data["links-0-url"] = "https://new.example"
    data["downloads-TOTAL_FORMS"] = "1"
    data.update(
        {
            "downloads-0-platform": "android",
            "downloads-0-label": "F-Droid",
            "downloads-0-url": "https://f-droid.example/app",
            "downloads-0-order": "0",
            "_workflow": "submit",
        }
    )
    assert client.post(url, data).status_code == 302
    link.refresh_from_db()
    assert link.url == "https://old.example"
    assert not service.downloads.exists()

    # Reopening the form shows the new download with a stable placeholder id; saving it again
    # changes nothing.
    again = change_form_data(client.get(url))
    assert again["downloads-0-url"] == "https://f-droid.example/app"
    assert client.post(url, again).status_code == 302
    assert Revision.objects.get().payload["parts"]["downloads"][0]["id"] < 0

    assert Revision.objects.get().state == RevisionState.IN_REVIEW
    _edit(signed_in(publisher), service, _workflow="publish")
    link.refresh_from_db()
    assert link.url == "https://new.example"
    assert list(service.downloads.values_list("label", "url")) == [
        ("F-Droid", "https://f-droid.example/app")
    ]
    assert service.downloads.get().pk > 0


def test_discarding_a_revision_leaves_the_live_version(editor, signed_in):
    service = make_published_service(summary_en="Live text.")
    client = signed_in(editor)
    _edit(client, service, summary_en="Never mind.")
    _edit(client, service, _workflow="discard")
    assert Revision.objects.get().state == RevisionState.DISCARDED
    service.refresh_from_db()
    assert service.summary_en == "Live text."
    form = client.get(f"/admin/providers/service/{service.pk}/change/")
    assert b"Live text." in form.content


def test_live_content_without_a_revision_offers_to_submit_changes(editor, signed_in):
    service = make_published_service(summary_en="Live text.")
    page = signed_in(editor).get(f"/admin/providers/service/{service.pk}/change/")
    assert b'name="_workflow" value="submit"' in page.content
    assert b'value="publish"' not in page.content


def test_saving_live_content_unchanged_starts_no_revision(publisher, signed_in):
    service = make_published_service(summary_en="Live text.")
    service.links.create(kind="homepage", url="https://example.org")
    response = _edit(signed_in(publisher), service)
    assert response.status_code == 302
    assert not Revision.objects.exists()

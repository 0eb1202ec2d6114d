"""Every change is kept with who and when, and can be reverted."""

from django.contrib.auth import get_user_model

from criteria.models import Criterion
from tests.conftest import change_form_data
from tests.factories import make_criterion, make_service


def test_an_admin_edit_is_recorded_with_its_author(editor, signed_in):
    service = make_service(summary_en="First version.")
    client = signed_in(editor)
    url = f"/admin/providers/service/{service.pk}/change/"
    data = change_form_data(client.get(url))
    data["summary_en"] = "Second version."
    assert client.post(url, data).status_code == 302

    latest = service.history.first()
    assert latest.summary_en == "Second version."
    assert latest.history_user == get_user_model().objects.get(username=editor.username)
    assert latest.history_type == "~"
    delta = latest.diff_against(latest.prev_record)
    changed = {change.field for change in delta.changes}
    assert changed and all(name.startswith("summary") for name in changed)


def test_a_change_can_be_reverted_from_history(editor, signed_in):
    service = make_service(summary_en="Original text.")
    original = service.history.first()
    service.summary_en = "Mistake."
    service.save()
    client = signed_in(editor)
    url = f"/admin/providers/service/{service.pk}/history/{original.history_id}/"
    page = client.get(url)
    assert page.status_code == 200
    assert b"Original text." in page.content and b"Mistake." in page.content
    assert client.post(url, {}).status_code == 302
    service.refresh_from_db()
    assert service.summary_en == "Original text."


def test_history_is_kept_for_criteria_and_service_parts(db):
    criterion = make_criterion(text_en="Old")
    criterion.text_en = "New"
    criterion.save()
    assert [h.text_en for h in Criterion.history.filter(id=criterion.pk)] == ["New", "Old"]
    service = make_service()
    link = service.links.create(kind="homepage", url="https://example.org")
    link_id = link.pk
    link.delete()
    assert [h.history_type for h in service.links.model.history.filter(id=link_id)] == ["-", "+"]

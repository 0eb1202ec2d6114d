"""Each translation knows whether it was reviewed and whether its English changed since it was
made ("stale"): the admin shows and filters it, and visitors see a note on a stale text."""

from __future__ import annotations

import polib
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from portal.content_translations import export_po, import_po
from portal.models import Revision, TranslationState
from portal.publishing import apply_transition
from portal.review import move_revision, record_revision
from portal.snapshots import snapshot
from portal.translation_state import row_key, summaries, text_hash
from providers.models import Service

STALE_NOTE = 'class="translation-stale"'


def _user(credentials):
    return get_user_model().objects.get(username=credentials.username)


def _publish_change(obj, fields: dict[str, str], editor, publisher) -> None:
    """An editor's pending revision of live content, submitted and published by a publisher."""
    obj = type(obj).objects.get(pk=obj.pk)  # as it is now, not as the caller last read it
    payload = snapshot(obj)
    payload["fields"].update(fields)
    revision = record_revision(obj, payload, _user(editor))
    move_revision(revision, "submit", _user(editor))
    move_revision(revision, "publish", _user(publisher))


def _summary(service: Service, language: str):
    fresh = Service.objects.get(pk=service.pk)
    return summaries([fresh], [language])[row_key(fresh)][language]


def _state(service: Service, field: str, language: str) -> TranslationState:
    return TranslationState.objects.get(
        content_type__model="service", object_id=service.pk, field=field, language=language
    )


def _changelist(client, query: str = "") -> list[str]:
    response = client.get(f"/admin/providers/service/{query}")
    assert response.status_code == 200
    return [service.slug for service in response.context["cl"].result_list]


def test_the_seed_leaves_nothing_stale_and_everything_reviewed(seeded, client):
    assert TranslationState.objects.exists()
    assert not TranslationState.objects.filter(reviewed_at=None).exists()
    found = summaries(list(Service.objects.all()))
    assert all(s.stale == 0 and s.unreviewed == 0 for row in found.values() for s in row.values())
    assert STALE_NOTE not in client.get("/ckb/services/proton-mail/").content.decode()


def test_loading_the_seed_again_changes_no_state(seeded):
    before = list(TranslationState.objects.order_by("pk").values())
    call_command("loadseed", verbosity=0)
    assert list(TranslationState.objects.order_by("pk").values()) == before


def test_changing_the_english_makes_every_translation_stale(
    seeded, editor, publisher, signed_in, client
):
    proton = Service.objects.get(slug="proton-mail")
    _publish_change(proton, {"description_en": "A new English description."}, editor, publisher)

    assert _summary(proton, "ckb").stale == _summary(proton, "de").stale == 1
    admin = signed_in(editor)
    row = admin.get("/admin/providers/service/").content.decode()
    assert '<span class="mv-translation mv-stale">1 stale</span>' in row
    assert _changelist(admin, "?translation=ckb:stale") == ["proton-mail"]
    assert _changelist(admin, "?translation=fa:stale") == ["proton-mail"]

    kurdish = client.get("/ckb/services/proton-mail/").content.decode()
    assert kurdish.count(STALE_NOTE) == 1
    assert '<small class="translation-stale" lang="ckb">' in kurdish
    assert proton.description_ckb.split()[0] in kurdish  # the translation is still shown
    assert STALE_NOTE not in client.get("/en/services/proton-mail/").content.decode()


def test_retranslating_and_publishing_makes_it_current_and_reviewed(seeded, editor, publisher):
    proton = Service.objects.get(slug="proton-mail")
    _publish_change(proton, {"description_en": "A new English description."}, editor, publisher)
    _publish_change(proton, {"description_ckb": "وەسفێکی نوێ."}, editor, publisher)

    assert _summary(proton, "ckb").stale == 0
    assert _summary(proton, "de").stale == 1  # only the Kurdish text was translated again
    state = _state(proton, "description", "ckb")
    assert state.source_hash == text_hash("A new English description.")
    assert state.reviewed_by == _user(publisher)


def test_a_missing_translation_is_found_by_the_filter(seeded, editor, signed_in):
    Service.objects.filter(slug="startmail").update(summary_de="")
    admin = signed_in(editor)
    assert _changelist(admin, "?translation=de:missing") == ["startmail"]
    assert "mv-missing" in admin.get("/admin/providers/service/").content.decode()
    assert _changelist(admin, "?translation=de:stale") == []


def test_a_publisher_can_confirm_translations_after_a_small_english_fix(
    seeded, editor, publisher, signed_in
):
    proton = Service.objects.get(slug="proton-mail")
    _publish_change(
        proton, {"description_en": proton.description_en + " (fixed)"}, editor, publisher
    )
    action = {"action": "confirm_translations", "_selected_action": [proton.pk]}

    signed_in(editor).post("/admin/providers/service/", action)
    assert _summary(proton, "fr").stale == 1  # editors may not: it is a publishing decision

    signed_in(publisher).post("/admin/providers/service/", action)
    assert _summary(proton, "fr").stale == 0
    assert _state(proton, "description", "fr").reviewed_by == _user(publisher)


def test_imported_translations_are_reviewed_once_published(seeded, editor, publisher):
    proton = Service.objects.get(slug="proton-mail")
    po = export_po("de")
    entry = next(e for e in po if e.msgctxt == "providers.service:proton-mail:summary")
    entry.msgstr = "Eine neue deutsche Zusammenfassung."
    old = _state(proton, "summary", "de").text_hash

    report = import_po(po, "de", _user(editor))
    assert _state(proton, "summary", "de").text_hash == old  # visitors still see the old one

    revision = Revision.objects.get(pk=next(iter(report.revisions)))
    move_revision(revision, "submit", _user(editor))
    move_revision(revision, "publish", _user(publisher))
    state = _state(proton, "summary", "de")
    assert state.text_hash == text_hash("Eine neue deutsche Zusammenfassung.")
    assert state.reviewed_by == _user(publisher)
    assert _summary(proton, "de").stale == 0


def test_a_draft_import_is_reviewed_when_the_item_is_published(seeded, editor, publisher):
    draft = Service.objects.create(kind="provider", name="Draft", slug="draft", summary_en="A.")
    po = polib.POFile()
    po.append(polib.POEntry(msgctxt="providers.service:draft:summary", msgid="A.", msgstr="Un."))
    import_po(po, "fr", _user(editor))
    assert _state(draft, "summary", "fr").reviewed_at is None  # written, not reviewed yet

    apply_transition(draft, "submit", _user(editor))
    apply_transition(draft, "publish", _user(publisher))
    assert _state(draft, "summary", "fr").reviewed_by == _user(publisher)


def test_an_unrecorded_translation_goes_stale_when_its_english_is_changed(
    seeded, editor, publisher
):
    proton = Service.objects.get(slug="proton-mail")
    TranslationState.objects.filter(object_id=proton.pk, content_type__model="service").delete()
    _publish_change(proton, {"summary_en": "Changed."}, editor, publisher)
    # Made for the English as it was before the revision, whatever that was.
    assert _summary(proton, "es").stale == 1


@pytest.mark.parametrize("url", ["/ckb/services/proton-mail/", "/ckb/providers/"])
def test_a_stale_text_costs_the_page_no_query_per_text(
    seeded, editor, publisher, client, settings, url
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.PAGE_CACHE_SECONDS = 0

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    fresh = queries()
    for service in Service.objects.published():
        changed = {"summary_en": service.summary_en + " More.", "hq_city_en": "Elsewhere"}
        _publish_change(service, changed, editor, publisher)
    assert client.get(url).content.decode().count(STALE_NOTE) >= 2
    assert queries() == fresh


def test_a_draft_translated_again_in_place_is_no_longer_stale(seeded, editor):
    draft = Service.objects.create(kind="provider", name="Draft", slug="draft", summary_en="A.")
    po = polib.POFile()
    po.append(polib.POEntry(msgctxt="providers.service:draft:summary", msgid="A.", msgstr="Un."))
    import_po(po, "fr", _user(editor))

    Service.objects.filter(pk=draft.pk).update(summary_en="B.")
    assert _summary(draft, "fr").stale == 1
    Service.objects.filter(pk=draft.pk).update(summary_fr="Deux.")
    # The state describes "Un.", not this text: nothing says "Deux." was made for "A.".
    assert (_summary(draft, "fr").stale, _summary(draft, "fr").unreviewed) == (0, 1)


def test_a_stale_translation_is_exported_as_fuzzy(seeded, editor, publisher):
    proton = Service.objects.get(slug="proton-mail")
    assert not any("fuzzy" in entry.flags for entry in export_po("fa"))
    _publish_change(proton, {"summary_en": "Changed."}, editor, publisher)
    fuzzy = [entry.msgctxt for entry in export_po("fa") if "fuzzy" in entry.flags]
    assert fuzzy == ["providers.service:proton-mail:summary"]

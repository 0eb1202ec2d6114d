"""Translators work on PO files: every curated text goes out with its English source, and comes
back through review (pending revisions for live content), stale and unknown entries reported."""

import shutil
from io import StringIO

import polib
import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from criteria.models import Assessment, AssessmentSource, Criterion
from portal.content_translations import export_po, import_po
from portal.models import Revision
from portal.publishing import PublicationState
from portal.seed.loader import DATA_DIR
from providers.models import Service


def _user(credentials):
    return get_user_model().objects.get(username=credentials.username)


def _entry(po: polib.POFile, context: str) -> polib.POEntry:
    return next(e for e in po if e.msgctxt == context)


def test_the_export_holds_every_curated_text_with_its_source(seeded):
    po = export_po("ckb")
    proton = Service.objects.get(slug="proton-mail")
    summary = _entry(po, "providers.service:proton-mail:summary")
    assert summary.msgid == proton.summary_en
    assert summary.msgstr == proton.summary_ckb
    assert any(e.msgctxt.startswith("providers.feature:") for e in po)
    assert any(e.msgctxt.startswith("criteria.criterion:") for e in po)
    assert any(e.msgctxt.startswith("providers.servicesection:proton-mail:") for e in po)
    assert len({e.msgctxt for e in po}) == len(po)  # every context names one text


def test_machine_output_is_not_exported(seeded):
    service = Service.objects.published().first()
    Assessment.objects.create(
        service=service,
        criterion=Criterion.objects.published().first(),
        source=AssessmentSource.AUTOMATED,
        note_en="Written by the audit.",
    )
    assert not any(e.msgid == "Written by the audit." for e in export_po("de"))


def test_importing_into_live_content_makes_one_pending_revision(seeded, editor):
    po = export_po("de")
    proton = Service.objects.get(slug="proton-mail")
    section = proton.sections.order_by("pk").first()
    live = (proton.summary_de, section.body_de)
    _entry(po, "providers.service:proton-mail:summary").msgstr = "Deutsche Zusammenfassung."
    _entry(po, f"providers.servicesection:proton-mail:{section.group.key}:body").msgstr = "Text."

    report = import_po(po, "de", _user(editor))

    assert (report.proposed, report.applied) == (2, 0)  # every other entry is as it is
    proton.refresh_from_db()
    section.refresh_from_db()
    assert (proton.summary_de, section.body_de) == live  # visitors see no change yet
    revision = Revision.objects.open().of(proton).get()
    assert revision.payload["fields"]["summary_de"] == "Deutsche Zusammenfassung."
    part = next(p for p in revision.payload["parts"]["sections"] if p["id"] == section.pk)
    assert part["fields"]["body_de"] == "Text."
    assert report.revisions == {revision.pk}


def test_importing_into_a_draft_changes_it_in_place(seeded, editor):
    draft = Service.objects.create(
        kind="provider", name="Draft Mail", slug="draft-mail", summary_en="A draft."
    )
    assert draft.state == PublicationState.DRAFT
    po = export_po("fr")
    _entry(po, "providers.service:draft-mail:summary").msgstr = "Un brouillon."
    report = import_po(po, "fr", _user(editor))
    draft.refresh_from_db()
    assert draft.summary_fr == "Un brouillon." and report.applied == 1
    assert not Revision.objects.exists()


def test_stale_unknown_and_fuzzy_entries_are_not_applied(seeded, editor):
    po = export_po("es")
    stale = _entry(po, "providers.service:proton-mail:summary")
    stale.msgid = "An older English summary."
    stale.msgstr = "Un resumen antiguo."
    fuzzy = _entry(po, "providers.service:startmail:summary")
    fuzzy.msgstr, fuzzy.flags = "Dudoso.", ["fuzzy"]
    po.append(
        polib.POEntry(msgctxt="providers.service:no-such-service:summary", msgid="x", msgstr="y")
    )
    report = import_po(po, "es", _user(editor))
    assert report.stale == ["providers.service:proton-mail:summary"]
    assert report.unknown == ["providers.service:no-such-service:summary"]
    assert report.proposed == report.applied == 0
    assert not Revision.objects.exists()


def test_the_commands_round_trip(seeded, editor, tmp_path):
    path = tmp_path / "fa.po"
    call_command("export_translations", "fa", "-o", str(path), stderr=StringIO())
    po = polib.pofile(str(path))
    _entry(po, "providers.service:proton-mail:summary").msgstr = "خلاصه."
    po.save()
    out = StringIO()
    call_command("import_translations", str(path), "--as", editor.username, stdout=out)
    assert "1 proposed in 1 pending revision(s)" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("export_translations", "en", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("import_translations", str(path), "--as", "nobody", stdout=StringIO())


def test_the_seed_loads_its_translation_files_idempotently(seeded, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    translations = data / "translations"
    shutil.rmtree(translations, ignore_errors=True)
    translations.mkdir()
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    proton = Service.objects.get(slug="proton-mail")
    po.append(
        polib.POEntry(
            msgctxt="providers.service:proton-mail:summary",
            msgid=proton.summary_en,
            msgstr="Zusammenfassung aus dem Seed.",
        )
    )
    po.save(str(translations / "de.po"))

    call_command("loadseed", "--data-dir", str(data), verbosity=0)
    proton.refresh_from_db()
    assert proton.summary_de == "Zusammenfassung aus dem Seed."
    out = StringIO()
    call_command("loadseed", "--data-dir", str(data), stdout=out)
    assert "0 created, 0 updated, 0 deleted" in out.getvalue()
    proton.refresh_from_db()
    assert proton.summary_de == "Zusammenfassung aus dem Seed."  # a reload keeps it


def test_the_seed_writes_one_history_record_per_row_not_per_field(seeded):
    proton = Service.objects.get(slug="proton-mail")
    # Created, published, then one record per translation file: not one per translated field.
    files = len(list((DATA_DIR / "translations").glob("*.po")))
    seed_records = proton.history.filter(history_user__username="mailvet-system").count()
    assert seed_records <= 2 + files, seed_records

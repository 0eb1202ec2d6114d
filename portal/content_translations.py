"""Curated content's translations as gettext PO files: for translators' tools, and for the seed.

Every translated field of every curated row with English text is one PO entry:

    msgctxt "providers.service:proton-mail:summary"   (model, natural key, field)
    msgid   "<the English text>"
    msgstr  "<the text in the file's language>"

The context is built from each model's natural key (portal/translation_support.py), so a file
exported from one database imports into another. Importing goes through review like any other
change: content visitors see gets (or joins) its pending revision; drafts change in place. An
entry whose English source has changed since it was exported is *stale* and is not applied: its
translation was made for another text.

What an entry was translated from is recorded (portal/translation_state.py): a text changed in
place is known to translate the entry's msgid (reviewed when the seed writes it, since the seed
is published content); a pending revision's texts are recorded when a publisher publishes it.
A translation made for an earlier English text is exported as fuzzy, for translators to revise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import polib
from django.db import models, transaction
from django.utils import timezone
from modeltranslation.utils import build_localized_fieldname

from . import translation_state
from .review import is_live, open_revision, record_revision
from .snapshots import Payload, parts_of, snapshot
from .text_normalisation import normalise_text
from .translation_support import (
    CURATED_ROWS,
    DEFAULT_LANGUAGE,
    NATURAL_KEYS,
    translated_field_names,
)

KEY_SEPARATOR = ":"


@dataclass(frozen=True)
class Entry:
    context: str
    source: str
    translation: str
    row: models.Model
    field: str


@dataclass
class ImportReport:
    applied: int = 0  # fields changed in place (content not live, or the seed)
    proposed: int = 0  # fields put into pending revisions
    unchanged: int = 0
    stale: list[str] = field(default_factory=list)  # contexts whose English source changed
    unknown: list[str] = field(default_factory=list)  # contexts naming no row or field
    revisions: set[int] = field(default_factory=set)

    def summary(self) -> str:
        return (
            f"{self.applied} applied, {self.proposed} proposed in {len(self.revisions)} pending "
            f"revision(s), {self.unchanged} unchanged, {len(self.stale)} stale, "
            f"{len(self.unknown)} unknown"
        )


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def _key_of(row: models.Model, key: tuple[str, ...]) -> str:
    values = []
    for path in key:
        value: Any = row
        for step in path.split("__"):
            value = getattr(value, step)
        values.append(str(value))
    return KEY_SEPARATOR.join(values)


def _rows(model: type[models.Model]) -> models.QuerySet:
    key = NATURAL_KEYS[model]
    related = {"__".join(path.split("__")[:-1]) for path in key if "__" in path}
    rows = model._default_manager.filter(**CURATED_ROWS.get(model, {}))
    return rows.select_related(*related).order_by("pk")


def entries(language: str) -> Iterator[Entry]:
    """Every curated text with English source, and its current text in `language`."""
    for model in sorted(NATURAL_KEYS, key=_label):
        names = translated_field_names(model)
        for row in _rows(model):
            key = _key_of(row, NATURAL_KEYS[model])
            for name in names:
                source = getattr(row, build_localized_fieldname(name, DEFAULT_LANGUAGE)) or ""
                if not source.strip():
                    continue
                yield Entry(
                    context=KEY_SEPARATOR.join((_label(model), key, name)),
                    source=source,
                    translation=getattr(row, build_localized_fieldname(name, language)) or "",
                    row=row,
                    field=name,
                )


def export_po(language: str) -> polib.POFile:
    po = polib.POFile(wrapwidth=0)
    po.metadata = {
        "Project-Id-Version": "mailvet content",
        "Language": language,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "POT-Creation-Date": timezone.now().strftime("%Y-%m-%d %H:%M%z"),
    }
    found = list(entries(language))
    known = translation_state.load({entry.row for entry in found}, [language])
    for entry in found:
        item = polib.POEntry(msgctxt=entry.context, msgid=entry.source, msgstr=entry.translation)
        state = known.get((*translation_state.row_key(entry.row), entry.field, language))
        if translation_state.status(entry.source, entry.translation, state) == (
            translation_state.Status.STALE
        ):
            # Made for an earlier English text: translators' tools show a fuzzy entry as one to
            # revise, and importing skips it until someone has.
            item.flags.append("fuzzy")
        po.append(item)
    return po


def _find(context: str) -> tuple[models.Model, str] | None:
    label, _sep, rest = context.partition(KEY_SEPARATOR)
    key, _sep, name = rest.rpartition(KEY_SEPARATOR)
    model = next((m for m in NATURAL_KEYS if _label(m) == label), None)
    if model is None or name not in translated_field_names(model):
        return None
    paths = NATURAL_KEYS[model]
    values = key.split(KEY_SEPARATOR)
    if len(values) != len(paths):
        return None
    lookup = dict(zip(paths, values, strict=True))
    row = model._default_manager.filter(**CURATED_ROWS.get(model, {}), **lookup).first()
    return (row, name) if row is not None else None


def _parent_of(row: models.Model) -> tuple[models.Model, str] | None:
    """(parent, accessor) when `row` is an inline part of another object's revisions."""
    for parent_model in list(NATURAL_KEYS):
        for part in parts_of(parent_model):
            relation = parent_model._meta.get_field(part.accessor)
            if relation.related_model is type(row) and all(
                getattr(row, k) == v for k, v in part.only.items()
            ):
                parent = getattr(row, relation.field.name)  # type: ignore[union-attr]
                if parent is not None:  # a top-level criterion is no sub-item of another
                    return parent, part.accessor
    return None


@transaction.atomic
def import_po(
    po: polib.POFile,
    language: str,
    user: Any,
    *,
    in_place: bool = False,
    keep: Callable[[models.Model], bool] | None = None,
) -> ImportReport:
    """Apply a PO file's translations of `language`.

    `in_place` and `keep` are for the seed loader only: it writes its own rows directly and
    keeps (`keep(row)` true) the rows people have edited. Everything else goes through review.
    """
    report = ImportReport()
    # Rows changed in place, each saved once with all its columns: one history record per row,
    # not one per translated field.
    in_place_rows: dict[tuple[type[models.Model], int], tuple[models.Model, list[str]]] = {}
    # Changes per object that owns the revision: a service collects its sections' and notes'.
    proposed: dict[tuple[type[models.Model], int], tuple[models.Model, Payload]] = {}
    changed: set[tuple[type[models.Model], int]] = set()
    decisions: list[translation_state.Decision] = []
    for item in po:
        if not item.msgstr or "fuzzy" in item.flags or item.obsolete:
            continue
        found = _find(item.msgctxt or "")
        if found is None:
            report.unknown.append(item.msgctxt or item.msgid)
            continue
        row, name = found
        if keep is not None and keep(row):
            report.unchanged += 1
            continue
        source = getattr(row, build_localized_fieldname(name, DEFAULT_LANGUAGE)) or ""
        if normalise_text(source) != normalise_text(item.msgid):
            report.stale.append(item.msgctxt)
            continue
        column = build_localized_fieldname(name, language)
        text = normalise_text(item.msgstr)
        # Changed in place, the row's text is now the one the entry translates from msgid.
        written_for = translation_state.decided(
            row, name, language, item.msgid, text, reviewed=in_place
        )
        if in_place:  # the seed: no owner to look up, no review to go through
            _apply_in_place(row, column, text, report, in_place_rows)
            decisions.append(written_for)
            continue
        owner, accessor = _parent_of(row) or (row, None)
        if not is_live(owner):
            _apply_in_place(row, column, text, report, in_place_rows)
            decisions.append(written_for)
            continue
        owner_key = (type(owner), owner.pk)
        if owner_key not in proposed:
            revision = open_revision(owner)
            proposed[owner_key] = (owner, revision.payload if revision else snapshot(owner))
        payload = proposed[owner_key][1]
        fields = payload["fields"] if accessor is None else _part_fields(payload, accessor, row)
        if fields is None or fields.get(column, "") == text:
            report.unchanged += 1
            continue
        fields[column] = text
        changed.add(owner_key)
        report.proposed += 1
    for row, columns in in_place_rows.values():
        row._history_user = user  # type: ignore[attr-defined]
        row.save(update_fields=columns)
    # Live content's translations are recorded when their revision is published.
    translation_state.save(decisions, user)
    for owner_key in changed:
        owner, payload = proposed[owner_key]
        revision = record_revision(
            owner, payload, user, note=f"Translations ({language}) imported."
        )
        report.revisions.add(revision.pk)
    return report


def _apply_in_place(
    row: models.Model,
    column: str,
    text: str,
    report: ImportReport,
    rows: dict[tuple[type[models.Model], int], tuple[models.Model, list[str]]],
) -> None:
    if (getattr(row, column) or "") == text:
        report.unchanged += 1
        return
    # The same row comes back for each of its fields: change the one instance kept for it.
    kept, columns = rows.setdefault((type(row), row.pk), (row, []))
    setattr(kept, column, text)
    columns.append(column)
    report.applied += 1


def _part_fields(payload: Payload, accessor: str, row: models.Model) -> dict[str, Any] | None:
    for part in payload["parts"].get(accessor, []):
        if part["id"] == row.pk:
            return part["fields"]
    return None  # removed in the open revision: nothing to translate there

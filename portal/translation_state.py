"""Whether each translation of curated content is reviewed, and whether its English changed since.

One `TranslationState` row (portal/models.py) per translated text (object, field, language)
records the English text the translation was made from (as a hash), the translation it describes
(as a hash) and who reviewed it. From these and the texts as they are now:

- *missing*: there is English and no translation;
- *stale*: the English is no longer the text the translation shown was made from;
- *complete*: anything else (a translation nobody has recorded yet included: nothing says it is
  out of date);
- *reviewed*: the recorded translation is the current one and someone reviewed it.

Stale is computed, never stored, so editing the English makes its translations stale at once and
re-translating them clears it, whatever path changed the row. The rows are written where a
translation is decided: the seed (reviewed: it is published content), a PO import (with the
English its entries were written against) and a publication (the publisher reviews what changed).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname

from .cache import invalidate_pages
from .models import TranslationState
from .snapshots import parts_of
from .text_normalisation import normalise_text
from .translation_support import DEFAULT_LANGUAGE, translated_field_names


class Status(models.TextChoices):
    COMPLETE = "complete", _("complete")
    STALE = "stale", _("stale")
    MISSING = "missing", _("missing")


# (model label, object id, field, language): one translated text.
Key = tuple[str, int, str, str]
# (model label, object id): one row.
RowKey = tuple[str, int]


@dataclass(frozen=True)
class Known:
    """A stored state, as far as the status needs it."""

    pk: int
    source_hash: str
    text_hash: str
    reviewed: bool


def translation_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES if code != DEFAULT_LANGUAGE]


@lru_cache(maxsize=4096)  # a page asks for the same English texts again and again
def _hash_of(text: str) -> str:
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()


def text_hash(text: str) -> str:
    """The hash stored for a text: of its normalised form, so a trailing blank or a CRLF that
    saving would strip anyway never makes a translation stale."""
    return _hash_of(text or "")


def label_of(model: type[models.Model]) -> str:
    return model._meta.concrete_model._meta.label_lower  # type: ignore[union-attr]


def row_key(row: models.Model) -> RowKey:
    return label_of(type(row)), int(row.pk)


def text_of(row: models.Model, field: str, language: str) -> str:
    return getattr(row, build_localized_fieldname(field, language)) or ""


def status(english: str, translation: str, known: Known | None) -> Status | None:
    """The status of one translated text; None when there is no English to translate."""
    if not english.strip():
        return None
    if not translation.strip():
        return Status.MISSING
    if known is not None and stale(english, translation, known.source_hash, known.text_hash):
        return Status.STALE
    return Status.COMPLETE


def stale(english: str, translation: str, source_hash: str, recorded_text_hash: str) -> bool:
    """The recorded translation is the one shown, and it was made for another English text.

    A translation changed since it was recorded (a draft edited in place, a revision being
    previewed) is not judged by a state that describes another text: it is taken as made for
    the English beside it until a publication records it."""
    return recorded_text_hash == text_hash(translation) and source_hash != text_hash(english)


def is_reviewed(translation: str, known: Known | None) -> bool:
    return known is not None and known.reviewed and known.text_hash == text_hash(translation)


# Read with a join rather than through ContentType's cache: the pages' query counts stay the same
# whether or not the cache was filled by an earlier request.
_CONTENT_TYPE = ("content_type__app_label", "content_type__model")
_MAX_IDS = 500


# --- Reading --------------------------------------------------------------------------------


def load(rows: Iterable[models.Model], languages: Iterable[str] | None = None) -> dict[Key, Known]:
    """The stored states of `rows` (of any models), in one query."""
    ids: dict[type[models.Model], set[int]] = defaultdict(set)
    for row in rows:
        ids[row._meta.concrete_model].add(row.pk)  # type: ignore[index]
    if not ids:
        return {}
    wanted = Q()
    for model, pks in ids.items():
        of_model = Q(content_type=ContentType.objects.get_for_model(model))
        # A long list of ids would run into the database's limit on query parameters (a
        # filter over every row, an export): then read the model's states and keep the wanted.
        wanted |= of_model & Q(object_id__in=pks) if len(pks) <= _MAX_IDS else of_model
    states = TranslationState.objects.filter(wanted)
    if languages is not None:
        states = states.filter(language__in=list(languages))
    columns = ("object_id", "field", "language", "pk", "source_hash", "text_hash", "reviewed_at")
    ids_by_label = {label_of(model): pks for model, pks in ids.items()}
    found: dict[Key, Known] = {}
    for app, model, object_id, field, language, pk, source, text, reviewed in states.values_list(
        *_CONTENT_TYPE, *columns
    ):
        if object_id not in ids_by_label[f"{app}.{model}"]:
            continue  # read for a long list of ids, not asked for
        found[(f"{app}.{model}", object_id, field, language)] = Known(
            pk, source, text, reviewed is not None
        )
    return found


def translated_parts(roots: list[models.Model]) -> dict[RowKey, list[models.Model]]:
    """The parts with translated texts of each root (a service's sections, notes ...): one
    query per kind of part, whatever the number of roots."""
    found: dict[RowKey, list[models.Model]] = defaultdict(list)
    if not roots:
        return found
    model = type(roots[0])
    by_pk = {root.pk: root for root in roots}
    for part in parts_of(model):
        relation = model._meta.get_field(part.accessor)
        part_model: Any = relation.related_model
        if not translated_field_names(part_model):
            continue
        fk = relation.field  # type: ignore[union-attr]
        rows = part_model._default_manager.filter(**part.only).order_by("pk")
        if len(by_pk) <= _MAX_IDS:  # else all of them, as `load` does
            rows = rows.filter(**{f"{fk.attname}__in": list(by_pk)})
        for row in rows:
            root = by_pk.get(getattr(row, fk.attname))
            if root is not None:
                found[row_key(root)].append(row)
    return found


@dataclass
class Summary:
    """The texts of one row and its parts in one language, counted by status."""

    complete: int = 0
    stale: int = 0
    missing: int = 0
    unreviewed: int = 0

    @property
    def total(self) -> int:
        return self.complete + self.stale + self.missing

    def add(self, found: Status, reviewed: bool) -> None:
        setattr(self, found.value, getattr(self, found.value) + 1)
        if found != Status.MISSING and not reviewed:
            self.unreviewed += 1


def _texts(row: models.Model, language: str) -> Iterator[tuple[str, str, str]]:
    for name in translated_field_names(type(row)):
        yield name, text_of(row, name, DEFAULT_LANGUAGE), text_of(row, name, language)


def summaries(
    roots: list[models.Model], languages: Iterable[str] | None = None
) -> dict[RowKey, dict[str, Summary]]:
    """For each root (and its parts), a Summary per language: 1 + one query per kind of part."""
    languages = list(languages or translation_languages())
    parts = translated_parts(roots)
    everything = [*roots, *(part for rows in parts.values() for part in rows)]
    known = load(everything, languages)
    result: dict[RowKey, dict[str, Summary]] = {}
    for root in roots:
        per_language = {language: Summary() for language in languages}
        for row in (root, *parts.get(row_key(root), [])):
            label, pk = row_key(row)
            for language in languages:
                for name, english, translation in _texts(row, language):
                    state = known.get((label, pk, name, language))
                    found = status(english, translation, state)
                    if found is not None:
                        per_language[language].add(found, is_reviewed(translation, state))
        result[row_key(root)] = per_language
    return result


class StaleLookup:
    """Which texts of one language are stale, read in one query the first time it is asked.

    The public pages ask once per translated text they show; one lookup per request keeps the
    page at one query, however many objects it shows.
    """

    def __init__(self, language: str, only: models.Model | None = None) -> None:
        self.language = language
        self.only = only
        self._sources: dict[tuple[str, int, str], tuple[str, str]] | None = None

    def _load(self) -> dict[tuple[str, int, str], tuple[str, str]]:
        states = TranslationState.objects.filter(language=self.language)
        if self.only is not None:
            states = states.filter(
                content_type=ContentType.objects.get_for_model(type(self.only)),
                object_id=self.only.pk,
            )
        return {
            (f"{app}.{model}", object_id, field): (source, text)
            for app, model, object_id, field, source, text in states.values_list(
                *_CONTENT_TYPE, "object_id", "field", "source_hash", "text_hash"
            )
        }

    def is_stale(self, obj: models.Model, field: str) -> bool:
        if self._sources is None:
            self._sources = self._load()
        label, pk = row_key(obj)
        recorded = self._sources.get((label, pk, field))
        if recorded is None:
            return False
        english, translation = (
            text_of(obj, field, code) for code in (DEFAULT_LANGUAGE, self.language)
        )
        return stale(english, translation, *recorded)


# --- Writing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """One text's new state: made from `source`, describing `text`, reviewed or not."""

    row: models.Model
    field: str
    language: str
    source_hash: str
    text_hash: str
    reviewed: bool


def decided(
    row: models.Model, field: str, language: str, source: str, text: str, *, reviewed: bool
) -> Decision:
    return Decision(row, field, language, text_hash(source), text_hash(text), reviewed)


def save(decisions: list[Decision], reviewer: Any, *, known: dict[Key, Known] | None = None) -> int:
    """Store the decisions; returns how many rows changed.

    A decision that only repeats what is stored changes nothing, and one that would turn a
    reviewed state back into an unreviewed one for the very same texts keeps the review.
    """
    if not decisions:
        return 0
    if known is None:
        known = load({d.row for d in decisions})
    now = timezone.now()
    reviewer = reviewer if getattr(reviewer, "is_authenticated", False) else None
    creates: dict[Key, TranslationState] = {}
    updates: list[TranslationState] = []
    for decision in decisions:
        label, pk = row_key(decision.row)
        key = (label, pk, decision.field, decision.language)
        state = known.get(key)
        same_texts = state is not None and (state.source_hash, state.text_hash) == (
            decision.source_hash,
            decision.text_hash,
        )
        if same_texts and (state.reviewed or not decision.reviewed):  # type: ignore[union-attr]
            continue
        row = _state_row(decision, reviewer, now)
        if state is None:
            creates[key] = row  # the last decision for a text wins
        else:
            row.pk = state.pk
            updates.append(row)
    TranslationState.objects.bulk_create(creates.values())
    TranslationState.objects.bulk_update(
        updates, ["source_hash", "text_hash", "reviewed_at", "reviewed_by", "updated_at"]
    )
    changed = len(creates) + len(updates)
    if changed:
        # Bulk writes send no signal; the pages show a note for stale texts.
        invalidate_pages()
    return changed


def _state_row(decision: Decision, reviewer: Any, now: datetime) -> TranslationState:
    return TranslationState(
        content_type=ContentType.objects.get_for_model(type(decision.row)),
        object_id=decision.row.pk,
        field=decision.field,
        language=decision.language,
        source_hash=decision.source_hash,
        text_hash=decision.text_hash,
        reviewed_at=now if decision.reviewed else None,
        reviewed_by=reviewer if decision.reviewed else None,
        updated_at=now,
    )


Texts = dict[RowKey, dict[tuple[str, str], str]]


def texts_of(root: models.Model) -> Texts:
    """Every translated text of `root` and its parts, in every language (before a publication,
    to tell afterwards what it changed)."""
    rows = [root, *translated_parts([root]).get(row_key(root), [])]
    languages = [DEFAULT_LANGUAGE, *translation_languages()]
    return {
        row_key(row): {
            (name, language): text_of(row, name, language)
            for name in translated_field_names(type(row))
            for language in languages
        }
        for row in rows
    }


def review_published(rows: list[models.Model], reviewer: Any, before: Texts | None = None) -> int:
    """Record what a publication decided about the translations of `rows`.

    The publisher reviewed every translation that changed since its state was recorded: it now
    translates the current English. A translation that did not change keeps the English it was
    made from (so an English edit published without re-translating stays stale) and is marked
    reviewed. `before` (the texts before a revision was applied) tells a translation nobody
    recorded yet from one the revision wrote: the former was made for the English as it was.
    Without `before` (an item's first publication, the seed) every text is being reviewed.
    """
    known = load(rows)
    decisions: list[Decision] = []
    for row in rows:
        label, pk = row_key(row)
        old = (before or {}).get((label, pk))
        for language in translation_languages():
            for name, english, translation in _texts(row, language):
                if not english.strip() or not translation.strip():
                    continue
                state = known.get((label, pk, name, language))
                decision = _decide(row, name, language, english, translation, state, before, old)
                if decision is not None:
                    decisions.append(decision)
    return save(decisions, reviewer, known=known)


def _decide(
    row: models.Model,
    name: str,
    language: str,
    english: str,
    translation: str,
    state: Known | None,
    before: Texts | None,
    old: dict[tuple[str, str], str] | None,
) -> Decision | None:
    if state is None:
        if before is None or old is None or old.get((name, language)) != translation:
            return decided(row, name, language, english, translation, reviewed=True)
        previous_english = old.get((name, DEFAULT_LANGUAGE), "")
        if previous_english != english:
            # Untouched by the revision, whose English changed: made for the previous English.
            return decided(row, name, language, previous_english, translation, reviewed=False)
        return None  # nobody decided anything about it
    if state.text_hash != text_hash(translation):
        return decided(row, name, language, english, translation, reviewed=True)
    if not state.reviewed:
        return Decision(row, name, language, state.source_hash, state.text_hash, reviewed=True)
    return None


def review_published_item(root: models.Model, reviewer: Any, before: Texts | None = None) -> int:
    """`review_published` for an object and its parts, read again from the database."""
    fresh = type(root)._default_manager.get(pk=root.pk)
    rows = [fresh, *translated_parts([fresh]).get(row_key(fresh), [])]
    return review_published(rows, reviewer, before)


def confirm_current(rows: list[models.Model], reviewer: Any) -> int:
    """A publisher's word that the translations of `rows` (and their parts) still say what the
    current English says: each present translation is recorded as made from it, and reviewed."""
    parts = translated_parts(rows)
    everything = [*rows, *(part for found in parts.values() for part in found)]
    decisions = [
        decided(row, name, language, english, translation, reviewed=True)
        for row in everything
        for language in translation_languages()
        for name, english, translation in _texts(row, language)
        if english.strip() and translation.strip()
    ]
    return save(decisions, reviewer)

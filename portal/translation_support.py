"""Translated model content: registering it with modeltranslation, and reading it with a fallback.

`register_translated` registers a model and its simple-history shadow in one call. The historical
model must carry the same translated columns, otherwise saving a translated model raises TypeError
when simple-history copies the fields across; and its diffs must compare them (see
`_track_language_columns`).

`pick_translation` is the one English fallback that the pages, the API and the CSV all use.
"""

from __future__ import annotations

from django.db import models
from modeltranslation.translator import NotRegistered, TranslationOptions, translator
from modeltranslation.utils import build_localized_fieldname

# The language every translated text falls back to.
DEFAULT_LANGUAGE = "en"


# Model -> the field paths that name one of its rows in every database (a slug, a key, a
# service's slug and a feature's key ...): how exported translations find their row again.
NATURAL_KEYS: dict[type[models.Model], tuple[str, ...]] = {}
# Model -> a filter of the rows people write (an assessment's editorial source): machine output
# is never handed to translators.
CURATED_ROWS: dict[type[models.Model], dict[str, object]] = {}


def register_translated(
    model: type[models.Model],
    *fields: str,
    natural_key: tuple[str, ...] = (),
    only: dict[str, object] | None = None,
) -> None:
    if natural_key:
        NATURAL_KEYS[model] = natural_key
    if only:
        CURATED_ROWS[model] = only
    options = type(f"{model.__name__}TranslationOptions", (TranslationOptions,), {"fields": fields})
    translator.register(model, options)
    history = getattr(model, "history", None)
    if history is not None:
        translator.register(history.model, options)
        _track_language_columns(model, history.model)


def _track_language_columns(model: type[models.Model], historical: type[models.Model]) -> None:
    """Let `diff_against` compare every language column, not only the active language.

    simple-history fixes the fields a record's diff compares (`tracked_fields`) when it builds
    the historical model, before modeltranslation adds `summary_en`, `summary_ckb`, ...: the
    records store those columns, but a diff saw only `summary`, read in the active language, so
    a Kurdish edit showed as no change at all.
    """
    tracked = list(historical.tracked_fields)  # type: ignore[attr-defined]
    known = {field.name for field in tracked}
    tracked += [
        field
        for field in model._meta.fields
        if getattr(field, "translated_field", None) is not None and field.name not in known
    ]
    historical.tracked_fields = tracked  # type: ignore[attr-defined]


def translated_field_names(model: type[models.Model]) -> tuple[str, ...]:
    """The base names of a model's translated fields (e.g. `summary`), empty if none."""
    try:
        return tuple(translator.get_options_for_model(model).fields)
    except NotRegistered:
        return ()


def pick_translation(obj: models.Model, field: str, language: str) -> tuple[str, str | None]:
    """The text of `field` in `language`, else in English: (text, language it is in).

    The language is None when there is no text at all. modeltranslation's own fallback is not used
    because it does not say which language the text came from.
    """
    text = getattr(obj, build_localized_fieldname(field, language)) or ""
    if text:
        return text, language
    if language != DEFAULT_LANGUAGE:
        text = getattr(obj, build_localized_fieldname(field, DEFAULT_LANGUAGE)) or ""
        if text:
            return text, DEFAULT_LANGUAGE
    return "", None

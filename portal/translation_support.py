"""Register a model and its simple-history shadow with modeltranslation in one call.

The historical model must carry the same translated columns, otherwise saving a translated model
raises TypeError when simple-history copies the fields across.
"""

from __future__ import annotations

from django.db import models
from modeltranslation.translator import NotRegistered, TranslationOptions, translator


def register_translated(model: type[models.Model], *fields: str) -> None:
    options = type(f"{model.__name__}TranslationOptions", (TranslationOptions,), {"fields": fields})
    translator.register(model, options)
    history = getattr(model, "history", None)
    if history is not None:
        translator.register(history.model, options)


def translated_field_names(model: type[models.Model]) -> tuple[str, ...]:
    """The base names of a model's translated fields (e.g. `summary`), empty if none."""
    try:
        return tuple(translator.get_options_for_model(model).fields)
    except NotRegistered:
        return ()

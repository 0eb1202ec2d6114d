"""One spelling of line ends and trailing blanks for every text the editors curate.

Browsers submit textarea content with CRLF line ends, so every admin save used to rewrite the
texts nobody touched, and the history showed changes in fields (and languages) no one edited.
Normalising on `pre_save`, rather than in the admin's forms, covers every path that saves a row:
the admin, a revision being applied, `loadseed`, the shell. Queryset `update()` and
`bulk_create()` send no `pre_save`, so code that writes text that way must call `normalise_text`.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models.signals import pre_save

from .translation_support import translated_field_names

# The apps whose content editors write; audits are machine output and keep their text verbatim.
CURATED_APPS = ("providers", "criteria")

_LINE_END = re.compile(r"\r\n?")
_TRAILING_BLANKS = re.compile(r"[ \t]+$", re.MULTILINE)


def normalise_text(value: str) -> str:
    """LF line ends, no blanks at line ends or at the end; indentation and blank lines stay,
    because Markdown gives them meaning (nested lists, paragraphs)."""
    return _TRAILING_BLANKS.sub("", _LINE_END.sub("\n", value)).rstrip()


@cache
def text_columns(model: type[models.Model]) -> tuple[tuple[str, bool], ...]:
    """(attname, None means blank) for each char and text column of `model`, each language
    column included.

    modeltranslation makes language columns nullable, yet its forms save "" for an empty one
    (`empty_value`), while code that creates a row without that language leaves None: the first
    admin save then records a change from None to "" in every language. "" is the one spelling.

    The base name of a translated field (`summary`) is left out: modeltranslation's descriptor
    reads and writes the *active* language there, with the English fallback, so touching it
    could copy English into another language's column.
    """
    translated = set(translated_field_names(model))
    return tuple(
        (field.attname, getattr(field, "empty_value", None) == "")
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField) and field.name not in translated
    )


def normalise_instance(sender: type[models.Model], instance: models.Model, **_: Any) -> None:
    for attname, none_is_blank in text_columns(sender):
        # Read the instance's own dict: a deferred column is not saved, so it is not loaded.
        value = instance.__dict__.get(attname)
        if isinstance(value, str):
            instance.__dict__[attname] = normalise_text(value)
        elif value is None and none_is_blank and attname in instance.__dict__:
            instance.__dict__[attname] = ""


def is_historical(model: type[models.Model]) -> bool:
    # simple-history's shadow models carry the model they record; their rows are copies made
    # after the real row was saved (already normalised), and must stay exactly as recorded.
    return hasattr(model, "instance_type")


def connect() -> None:
    """Connect the receiver to every curated model (called from PortalConfig.ready)."""
    for label in CURATED_APPS:
        for model in apps.get_app_config(label).get_models():
            if not is_historical(model):
                pre_save.connect(
                    normalise_instance,
                    sender=model,
                    dispatch_uid=f"normalise-text-{model._meta.label}",
                )

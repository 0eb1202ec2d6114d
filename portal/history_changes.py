"""What each history record changed, one line per field and per language, for the admin.

simple-history's own "Changes" column shows a changed text as two copies cut to 100 characters,
and a translated field twice (its base name is the active language again). Editors of a
six-language site need to see *which language* changed and *which words*:
"Summary [ckb]: … کۆن <del>ئەم</del> <ins>ئەو</ins> …".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from difflib import SequenceMatcher
from typing import Any

from django.contrib.admin.utils import display_for_field
from django.db import models
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext as _
from simple_history.models import DeletedObject, ModelChange
from simple_history.utils import get_m2m_reverse_field_name

from .translation_support import translated_field_names

# Set with another change, and shown by the record itself (its date, its user) or by the state
# line: listing them would repeat every transition three times.
BOOKKEEPING_FIELDS = frozenset(
    {
        "updated_at",
        "created_at",
        "state_changed_at",
        "state_changed_by",
        "published_at",
        "published_by",
    }
)
CONTEXT_WORDS = 4  # unchanged words kept on each side of a change
CHANGED_WORDS = 40  # a longer removed or added run is cut there
PLAIN_VALUE_CHARS = 60
ELLIPSIS = "…"
PARAGRAPH = "¶"

# Words, and paragraph breaks as tokens of their own: a single line break or a run of spaces
# means nothing in the Markdown the texts are written in, a blank line does.
_TOKEN = re.compile(r"\n[ \t]*\n\s*|\S+")


def describe_changes(record: Any, previous: Any = None) -> SafeString:
    """A list of what `record` changed against `previous` (by default the record before it);
    empty for an object's first record, which changed nothing that existed."""
    if previous is None:
        previous = record.prev_record
        if previous is None:
            return SafeString("")
    delta = record.diff_against(
        previous, excluded_fields=_not_shown(type(record)), foreign_keys_are_objs=True
    )
    model = record.instance_type
    changes = [change for change in delta.changes if not _no_text_either_way(change)]
    lines = [_line(model, change) for change in _in_form_order(model, changes)]
    if not lines:
        return SafeString("")
    items = format_html_join("", "<li>{}</li>", ((line,) for line in lines))
    return format_html('<ul class="mv-history-changes">{}</ul>', items)


def _not_shown(historical: type[models.Model]) -> set[str]:
    # A translated field's base name (`summary`) is its active language read again, with the
    # English fallback; the language columns say it precisely.
    return {*BOOKKEEPING_FIELDS, *translated_field_names(historical)}


def _no_text_either_way(change: ModelChange) -> bool:
    # None and "" both mean "no text"; records written before texts were normalised
    # (portal/text_normalisation.py) have both.
    return change.old in (None, "") and change.new in (None, "")


def _in_form_order(model: type[models.Model], changes: Iterable[ModelChange]) -> list[ModelChange]:
    position = {field.name: index for index, field in enumerate(model._meta.get_fields())}
    return sorted(changes, key=lambda change: position.get(change.field, len(position)))


def _line(model: type[models.Model], change: ModelChange) -> SafeString:
    field = model._meta.get_field(change.field)
    label = capfirst(field.verbose_name)  # a language column's is "summary [ckb]"
    language = getattr(field, "language", None)  # set by modeltranslation on its columns
    if language or isinstance(field, models.TextField):
        shown = format_html(
            '<span dir="auto" lang="{}">{}</span>',
            language or "",
            word_diff(change.old or "", change.new or ""),
        )
    else:
        # Translators may turn the arrow round: it points the wrong way in ckb and fa.
        shown = format_html(
            _("{old} → {new}"), old=_plain(field, change.old), new=_plain(field, change.new)
        )
    # A translation may space the colon (French) or put it elsewhere.
    return format_html(_("{field}: {change}"), field=label, change=shown)


def word_diff(old: str, new: str) -> SafeString:
    """Removed words in <del>, added words in <ins>, long unchanged runs shortened to "…"."""
    before, after = _TOKEN.findall(old), _TOKEN.findall(new)
    pieces: list[str] = []
    opcodes = SequenceMatcher(None, before, after, autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            pieces.append(_context(before[i1:i2], at_start=i1 == 0, at_end=i2 == len(before)))
            continue
        if i2 > i1:
            pieces.append(format_html("<del>{}</del>", _words(before[i1:i2])))
        if j2 > j1:
            pieces.append(format_html("<ins>{}</ins>", _words(after[j1:j2])))
    if all(opcode[0] == "equal" for opcode in opcodes):
        # The texts differ only in spacing inside a paragraph, which no reader sees.
        return format_html("<em>{}</em>", _("spacing only"))
    return format_html_join(" ", "{}", ((piece,) for piece in pieces if piece))


def _words(tokens: Sequence[str]) -> str:
    words = [PARAGRAPH if token.isspace() else token for token in tokens]
    if len(words) > CHANGED_WORDS:
        words = [*words[:CHANGED_WORDS], ELLIPSIS]
    return " ".join(words)


def _context(tokens: Sequence[str], *, at_start: bool, at_end: bool) -> str:
    """An unchanged run: only the words next to a change, the rest elided."""
    if len(tokens) <= 2 * CONTEXT_WORDS:
        return _words(tokens)
    head = [] if at_start else [_words(tokens[:CONTEXT_WORDS])]
    tail = [] if at_end else [_words(tokens[-CONTEXT_WORDS:])]
    return " ".join([*head, ELLIPSIS, *tail])


def _plain(field: models.Field, value: Any) -> str:
    if isinstance(value, DeletedObject) and value.pk is None:
        value = None  # simple-history's stand-in for an empty foreign key, not a deleted row
    elif field.many_to_many and isinstance(value, list):
        # simple-history gives a many-to-many value as its through rows.
        related = get_m2m_reverse_field_name(field)
        value = ", ".join(sorted(str(row[related]) for row in value))
    shown = display_for_field(value, field, "–", avoid_link=True)
    return shown if isinstance(shown, SafeString) else Truncator(shown).chars(PLAIN_VALUE_CHARS)


class HistoryChangesMixin:
    """For a SimpleHistoryAdmin: the object history's "Changes" column, per field and language.

    It fills simple-history's own column (through its `history_delta_changes` template block),
    so the page has one "Changes" column, not two. Place it before SimpleHistoryAdmin.
    """

    object_history_list_template = "admin/portal/object_history_list.html"

    def set_history_delta_changes(
        self, request: HttpRequest, historical_records: Sequence[Any], **kwargs: Any
    ) -> None:
        # The page lists records newest first, so each record's predecessor is the next one,
        # already loaded; only the page's last record looks its predecessor up.
        records = list(historical_records)
        for record, previous in zip(records, [*records[1:], None], strict=True):
            record.history_changes = describe_changes(record, previous)

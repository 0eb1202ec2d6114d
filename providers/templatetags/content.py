"""Template helpers for curated content: safe Markdown and translated fields with fallback.

Texts in the database use a small Markdown subset (paragraphs, "- " lists, **bold**, `code`,
links). markdown-it-py renders it as CommonMark with raw HTML switched off (so any `<script>` in a
text is shown as text, not run) and its link validator refusing javascript:, vbscript:, file: and
data: URLs. Only the rules the subset needs are enabled: no images (a third-party request), no
headings competing with the page's own.

A translated text can be in another language than its page (an English fallback on a Kurdish
page): `in_its_language` marks it with that language and its direction, for the tag below and for
the comparison's cells alike.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Any

from django import template
from django.db.models import Model
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext as _
from markdown_it import MarkdownIt

from portal.translation_state import StaleLookup
from portal.translation_support import DEFAULT_LANGUAGE, pick_translation
from providers.countries import country_name
from providers.numbers import localized_number

register = template.Library()


@cache
def _markdown() -> MarkdownIt:
    md = MarkdownIt("zero", {"html": False, "linkify": False, "typographer": False})
    md.enable(["emphasis", "list", "link", "backticks", "escape", "newline", "entity"])

    def link_open(renderer: Any, tokens: list[Any], idx: int, options: Any, env: Any) -> str:
        # Links lead to other sites: give them no access to this window.
        tokens[idx].attrSet("rel", "noopener noreferrer")
        return renderer.renderToken(tokens, idx, options, env)

    md.add_render_rule("link_open", link_open)
    return md


def render_markdown(text: str) -> SafeString:
    # str(): a lazy translation would compare equal to itself in any language, and so find
    # another language's rendering in the memo below.
    return _rendered_markdown(str(text or ""))


# The same criteria and group texts appear on every service page (~50 renderings each): parsing
# them was a quarter of a page's rendering. The result depends on the text alone.
@lru_cache(maxsize=2048)
def _rendered_markdown(text: str) -> SafeString:
    # Safe because raw HTML is disabled: every character of the source is escaped or markup.
    return mark_safe(_markdown().render(text))  # noqa: S308


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    return render_markdown(text)


def _fallback_note() -> SafeString:
    return format_html('<small class="fallback-note">{}</small>', _("(not yet translated)"))


def _stale_note(language: str) -> SafeString:
    # In the page's language, like the text it is about; `lang` keeps it so if the text is
    # moved into another page's markup (a preview, a fragment).
    return format_html(
        '<small class="translation-stale" lang="{}">{}</small>',
        language,
        _("translation may be out of date"),
    )


def _stale_lookup(context: template.Context, language: str) -> StaleLookup | None:
    """The request's lookup for `language` (one query per page), or None without a request."""
    request = context.get("request")
    if request is None:
        return None
    lookups: dict[str, StaleLookup] = request.__dict__.setdefault("_mv_stale_translations", {})
    if language not in lookups:
        lookups[language] = StaleLookup(language)
    return lookups[language]


def is_stale(context: template.Context, obj: Model, field: str, language: str) -> bool:
    """Whether the `language` text of `obj.field` was made for an English text since changed.
    English is the source: it is never stale."""
    if language == DEFAULT_LANGUAGE:
        return False
    lookup = _stale_lookup(context, language) or StaleLookup(language, only=obj)
    return lookup.is_stale(obj, field)


def _marked_stale(
    context: template.Context, body: SafeString, language: str, markdown: bool, note: bool
) -> SafeString:
    """A stale text with its note after it (a <div> around a block, a <span> around a label).

    `note=False` only marks it, for a label whose note would be read out with every cell it
    heads; `request.content_stale` then lets the page say it once."""
    request = context.get("request")
    if request is not None:
        request.content_stale = True
    tag = "div" if markdown else "span"
    if not note:
        return format_html('<{tag} class="stale">{body}</{tag}>', tag=tag, body=body)
    return format_html(
        '<{tag} class="stale">{body} {note}</{tag}>',
        tag=tag,
        body=body,
        note=_stale_note(language),
    )


def text_direction(language: str) -> str:
    try:
        return "rtl" if get_language_info(language)["bidi"] else "ltr"
    except KeyError:  # a language Django does not know: most scripts run left to right
        return "ltr"


def in_its_language(body: SafeString, text_language: str, block: bool = False) -> SafeString:
    """`body` marked with its own `lang` and `dir` when they differ from the page's.

    Without `dir`, an English text inside a right-to-left page is laid out right to left and its
    full stops jump to the start of the lines; an element with `dir` also isolates its text from
    the surrounding one. `block` wraps in a <div> (paragraphs), otherwise in a <span>.
    """
    if text_language == (get_language() or "en"):
        return body
    return format_html(
        '<{tag} lang="{lang}" dir="{dir}">{body}</{tag}>',
        tag="div" if block else "span",
        lang=text_language,
        dir=text_direction(text_language),
        body=body,
    )


@register.simple_tag(takes_context=True)
def translated(
    context: template.Context,
    obj: Model,
    field: str,
    markdown: bool = False,
    stale_note: bool = True,
) -> SafeString:
    """`obj.field` in the page's language, else in English marked `lang="en" dir="ltr"`.

    A translation made for an English text that has changed since gets a small "translation may
    be out of date" note after it (portal/translation_state.py); `stale_note=False` only marks it.

    A text block says so with a small note, outside the English element because the note is in
    the page's language; a short label (a feature name in a table header) is only marked, and the
    page's footer says once that some texts are in English.
    """
    language = get_language() or "en"
    text, text_language = pick_translation(obj, field, language)
    if text_language is None:
        return mark_safe("")
    body = render_markdown(text) if markdown else format_html("{}", text)
    if text_language == language:
        if is_stale(context, obj, field, language):
            return _marked_stale(context, body, language, markdown, stale_note)
        return body
    request = context.get("request")
    if request is not None:
        request.content_fallback = True
    marked = in_its_language(body, text_language, block=markdown)
    if not markdown:
        return marked
    return format_html('<div class="fallback">{} {}</div>', marked, _fallback_note())


@register.filter
def megabytes(value: int | None) -> str:
    """500 -> "500 MB", 2048 -> "2 GB"; empty when unknown."""
    if value is None:
        return ""
    if value >= 1024 and value % 1024 == 0:
        return _("%(size)s GB") % {"size": localized_number(value // 1024)}
    return _("%(size)s MB") % {"size": localized_number(value)}


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key) if mapping else None


@register.filter(name="country_name")
def country_name_filter(code: object) -> str:
    """`{{ service.hq_country|country_name }}`: the name in the page's language (CLDR)."""
    return country_name(str(code or ""))

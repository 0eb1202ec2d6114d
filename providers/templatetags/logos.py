"""A service's logo, or a monogram of its name when it has none.

`{% service_logo service 48 %}` gives the stored logo as a decorative <img> (the name is always
written beside it), or an inline SVG with one or two initials on a colour picked from the slug.
Everything is attributes, nothing is a `style`: the site's CSP allows no inline styles, and
presentation attributes of an inline SVG are not styles. The classes (`monogram`,
`monogram-3`) are hooks for static/css/site.css, which the monogram does not need to be legible.
"""

from __future__ import annotations

import unicodedata
import zlib
from itertools import pairwise
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

# Backgrounds for white text, each above WCAG AA's 4.5:1 (tests/test_logos.py measures them).
PALETTE = (
    "#1f4e79",  # blue
    "#0b6e4f",  # green
    "#6f3aa3",  # purple
    "#a33a00",  # rust
    "#005f73",  # teal
    "#8a1c3c",  # wine
    "#3d4f5c",  # slate
    "#7a4b00",  # brown
)
TEXT_COLOUR = "#ffffff"
_WORD_SEPARATORS = frozenset(" \t\n-_/·")


@register.simple_tag
def service_logo(service: Any, size: int = 48) -> SafeString:
    size = int(size)
    if service.logo:
        return format_html(
            '<img class="logo" src="{}" alt="" width="{}" height="{}" loading="lazy" '
            'decoding="async">',
            service.logo.url,
            size,
            size,
        )
    return monogram(service.name, service.slug or service.name, size)


def monogram(name: str, key: str, size: int) -> SafeString:
    letters = initials(name)
    index = colour_index(key)
    return format_html(
        '<svg class="monogram monogram-{}" width="{}" height="{}" viewBox="0 0 100 100" '
        'aria-hidden="true" focusable="false"><rect width="100" height="100" rx="16" fill="{}"/>'
        '<text x="50" y="50" text-anchor="middle" dominant-baseline="central" fill="{}" '
        'font-size="{}" font-weight="700">{}</text></svg>',
        index,
        size,
        size,
        PALETTE[index],
        TEXT_COLOUR,
        52 if len(letters) == 1 else 42,
        letters,
    )


def colour_index(key: str) -> int:
    """The same service gets the same colour on every page, process and day."""
    return zlib.crc32(key.encode("utf-8")) % len(PALETTE)


def initials(name: str) -> str:
    """ "Proton Mail" -> "PM", "StartMail" -> "SM", "Mailbox.org" -> "M", "بريد" -> "ب".

    The first and last word's first letters (with their combining marks); a single word splits
    at its case changes. Scripts whose letters join (Arabic, Syriac ...) or that are written in
    wide ideographs get one letter: two would read as a word, or not fit."""
    words = [word for word in _words(name) if _first_letter(word)]
    if len(words) == 1:
        words = _case_parts(words[0])
    if not words:
        return "?"
    first = _first_letter(words[0])
    last = _first_letter(words[-1]) if len(words) > 1 else ""
    if not last or _stands_alone(first) or _stands_alone(last):
        return first.upper()
    return (first + last).upper()


def _words(name: str) -> list[str]:
    words, current = [], ""
    for char in name:
        if char in _WORD_SEPARATORS:
            words.append(current)
            current = ""
        else:
            current += char
    return [*words, current]


def _case_parts(word: str) -> list[str]:
    parts = [word[:1]]
    for before, char in pairwise(word):
        if before.islower() and char.isupper():
            parts.append("")
        parts[-1] += char
    return [part for part in parts if _first_letter(part)]


def _first_letter(word: str) -> str:
    for position, char in enumerate(word):
        if unicodedata.category(char)[0] in "LN":
            marks = ""
            for follower in word[position + 1 :]:
                if unicodedata.category(follower)[0] != "M":
                    break
                marks += follower
            return char + marks
    return ""


def _stands_alone(letter: str) -> bool:
    char = letter[0]
    joining = unicodedata.bidirectional(char) == "AL"
    return joining or unicodedata.east_asian_width(char) in ("W", "F")

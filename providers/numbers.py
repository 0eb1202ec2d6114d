"""Numbers and quantities as each language writes them: "180 days", "۱۸۰ روز", "180 Tage".

Grouping and decimal signs come from CLDR (Babel); digits follow the locale's default numbering
system, which Babel's formatter does not apply itself (it always writes Latin digits); the unit
comes as a plural phrase from the UI catalogues, so both its form and its place around the number
are the translator's.
"""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_decimal
from django.utils.translation import get_language, ngettext

# CLDR's defaultNumberingSystem for the site's languages that do not use Latin digits
# (common/main/fa.xml: arabext; common/main/ckb.xml: arab). tests/test_numbers.py checks this
# against Babel's copy of CLDR, so a change of the data shows.
NUMBERING_SYSTEMS = {"fa": "arabext", "ckb": "arab"}
DIGITS = {"latn": "0123456789", "arab": "٠١٢٣٤٥٦٧٨٩", "arabext": "۰۱۲۳۴۵۶۷۸۹"}


def localized_number(value: Decimal | int | float, language: str | None = None) -> str:
    language = language or get_language() or "en"
    system = NUMBERING_SYSTEMS.get(language, "latn")
    text = format_decimal(value, locale=language.replace("-", "_"), numbering_system=system)
    return text.translate(str.maketrans(DIGITS["latn"], DIGITS[system]))


def localized_digits(value: int | str, language: str | None = None) -> str:
    """Digits only, no grouping: years and other numbers that are names ("۲۰۱۳", not "۲٬۰۱۳")."""
    language = language or get_language() or "en"
    system = NUMBERING_SYSTEMS.get(language, "latn")
    return str(value).translate(str.maketrans(DIGITS["latn"], DIGITS[system]))


def _phrase(unit: str, count: int) -> str | None:
    """The unit's plural phrase around "%(count)s", or None for a unit the catalogue lacks."""
    phrases = {
        "days": lambda n: ngettext("%(count)s day", "%(count)s days", n),
        "aliases": lambda n: ngettext("%(count)s alias", "%(count)s aliases", n),
        "replies": lambda n: ngettext("%(count)s reply", "%(count)s replies", n),
        "mailboxes": lambda n: ngettext("%(count)s mailbox", "%(count)s mailboxes", n),
    }
    phrase = phrases.get(unit)
    return phrase(count) if phrase else None


def quantity(value: Decimal | int | float, unit: str, language: str | None = None) -> str:
    """`value` with its unit in the active language; an unknown unit follows the number."""
    number = localized_number(value, language)
    if not unit:
        return number
    # Plural rules choose by the number; a fraction reads as "other" in every site language.
    count = int(value) if Decimal(str(value)) == Decimal(int(value)) else 2
    phrase = _phrase(unit, count)
    return phrase % {"count": number} if phrase else f"{number} {unit}"

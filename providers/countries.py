"""Country names in the visitor's language, from CLDR (Babel's locale data).

django-countries names countries through its own gettext catalogues, which have no Central
Kurdish: a ckb page said "Switzerland". CLDR has every language the site speaks, so names come
from there, with django-countries' English name for a code CLDR does not know.
"""

from __future__ import annotations

from functools import cache

from babel import Locale, UnknownLocaleError
from django.utils.translation import get_language
from django_countries import countries


@cache
def _territories(language: str) -> dict[str, str]:
    try:
        return dict(Locale.parse(language.replace("-", "_")).territories)
    except (UnknownLocaleError, ValueError):
        return {}


def country_name(code: str, language: str | None = None) -> str:
    """The country's name in `language` (default: the active one); "" for no country."""
    if not code:
        return ""
    code = str(code).upper()
    name = _territories(language or get_language() or "en").get(code)
    return name or str(countries.name(code)) or code

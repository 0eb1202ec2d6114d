"""Every string of the public pages is translated, not fuzzy, in all five catalogues.

The admin's and the API's strings are not held to this yet (see the README); the public pages'
strings are those the catalogue says come from the public templates and views, plus the model
and filter labels those pages show.
"""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
LANGUAGES = ("ckb", "de", "fr", "es", "fa")
PUBLIC_SOURCES = (
    "templates/base.html",
    "templates/providers/",
    "templates/criteria/",
    "providers/views.py",
    "providers/templatetags/",
    "criteria/views.py",
    "portal/context_processors.py",
)
# Labels defined elsewhere (models, the FilterSet) that the public pages show.
PUBLIC_LABELS = (
    "Email provider",
    "Email aliasing service",
    "Self-hosted software",
    "Good",
    "Information",
    "Warning",
    "Bad",
    "Met",
    "Partly met",
    "Not met",
    "Unknown",
    "Minimum to qualify",
    "Best case",
    "Homepage",
    "Onion service",
    "Privacy policy",
    "Documentation",
    "Source code",
    "Contribute",
    "Browser extension",
    "Cash",
    "Cryptocurrency",
    "Credit or debit card",
    "Gift cards",
    "Bank transfer",
    "Direct debit",
    "Other local methods",
    "%(value)s is not a yes/no value: use true or false.",
)
ENTRY = re.compile(r'^((?:#.*\n)*)msgid ((?:".*"\n)+)', re.MULTILINE)


def unquote(block: str) -> str:
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"', block)
    return "".join(parts).encode("raw_unicode_escape").decode("unicode_escape")


def public_msgids(po: Path) -> set[str]:
    found = set()
    for comments, msgid in ENTRY.findall(po.read_text(encoding="utf-8")):
        text = unquote(msgid)
        references = " ".join(re.findall(r"^#: (.*)$", comments, re.MULTILINE))
        if text and (any(source in references for source in PUBLIC_SOURCES)):
            found.add(text)
    return found | set(PUBLIC_LABELS)


def compiled(po: Path, tmp_path: Path) -> gettext.GNUTranslations:
    """msgfmt leaves out untranslated and fuzzy entries, so both count as missing."""
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "gettext's msgfmt is needed (apt-get install gettext)"
    mo = tmp_path / f"{po.parent.parent.name}.mo"
    subprocess.run([msgfmt, "--check", "-o", str(mo), str(po)], check=True)
    with mo.open("rb") as handle:
        return gettext.GNUTranslations(handle)


@pytest.mark.parametrize("language", LANGUAGES)
def test_public_strings_are_translated_and_not_fuzzy(language, tmp_path):
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    assert po.exists(), f"run makemessages -l {language}"
    catalogue = compiled(po, tmp_path)._catalog  # type: ignore[attr-defined]
    translated = {key[0] if isinstance(key, tuple) else key for key in catalogue}
    wanted = public_msgids(po)
    assert len(wanted) > 90  # the parser found the public strings
    missing = sorted(wanted - translated)
    assert not missing, f"{language}: untranslated or fuzzy: {missing}"


def test_the_check_catches_a_fuzzy_entry(tmp_path):
    po = tmp_path / "xx" / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        '#: templates/base.html:1\n#, fuzzy\nmsgid "Compare"\nmsgstr "Vergleichen"\n\n'
        '#: templates/base.html:2\nmsgid "Reset"\nmsgstr "Zurücksetzen"\n',
        encoding="utf-8",
    )
    catalogue = compiled(po, tmp_path)._catalog  # type: ignore[attr-defined]
    assert "Reset" in catalogue and "Compare" not in catalogue
    assert {"Compare", "Reset"} <= public_msgids(po)


@pytest.mark.skipif(
    not (LOCALE / "de" / "LC_MESSAGES" / "django.mo").exists(),
    reason="catalogues not compiled (make messages)",
)
def test_pages_speak_the_visitors_language(seeded, client):
    from django.core.cache import cache

    cache.clear()
    assert "Dienste vergleichen" in client.get("/de/compare/").content.decode()
    assert "بەراوردکردنی خزمەتگوزارییەکان" in client.get("/ckb/compare/").content.decode()

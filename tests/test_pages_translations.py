"""Every string of the project is translated, not fuzzy, in all five catalogues.

This covers every entry makemessages extracts: the public pages, the admin, the API and the
audit checks alike. An entry counts as missing when msgfmt leaves it out of the compiled
catalogue, which it does for an empty msgstr (or an empty plural form) and for a fuzzy one.
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
# The catalogues hold the public pages' strings plus ~300 of the admin, the API and the checks.
MINIMUM_ENTRIES = 400
ENTRY = re.compile(r'^((?:#.*\n)*)(?:msgctxt ((?:".*"\n)+))?msgid ((?:".*"\n)+)', re.MULTILINE)


def unquote(block: str) -> str:
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"', block)
    return "".join(parts).encode("raw_unicode_escape").decode("unicode_escape")


def all_msgids(po: Path) -> set[str]:
    """Every msgid of the catalogue but the header, keyed as the compiled catalogue keys it."""
    found = set()
    for _comments, context, msgid in ENTRY.findall(po.read_text(encoding="utf-8")):
        text = unquote(msgid)
        if text:
            found.add(f"{unquote(context)}\x04{text}" if context else text)
    return found


def compiled(po: Path, tmp_path: Path) -> gettext.GNUTranslations:
    """msgfmt leaves out untranslated and fuzzy entries, so both count as missing."""
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "gettext's msgfmt is needed (apt-get install gettext)"
    mo = tmp_path / f"{po.parent.parent.name}.mo"
    subprocess.run([msgfmt, "--check", "-o", str(mo), str(po)], check=True)
    with mo.open("rb") as handle:
        return gettext.GNUTranslations(handle)


def missing_entries(po: Path, tmp_path: Path) -> list[str]:
    """msgfmt keeps a plural entry with only some forms empty, so an empty form counts too."""
    catalogue = compiled(po, tmp_path)._catalog  # type: ignore[attr-defined]
    translated = {key[0] if isinstance(key, tuple) else key for key in catalogue}
    partial = {key[0] for key, text in catalogue.items() if isinstance(key, tuple) and not text}
    return sorted(all_msgids(po) - (translated - partial))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_is_translated_and_not_fuzzy(language, tmp_path):
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    assert po.exists(), f"run makemessages -l {language}"
    text = po.read_text(encoding="utf-8")
    assert not re.search(r"^#,.*\bfuzzy\b", text, re.MULTILINE), f"{language}: a fuzzy flag"
    wanted = all_msgids(po)
    assert len(wanted) > MINIMUM_ENTRIES  # the parser found the whole catalogue
    assert len(wanted) == len(re.findall(r"^msgid ", text, re.MULTILINE)) - 1  # all but header
    missing = missing_entries(po, tmp_path)
    assert not missing, f"{language}: {len(missing)} untranslated or fuzzy: {missing}"


def test_the_check_catches_a_fuzzy_or_empty_entry(tmp_path):
    po = tmp_path / "xx" / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
        '#: templates/base.html:1\n#, fuzzy\nmsgid "Compare"\nmsgstr "Vergleichen"\n\n'
        '#: templates/base.html:2\nmsgid "Reset"\nmsgstr "Zurücksetzen"\n\n'
        '#: portal/admin.py:3\nmsgid "Publish selected"\nmsgstr ""\n\n'
        '#: audits/checks/spf.py:4\nmsgctxt "verdict"\nmsgid "Pass"\nmsgstr "Bestanden"\n\n'
        '#: audits/checks/spf.py:5\nmsgctxt "verdict"\nmsgid "Fail"\nmsgstr ""\n\n'
        '#: portal/api.py:6\nmsgid "%(n)d item"\nmsgid_plural "%(n)d items"\n'
        'msgstr[0] "%(n)d Eintrag"\nmsgstr[1] ""\n',
        encoding="utf-8",
    )
    catalogue = compiled(po, tmp_path)._catalog  # type: ignore[attr-defined]
    assert "Reset" in catalogue and "Compare" not in catalogue
    assert all_msgids(po) == {
        "Compare",
        "Reset",
        "Publish selected",
        "verdict\x04Pass",
        "verdict\x04Fail",
        "%(n)d item",
    }
    assert missing_entries(po, tmp_path) == sorted(
        {"Compare", "Publish selected", "verdict\x04Fail", "%(n)d item"}
    )


def test_pages_speak_the_visitors_language(seeded, client):
    from django.core.cache import cache

    # Not a skip: uncompiled catalogues would ship an English-only site.
    assert (LOCALE / "de" / "LC_MESSAGES" / "django.mo").exists(), "run `make messages` first"
    cache.clear()
    assert "Dienste vergleichen" in client.get("/de/compare/").content.decode()
    assert "بەراوردکردنی خزمەتگوزارییەکان" in client.get("/ckb/compare/").content.decode()

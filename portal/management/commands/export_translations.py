from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.content_translations import export_po


class Command(BaseCommand):
    help = (
        "Write every curated text (services, features, criteria, page texts ...) with its English "
        "source and its current translation into LANGUAGE as a gettext PO file, for translators' "
        "tools (Weblate, Crowdin, Poedit). Read it back with import_translations."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("language", help="ckb, de, fr, es or fa")
        parser.add_argument("-o", "--output", help="the file to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        language = options["language"]
        others = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
        if language not in others:
            raise CommandError(f"LANGUAGE must be one of {', '.join(others)}, not {language!r}.")
        po = export_po(language)
        if options["output"]:
            po.save(options["output"])
            translated = len(po.translated_entries())
            self.stderr.write(f"{len(po)} texts, {translated} translated: {options['output']}")
        else:
            self.stdout.write(str(po))

from __future__ import annotations

from typing import Any

import polib
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.content_translations import import_po


class Command(BaseCommand):
    help = (
        "Read a PO file of curated texts (as export_translations writes it) back. Content that "
        "visitors see gets its changes as pending revisions, reviewed and published like any "
        "other edit; drafts change in place. Entries whose English source changed since the "
        "export are reported as stale and not applied."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument(
            "--as",
            dest="username",
            required=True,
            help="the staff member the changes are recorded under (the translator or the editor)",
        )
        parser.add_argument("--language", help="the file's language (default: its Language header)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            po = polib.pofile(options["file"])
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read {options['file']}: {exc}") from exc
        language = options["language"] or po.metadata.get("Language", "")
        others = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
        if language not in others:
            raise CommandError(f"The file's language must be one of {', '.join(others)}.")
        user = (
            get_user_model()
            .objects.filter(username=options["username"], is_active=True, is_staff=True)
            .first()
        )
        if user is None or not user.has_perm("providers.change_service"):
            raise CommandError(f"No active editor or publisher named {options['username']!r}.")
        report = import_po(po, language, user)
        self.stdout.write(report.summary())
        for context in report.stale:
            self.stdout.write(f"  stale (the English text changed since the export): {context}")
        for context in report.unknown:
            self.stdout.write(f"  unknown (no such text here): {context}")

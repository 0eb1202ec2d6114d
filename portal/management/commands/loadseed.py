"""Load the seed document's content: `python manage.py loadseed [--reset]`.

It lives in the project package because it fills both `providers` and `criteria`, and
`providers` must not import `criteria`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.cache import invalidate_pages
from portal.seed.loader import DATA_DIR, SeedError, SeedLoader


class Command(BaseCommand):
    help = "Load the seed content (services, features, criteria, page texts). Safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Overwrite rows that editors have changed since, with the seed's content.",
        )
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=DATA_DIR,
            help="Folder of seed YAML files (default: the project's own).",
        )

    def handle(self, *args: Any, reset: bool = False, **options: Any) -> None:
        try:
            report = SeedLoader(options["data_dir"], reset=reset).load()
        except SeedError as exc:
            raise CommandError(f"The seed files are invalid, nothing was loaded: {exc}") from exc
        # The loader writes with update() and bulk_create(), which send no signal: whatever a
        # running site keeps per content version (pages, representations, its comparison index)
        # is made anew.
        invalidate_pages()
        if options["verbosity"] >= 1:
            self.stdout.write(report.as_table())
            self.stdout.write(
                self.style.SUCCESS(
                    f"Seed loaded: {report.total('created')} created, "
                    f"{report.total('updated')} updated, {report.total('deleted')} deleted, "
                    f"{report.total('kept')} kept as editors left them."
                )
            )

"""`python manage.py prune_audits`: drop unchanged runs older than AUDIT_RETENTION_DAYS."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from audits.retention import prune


class Command(BaseCommand):
    help = (
        "Delete audit runs older than the retention period (AUDIT_RETENTION_DAYS) in which "
        "nothing changed; runs that changed something, opened an alert or back an assessment, "
        "and each service's newest run, are kept."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None, help="Override the retention.")
        parser.add_argument("--dry-run", action="store_true", help="Count, delete nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"] if options["days"] is not None else settings.AUDIT_RETENTION_DAYS
        count = prune(days=days, dry_run=options["dry_run"])
        verb = "Would delete" if options["dry_run"] else "Deleted"
        self.stdout.write(f"{verb} {count} unchanged audit runs older than {days} days.")

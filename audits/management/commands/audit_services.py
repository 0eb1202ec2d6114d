"""`python manage.py audit_services [SLUG ...]`: queue (or run here) audits of stored services.

The `audit` command checks a domain without a database; this one is the portal's: it audits
services as the scheduler does and stores the runs, with the trigger "command line".
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audits import pipeline
from audits.models import Trigger
from audits.net.config import ConfigError, NetConfig
from providers.models import Service


class Command(BaseCommand):
    help = "Audit stored services: queue runs for the workers, or run them here with --now."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slugs", nargs="*", help="Services to audit (default: all published).")
        parser.add_argument(
            "--now",
            action="store_true",
            help="Run the audits in this process and wait for them (no worker needed).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        services = Service.objects.published()
        if options["slugs"]:
            services = Service.objects.filter(slug__in=options["slugs"])
            missing = set(options["slugs"]) - set(services.values_list("slug", flat=True))
            if missing:
                raise CommandError(f"No service with slug: {', '.join(sorted(missing))}")
        try:
            config = NetConfig.from_env()
        except ConfigError as exc:
            raise CommandError(str(exc)) from exc
        for service in services.order_by("name"):
            run, created = pipeline.request_run(service, Trigger.COMMAND, send=not options["now"])
            if not created:
                self.stdout.write(f"{service.slug}: run {run.pk} already {run.state}")
                continue
            if not options["now"]:
                self.stdout.write(f"{service.slug}: run {run.pk} queued")
                continue
            claimed = pipeline.claim(run.pk, lease_seconds=3600)
            if claimed is None:
                self.stdout.write(f"{service.slug}: run {run.pk} was taken by a worker")
                continue
            done = pipeline.execute(
                claimed,
                config,
                progress=lambda plan: self.stderr.write(f"  {plan.name} ({plan.role})"),
            )
            self.stdout.write(f"{service.slug}: run {done.pk} {done.state}, outcome {done.outcome}")

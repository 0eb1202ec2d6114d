"""`python manage.py audit DOMAIN`: every check, synchronously, no database needed."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audits.checks.result import CheckResult
from audits.net.config import ConfigError, NetConfig
from audits.runner import AuditTarget, run_audit
from providers.domains import InvalidDomain, normalise_domain

# Exit code for unusable input, as argparse uses for bad arguments.
USAGE_ERROR = 2


class Command(BaseCommand):
    help = "Audit a domain's mail and web security (DNSSEC, SPF, DMARC, DKIM, MTA-STS, TLS, ...)."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("domain")
        parser.add_argument(
            "--mx",
            action="append",
            default=[],
            metavar="HOST",
            help="MX host to check (default: the domain's MX records).",
        )
        parser.add_argument("--web", metavar="HOST", help="Web host (default: the domain).")
        parser.add_argument("--submission", metavar="HOST", help="Mail submission host.")
        parser.add_argument("--dkim-selector", action="append", default=[], metavar="S")
        parser.add_argument("--wkd-address", metavar="ADDRESS")
        parser.add_argument("--json", action="store_true", help="Print JSON instead of a table.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            domain = normalise_domain(options["domain"])
            mx = tuple(normalise_domain(h) for h in options["mx"])
            web = normalise_domain(options["web"]) if options["web"] else None
            submission = normalise_domain(options["submission"]) if options["submission"] else None
        except InvalidDomain as exc:
            raise CommandError(str(exc), returncode=USAGE_ERROR) from exc
        try:
            config = NetConfig.from_env()
        except ConfigError as exc:
            raise CommandError(str(exc), returncode=USAGE_ERROR) from exc
        target = AuditTarget(
            domain, mx, web, submission, tuple(options["dkim_selector"]), options["wkd_address"]
        )

        def progress(result: CheckResult) -> None:
            sys.stderr.write(f"  {result.check:<17} {result.status.value}\n")

        sys.stderr.write(f"Auditing {domain}\n")
        report = run_audit(target, config, progress)
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
            return
        width = max(len(r.check) for r in report.results)
        for result in report.results:
            self.stdout.write(
                f"{result.check:<{width}}  {result.status.value:<14}  {result.target:<24}  "
                f"{result.summary}"
            )
        self.stdout.write(f"({report.wall_ms / 1000:.1f} s)")

"""`python manage.py audit DOMAIN`: every check, synchronously, no database needed."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audits.checks.result import CheckResult, CheckStatus
from audits.net.config import ConfigError, NetConfig
from audits.runner import AuditTarget, run_audit
from providers.domains import InvalidDomain, normalise_domain

# Exit code for unusable input, as argparse uses for bad arguments.
USAGE_ERROR = 2


# Under a row that is not a pass, the table lists why (the JSON output has every detail).
EXPLAINED = frozenset({CheckStatus.FAIL, CheckStatus.WARN, CheckStatus.ERROR})
MAX_REASONS = 6
_FINE = frozenset({"pass", "info", "not_applicable"})
_REASON_KEYS = ("problems", "problem", "errors", "error", "warnings", "message")


def reasons(details: Any, host: str | None = None) -> list[str]:
    """The human-readable reasons inside a check's details, each once, prefixed by its host."""
    found: list[str] = []
    if isinstance(details, dict):
        if details.get("status") in _FINE:
            return []  # a host that passed: its message says what went right
        host = details.get("host", host)
        for key in _REASON_KEYS:
            value = details.get(key)
            texts = [value] if isinstance(value, str) else value if isinstance(value, list) else []
            found += [
                f"{host}: {t}" if host and host not in t else t
                for t in texts
                if isinstance(t, str) and t
            ]
        for value in details.values():
            if isinstance(value, dict | list):
                found += reasons(value, host)
    elif isinstance(details, list):
        for item in details:
            found += reasons(item, host)
    return list(dict.fromkeys(found))


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
            if result.status in EXPLAINED:
                for reason in reasons(result.details)[:MAX_REASONS]:
                    self.stdout.write(f"{'':<{width}}  - {reason}")
        self.stdout.write(f"({report.wall_ms / 1000:.1f} s)")

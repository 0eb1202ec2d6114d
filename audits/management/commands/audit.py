"""`python manage.py audit DOMAIN`: every check, synchronously, no database needed."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from django.core.management.base import (
    BaseCommand,
    CommandError,
    CommandParser,
    DjangoHelpFormatter,
)

from audits.checks.result import CheckResult, CheckStatus
from audits.net.config import ConfigError, NetConfig
from audits.runner import AuditTarget, run_audit
from providers.domains import (
    DomainName,
    InvalidDomain,
    MailAddress,
    display_name,
    dkim_name,
    normalise_address,
    normalise_name,
    normalise_selector,
)

# Exit code for unusable input, as argparse uses for bad arguments.
USAGE_ERROR = 2


# Under a row that is not a pass, the table lists why (the JSON output has every detail).
EXPLAINED = frozenset({CheckStatus.FAIL, CheckStatus.WARN, CheckStatus.ERROR})
MAX_REASONS = 6
_FINE = frozenset({"pass", "info", "not_applicable"})
_REASON_KEYS = ("problems", "problem", "errors", "error", "warnings", "message")

DISCOVERY = """\
Hosts, and how each is found when not given:
  MX hosts     the domain's MX records (RFC 5321 5.1); a null MX (RFC 7505) means no mail.
               If the MX lookup fails, the mail checks report an error, never "no mail".
  web host     the domain itself.
  submission   SRV _submissions._tcp (implicit TLS, RFC 8314) and _submission._tcp (STARTTLS,
               RFC 6186), every host and port listed; target "." means not offered. Only
               without any such record: smtp.<domain> and mail.<domain> on ports 465 and 587.
               IMAP/POP3 SRV records (_imaps, _imap, _pop3s, _pop3) are reported in details.
  WKD          openpgpkey.<domain> (advanced method) if that host exists in DNS, else the
               domain itself (direct method); the policy file is judged, and with
               --wkd-address also that address's key.
  DKIM         the --dkim-selector values, AUDIT_DKIM_SELECTORS and common selectors.
Must be given: DOMAIN only. Give --dkim-selector for selectors that are not common (DNS
offers no list of them), --web when the web host is not the domain, --wkd-address to
check one address's key, and --mx or --submission to check hosts DNS does not name.
Names may be typed as Unicode (IDNA2008, UTS #46 non-transitional) and are shown with
their A-labels; special-use names (.local, .onion, .example, home.arpa ...) are refused,
.test only with AUDIT_ALLOW_PRIVATE_NETWORKS.
Exit code 2: a malformed name, selector, address or AUDIT_* setting."""


class _HelpFormatter(DjangoHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Keeps the epilog's layout (the host discovery table)."""


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


def display_target(target: str) -> str:
    """A result's target (one name or "a, b") with each IDN shown as U-label (A-label)."""
    return ", ".join(display_name(part) for part in target.split(", ")) if target else ""


class Command(BaseCommand):
    help = (
        "Audit a domain's mail and web security (DNSSEC, SPF, DMARC, DKIM, MTA-STS,\n"
        "TLS-RPT, DANE, CAA, STARTTLS, SMTPS submission, TLS, HSTS, CSP, SRI, WKD).\n"
        "Hosts not given are discovered as below."
    )
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        kwargs.setdefault("epilog", DISCOVERY)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("domain", help="The mail domain, e.g. example.org or straße.de.")
        parser.add_argument(
            "--mx",
            action="append",
            default=[],
            metavar="HOST",
            help="MX host to check instead of the domain's MX records (repeatable).",
        )
        parser.add_argument("--web", metavar="HOST", help="Web host (default: the domain).")
        parser.add_argument(
            "--submission",
            metavar="HOST",
            help="Submission host, checked on 465 and 587 (default: discovered, see below).",
        )
        parser.add_argument(
            "--dkim-selector",
            action="append",
            default=[],
            metavar="S",
            help="DKIM selector (a DNS name such as s1 or mail.2024; repeatable).",
        )
        parser.add_argument(
            "--wkd-address",
            metavar="ADDRESS",
            help="An address whose key must be in the Web Key Directory.",
        )
        parser.add_argument("--json", action="store_true", help="Print JSON instead of a table.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            config = NetConfig.from_env()
        except ConfigError as exc:
            raise CommandError(str(exc), returncode=USAGE_ERROR) from exc
        try:
            names, target = self._target(options, config.allow_private_networks)
        except InvalidDomain as exc:
            raise CommandError(str(exc), returncode=USAGE_ERROR) from exc
        domain = names[0][1]
        sys.stderr.write(f"Auditing {domain.display}\n")
        for option, name in names:
            if name.changes:
                # UTS #46 mapped what was typed: say which name is really audited, and why.
                sys.stderr.write(
                    f"Note: {option} {name.typed!r} is audited as {name.display}: "
                    f"{'; '.join(name.changes)}.\n"
                )

        def progress(result: CheckResult) -> None:
            sys.stderr.write(f"  {result.check:<17} {result.status.value}\n")

        report = run_audit(target, config, progress)
        if options["json"]:
            output = {
                **report.as_dict(),
                "domain_unicode": domain.unicode,
                "names": [_name_dict(option, name) for option, name in names],
            }
            self.stdout.write(json.dumps(output, indent=2, ensure_ascii=False))
            return
        self.stdout.write(f"Domain: {domain.display}")
        width = max(len(r.check) for r in report.results)
        for result in report.results:
            self.stdout.write(
                f"{result.check:<{width}}  {result.status.value:<14}  "
                f"{display_target(result.target):<24}  {result.summary}"
            )
            if result.status in EXPLAINED:
                for reason in reasons(result.details)[:MAX_REASONS]:
                    self.stdout.write(f"{'':<{width}}  - {reason}")
        self.stdout.write(f"({report.wall_ms / 1000:.1f} s)")

    def _target(
        self, options: dict[str, Any], allow_test: bool
    ) -> tuple[list[tuple[str, DomainName]], AuditTarget]:
        """Every name given, normalised (InvalidDomain for the first bad one), and the target."""

        def name(option: str, raw: str) -> DomainName:
            found = normalise_name(raw, allow_test=allow_test)
            names.append((option, found))
            return found

        names: list[tuple[str, DomainName]] = []
        domain = name("DOMAIN", options["domain"])
        mx = tuple(name("--mx", h).ascii for h in options["mx"])
        web = name("--web", options["web"]).ascii if options["web"] else None
        submission = (
            name("--submission", options["submission"]).ascii if options["submission"] else None
        )
        selectors = tuple(normalise_selector(s) for s in options["dkim_selector"])
        for selector in selectors:
            dkim_name(selector, domain.ascii)
        address: MailAddress | None = None
        if options["wkd_address"]:
            address = normalise_address(options["wkd_address"], allow_test=allow_test)
            names.append(("--wkd-address", address.domain))
        target = AuditTarget(
            domain.ascii,
            mx,
            web,
            submission,
            selectors,
            address.ascii if address else None,
        )
        return names, target


def _name_dict(option: str, name: DomainName) -> dict[str, Any]:
    return {
        "option": option,
        "typed": name.typed,
        "a_label": name.ascii,
        "u_label": name.unicode,
        "changes": list(name.changes),
    }

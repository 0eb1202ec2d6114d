"""The one registry of automated checks: key, label, which domains it audits, and its time bound.

Everything else derives from this table: `CheckKey` (the choices stored in results), the runner's
plan for a domain of a given role, the task time limits, and the scoring's validation
(audits/scoring.py may only name keys that exist here). No Django models are imported, so the
`audit` command and the checks' tests can use it without a database.

Roles are the roles a service's domain can have (providers.models.ServiceDomain.Role; a test
keeps the two in step):
- `mail`: a domain that receives mail for users (MX, SPF, DMARC, DKIM, MTA-STS, DANE, ...);
- `alias`: an aliasing domain; it receives mail too, so it gets the same mail checks;
- `web`: the webmail or website host (TLS, HSTS, CSP, SRI, redirect);
- `submission`: a host that accepts mail from clients (SMTPS on port 465).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from audits.net.config import NetConfig

Role = Literal["mail", "alias", "web", "submission"]
ROLES: tuple[Role, ...] = ("mail", "alias", "web", "submission")
Bound = Literal["check", "tls_scan"]

MAIL: frozenset[Role] = frozenset({"mail", "alias"})
WEB: frozenset[Role] = frozenset({"web"})
ANY: frozenset[Role] = frozenset(ROLES)

# Extra seconds past a check's own bound before the runner gives up waiting on it: the checks
# enforce AUDIT_CHECK_TIMEOUT themselves, this only catches one that does not.
GRACE_SECONDS = 5.0


@dataclass(frozen=True)
class CheckSpec:
    key: str
    label: str | Promise
    roles: frozenset[Role]
    # "tls_scan": a full sslyze scan (a few hundred handshakes per address) with its own,
    # longer bound (AUDIT_TLS_SCAN_TIMEOUT); "check": AUDIT_CHECK_TIMEOUT.
    bound: Bound = "check"

    def time_bound(self, config: NetConfig) -> float:
        """Seconds this check may take before the audit reports it as unfinished."""
        return config.tls_scan_timeout if self.bound == "tls_scan" else config.check_timeout


CHECKS: tuple[CheckSpec, ...] = (
    CheckSpec("dnssec", "DNSSEC", ANY),
    CheckSpec("mx", "MX", MAIL),
    CheckSpec("spf", "SPF", MAIL),
    CheckSpec("dmarc", "DMARC", MAIL),
    CheckSpec("dkim", "DKIM", MAIL),
    CheckSpec("mta_sts", "MTA-STS", MAIL),
    CheckSpec("tls_rpt", "TLS-RPT", MAIL),
    CheckSpec("dane", "DANE", MAIL),
    # Certificates are issued for the mail and web names alike.
    CheckSpec("caa", "CAA", frozenset({"mail", "alias", "web"})),
    CheckSpec("starttls", "STARTTLS", MAIL),
    CheckSpec("smtps_submission", _("SMTPS submission"), frozenset({"submission"})),
    CheckSpec("tls_web", _("TLS (web)"), WEB, bound="tls_scan"),
    CheckSpec("tls_mail", _("TLS (mail)"), MAIL, bound="tls_scan"),
    CheckSpec("hsts", "HSTS", WEB),
    CheckSpec("csp", _("Content Security Policy"), WEB),
    CheckSpec("sri", _("Subresource Integrity"), WEB),
    CheckSpec("https_redirect", _("HTTPS redirect"), WEB),
    # The Web Key Directory answers for the mail domain's addresses.
    CheckSpec("wkd", _("Web Key Directory"), frozenset({"mail"})),
    CheckSpec("expect_ct", "Expect-CT", WEB),
)

BY_KEY: dict[str, CheckSpec] = {spec.key: spec for spec in CHECKS}

# The stored choices of every result and filter, derived from the table above.
CheckKey = models.TextChoices(  # type: ignore[misc]
    "CheckKey", [(spec.key.upper(), (spec.key, spec.label)) for spec in CHECKS]
)


def spec(key: str) -> CheckSpec:
    return BY_KEY[key]


def checks_for_role(role: str) -> tuple[str, ...]:
    """The keys of the checks that audit a domain of this role, in the table's order."""
    return tuple(spec.key for spec in CHECKS if role in spec.roles)


def label(key: str) -> str:
    """The check's label for people, in the active language; an unknown key is shown as is."""
    found = BY_KEY.get(key)
    return str(found.label) if found else key


def time_bound(key: str, config: NetConfig) -> float:
    return BY_KEY[key].time_bound(config)


def audit_bound(keys: tuple[str, ...], config: NetConfig) -> float:
    """Seconds one domain's audit may take: its checks run concurrently, so the slowest bound."""
    if not keys:
        return 0.0
    return max(time_bound(key, config) for key in keys) + GRACE_SECONDS

"""The result every check returns: a status, a short translatable summary and JSON-able details."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _


class CheckStatus(enum.StrEnum):
    PASS = "pass"  # noqa: S105 (a status, not a password)
    WARN = "warn"
    FAIL = "fail"
    ERROR = "error"  # the check could not run to a verdict (timeout, refused, hostile answer)
    INFO = "info"
    NOT_APPLICABLE = "not_applicable"


STATUS_LABELS = {
    CheckStatus.PASS: _("Pass"),
    CheckStatus.WARN: _("Warning"),
    CheckStatus.FAIL: _("Fail"),
    CheckStatus.ERROR: _("Error"),
    CheckStatus.INFO: _("Information"),
    CheckStatus.NOT_APPLICABLE: _("Not applicable"),
}


@dataclass(frozen=True)
class CheckResult:
    """One check's verdict on one target (a domain or a host).

    `summary` is a short sentence for people (wrap literal text in gettext_lazy where it is
    shown); `details` must be JSON-serialisable (str, int, float, bool, None, lists, dicts) so
    it can be stored and served as is.
    """

    check: str
    target: str
    status: CheckStatus
    summary: str
    details: dict[str, Any] = field(default_factory=dict)
    duration_ms: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "target": self.target,
            "status": self.status.value,
            "summary": str(self.summary),
            "details": self.details,
        }

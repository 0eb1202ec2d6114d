"""The service page's audit panel: a service's latest results and their history.

Loaded by the `audit_panel` template tag (audits/templatetags/audits.py), so the service page's
view (criteria/views.py) needs no knowledge of this app. A fixed number of queries whatever the
number of stored runs: the latest run's results, then the statuses of the last HISTORY_RUNS runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from audits.checks.result import STATUS_LABELS, CheckStatus
from audits.models import AuditResult, AuditRun, RunState
from providers.models import Service

HISTORY_RUNS = 30
# The history strip's geometry (SVG user units): one bar per run, oldest first.
BAR_WIDTH, BAR_GAP, BAR_HEIGHT = 6, 2, 16


@dataclass
class CheckRow:
    result: AuditResult
    # (run finished at, status) for the last runs, oldest first; None where the check did not run.
    history: list[tuple[datetime, str | None]] = field(default_factory=list)

    @property
    def svg_width(self) -> int:
        return len(self.history) * (BAR_WIDTH + BAR_GAP)

    @property
    def bars(self) -> list[dict[str, object]]:
        return [
            {
                "x": index * (BAR_WIDTH + BAR_GAP),
                "status": status or "none",
                "label": STATUS_LABELS[CheckStatus(status)] if status else _("not checked"),
                "when": when,
            }
            for index, (when, status) in enumerate(self.history)
        ]


@dataclass
class DomainBlock:
    domain: str
    role: str
    rows: list[CheckRow]


@dataclass
class AuditPanel:
    run: AuditRun | None
    domains: list[DomainBlock]


def audit_panel(service: Service) -> AuditPanel:
    runs = list(
        AuditRun.objects.filter(service=service, state=RunState.DONE)
        .order_by("-finished_at", "-pk")
        .only("pk", "finished_at", "outcome", "service_id")[:HISTORY_RUNS]
    )
    if not runs:
        return AuditPanel(None, [])
    latest, oldest_first = runs[0], list(reversed(runs))
    statuses: dict[tuple[str, str, str], dict[int, str]] = {}
    latest_results: list[AuditResult] = []
    for result in AuditResult.objects.filter(run__in=runs).order_by(
        "domain", "check_key", "target"
    ):
        statuses.setdefault(result.identity, {})[result.run_id] = result.status
        if result.run_id == latest.pk:
            latest_results.append(result)
    blocks: dict[tuple[str, str], DomainBlock] = {}
    for result in latest_results:
        block = blocks.setdefault(
            (result.domain, result.role), DomainBlock(result.domain, result.role, [])
        )
        seen = statuses[result.identity]
        history = [(run.finished_at, seen.get(run.pk)) for run in oldest_first]
        block.rows.append(CheckRow(result, history))
    # Mail first, as a provider is mostly about mail; then aliases, the web, submission.
    order = {role: index for index, role in enumerate(("mail", "alias", "web", "submission"))}
    ordered = sorted(blocks.values(), key=lambda b: (order.get(b.role, 9), b.domain))
    return AuditPanel(latest, ordered)

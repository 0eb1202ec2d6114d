"""The service page's audit panel: a service's latest results and their history.

Loaded by the `audit_panel` template tag (audits/templatetags/audits.py), so the service page's
view (criteria/views.py) needs no knowledge of this app. A fixed number of queries whatever the
number of stored runs: the last runs, the latest run's results, and the statuses (only) of the
results of the last HISTORY_RUNS runs.

The history strips are built here as ready SVG, one `format_html` per bar: with 60 checks x 30
runs, a template loop with a date filter per bar cost more than the rest of the page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from audits.checks.result import STATUS_LABELS
from audits.models import AuditResult, AuditRun
from providers.models import Service

HISTORY_RUNS = 30
# The history strip's geometry (SVG user units): one bar per run, oldest first.
BAR_WIDTH, BAR_GAP, BAR_HEIGHT = 6, 2, 16
BAR = '<rect x="{}" y="0" width="{}" height="{}" class="bar bar-{}"><title>{}: {}</title></rect>'
STRIP = (
    '<svg class="history" role="img" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
    'aria-label="{label}">{bars}</svg>'
)
# Mail first, as a provider is mostly about mail; then aliases, the web, submission.
ROLE_ORDER = {role: index for index, role in enumerate(("mail", "alias", "web", "submission"))}


@dataclass
class CheckRow:
    result: AuditResult
    history: SafeString


@dataclass
class DomainBlock:
    domain: str
    role: str
    rows: list[CheckRow]


@dataclass
class AuditPanel:
    run: AuditRun | None
    domains: list[DomainBlock]


def history_strip(
    runs: list[AuditRun], statuses: dict[int, str], dates: dict[int, str], labels: dict[str, str]
) -> SafeString:
    """One bar per run, oldest first, coloured (by CSS class) and titled by its status."""
    bars = format_html_join(
        "",
        BAR,
        (
            (
                index * (BAR_WIDTH + BAR_GAP),
                BAR_WIDTH,
                BAR_HEIGHT,
                statuses.get(run.pk, "none"),
                dates[run.pk],
                labels.get(statuses.get(run.pk, ""), labels[""]),
            )
            for index, run in enumerate(runs)
        ),
    )
    return format_html(
        STRIP,
        w=len(runs) * (BAR_WIDTH + BAR_GAP),
        h=BAR_HEIGHT,
        label=_("Status in the latest runs, oldest first"),
        bars=bars,
    )


def audit_panel(service: Service) -> AuditPanel:
    runs = list(
        AuditRun.objects.done_newest_first()
        .filter(service=service)
        .only("pk", "finished_at", "outcome", "service_id")[:HISTORY_RUNS]
    )
    if not runs:
        return AuditPanel(None, [])
    latest, oldest_first = runs[0], list(reversed(runs))
    statuses: dict[tuple[str, str, str], dict[int, str]] = {}
    for run_id, domain, check, target, status in AuditResult.objects.filter(
        run__in=runs
    ).values_list("run_id", "domain", "check_key", "target", "status"):
        statuses.setdefault((domain, check, target), {})[run_id] = status
    dates = {run.pk: date_format(run.finished_at, "SHORT_DATE_FORMAT") for run in runs}
    labels = {status.value: str(label) for status, label in STATUS_LABELS.items()}
    labels[""] = gettext("not checked")
    blocks: dict[tuple[str, str], DomainBlock] = {}
    for result in latest.results.order_by("domain", "check_key", "target"):
        block = blocks.setdefault(
            (result.domain, result.role), DomainBlock(result.domain, result.role, [])
        )
        strip = history_strip(oldest_first, statuses.get(result.identity, {}), dates, labels)
        block.rows.append(CheckRow(result, strip))
    ordered = sorted(blocks.values(), key=lambda b: (ROLE_ORDER.get(b.role, 9), b.domain))
    return AuditPanel(latest, ordered)

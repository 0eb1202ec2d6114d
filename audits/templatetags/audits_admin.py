"""`{% load audits_admin %}{% audit_dashboard %}`: the admin index's verification panel."""

from __future__ import annotations

from typing import Any

from django import template

from audits.models import Alert, AuditRun, RunState

register = template.Library()

SHOWN = 8


@register.inclusion_tag("admin/audits/_dashboard.html", takes_context=True)
def audit_dashboard(context: dict[str, Any]) -> dict[str, Any]:
    request = context["request"]
    if not request.user.has_perm("audits.view_alert"):
        return {"visible": False}
    open_alerts = Alert.objects.open().select_related("service").order_by("-opened_at")
    return {
        "visible": True,
        "open_count": open_alerts.count(),
        "alerts": list(open_alerts[:SHOWN]),
        "active_runs": AuditRun.objects.filter(
            state__in=[RunState.QUEUED, RunState.RUNNING]
        ).count(),
        "failed_runs": AuditRun.objects.filter(state=RunState.FAILED).count(),
    }

"""`{% load audits %}{% audit_panel service %}`: the service page's automated audit section."""

from __future__ import annotations

from typing import Any

from django import template

from audits.panel import audit_panel as load_panel
from providers.domains import display_name
from providers.models import ServiceDomain

register = template.Library()

ROLE_LABELS = dict(ServiceDomain.Role.choices)


@register.inclusion_tag("audits/_panel.html")
def audit_panel(service: Any) -> dict[str, Any]:
    panel = load_panel(service)
    return {"service": service, "panel": panel, "role_labels": ROLE_LABELS}


@register.filter
def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


@register.filter
def pretty_json(value: Any) -> str:
    """Details as indented JSON for a <pre> (autoescaped by the template like any string)."""
    import json

    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)


@register.filter
def both_forms(names: str) -> str:
    """ "bücher.example (xn--bcher-kva.example)" for an internationalised name, so people read
    it and can also match it with what DNS and certificates say; ASCII names stay as they are.
    A target can list several hosts ("a, b")."""
    return ", ".join(display_name(name) for name in str(names).split(", "))

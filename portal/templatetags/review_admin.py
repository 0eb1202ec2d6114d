"""`{% load review_admin %}{% review_dashboard %}`: the admin index's panel of work waiting for
review, so a publisher sees at a glance what to decide and an editor what is still open."""

from __future__ import annotations

from typing import Any

from django import template

from portal.models import Revision, RevisionState

register = template.Library()

SHOWN = 8


@register.inclusion_tag("admin/portal/_review_dashboard.html", takes_context=True)
def review_dashboard(context: dict[str, Any]) -> dict[str, Any]:
    request = context["request"]
    if not request.user.has_perm("portal.view_revision"):
        return {"visible": False}
    in_review = (
        Revision.objects.filter(state=RevisionState.IN_REVIEW)
        .select_related("content_type", "submitted_by")
        .order_by("submitted_at")
    )
    return {
        "visible": True,
        "in_review_count": in_review.count(),
        "draft_count": Revision.objects.filter(state=RevisionState.DRAFT).count(),
        "in_review": list(in_review[:SHOWN]),
    }

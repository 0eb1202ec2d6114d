"""Public pages that show criteria: the criteria page, and a service's page with its checklist.

The service page lives here rather than in providers/views.py because the criteria app depends on
providers, not the other way round; it reuses the providers views' loading helpers.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from portal.cache import cached_page
from portal.content_scopes import CATALOGUE
from providers.cells import Cells
from providers.models import PageText, Placement, Service
from providers.values import attach_feature_details
from providers.views import CATEGORY_BY_KIND, annotate_cards, card_queryset

from .automation import check_label, checks_for
from .models import Assessment, AssessmentSource, Criterion, CriterionGroup, Level, Verdict
from .verdicts import services_meeting


def arrange(criteria: list[Criterion]) -> list[dict[str, Any]]:
    """Criteria by group, then level (minimum, best case), each with its sub-items."""
    children: dict[int, list[Criterion]] = {}
    for criterion in criteria:
        if criterion.parent_id:
            children.setdefault(criterion.parent_id, []).append(criterion)
    for criterion in criteria:
        criterion.sub_items = children.get(criterion.pk, [])
    groups = []
    for group in CriterionGroup.objects.order_by("order", "key"):
        levels = []
        for level, label in Level.choices:
            items = [
                c
                for c in criteria
                if c.group_id == group.pk and c.level == level and not c.parent_id
            ]
            if items:
                levels.append({"level": level, "label": label, "criteria": items})
        if levels:
            groups.append({"group": group, "levels": levels})
    return groups


def published_criteria() -> list[Criterion]:
    return list(Criterion.objects.published().order_by("level", "order", "key"))


@cached_page
def criteria_page(request: HttpRequest) -> HttpResponse:
    criteria = list(
        Criterion.objects.published().with_public_assessments().order_by("level", "order", "key")
    )
    for criterion in criteria:
        criterion.meeting = services_meeting(criterion.public_assessments)
        # What the machine says, shown apart from the deciding verdicts: the latest audit's
        # verdict per service, whatever the editors decided.
        criterion.check_labels = [check_label(key) for key in checks_for(criterion.key)]
        criterion.audit_meeting = sorted(
            (
                a
                for a in criterion.public_assessments
                if a.source == AssessmentSource.AUTOMATED and a.verdict == Verdict.MET
            ),
            key=lambda a: a.service.name.lower(),
        )
    texts = list(PageText.objects.filter(placement=Placement.CRITERIA).in_order())
    return render(request, "criteria/criteria.html", {"texts": texts, "groups": arrange(criteria)})


def checklist(service_id: int) -> list[dict[str, Any]]:
    """Published criteria with this service's assessments (editorial first, then automated)."""
    assessments: dict[int, list[Assessment]] = {}
    for assessment in (
        Assessment.objects.filter(service_id=service_id).of_published_criteria().editorial_first()
    ):
        assessments.setdefault(assessment.criterion_id, []).append(assessment)
    criteria = published_criteria()
    for criterion in criteria:
        criterion.service_assessments = assessments.get(criterion.pk, [])
    return arrange(criteria)


def service_scopes(request: HttpRequest, slug: str) -> list[int | str]:
    """A service's page shows that service and the catalogue (features, criteria, groups)."""
    pk = Service.objects.published().filter(slug=slug).values_list("pk", flat=True).first()
    return [CATALOGUE] if pk is None else [pk, CATALOGUE]


@cached_page(scopes=service_scopes)
def service_detail(request: HttpRequest, slug: str) -> HttpResponse:
    service = get_object_or_404(card_queryset().prefetch_related("feature_values"), slug=slug)
    annotate_cards([service])
    attach_feature_details([service])
    values = sorted(
        service.feature_values.all(),
        key=lambda v: (v.feature.group_id, v.feature.order, v.feature.pk),
    )
    cells = Cells([value.feature for value in values])
    return render(
        request,
        "providers/service.html",
        {
            "service": service,
            "category": CATEGORY_BY_KIND[service.kind],
            "feature_values": [(value, cells.cell(value.feature, value)) for value in values],
            "checklist": checklist(service.pk),
        },
    )

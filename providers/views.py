"""The public pages about services: home and one page per category (the comparison is in
providers/compare_view.py).

The service detail page lives in criteria/views.py, because it shows assessments and the
criteria app depends on this one, not the other way round.

Every page shows published services only, runs a fixed number of queries whatever the number of
services (everything related is prefetched), and is cached per language (portal/cache.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.cache import cached_page

from .models import (
    PageText,
    Placement,
    RecommendationGroup,
    Service,
    ServiceDownload,
    ServiceKind,
    ServiceLink,
    ServiceSection,
)

T = TypeVar("T")


@dataclass(frozen=True)
class Category:
    slug: str
    kind: str
    placement: str
    title: Any


CATEGORIES: tuple[Category, ...] = (
    Category("providers", ServiceKind.PROVIDER, Placement.PROVIDERS, _("Email providers")),
    Category("aliasing", ServiceKind.ALIASING, Placement.ALIASING, _("Email aliasing services")),
    Category("self-hosting", ServiceKind.SELF_HOSTED, Placement.SELF_HOSTING, _("Self-hosting")),
)
CATEGORY_BY_SLUG = {category.slug: category for category in CATEGORIES}
CATEGORY_BY_KIND = {category.kind: category for category in CATEGORIES}


# --- Order ----------------------------------------------------------------------------------


def daily_shuffle(items: Iterable[T], today: date | None = None) -> list[T]:
    """Equal-ranked services in a fair order that changes once a day.

    The seed document's source shuffles its table so no provider is always first. A shuffle per
    request would defeat the page cache; hashing the date with each slug gives every day its own
    order, the same for every visitor and process, and adding a service does not reorder the rest.
    """
    day = (today or timezone.localdate()).isoformat()
    return sorted(
        items,
        key=lambda item: hashlib.sha256(f"{day}:{item.slug}".encode()).digest(),  # type: ignore[attr-defined]
    )


# --- Loading --------------------------------------------------------------------------------


def card_queryset() -> QuerySet[Service]:
    """Published services with everything a card shows, in a fixed number of queries."""
    return (
        Service.objects.published()
        .select_related("group")
        .prefetch_related(
            "links",
            "downloads",
            Prefetch("sections", queryset=ServiceSection.objects.select_related("group")),
            "free_features",
        )
    )


def annotate_cards(services: Iterable[Service]) -> None:
    """Give each service its onion link, homepage and downloads grouped by platform."""
    platform_order = {value: index for index, value in enumerate(ServiceDownload.Platform.values)}
    for service in services:
        links = list(service.links.all())
        service.homepage = next((x for x in links if x.kind == ServiceLink.Kind.HOMEPAGE), None)
        service.onion = next((x for x in links if x.kind == ServiceLink.Kind.ONION), None)
        service.other_links = [
            x for x in links if x.kind not in {ServiceLink.Kind.HOMEPAGE, ServiceLink.Kind.ONION}
        ]
        platforms: dict[str, list[ServiceDownload]] = {}
        for download in service.downloads.all():
            platforms.setdefault(download.platform, []).append(download)
        service.platforms = [
            (ServiceDownload.Platform(platform).label, downloads)
            for platform, downloads in sorted(
                platforms.items(), key=lambda item: platform_order.get(item[0], 99)
            )
        ]


def page_texts(placement: str) -> list[PageText]:
    return list(PageText.objects.filter(placement=placement).in_order())


@dataclass
class GroupSection:
    group: RecommendationGroup | None
    services: list[Service] = field(default_factory=list)


def grouped_services(kind: str) -> list[GroupSection]:
    """The category's recommendation groups in order, each with its services shuffled daily."""
    sections = [
        GroupSection(group) for group in RecommendationGroup.objects.filter(kind=kind).in_order()
    ]
    by_group = {section.group.pk: section for section in sections if section.group}
    ungrouped = GroupSection(None)
    services = list(card_queryset().filter(kind=kind))
    annotate_cards(services)
    for service in daily_shuffle(services):
        by_group.get(service.group_id, ungrouped).services.append(service)
    if ungrouped.services:
        sections.append(ungrouped)
    return [section for section in sections if section.services or section.group]


# --- Views ----------------------------------------------------------------------------------


@cached_page
def home(request: HttpRequest) -> HttpResponse:
    texts = list(
        PageText.objects.filter(
            placement__in=[Placement.HOME, *(c.placement for c in CATEGORIES)]
        ).in_order()
    )
    first_groups: dict[str, RecommendationGroup] = {}
    for group in RecommendationGroup.objects.in_order():
        first_groups.setdefault(group.kind, group)
    # `order_by()` clears the model's default ordering, whose columns would otherwise join the
    # GROUP BY and count each service on its own row (every category showed 1).
    counts = dict(
        Service.objects.published()
        .order_by()
        .values_list("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    categories = []
    for category in CATEGORIES:
        intro = next(
            (
                text
                for text in texts
                if text.placement == category.placement and text.kind == PageText.Kind.INTRO
            ),
            None,
        )
        categories.append(
            {
                "category": category,
                "intro": intro,
                "group": first_groups.get(category.kind) if intro is None else None,
                "count": counts.get(category.kind, 0),
            }
        )
    return render(
        request,
        "providers/home.html",
        {
            "texts": [text for text in texts if text.placement == Placement.HOME],
            "categories": categories,
        },
    )


@cached_page
def category_page(request: HttpRequest, category: str) -> HttpResponse:
    current = CATEGORY_BY_SLUG.get(category)
    if current is None:
        raise Http404
    texts = page_texts(current.placement)
    return render(
        request,
        "providers/category.html",
        {
            "category": current,
            "intros": [t for t in texts if t.kind in {PageText.Kind.INTRO, PageText.Kind.WARNING}],
            "notes": [t for t in texts if t.kind == PageText.Kind.NOTE],
            "further_reading": [t for t in texts if t.kind == PageText.Kind.FURTHER_READING],
            "sections": grouped_services(current.kind),
        },
    )

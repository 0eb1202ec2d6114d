"""The public pages about services: home, one page per category, the comparison.

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

from django.db import connection
from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.cache import cached_page
from portal.translation_support import pick_translation

from .countries import country_name
from .filters import BOOLEAN_FEATURE_KEYS, ORDERING_FIELDS, PAYMENT_FEATURE_KEY, ServiceFilterSet
from .models import (
    Feature,
    FeatureValue,
    PageText,
    Placement,
    RecommendationGroup,
    Service,
    ServiceDownload,
    ServiceKind,
    ServiceLink,
    ServiceSection,
)
from .numbers import quantity
from .templatetags.content import in_its_language, megabytes
from .values import choice_keys, number

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

# How many services can be compared side by side.
COMPARE_MIN, COMPARE_MAX = 2, 4
# The comparison's sortable columns (each an `ordering` value of the FilterSet).
SORTABLE_COLUMNS: tuple[tuple[str, Any], ...] = (
    ("name", _("Name")),
    ("kind", _("Kind")),
    ("hq_country", _("Headquarters")),
    ("founded_year", _("Founded")),
    ("free_storage_mb", _("Free storage")),
)
assert {key for key, _label in SORTABLE_COLUMNS} <= set(ORDERING_FIELDS)


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


# --- Comparison -----------------------------------------------------------------------------


def load_values(services: list[int], features: list[Feature]) -> dict[int, dict[int, Any]]:
    """Service pk -> feature pk -> yes/no (or a list of choice keys), in two queries.

    The comparison has a value per service and feature (30,000 with 1,000 services). Model
    instances, or even the ORM's row iteration, cost more than rendering the page, so a plain
    cursor reads the rows (the API's CSV builds instances; it is not a page).
    """
    result: dict[int, dict[int, Any]] = {}
    if not services or not features:
        return result
    # Plain SQL over one table: no ordering (the model's default joins three tables and sorts
    # every row) and a fixed column order. Names come from the model, values are parameters.
    quote = connection.ops.quote_name
    meta = FeatureValue._meta
    columns = ", ".join(
        quote(meta.get_field(name).column) for name in ("id", "service", "feature", "bool_value")
    )
    feature_pks = [feature.pk for feature in features]
    sql = (
        f"SELECT {columns} FROM {quote(meta.db_table)} "  # noqa: S608
        f"WHERE {quote(meta.get_field('service').column)} IN ({', '.join(['%s'] * len(services))}) "
        f"AND {quote(meta.get_field('feature').column)} IN ({', '.join(['%s'] * len(feature_pks))})"
    )
    with_choices = {feature.pk for feature in features if feature.has_choices}
    choice_lists: dict[int, list[str]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [*services, *feature_pks])
        for pk, service_id, feature_id, bool_value in cursor.fetchall():
            if feature_id in with_choices:
                value: Any = choice_lists.setdefault(pk, [])
            else:
                # SQLite gives 0/1; None stays unknown.
                value = None if bool_value is None else bool(bool_value)
            result.setdefault(service_id, {})[feature_id] = value
    if choice_lists:
        for value_pk, key in choice_keys(choice_lists):
            choice_lists[value_pk].append(key)
    return result


class Cells:
    """Feature cells as ready HTML, prepared once per page.

    The comparison has a cell per service and feature (30,000 with 1,000 services); a template
    include per cell took seconds, so each distinct cell is built once here and reused. Cells say
    yes/no in words (the CSS adds a symbol), never by colour or icon alone.
    """

    def __init__(
        self, features: list[Feature], values: dict[int, dict[int, Any]] | None = None
    ) -> None:
        self.features = features
        self.values = values or {}
        self.unknown = format_html('<td class="cell-unknown">{}</td>', _("Unknown"))
        self.yes = format_html('<td class="cell-yes">{}</td>', _("Yes"))
        self.no = format_html('<td class="cell-no">{}</td>', _("No"))
        self.unlimited = format_html('<td class="cell-number">{}</td>', _("Unlimited"))
        language = get_language() or "en"
        # Feature objects here have their choices prefetched, so this is no extra query.
        self.choice_names: dict[int, dict[str, SafeString]] = {
            feature.pk: {
                choice.key: self._name(choice, language) for choice in feature.choices.all()
            }
            for feature in features
            if feature.has_choices
        }

    @staticmethod
    def _name(choice: Any, language: str) -> SafeString:
        text, text_language = pick_translation(choice, "name", language)
        return in_its_language(format_html("{}", text), text_language or language)

    def cell(self, feature: Feature, value: FeatureValue | None) -> SafeString:
        """A cell for a FeatureValue instance (the service page)."""
        if value is None:
            return self.unknown
        if feature.kind == Feature.Kind.BOOLEAN:
            return self.yes if value.bool_value else self.no
        if feature.kind == Feature.Kind.NUMBER:
            if value.unlimited:
                return self.unlimited
            text = quantity(number(value.number_value), feature.unit)
            return format_html('<td class="cell-number">{}</td>', text)
        return self.choices(feature, getattr(value, "choice_keys", []))

    def loaded_cell(self, feature: Feature, value: Any) -> SafeString:
        """A cell from load_values: yes/no, a list of choice keys, or None (unknown)."""
        if value is None:
            return self.unknown
        if isinstance(value, list):
            return self.choices(feature, value)
        return self.yes if value else self.no

    def choices(self, feature: Feature, keys: list[str]) -> SafeString:
        names = self.choice_names.get(feature.pk, {})
        labels = [names[key] for key in keys if key in names]
        if not labels:
            return self.unknown
        return format_html(
            '<td class="cell-choices">{}</td>', format_html_join(", ", "{}", ((x,) for x in labels))
        )

    def row(self, service_pk: int) -> list[SafeString]:
        values = self.values.get(service_pk, {})
        return [self.loaded_cell(feature, values.get(feature.pk)) for feature in self.features]


ROW_FIELDS = ("slug", "name", "url", "kind", "country", "founded", "free_storage", "compare_label")
ROW_HTML = (
    '<tr><td><input type="checkbox" name="compare" value="{slug}" id="compare-{slug}"{checked}>'
    '<label for="compare-{slug}" class="visually-hidden">{compare_label}</label></td>'
    '<th scope="row"><a href="{url}">{name}</a></th><td>{kind}</td><td>{country}</td>'
    "<td>{founded}</td><td>{free_storage}</td>{cells}</tr>"
)


# What the comparison reads of each service: plain rows, not model instances (1,000 of them).
ROW_COLUMNS = ("pk", "slug", "name", "kind", "hq_country", "founded_year", "free_storage_mb")


def comparison_rows(
    services: list[dict[str, Any]], cells: Cells, chosen: set[str] | frozenset[str] = frozenset()
) -> list[dict[str, Any]]:
    """Everything a table row shows, computed once (country names, URLs, labels).

    `html` is the comparison table's whole row: with 1,000 services, a dozen template variables
    per row cost more than the rest of the page, so the row is one format_html call.
    """
    url_pattern = reverse("criteria:service", args=["__slug__"])
    kinds = {key: str(label) for key, label in ServiceKind.choices}
    country_names: dict[str, str] = {}
    compare_text = str(_("Compare %(name)s"))
    checked = mark_safe(" checked")
    rows = []
    for service in services:
        code = service["hq_country"] or ""
        if code and code not in country_names:
            country_names[code] = country_name(code)
        row_cells = cells.row(service["pk"])
        row = {
            "slug": service["slug"],
            "name": service["name"],
            "url": url_pattern.replace("__slug__", service["slug"]),
            "kind": kinds.get(service["kind"], service["kind"]),
            "country": country_names.get(code, ""),
            "founded": service["founded_year"] or "",
            "free_storage": megabytes(service["free_storage_mb"]),
            "chosen": service["slug"] in chosen,
            "compare_label": compare_text % {"name": service["name"]},
            "cells": row_cells,
        }
        row["html"] = format_html(
            ROW_HTML,
            checked=checked if row["chosen"] else "",
            cells=mark_safe("".join(row_cells)),  # noqa: S308  (each cell built by format_html)
            **{key: row[key] for key in ROW_FIELDS},
        )
        rows.append(row)
    return rows


def transpose(rows: list[dict[str, Any]], features: list[Feature]) -> list[dict[str, Any]]:
    """Side by side: one row per feature, one column per chosen service."""
    return [
        {"feature": feature, "cells": [row["cells"][index] for row in rows]}
        for index, feature in enumerate(features)
    ]


def sort_links(query: QueryDict) -> list[dict[str, Any]]:
    """Column headers' links: ascending first, a second click descending; filters are kept."""
    current = query.get("ordering", "")
    links = []
    for key, label in SORTABLE_COLUMNS:
        params = query.copy()
        params.pop("page", None)
        descending = current == key
        params["ordering"] = f"-{key}" if descending else key
        state = "ascending" if current == key else "descending" if current == f"-{key}" else ""
        links.append({"key": key, "label": label, "query": params.urlencode(), "sorted": state})
    return links


def selected_for_comparison(query: QueryDict) -> list[str]:
    return list(dict.fromkeys(slug for slug in query.getlist("compare") if slug))[: COMPARE_MAX + 1]


# Labels for the filters that are not catalogue features (those take the feature's name).
FILTER_LABELS: dict[str, Any] = {
    "kind": _("Kind of service"),
    "payment": _("Accepts any of these payment methods"),
    "anonymous_payment": _("Anonymous payment (cash or cryptocurrency)"),
    "free_plan": _("Free plan"),
    "min_free_storage": _("Minimum free storage (MB)"),
    "country": _("Headquartered in"),
    "exclude_country": _("Not headquartered in"),
    "verified": _("Passed these automated checks in the latest audit"),
}


def form_fields(filterset: ServiceFilterSet, features: list[Feature]) -> list[dict[str, Any]]:
    """The filter form's fields, labelled with the catalogue's (translated) feature names."""
    names = {feature.key: feature for feature in features}
    fields = []
    for name in filterset.form.fields:
        if name == "ordering":  # the table's column headers sort
            continue
        fields.append(
            {
                "field": filterset.form[name],
                "feature": names.get(name),
                "label": FILTER_LABELS.get(name, filterset.form.fields[name].label),
                "boolean": name in BOOLEAN_FEATURE_KEYS,
                "checks": name == "verified",
            }
        )
    return fields


def comparison_parameters() -> list[str]:
    """What the comparison reads of its query: the FilterSet's parameters and `compare`."""
    return [*ServiceFilterSet.base_filters, "compare"]


@cached_page(params=comparison_parameters)
def compare(request: HttpRequest) -> HttpResponse:
    base = Service.objects.all()
    features = list(
        Feature.objects.filter(key__in=[*BOOLEAN_FEATURE_KEYS, PAYMENT_FEATURE_KEY])
        .select_related("group")
        .prefetch_related("choices")
        .order_by("group__order", "order", "key")
    )
    filterset = ServiceFilterSet(request.GET, queryset=base, request=request)
    valid = filterset.is_valid()
    # Plain rows in the FilterSet's order; feature values come as plain values (load_values).
    services = list(filterset.qs.values(*ROW_COLUMNS)) if valid else []
    values = load_values([service["pk"] for service in services], features)
    chosen_slugs = selected_for_comparison(request.GET)
    side_by_side: list[dict[str, Any]] = []
    if chosen_slugs:
        in_table = {service["slug"]: service for service in services}
        missing = [slug for slug in chosen_slugs if slug not in in_table]
        if missing:
            extra = list(base.published().filter(slug__in=missing).values(*ROW_COLUMNS))
            values.update(load_values([service["pk"] for service in extra], features))
            in_table.update({service["slug"]: service for service in extra})
        side_by_side = [in_table[slug] for slug in chosen_slugs if slug in in_table]
    if not COMPARE_MIN <= len(side_by_side) <= COMPARE_MAX:
        side_by_side = []
    cells = Cells(features, values)
    chosen_rows = comparison_rows(side_by_side, cells)
    context = {
        "filterset": filterset,
        "fields": form_fields(filterset, features),
        "features": features,
        "rows": comparison_rows(services, cells, set(chosen_slugs)),
        "sort_links": sort_links(request.GET),
        "compare_min": COMPARE_MIN,
        "compare_max": COMPARE_MAX,
        "compare_requested": bool(chosen_slugs),
        "side_by_side": chosen_rows,
        "side_by_side_rows": transpose(chosen_rows, features),
    }
    # A bad filter value is the visitor's mistake: say so (400), as the API does.
    return render(request, "providers/compare.html", context, status=200 if valid else 400)

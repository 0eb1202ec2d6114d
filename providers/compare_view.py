"""The comparison page: filters, the table of every matching service, and side by side.

What it costs: the services are answered by the in-memory index (providers/comparison_index.py),
each table row is rendered once per language and version of its service and kept (ROW_FRAGMENTS),
and the table is paged, so a page costs about the same at 8 and at 10,000 services, for any filter
combination, without a database query once the index and the rows are warm.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.cache import cached_page

from .cells import Cells, load_values
from .compare_form import active_filters, build_groups, feature_icon, groups_html
from .comparison_index import BoundedCache, ComparisonIndex, current_index
from .countries import country_name
from .filters import ORDERING_FIELDS, ServiceFilterSet
from .models import Feature, Service, ServiceKind
from .numbers import localized_digits
from .templatetags.content import megabytes
from .templatetags.logos import monogram

# Services per page of the table: a page stays light on a phone whatever the catalogue's size.
PAGE_SIZE = 50
# Rendered rows kept per process: (service, its version, language, catalogue) -> HTML. About
# 3 KB each, so at most ~25 MB; the least recently shown go first.
ROW_FRAGMENTS: BoundedCache[tuple[Any, ...], SafeString] = BoundedCache(8192)

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


ROW_FIELDS = (
    "logo",
    "slug",
    "name",
    "url",
    "kind",
    "country",
    "founded",
    "free_storage",
    "compare_label",
    "kind_label",
    "country_label",
    "founded_label",
    "storage_label",
)
# The service's cell comes first and holds the "compare" tick box: it is the sticky first
# column, so the name and its box stay in view while the features scroll past.
ROW_HTML = (
    '<tr><th scope="row"><input type="checkbox" name="compare" value="{slug}" id="compare-{slug}"'
    '{checked}><label for="compare-{slug}" class="visually-hidden">{compare_label}</label> '
    '{logo}<a href="{url}">{name}</a></th><td data-label="{kind_label}">{kind}</td>'
    '<td data-label="{country_label}">{country}</td><td data-label="{founded_label}">{founded}</td>'
    '<td data-label="{storage_label}">{free_storage}</td>{cells}</tr>'
)


def row_logo(service: dict[str, Any]) -> SafeString:
    """The service's logo (or monogram) at the size of a table row's text."""
    if service["logo"]:
        url = Service._meta.get_field("logo").storage.url(service["logo"])
        return format_html(
            '<img class="logo" src="{}" alt="" width="24" height="24" loading="lazy">', url
        )
    return monogram(service["name"], service["slug"], 24)


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
    column_labels = {
        "kind_label": str(_("Kind")),
        "country_label": str(_("Headquarters")),
        "founded_label": str(_("Founded")),
        "storage_label": str(_("Free storage")),
    }
    rows = []
    for service in services:
        code = service["hq_country"] or ""
        if code and code not in country_names:
            country_names[code] = country_name(code)
        row_cells = cells.row(service["pk"])
        row = {
            "logo": row_logo(service),
            "slug": service["slug"],
            "name": service["name"],
            "url": url_pattern.replace("__slug__", service["slug"]),
            "kind": kinds.get(service["kind"], service["kind"]),
            "country": country_names.get(code, ""),
            "founded": localized_digits(service["founded_year"]) if service["founded_year"] else "",
            "free_storage": megabytes(service["free_storage_mb"]),
            "chosen": service["slug"] in chosen,
            "compare_label": compare_text % {"name": service["name"]},
            "cells": row_cells,
            **column_labels,
        }
        row["html"] = format_html(
            ROW_HTML,
            checked=checked if row["chosen"] else "",
            cells=mark_safe("".join(row_cells)),  # noqa: S308  (each cell built by format_html)
            **{key: row[key] for key in ROW_FIELDS},
        )
        rows.append(row)
    return rows


def side_by_side_rows(
    rows: list[dict[str, Any]], features: list[Feature], differences_only: bool
) -> list[dict[str, Any]]:
    """Side by side: one row per fact and feature, one column per chosen service.

    With `differences_only`, rows where every chosen service says the same are left out.
    """
    facts = [
        (_("Kind"), "kind"),
        (_("Headquarters"), "country"),
        (_("Founded"), "founded"),
        (_("Free storage"), "free_storage"),
    ]
    table: list[dict[str, Any]] = [
        {
            "label": label,
            "cells": [format_html("<td>{}</td>", row[key] or "–") for row in rows],
        }
        for label, key in facts
    ]
    table += [
        {"feature": feature, "cells": [row["cells"][index] for row in rows]}
        for index, feature in enumerate(features)
    ]
    if differences_only:
        table = [line for line in table if len(set(line["cells"])) > 1]
    return table


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


def comparison_parameters() -> list[str]:
    """What the comparison reads of its query: the FilterSet's parameters, `compare`,
    `differences` (side by side, only the rows where the chosen services differ) and `page`."""
    return [*ServiceFilterSet.base_filters, "compare", "differences", "page"]


def has_empty_values(request: HttpRequest) -> bool:
    """The filter form sends every control, also those left at "any" (`openpgp=`)."""
    raw = QueryDict(request.META.get("QUERY_STRING", ""))
    return any(value == "" for _name, values in raw.lists() for value in values)


def page_number(query: QueryDict, total: int) -> tuple[int, int]:
    """The requested page (1 when missing or not a number, the last when past the end) and the
    number of pages."""
    pages = max(1, -(-total // PAGE_SIZE))
    try:
        wanted = int(query.get("page", "1"))
    except ValueError:
        wanted = 1
    return min(max(wanted, 1), pages), pages


def page_links(query: QueryDict, current: int, pages: int) -> dict[str, str]:
    links = {}
    for name, number in (("previous", current - 1), ("next", current + 1)):
        if 1 <= number <= pages:
            params = query.copy()
            if number == 1:
                params.pop("page", None)
            else:
                params["page"] = str(number)
            links[name] = params.urlencode()
    return links


def rendered_rows(
    index: ComparisonIndex, services: list[dict[str, Any]], chosen: set[str]
) -> list[SafeString]:
    """The table's rows as HTML, each rendered once per language and version of its service.

    A row depends on its service (its `updated_at` changes with every save or publication), the
    catalogue (`index.fingerprint`) and the language; ticked rows (at most COMPARE_MAX) are
    rendered as they are asked for.
    """
    language = get_language() or "en"

    def key(service: dict[str, Any]) -> tuple[Any, ...]:
        return (service["pk"], service["updated_at"], language, index.fingerprint)

    found = ROW_FRAGMENTS.get_many(
        key(service) for service in services if service["slug"] not in chosen
    )
    missing = [
        service for service in services if service["slug"] in chosen or key(service) not in found
    ]
    fresh: dict[str, SafeString] = {}
    if missing:
        values = load_values([service["pk"] for service in missing], index.features)
        rows = comparison_rows(missing, Cells(index.features, values), chosen)
        fresh = {row["slug"]: row["html"] for row in rows}
        ROW_FRAGMENTS.set_many(
            {
                key(service): fresh[service["slug"]]
                for service in missing
                if service["slug"] not in chosen
            }
        )
    return [
        fresh[service["slug"]] if service["slug"] in fresh else found[key(service)]
        for service in services
    ]


@cached_page(params=comparison_parameters)
def compare(request: HttpRequest) -> HttpResponse:
    if has_empty_values(request):
        # The plain GET form submits its empty controls too; one redirect gives the visitor the
        # short URL that only names the chosen filters, the one to bookmark and share.
        # (request.GET is already reduced to the known, non-empty parameters.)
        query = request.GET.urlencode()
        return HttpResponseRedirect(f"{request.path}?{query}" if query else request.path)
    index = current_index()
    features = index.features
    # The FilterSet validates the query and names its errors; the index answers it.
    filterset = ServiceFilterSet(request.GET, request=request)
    valid = filterset.is_valid()
    cleaned = filterset.form.cleaned_data if valid else {}
    mask = index.select(cleaned) if valid else 0
    total = mask.bit_count()
    current_page, pages = page_number(request.GET, total)
    ordering = list(cleaned.get("ordering") or [])
    services = index.page(mask, ordering, (current_page - 1) * PAGE_SIZE, PAGE_SIZE)
    groups = build_groups(
        request.GET,
        features,
        index.counter(mask),
        FILTER_LABELS,
        get_language() or "en",
        sorted(index.masks.country),
    )
    chosen_slugs = selected_for_comparison(request.GET)
    side_by_side = [index.by_slug[slug] for slug in chosen_slugs if slug in index.by_slug]
    if not COMPARE_MIN <= len(side_by_side) <= COMPARE_MAX:
        side_by_side = []
    chosen_rows: list[dict[str, Any]] = []
    if side_by_side:
        values = load_values([service["pk"] for service in side_by_side], features)
        chosen_rows = comparison_rows(side_by_side, Cells(features, values))
    differences_only = request.GET.get("differences") == "1"
    toggled = request.GET.copy()
    if differences_only:
        toggled.pop("differences")
    else:
        toggled["differences"] = "1"
    icons = {feature.pk: feature_icon(feature) for feature in features}
    context = {
        "filterset": filterset,
        "filter_groups": groups_html(groups, static("img/icons.svg")),
        "active_filters": active_filters(groups, request.GET),
        "ordering": request.GET.get("ordering", ""),
        "features": [{"feature": feature, "icon": icons[feature.pk]} for feature in features],
        "rows": rendered_rows(index, services, set(chosen_slugs)),
        "total": total,
        "page": current_page,
        "pages": pages,
        "page_links": page_links(request.GET, current_page, pages),
        "sort_links": sort_links(request.GET),
        "compare_min": COMPARE_MIN,
        "compare_max": COMPARE_MAX,
        "compare_requested": bool(chosen_slugs),
        "side_by_side": chosen_rows,
        "side_by_side_rows": side_by_side_rows(chosen_rows, features, differences_only),
        "differences_only": differences_only,
        "differences_query": toggled.urlencode(),
    }
    # A bad filter value is the visitor's mistake: say so (400), as the API does.
    return render(request, "providers/compare.html", context, status=200 if valid else 400)

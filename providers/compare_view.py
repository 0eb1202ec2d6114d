"""The comparison page: filters, the table of every matching service, and side by side.

What it costs: the services are answered by the in-memory index (providers/comparison_index.py),
each table row is rendered once per language and version of its service and kept (ROW_FRAGMENTS),
and the table is paged, so a page costs about the same at 8 and at 10,000 services, for any filter
combination, without a database query once the index and the rows are warm.
"""

from __future__ import annotations

from html import escape  # the stdlib one: no lazy-string wrapper, same output
from types import SimpleNamespace
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.cache import cached_page
from portal.memo import BoundedCache

from .cells import Cells
from .compare_form import active_filters, build_groups, feature_icon, groups_html
from .compare_query import read_query
from .comparison_index import ComparisonIndex, current_index
from .countries import country_name
from .filters import ORDERING_FIELDS, ServiceFilterSet
from .models import Feature, Service, ServiceKind
from .numbers import localized_digits
from .query_links import QueryLinks
from .templatetags.content import megabytes
from .templatetags.logos import monogram

# Services per page of the table: a page stays light on a phone whatever the catalogue's size.
PAGE_SIZE = 50
# Rendered rows kept per process: (service, its version, language, catalogue) -> HTML, 1 to 8 KB
# each (Kurdish text is two bytes a character in memory). At most 8 MB: a worker serving 10,000
# services in six languages stays under its memory goal; the least recently shown go first.
ROW_FRAGMENTS: BoundedCache[tuple[Any, ...], SafeString] = BoundedCache(8192, max_bytes=8 << 20)

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

    `html` is the comparison table's whole row. The service's cell comes first and holds the
    "compare" tick box: it is the sticky first column, so the name and its box stay in view
    while the features scroll past. With 1,000 services a template (or even format_html) per
    row costs more than the rest of the page, so the row is joined from escaped parts.
    """
    url_pattern = reverse("criteria:service", args=["__slug__"])
    kinds = {key: str(label) for key, label in ServiceKind.choices}
    country_names: dict[str, str] = {}
    compare_text = str(_("Compare %(name)s"))
    labels = {
        name: escape(str(text))
        for name, text in (
            ("kind", _("Kind")),
            ("country", _("Headquarters")),
            ("founded", _("Founded")),
            ("storage", _("Free storage")),
        )
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
            "cells": row_cells,
        }
        slug = escape(row["slug"])
        checked = " checked" if row["chosen"] else ""
        compare_label = escape(compare_text % {"name": service["name"]})
        row["html"] = mark_safe(  # noqa: S308 (every part escaped here or made by format_html)
            f'<tr><th scope="row"><input type="checkbox" name="compare" value="{slug}" '
            f'id="compare-{slug}"{checked}><label for="compare-{slug}" class="visually-hidden">'
            f'{compare_label}</label> {row["logo"]}<a href="{escape(row["url"])}">'
            f'{escape(row["name"])}</a></th><td data-label="{labels["kind"]}">'
            f'{escape(row["kind"])}</td><td data-label="{labels["country"]}">'
            f'{escape(row["country"])}</td><td data-label="{labels["founded"]}">'
            f'{escape(row["founded"])}</td><td data-label="{labels["storage"]}">'
            f"{escape(row['free_storage'])}</td>{''.join(row_cells)}</tr>"
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
    links = QueryLinks(query)
    sorted_links = []
    for key, label in SORTABLE_COLUMNS:
        descending = current == key
        ordering = f"-{key}" if descending else key
        state = "ascending" if current == key else "descending" if current == f"-{key}" else ""
        sorted_links.append(
            {
                "key": key,
                "label": label,
                "query": links.replaced("ordering", ordering, dropping=("page",)),
                "sorted": state,
            }
        )
    return sorted_links


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
    links = QueryLinks(query)
    found = {}
    for name, number in (("previous", current - 1), ("next", current + 1)):
        if 1 <= number <= pages:
            found[name] = (
                links.without("page") if number == 1 else links.replaced("page", str(number))
            )
    return found


def cell_kit(index: ComparisonIndex) -> Cells:
    """The table's cells for the page's language, prepared once per index."""
    language = get_language() or "en"
    return index.markup.get_or_make(("cells", language), lambda: Cells(index.features))


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
        values = index.values_of(missing)
        rows = comparison_rows(missing, cell_kit(index).with_values(values), chosen)
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


HEADER_TEMPLATE = "providers/compare_feature_headers.html"
# What rendering a feature's name may tell the page (an English fallback, a stale translation):
# kept with the cached markup and told to each request that shows it.
PAGE_FLAGS = ("content_fallback", "content_stale")


def feature_headers(request: HttpRequest, index: ComparisonIndex, sprite: str) -> SafeString:
    """The table's feature column headers, rendered once per index (content version) and
    language."""
    language = get_language() or "en"

    def render_headers() -> tuple[SafeString, dict[str, Any]]:
        recorder = SimpleNamespace()  # stands in for the request the `translated` tag marks
        features = [{"feature": f, "icon": feature_icon(f)} for f in index.features]
        html = render_to_string(
            HEADER_TEMPLATE, {"features": features, "sprite": sprite, "request": recorder}
        )
        flags = {name: value for name, value in vars(recorder).items() if name in PAGE_FLAGS}
        return mark_safe(html), flags  # noqa: S308 (a template's output)

    html, flags = index.markup.get_or_make(("feature-headers", language, sprite), render_headers)
    for name, value in flags.items():
        setattr(request, name, value)
    return html


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
    # A plain query is read directly; anything else is the FilterSet's to read or to reject
    # with its errors. The index answers it.
    cleaned = read_query(request.GET)
    errors: dict[str, Any] = {}
    if cleaned is None:
        filterset = ServiceFilterSet(request.GET, request=request)
        errors = {} if filterset.is_valid() else filterset.errors
        cleaned = {} if errors else filterset.form.cleaned_data
    valid = not errors
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
        values = index.values_of(side_by_side)
        chosen_rows = comparison_rows(side_by_side, cell_kit(index).with_values(values))
    differences_only = request.GET.get("differences") == "1"
    links = QueryLinks(request.GET)
    toggled = (
        links.without("differences") if differences_only else links.replaced("differences", "1")
    )
    sprite = static("img/icons.svg")
    context = {
        "filter_errors": errors,
        "filter_groups": groups_html(groups, sprite),
        "active_filters": active_filters(groups, request.GET),
        "ordering": request.GET.get("ordering", ""),
        "features": features,
        "feature_headers": feature_headers(request, index, sprite),
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
        "differences_query": toggled,
    }
    # A bad filter value is the visitor's mistake: say so (400), as the API does.
    return render(request, "providers/compare.html", context, status=200 if valid else 400)

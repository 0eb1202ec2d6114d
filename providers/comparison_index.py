"""The published services held in memory for the comparison page: each filter is a bit set, each
count a population count, each order a sort in memory (providers/comparison_order.py).

Why: the comparison must cost about what a static file costs for ANY filter combination, so the
page cache (which only helps for URLs seen before) is not enough. Evaluated in SQL, each yes/no
filter is an EXISTS per service, so a page costs time in proportion to the number of services.
Here a service is a bit position, and a filter is a Python int with one bit per service: combining
filters is `&`, counting is `int.bit_count()`, both in C, microseconds at 10,000 services.

The index is rebuilt when the version of what it reads changes (portal/cache.py: any saved
curated object bumps it; a finished audit run does not, and audit results are asked per site
version), so it never serves what was unpublished. What a
parameter means stays the FilterSet's (providers/filters.py): the FilterSet validates the query,
orders follow its `order_expressions` (the database's collation and NULL placement included),
and `verified` (audit results) is asked of the database like the FilterSet does.
tests/test_comparison_index.py checks the index against the FilterSet on random combinations.
"""

from __future__ import annotations

import hashlib
import threading
import time
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import get_language

from portal.cache import INDEX_VERSION_KEY, known_version
from portal.memo import BoundedCache

from .comparison_order import ServiceOrders
from .filters import (
    ANONYMOUS_PAYMENT_KEYS,
    BOOLEAN_FEATURE_KEYS,
    COUNTRY_ORDER_FIELD,
    DEFAULT_ORDERING,
    PAYMENT_FEATURE_KEY,
)
from .models import Feature, FeatureValue, Service
from .values import choice_keys
from .verification import filter_verified

# The columns a comparison row shows, read once per index (not per request).
ROW_COLUMNS = (
    "pk",
    "slug",
    "name",
    "kind",
    "hq_country",
    "founded_year",
    "free_storage_mb",
    "free_plan",
    "logo",
    "updated_at",
)


@dataclass(frozen=True)
class Masks:
    """Bit sets over the index's positions."""

    yes: dict[str, int]
    no: dict[str, int]
    kind: dict[str, int]
    country: dict[str, int]
    payment: dict[str, int]  # choice key -> services that accept it
    payment_known: int  # services with a payment_methods value (what anonymous=false needs)
    free_plan_yes: int
    free_plan_no: int


class ComparisonIndex:
    def __init__(
        self,
        version: int | None,
        services: list[dict[str, Any]],
        masks: Masks,
        orders: ServiceOrders,
        features: list[Feature] | None = None,
    ) -> None:
        self.version = version  # None: built while the content version was unknown
        self.built_at = time.monotonic()
        # The comparison's columns (yes/no features and payment), choices prefetched.
        self.features = features or []
        self.fingerprint = catalogue_fingerprint(self.features)
        self.services = services
        self.position = {service["pk"]: index for index, service in enumerate(services)}
        self.by_slug = {service["slug"]: service for service in services}
        self.everyone = (1 << len(services)) - 1
        self.masks = masks
        self.orders = orders
        self._orders: BoundedCache[tuple[Any, ...], array[int]] = BoundedCache(64)
        self._storage: BoundedCache[int, int] = BoundedCache(256)
        self._verified: BoundedCache[tuple[int, tuple[str, ...]], int] = BoundedCache(64)
        # Markup that depends on the catalogue alone (the table's column headers, per language):
        # made once per index, so never older than the content it shows.
        self.markup: BoundedCache[tuple[str, ...], Any] = BoundedCache(64)

    # --- Filters -----------------------------------------------------------------------------

    def select(self, cleaned: dict[str, Any]) -> int:
        """The services a valid FilterSet query keeps, as a bit set."""
        masks = self.masks
        mask = self.everyone
        for key in BOOLEAN_FEATURE_KEYS:
            wanted = cleaned.get(key)
            if wanted is not None:
                mask &= (masks.yes if wanted else masks.no).get(key, 0)
        if cleaned.get("kind"):
            mask &= masks.kind.get(cleaned["kind"], 0)
        if cleaned.get("payment"):
            mask &= self.any_of(masks.payment, cleaned["payment"])
        anonymous = cleaned.get("anonymous_payment")
        if anonymous is not None:
            accepts = self.any_of(masks.payment, ANONYMOUS_PAYMENT_KEYS)
            mask &= accepts if anonymous else masks.payment_known & ~accepts
        if cleaned.get("free_plan") is not None:
            mask &= masks.free_plan_yes if cleaned["free_plan"] else masks.free_plan_no
        if cleaned.get("min_free_storage") is not None:
            mask &= self.storage_at_least(int(cleaned["min_free_storage"]))
        if cleaned.get("country"):
            mask &= self.any_of(masks.country, cleaned["country"])
        if cleaned.get("exclude_country"):
            mask &= ~self.any_of(masks.country, cleaned["exclude_country"])
        if cleaned.get("verified"):
            mask &= self.verified(tuple(sorted(cleaned["verified"])))
        return mask & self.everyone

    @staticmethod
    def any_of(masks: dict[str, int], keys: Iterable[str]) -> int:
        result = 0
        for key in keys:
            result |= masks.get(key, 0)
        return result

    def storage_at_least(self, megabytes: int) -> int:
        def make() -> int:
            return bits_of(
                index
                for index, service in enumerate(self.services)
                if service["free_storage_mb"] is not None
                and service["free_storage_mb"] >= megabytes
            )

        return self._storage.get_or_make(megabytes, make)

    def verified(self, checks: tuple[str, ...]) -> int:
        """Audit results live in the database; asked once per site version and set of checks.

        A finished audit run moves the site version but not the index's (portal/cache.py), so
        these answers are kept per site version, not per index.
        """

        def make() -> int:
            pks = filter_verified(Service.objects.published(), list(checks)).values_list(
                "pk", flat=True
            )
            return bits_of(self.position[pk] for pk in pks if pk in self.position)

        site_version = known_version()
        if site_version is None:
            return make()
        return self._verified.get_or_make((site_version, checks), make)

    # --- Order and pages ---------------------------------------------------------------------

    def order(self, params: list[str]) -> array[int]:
        """Every position in the FilterSet's order for `params`, sorted in memory once.

        Sorting by country follows the names in the active language, so the language is part of
        the key when it matters.
        """
        params = [param for param in params if param] or list(DEFAULT_ORDERING)
        by_country = any(param.removeprefix("-") == COUNTRY_ORDER_FIELD for param in params)
        key = (tuple(params), get_language() if by_country else "")
        return self._orders.get_or_make(key, lambda: self.orders.positions(params))

    def page(self, mask: int, params: list[str], offset: int, limit: int) -> list[dict[str, Any]]:
        """The services of `mask` from `offset`, at most `limit`, in order."""
        if not mask:
            return []
        bits = mask.to_bytes((len(self.services) + 7) // 8 or 1, "little")
        chosen: list[dict[str, Any]] = []
        seen = 0
        for position in self.order(params):
            if bits[position >> 3] >> (position & 7) & 1:
                if seen >= offset:
                    chosen.append(self.services[position])
                    if len(chosen) == limit:
                        break
                seen += 1
        return chosen

    # --- Values ------------------------------------------------------------------------------

    def values_of(self, services: Iterable[dict[str, Any]]) -> dict[int, dict[int, Any]]:
        """Service pk -> feature pk -> yes/no or the payment methods' keys (in the catalogue's
        order), read off the bit sets: what the database holds for these features, without a
        query (a page's new rows were a third of its cost)."""
        masks = self.masks
        columns = []
        for feature in self.features:
            if feature.key == PAYMENT_FEATURE_KEY:
                choices = [
                    (choice.key, masks.payment.get(choice.key, 0))
                    for choice in feature.choices.all()
                ]
                columns.append((feature.pk, None, None, choices))
            else:
                columns.append(
                    (feature.pk, masks.yes.get(feature.key, 0), masks.no.get(feature.key, 0), None)
                )
        result: dict[int, dict[int, Any]] = {}
        for service in services:
            bit = 1 << self.position[service["pk"]]
            values: dict[int, Any] = {}
            for feature_pk, yes, no, choices in columns:
                if choices is not None:
                    if masks.payment_known & bit:
                        values[feature_pk] = [key for key, mask in choices if mask & bit]
                elif yes & bit:
                    values[feature_pk] = True
                elif no & bit:
                    values[feature_pk] = False
            if values:
                result[service["pk"]] = values
        return result

    # --- Counts ------------------------------------------------------------------------------

    def counter(self, mask: int) -> ResultCounts:
        return ResultCounts(self, mask)


class IndexedSelection:
    """A selection in an order, as Django's Paginator reads a list: a length and slices (so the
    API's pages, links and page errors stay DRF's own)."""

    def __init__(self, index: ComparisonIndex, mask: int, ordering: list[str] | None) -> None:
        self.index = index
        self.mask = mask
        self.ordering = list(ordering or [])

    def __len__(self) -> int:
        return self.mask.bit_count()

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        start = window.start or 0
        stop = len(self) if window.stop is None else window.stop
        return self.index.page(self.mask, self.ordering, start, max(0, stop - start))


class ResultCounts:
    """How many of the services in `mask` a filter's option would keep."""

    def __init__(self, index: ComparisonIndex, mask: int) -> None:
        self.index = index
        self.mask = mask
        self.total = mask.bit_count()

    def _within(self, other: int) -> int:
        return (self.mask & other).bit_count()

    def feature(self, key: str, wanted: bool) -> int:
        masks = self.index.masks.yes if wanted else self.index.masks.no
        return self._within(masks.get(key, 0))

    def kind(self, key: str) -> int:
        return self._within(self.index.masks.kind.get(key, 0))

    def free_plan(self, wanted: bool) -> int:
        masks = self.index.masks
        return self._within(masks.free_plan_yes if wanted else masks.free_plan_no)

    def country(self, code: str) -> int:
        return self._within(self.index.masks.country.get(code, 0))

    def payment(self, key: str) -> int:
        return self._within(self.index.masks.payment.get(key, 0))

    def anonymous_payment(self, wanted: bool) -> int:
        masks = self.index.masks
        accepts = self.index.any_of(masks.payment, ANONYMOUS_PAYMENT_KEYS)
        return self._within(accepts if wanted else masks.payment_known & ~accepts)


# --- Building -----------------------------------------------------------------------------------


def bits_of(positions: Iterable[int]) -> int:
    """The bit set of these positions, made in one pass (OR-ing bit by bit into an int copies the
    whole int each time: quadratic at 10,000 services)."""
    positions = list(positions)
    if not positions:
        return 0
    buffer = bytearray(max(positions) // 8 + 1)
    for at in positions:
        buffer[at >> 3] |= 1 << (at & 7)
    return int.from_bytes(buffer, "little")


def untranslated(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """`queryset` read as Django reads it, without modeltranslation's per-row fallback pass.

    That pass (~4 us a row) was most of an index build at 10,000 services (~470,000 rows), and it
    has nothing to do here: no column the index reads is a translated one
    (tests/test_comparison_index.py checks it).
    """
    return queryset.rewrite(False)  # type: ignore[attr-defined]


def build_index(version: int | None, queryset: QuerySet[Service] | None = None) -> ComparisonIndex:
    """Read every published service, its filterable values, its sort keys and the catalogue:
    nine queries. Each bit set is collected as positions and made once (`bits_of`)."""
    base = queryset if queryset is not None else Service.objects.all()
    services = list(untranslated(base.published().order_by("pk")).values(*ROW_COLUMNS))
    position = {service["pk"]: index for index, service in enumerate(services)}
    by_kind: dict[str, list[int]] = {}
    by_country: dict[str, list[int]] = {}
    by_free_plan: dict[bool, list[int]] = {True: [], False: []}
    for index, service in enumerate(services):
        by_kind.setdefault(service["kind"], []).append(index)
        if service["hq_country"]:
            by_country.setdefault(str(service["hq_country"]), []).append(index)
        if service["free_plan"] is not None:
            by_free_plan[service["free_plan"]].append(index)

    # The comparison's columns, read first: their ids name the values below without a join per
    # value row to read each one's feature key.
    features = list(
        Feature.objects.filter(key__in=[*BOOLEAN_FEATURE_KEYS, PAYMENT_FEATURE_KEY])
        .select_related("group")
        .prefetch_related("choices")
        .order_by("group__order", "order", "key")
    )
    key_of = {feature.pk: feature.key for feature in features}
    boolean_ids = [pk for pk, key in key_of.items() if key != PAYMENT_FEATURE_KEY]
    payment_ids = [pk for pk, key in key_of.items() if key == PAYMENT_FEATURE_KEY]
    # Three lean queries rather than one: rows of known yes and known no carry no boolean to
    # convert, and only the payment rows need their pk (for their choices).
    values = untranslated(
        FeatureValue.objects.filter(service_id__in=Service.objects.published().values("pk"))
    ).order_by()
    answers: dict[tuple[bool, str], list[int]] = {}
    for wanted in (True, False):
        answered = values.filter(feature_id__in=boolean_ids, bool_value=wanted)
        for service_pk, feature_pk in answered.values_list("service_id", "feature_id"):
            if service_pk in position:
                answers.setdefault((wanted, key_of[feature_pk]), []).append(position[service_pk])
    payment_positions: dict[int, int] = {}  # value pk -> position
    for value_pk, service_pk in values.filter(feature_id__in=payment_ids).values_list(
        "pk", "service_id"
    ):
        if service_pk in position:
            payment_positions[value_pk] = position[service_pk]
    by_payment: dict[str, list[int]] = {}
    for value_pk, choice in choice_keys(payment_positions):
        by_payment.setdefault(choice, []).append(payment_positions[value_pk])

    masks = Masks(
        yes={key: bits_of(found) for (wanted, key), found in answers.items() if wanted},
        no={key: bits_of(found) for (wanted, key), found in answers.items() if not wanted},
        kind={key: bits_of(found) for key, found in by_kind.items()},
        country={code: bits_of(found) for code, found in by_country.items()},
        payment={choice: bits_of(found) for choice, found in by_payment.items()},
        payment_known=bits_of(payment_positions.values()),
        free_plan_yes=bits_of(by_free_plan[True]),
        free_plan_no=bits_of(by_free_plan[False]),
    )
    orders = ServiceOrders.read(untranslated(base.published()), position)
    return ComparisonIndex(version, services, masks, orders, features)


_lock = threading.Lock()
_current: ComparisonIndex | None = None


# Without a content version (the cache is down), an index is used for at most this many seconds:
# a publication made meanwhile shows within that time, and a page rebuilds it at most that often.
UNVERSIONED_INDEX_SECONDS = 5.0


def current_index() -> ComparisonIndex:
    """This process's index of the current content version, rebuilt after any change to what it
    reads."""
    global _current
    version = known_version(INDEX_VERSION_KEY)
    if version is None:
        return _unversioned_index()
    index = _current
    if index is not None and index.version == version:
        return index
    with _lock:  # one thread rebuilds; the others wait for it instead of rebuilding too
        if _current is None or _current.version != version:
            _current = build_index(version)
        return _current


def _unversioned_index() -> ComparisonIndex:
    """The cache cannot say whether content changed: rebuild rather than trust, briefly kept."""
    global _current
    with _lock:
        index = _current
        fresh = (
            index is not None
            and index.version is None
            and time.monotonic() - index.built_at < UNVERSIONED_INDEX_SECONDS
        )
        if not fresh:
            _current = build_index(None)
        return _current


def catalogue_fingerprint(features: list[Feature]) -> str:
    """What every row's rendering depends on besides its own service: the features' names and
    choices in every language, so a renamed feature re-renders the rows and nothing else does."""
    parts = [
        (
            feature.pk,
            feature.key,
            feature.kind,
            _names(feature),
            [(choice.key, _names(choice)) for choice in feature.choices.all()],
        )
        for feature in features
    ]
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()[:16]


def _names(obj: Any) -> list[tuple[str, Any]]:
    """The `name` column in every language (name_en, name_ckb ...), as loaded."""
    return sorted((field, value) for field, value in vars(obj).items() if field.startswith("name"))


def forget_index() -> None:
    """Drop this process's index (tests that change rows without signals, e.g. `update()`)."""
    global _current
    with _lock:
        _current = None

"""Every order the comparison can ask for, computed in memory from what one query reads.

Why: the first request for an order used to read it from the database, ~20 ms at 10,000 services
(10x a whole page), once per process and order after every change. Here one query at index build
reads each sortable column; an order is then a sort of positions, a few milliseconds, no query.

It must be the order the FilterSet's `order_expressions` gives the database, so each column is
turned into integers that compare as the database compares the column:

- text (name, slug, kind) sorts by the database's own collation, which Python cannot reproduce
  (PostgreSQL's locales ignore hyphens at first; SQLite compares bytes). The query reads each text
  column's DENSE_RANK in that collation: equal text, equal rank, exactly as ORDER BY sees them;
- numbers and dates compare in Python as in SQL (SQLite keeps dates as ISO text in UTC), so their
  ranks are made here from the values;
- the country sorts by its name in the active language, as `countries_by_name` orders them;
- an empty value is last in both directions, and the tie-breaker (slug) ends every order.

tests/test_comparison_order.py checks every order against the FilterSet's on both databases.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import CharField, F, QuerySet, SlugField, TextField, Window
from django.db.models.functions import DenseRank

from .filters import (
    COUNTRY_ORDER_FIELD,
    DEFAULT_ORDERING,
    ORDERING_FIELDS,
    TIE_BREAKER,
    countries_by_name,
)
from .models import Service

# Every column an order can name: the ones visitors may choose, the default's, the tie-breaker.
SORTABLE_FIELDS: tuple[str, ...] = tuple(
    dict.fromkeys((*ORDERING_FIELDS, *DEFAULT_ORDERING, TIE_BREAKER))
)
TEXT_FIELD_TYPES = (CharField, SlugField, TextField)


def _is_collated(name: str) -> bool:
    """Text the database sorts by its collation (the country sorts by its translated name)."""
    field = Service._meta.get_field(name)
    return isinstance(field, TEXT_FIELD_TYPES) and name != COUNTRY_ORDER_FIELD


COLLATED_FIELDS = tuple(name for name in SORTABLE_FIELDS if _is_collated(name))


def _rank_alias(name: str) -> str:
    return f"collation_rank_of_{name}"


class ServiceOrders:
    """Positions (0..n-1, as the index numbers services) in any order the FilterSet accepts."""

    def __init__(
        self,
        count: int,
        ranks: dict[str, list[int | None]],
        countries: list[str | None],
    ) -> None:
        self.count = count
        # Each sortable column as integers: its rank among the values present, None when empty.
        self._ranks = ranks
        self._countries = countries

    @classmethod
    def read(cls, queryset: QuerySet[Service], position: dict[int, int]) -> ServiceOrders:
        """One query over the services of `position` (pk -> position)."""
        annotations = {
            _rank_alias(name): Window(DenseRank(), order_by=F(name).asc())
            for name in COLLATED_FIELDS
        }
        plain = [name for name in SORTABLE_FIELDS if name not in COLLATED_FIELDS]
        rows = (
            queryset.order_by()
            .annotate(**annotations)
            .values_list("pk", *plain, *COLLATED_FIELDS, *annotations)
        )
        count = len(position)
        values: dict[str, list[Any]] = {name: [None] * count for name in SORTABLE_FIELDS}
        ranks: dict[str, list[int | None]] = {name: [None] * count for name in COLLATED_FIELDS}
        for row in rows:
            at = position.get(row[0])
            if at is None:
                continue
            offset = 1
            for name in plain:
                values[name][at] = row[offset]
                offset += 1
            for name in COLLATED_FIELDS:
                values[name][at] = row[offset]
                offset += 1
            for name in COLLATED_FIELDS:
                # Only NULL sorts last; an empty text is a value with its place in the collation.
                ranks[name][at] = row[offset] if values[name][at] is not None else None
                offset += 1
        for name in plain:
            if name == COUNTRY_ORDER_FIELD:
                continue
            ranks[name] = _dense_ranks(values[name])
        countries = [str(code) if code else None for code in values.get(COUNTRY_ORDER_FIELD, [])]
        return cls(count, ranks, countries)

    def positions(self, params: list[str]) -> array[int]:
        """Every position, ordered as `order_expressions(params)` orders the rows.

        An array of machine integers: 40 KB at 10,000 services, where a list of ints is ~360 KB,
        and an index keeps dozens of orders.
        """
        keys = [self._column(param) for param in params]
        if TIE_BREAKER not in {param.removeprefix("-") for param in params}:
            keys.append(self._column(TIE_BREAKER))
        rows = list(zip(*keys, strict=True)) if len(keys) > 1 else keys[0]
        return array("I", sorted(range(self.count), key=rows.__getitem__))

    def _column(self, param: str) -> list[int]:
        """One column as sort keys: ascending or descending rank, empty last either way."""
        name = param.removeprefix("-")
        ranks = self._country_ranks() if name == COUNTRY_ORDER_FIELD else self._ranks[name]
        last = self.count + 1  # after every rank, in both directions
        if param.startswith("-"):
            return [last if rank is None else -rank for rank in ranks]
        return [last if rank is None else rank for rank in ranks]

    def _country_ranks(self) -> list[int | None]:
        """Each service's country by its place among the names in the active language."""
        place = {code: at for at, code in enumerate(countries_by_name(_present(self._countries)))}
        return [None if code is None else place[code] for code in self._countries]


def _present(codes: Iterable[str | None]) -> set[str]:
    return {code for code in codes if code is not None}


def _dense_ranks(values: list[Any]) -> list[int | None]:
    """Equal values, equal rank; None stays None (it sorts last, as the SQL puts it)."""
    distinct = sorted({value for value in values if value is not None})
    rank_of: Callable[[Any], int] = {value: at for at, value in enumerate(distinct)}.__getitem__
    return [None if value is None else rank_of(value) for value in values]

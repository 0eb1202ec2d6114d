"""The comparison's query read without building a form: the FilterSet's parameters, compiled once.

Why: a django-filter form deep-copies its ~35 fields (two with 250 countries) for every request,
which was a third of a comparison page's cost. Most queries are plain (`openpgp=true&kind=...`),
and for those the answer is known without a form: each parameter of ServiceFilterSet gets a small
parser built from the filter's own definition (its class, choices and bounds), so the meaning
stays the FilterSet's.

A parser accepts only the values it is sure of; anything else (a typo, an odd spelling, a number
with a sign) returns None and the caller asks the FilterSet, which either reads it the same way
or names the error. tests/test_compare_query.py checks, on random and hostile queries, that
whatever this module answers the FilterSet answers too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

import django_filters
from django.http import QueryDict
from django_countries import countries

from .filters import (
    BOOLEAN_WORDS,
    CountryFilter,
    ListFilter,
    ServiceFilterSet,
    StableOrderingFilter,
    StrictBooleanFilter,
    WholeNumberFilter,
)

# A parser takes every value given for its parameter and returns the cleaned value, NOT_GIVEN
# (the filter is not applied), or raises Unsure.
Parser = Callable[[list[str]], Any]
NOT_GIVEN = object()
# Digits only: Django's IntegerField also takes signs, spaces and "10.0"; those go to the form.
PLAIN_WHOLE_NUMBER = re.compile(r"[0-9]{1,12}")


class Unsure(Exception):
    """This value is the FilterSet's to read (or reject)."""


def _boolean(values: list[str]) -> Any:
    if values[-1] == "":  # a form field reads the last value given
        return NOT_GIVEN
    word = values[-1].strip().lower()
    if word not in BOOLEAN_WORDS:
        raise Unsure
    return BOOLEAN_WORDS[word]


def _one_of(allowed: Callable[[], Iterable[str]]) -> Parser:
    def parse(values: list[str]) -> Any:
        value = values[-1]
        if value == "":
            return NOT_GIVEN
        if value not in allowed():
            raise Unsure
        return value

    return parse


def _list_of(allowed: Callable[[], Iterable[str]], upper: bool) -> Parser:
    def parse(values: list[str]) -> Any:
        items = [part.strip() for value in values for part in value.split(",") if part.strip()]
        if not items:
            return NOT_GIVEN
        if upper:
            items = [item.upper() for item in items]
        keys = allowed()
        if any(item not in keys for item in items):
            raise Unsure
        return items

    return parse


def _whole_number(minimum: int | None, maximum: int | None) -> Parser:
    def parse(values: list[str]) -> Any:
        value = values[-1]
        if value == "":
            return NOT_GIVEN
        if not PLAIN_WHOLE_NUMBER.fullmatch(value):
            raise Unsure
        number = int(value)
        if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
            raise Unsure
        return number

    return parse


def _ordering(allowed: frozenset[str]) -> Parser:
    def parse(values: list[str]) -> Any:
        if values == [""]:
            return NOT_GIVEN
        params = ",".join(values).split(",")  # `ordering=a&ordering=b` means `a,b`
        if any(param not in allowed for param in params):
            raise Unsure
        return params

    return parse


def _choice_keys(choices: Any) -> Callable[[], frozenset[str]]:
    """The allowed keys of a filter's choices; callable choices (countries, checks) are read
    when asked, as the form would read them."""
    if callable(choices):
        return lambda: frozenset(str(key) for key, _label in choices())
    keys = frozenset(str(key) for key, _label in choices)
    return lambda: keys


def _parser_for(filter_: django_filters.Filter) -> Parser:
    # Order matters: the ordering filter is also a ChoiceFilter.
    if isinstance(filter_, StrictBooleanFilter):
        return _boolean
    if isinstance(filter_, StableOrderingFilter):
        params = filter_.param_map
        return _ordering(frozenset([*params, *(f"-{param}" for param in params)]))
    if isinstance(filter_, (ListFilter, CountryFilter)):
        if isinstance(filter_, CountryFilter):
            # The codes are the same in every language (only their names differ).
            codes = frozenset(countries.countries)
            return _list_of(lambda: codes, upper=True)
        return _list_of(_choice_keys(filter_.extra["choices"]), upper=False)
    if isinstance(filter_, django_filters.ChoiceFilter):
        return _one_of(_choice_keys(filter_.extra["choices"]))
    if isinstance(filter_, WholeNumberFilter):
        return _whole_number(filter_.extra.get("min_value"), filter_.extra.get("max_value"))
    # A new kind of filter must be taught here; until then the tests fail, not the visitors.
    raise TypeError(f"no parser for {type(filter_).__name__} ({filter_.field_name})")


@cache
def parsers() -> dict[str, Parser]:
    return {name: _parser_for(filter_) for name, filter_ in ServiceFilterSet.base_filters.items()}


def read_query(query: QueryDict) -> dict[str, Any] | None:
    """What the FilterSet's `cleaned_data` would hold for `query` (for the parameters given), or
    None when only the FilterSet can say (it may also be an error)."""
    cleaned: dict[str, Any] = {}
    table = parsers()
    try:
        for name, values in query.lists():
            parse = table.get(name)
            if parse is None:
                continue  # not a filter (page, compare, differences)
            value = parse(values)
            if value is not NOT_GIVEN:
                cleaned[name] = value
    except Unsure:
        return None
    return cleaned

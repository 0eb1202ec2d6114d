"""The comparison as a table for the API's CSV: one row per service, its facts, then one column
per catalogue feature.

Two spellings of the same table:

- `names` (the default): what a person reads in a spreadsheet, in the request's language: the
  columns' and features' names in the header, kinds, groups, countries, yes/no, "unlimited" and
  choices by their translated names. Numbers stay plain numbers, so spreadsheets can sum them.
- `keys`: what a script reads, the same in every language: column and feature keys, choice keys,
  `true`/`false`, country codes. Only the texts themselves (the city) follow the language.

The caller activates the request's language (portal/api.py does for the whole request).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from portal.translation_support import pick_translation

from .countries import country_name
from .models import Feature, FeatureValue, Service, ServiceKind, ServiceLink
from .values import feature_value, number


class Labels(StrEnum):
    NAMES = "names"
    KEYS = "keys"

    @classmethod
    def values(cls) -> list[str]:
        # `"x" in Labels` raises TypeError before Python 3.12.
        return [member.value for member in cls]


# The service's own facts, before the features; each is named by its model field's label.
FACT_COLUMNS: tuple[str, ...] = (
    "slug",
    "name",
    "kind",
    "group",
    "homepage",
    "hq_country",
    "hq_city",
    "founded_year",
    "free_plan",
    "free_storage_mb",
    "trial_days",
)


@dataclass(frozen=True)
class Table:
    keys: list[str]  # the column keys, which the rows are keyed by
    header: list[str]  # what the first line says: the keys, or their names
    rows: list[dict[str, Any]]


def comparison_table(
    services: Iterable[Service], features: list[Feature], language: str, labels: Labels
) -> Table:
    """The table of `services` (their values with attach_feature_details' choice keys) over
    `features` (with their choices prefetched)."""
    spell = _NameSpeller(features, language) if labels == Labels.NAMES else _KeySpeller(language)
    keys = [*FACT_COLUMNS, *(feature.key for feature in features)]
    header = [*(spell.fact_label(key) for key in FACT_COLUMNS)]
    header += [spell.feature_label(feature) for feature in features]
    rows = []
    for service in services:
        values = {value.feature.key: value for value in service.feature_values.all()}
        row = spell.facts(service)
        for feature in features:
            value = values.get(feature.key)
            row[feature.key] = spell.value(value) if value is not None else None
        rows.append(row)
    return Table(keys=keys, header=header, rows=rows)


def _homepage(service: Service) -> str:
    links = service.links.all()
    return next((link.url for link in links if link.kind == ServiceLink.Kind.HOMEPAGE), "")


class _KeySpeller:
    """Stable keys: the machine-readable table."""

    def __init__(self, language: str) -> None:
        self.language = language

    def fact_label(self, key: str) -> str:
        return key

    def feature_label(self, feature: Feature) -> str:
        return feature.key

    def facts(self, service: Service) -> dict[str, Any]:
        return {
            "slug": service.slug,
            "name": service.name,
            "kind": self.kind(service.kind),
            "group": self.group(service),
            "homepage": _homepage(service),
            "hq_country": self.country(service.hq_country.code),
            "hq_city": pick_translation(service, "hq_city", self.language)[0],
            "founded_year": service.founded_year,
            "free_plan": self.yes_no(service.free_plan),
            "free_storage_mb": service.free_storage_mb,
            "trial_days": service.trial_days,
        }

    def kind(self, kind: str) -> str:
        return kind

    def group(self, service: Service) -> str:
        return service.group.key if service.group else ""

    def country(self, code: str) -> str:
        return code

    def yes_no(self, value: bool | None) -> Any:
        return value  # the CSV writes true/false (portal.api.csv_cell)

    def value(self, value: FeatureValue) -> Any:
        if value.feature.kind == Feature.Kind.NUMBER and value.unlimited:
            return "unlimited"
        return feature_value(value)


class _NameSpeller(_KeySpeller):
    """Names in the request's language: the table a person reads."""

    def __init__(self, features: list[Feature], language: str) -> None:
        super().__init__(language)
        self.choice_names = {
            (feature.key, choice.key): pick_translation(choice, "name", language)[0]
            for feature in features
            for choice in feature.choices.all()
        }

    def fact_label(self, key: str) -> str:
        if key == "homepage":
            return str(ServiceLink.Kind.HOMEPAGE.label)
        return capfirst(str(Service._meta.get_field(key).verbose_name))

    def feature_label(self, feature: Feature) -> str:
        return pick_translation(feature, "name", self.language)[0]

    def kind(self, kind: str) -> str:
        return str(ServiceKind(kind).label) if kind in ServiceKind.values else kind

    def group(self, service: Service) -> str:
        return pick_translation(service.group, "name", self.language)[0] if service.group else ""

    def country(self, code: str) -> str:
        return country_name(code, self.language)

    def yes_no(self, value: bool | None) -> Any:
        if value is None:
            return None
        return _("Yes") if value else _("No")

    def value(self, value: FeatureValue) -> Any:
        kind = value.feature.kind
        if kind == Feature.Kind.BOOLEAN:
            return self.yes_no(value.bool_value)
        if kind == Feature.Kind.NUMBER:
            return _("unlimited") if value.unlimited else number(value.number_value)
        keys = feature_value(value)
        if keys is None:
            return None
        names = [
            self.choice_names.get((value.feature.key, key), key)
            for key in (keys if isinstance(keys, list) else [keys])
        ]
        return names if kind == Feature.Kind.MULTICHOICE else names[0]

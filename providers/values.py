"""Feature values as plain Python values: what the pages, the API and the CSV show of them.

One place for how a value reads (a number without trailing zeros, a choice key, a list of keys)
and for attaching features and choice keys to many values in a fixed number of queries, so the
pages and the API cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from .models import Feature, FeatureValue, Service


def number(value: Decimal | None) -> int | float | None:
    """Decimals as plain numbers: whole ones as integers (500, not 500.00)."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def choice_keys(value_ids: Iterable[int]) -> list[tuple[int, str]]:
    """(feature value id, choice key) pairs for these values, in the catalogue's choice order.

    One query over the many-to-many table, for any number of values.
    """
    return list(
        FeatureValue.choices.through.objects.filter(featurevalue_id__in=list(value_ids))
        .order_by("featurechoice__order", "featurechoice__pk")
        .values_list("featurevalue_id", "featurechoice__key")
    )


def attach_feature_details(services: Iterable[Service]) -> None:
    """Give the prefetched feature values of `services` their features and choice keys.

    Two small queries whatever the number of values, instead of a joined copy of the feature in
    every value row and `prefetch_related("choices")`, which builds a related manager and a
    queryset per value (about 30 per service): together they cost more than serialising.
    """
    values = [value for service in services for value in service.feature_values.all()]
    if not values:
        return
    catalogue = {feature.pk: feature for feature in Feature.objects.all()}
    cache_feature = FeatureValue._meta.get_field("feature").set_cached_value
    with_choices: dict[int, FeatureValue] = {}
    for value in values:
        feature = catalogue[value.feature_id]
        cache_feature(value, feature)
        if feature.has_choices:
            value.choice_keys = []
            with_choices[value.pk] = value
    if not with_choices:
        return
    for value_id, key in choice_keys(with_choices):
        with_choices[value_id].choice_keys.append(key)


def feature_value(value: FeatureValue) -> bool | int | float | str | list[str] | None:
    """The typed value: yes/no, a number (None when unlimited), a choice key or a list of keys."""
    kind = value.feature.kind
    if kind == Feature.Kind.BOOLEAN:
        return value.bool_value
    if kind == Feature.Kind.NUMBER:
        return None if value.unlimited else number(value.number_value)
    keys = getattr(value, "choice_keys", None)
    if keys is None:
        keys = [choice.key for choice in value.choices.all()]
    if kind == Feature.Kind.CHOICE:
        return keys[0] if keys else None
    return keys

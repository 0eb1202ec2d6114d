"""Small factories for the tests: plain functions over the real models, nothing mocked."""

from __future__ import annotations

from itertools import count
from typing import Any

from criteria.models import Criterion, CriterionGroup
from portal.publishing import PublicationState
from providers.models import Feature, FeatureGroup, Service, ServiceKind

_sequence = count(1)


def make_service(**overrides: Any) -> Service:
    number = next(_sequence)
    values: dict[str, Any] = {
        "kind": ServiceKind.PROVIDER,
        "name": f"Example Mail {number}",
        "slug": f"example-mail-{number}",
        "summary_en": "An example provider.",
        "state": PublicationState.DRAFT,
    }
    values.update(overrides)
    return Service.objects.create(**values)


def make_feature(kind: str = Feature.Kind.BOOLEAN, **overrides: Any) -> Feature:
    number = next(_sequence)
    group, _ = FeatureGroup.objects.get_or_create(key="test-group", defaults={"name_en": "Tests"})
    values: dict[str, Any] = {
        "key": f"feature_{number}",
        "group": group,
        "kind": kind,
        "name_en": f"Feature {number}",
        "applies_to": [ServiceKind.PROVIDER, ServiceKind.ALIASING, ServiceKind.SELF_HOSTED],
    }
    values.update(overrides)
    return Feature.objects.create(**values)


def make_criterion(**overrides: Any) -> Criterion:
    number = next(_sequence)
    group, _ = CriterionGroup.objects.get_or_create(
        key="test-criteria", defaults={"name_en": "Tests"}
    )
    values: dict[str, Any] = {
        "key": f"criterion-{number}",
        "group": group,
        "level": "minimum",
        "text_en": f"Criterion {number}",
    }
    values.update(overrides)
    return Criterion.objects.create(**values)

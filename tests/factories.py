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


# --- For the API and filter tests -------------------------------------------------------------


def make_published_service(**overrides: Any) -> Service:
    from django.utils import timezone

    overrides.setdefault("state", PublicationState.PUBLISHED)
    overrides.setdefault("published_at", timezone.now())
    return make_service(**overrides)


def catalogue_feature(key: str, kind: str = Feature.Kind.BOOLEAN, **overrides: Any) -> Feature:
    """The feature with this key, created (like the catalogue's) when it does not exist yet."""
    existing = Feature.objects.filter(key=key).first()
    overrides.setdefault("name_en", key.replace("_", " "))
    return existing or make_feature(kind, key=key, **overrides)


def set_feature(service: Service, key: str, value: Any, **overrides: Any):
    """Give `service` a value for feature `key`: True/False, a number, "unlimited" or choices.

    Choices are a list of keys (a multichoice feature); missing choices are created.
    """
    from providers.models import FeatureChoice, FeatureValue

    if isinstance(value, bool):
        feature = catalogue_feature(key, Feature.Kind.BOOLEAN)
        overrides["bool_value"] = value
    elif isinstance(value, list):
        feature = catalogue_feature(key, Feature.Kind.MULTICHOICE)
    elif value == "unlimited":
        feature = catalogue_feature(key, Feature.Kind.NUMBER)
        overrides["unlimited"] = True
    else:
        feature = catalogue_feature(key, Feature.Kind.NUMBER)
        overrides["number_value"] = value
    feature_value = FeatureValue.objects.create(service=service, feature=feature, **overrides)
    if isinstance(value, list):
        feature_value.choices.set(
            FeatureChoice.objects.get_or_create(
                feature=feature, key=choice, defaults={"name_en": choice}
            )[0]
            for choice in value
        )
    return feature_value


def make_assessment(service: Service, criterion: Criterion, **overrides: Any):
    from criteria.models import Assessment, AssessmentSource, Verdict

    values: dict[str, Any] = {"verdict": Verdict.MET, "source": AssessmentSource.EDITORIAL}
    values.update(overrides)
    return Assessment.objects.create(service=service, criterion=criterion, **values)


def make_full_service(**overrides: Any) -> Service:
    """A published service with something in every related table the API shows."""
    from providers.models import ServiceDomain, ServiceDownload, ServiceLink

    service = make_published_service(**overrides)
    host = f"{service.slug}.example"
    ServiceLink.objects.create(service=service, kind="homepage", url=f"https://{host}/")
    ServiceLink.objects.create(service=service, kind="source_code", url=f"https://{host}/src")
    ServiceDownload.objects.create(
        service=service, platform="android", label="F-Droid", url=f"https://{host}/apk"
    )
    ServiceDomain.objects.create(service=service, name=host, role="mail")
    set_feature(service, "openpgp", True)
    set_feature(service, "wkd", False)
    set_feature(service, "payment_methods", ["cash", "card"])
    set_feature(service, "storage_quota", 500)
    return service


def make_audited_service(domain: Any, **overrides: Any) -> Service:
    """A published provider whose domains are a test-network domain (tests/testnet/zones.py):
    its mail domain, web host and submission host, as an editor would enter them."""
    from providers.models import ServiceDomain

    service = make_published_service(**overrides)
    ServiceDomain.objects.create(
        service=service,
        name=domain.name,
        role=ServiceDomain.Role.MAIL,
        dkim_selectors=",".join(domain.dkim_selectors),
        wkd_address=domain.wkd_address or "",
    )
    if domain.web:
        ServiceDomain.objects.create(service=service, name=domain.web, role=ServiceDomain.Role.WEB)
    if domain.submission:
        ServiceDomain.objects.create(
            service=service, name=domain.submission, role=ServiceDomain.Role.SUBMISSION
        )
    return service

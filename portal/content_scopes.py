"""Which service a saved row of public content belongs to, if any.

A service's own page and API representation show the service and its rows (links, domains,
feature values, assessments, audit runs and results, alerts, evidence); they are kept under that
service's version (portal/cache.py), so a change to one service re-renders only its pages. Rows
that belong to no single service (features, criteria, groups, page texts) are the catalogue,
which every service's page shows: changing one re-renders them all.

The owner is found from the model's foreign keys, not listed by hand, so a new table of a
service's rows is scoped without anyone remembering to add it here: a direct `ForeignKey` to the
service model, else one hop through a row that has one (an audit result through its run).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import ForeignKey, Model

CATALOGUE = "catalogue"
# A historical record (django-simple-history) or other bookkeeping: nothing a visitor sees.
UNSEEN = "unseen"


def service_model() -> type[Model]:
    return apps.get_model(settings.PUBLIC_SERVICE_MODEL)


@cache
def path_to_service(model: type[Model]) -> tuple[str, ...] | None:
    """Attribute names leading from a row of `model` to its service's pk, or None."""
    target = service_model()
    if issubclass(model, target):
        return ("pk",)
    foreign_keys = [field for field in model._meta.concrete_fields if isinstance(field, ForeignKey)]
    for field in foreign_keys:
        if issubclass(field.related_model, target):
            return (field.attname,)
    for field in foreign_keys:
        for hop in field.related_model._meta.concrete_fields:
            if isinstance(hop, ForeignKey) and issubclass(hop.related_model, target):
                return (field.name, hop.attname)
    return None


@cache
def is_history(model: type[Model]) -> bool:
    """A django-simple-history table: a historical record (it names its `instance_type`), or a
    historical record's many-to-many rows (they point at one through `history`)."""
    if hasattr(model, "instance_type"):
        return True
    return any(
        isinstance(field, ForeignKey)
        and field.name == "history"
        and is_history(field.related_model)
        for field in model._meta.concrete_fields
    )


def scope_of(instance: Model) -> int | str:
    """The pk of the service `instance` belongs to, CATALOGUE, or UNSEEN."""
    model = type(instance)
    if is_history(model):
        return UNSEEN
    path = path_to_service(model)
    if path is None:
        return CATALOGUE
    value: Any = instance
    try:
        for name in path:
            value = getattr(value, name)
            if value is None:  # an optional link not set: no owner to name
                return CATALOGUE
    except ObjectDoesNotExist:
        # Its owner is already gone (a cascade): say "everything" rather than guess.
        return CATALOGUE
    return int(value)

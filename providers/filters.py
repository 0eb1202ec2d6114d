"""The ONE FilterSet for comparing services: the public comparison page and the API both import it.

Keeping a single definition means a query string selects the same services wherever it is used.
Everything here works on published services only, whatever queryset a caller passes in.

Feature filters test `Exists(...)` subqueries instead of joining the feature values, so no filter
can multiply rows (a service with two matching payment methods still appears once).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import cache
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case, Exists, F, IntegerField, OuterRef, QuerySet, Value, When
from django.utils.text import format_lazy
from django.utils.translation import get_language, override
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from drf_spectacular.utils import extend_schema_field

from .countries import country_name
from .models import FeatureValue, Service, ServiceKind
from .verification import filter_verified, verified_choices

# The catalogue's yes/no features a visitor can filter on. A constant, not a database query at
# import time: the filter parameters (and the API schema) must not depend on the database's state.
BOOLEAN_FEATURE_KEYS: tuple[str, ...] = (
    "openpgp",
    "wkd",
    "zero_access_mail",
    "zero_access_contacts",
    "zero_access_calendar",
    "custom_domain",
    "catch_all",
    "subaddressing",
    "aliases",
    "totp",
    "u2f",
    "fido2",
    "webauthn",
    "imap",
    "smtp",
    "pop3",
    "jmap",
    "activesync",
    "onion_service",
    "digital_legacy",
    "third_party_audit",
    "bridge_required",
    "automatic_pgp_encryption",
)

PAYMENT_FEATURE_KEY = "payment_methods"
# The choice keys of `payment_methods` in the catalogue (portal/seed/data/catalogue.yaml).
PAYMENT_CHOICES: tuple[tuple[str, Any], ...] = (
    ("cash", _("Cash")),
    ("cryptocurrency", _("Cryptocurrency")),
    ("card", _("Credit or debit card")),
    ("paypal", _("PayPal")),
    ("gift_card", _("Gift cards")),
    ("bank_transfer", _("Bank transfer")),
    ("direct_debit", _("Direct debit")),
    ("other", _("Other local methods")),
)
# What the criteria call anonymous payment options.
ANONYMOUS_PAYMENT_KEYS: tuple[str, ...] = ("cash", "cryptocurrency")

# The default order, then the tie-breaker that makes every order total (slug is unique), so pages
# never overlap or skip a service.
DEFAULT_ORDERING: tuple[str, ...] = ("kind", "order", "name")
TIE_BREAKER = "slug"
# Sorted by the country's name in the active language, not by its code.
COUNTRY_ORDER_FIELD = "hq_country"
ORDERING_FIELDS: tuple[str, ...] = (
    "name",
    "slug",
    "kind",
    "founded_year",
    "free_storage_mb",
    "hq_country",
    "updated_at",
    "published_at",
)
# Largest sensible free storage in MB (1 PB); larger numbers are typos or probes.
MAX_STORAGE_MB = 10**9

BOOLEAN_WORDS = {
    "true": True,
    "1": True,
    "yes": True,
    "false": False,
    "0": False,
    "no": False,
}


class StrictBooleanField(forms.NullBooleanField):
    """Yes, no or not given; anything else is an error rather than silently "not given".

    Django's NullBooleanField maps unknown words to None, so `?openpgp=maybe` would return every
    service without a word of warning.
    """

    widget = forms.Select(choices=[("", "---------"), ("true", _("Yes")), ("false", _("No"))])

    def to_python(self, value: Any) -> bool | None:
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word not in BOOLEAN_WORDS:
            raise ValidationError(
                _("%(value)s is not a yes/no value: use true or false."),
                code="invalid",
                params={"value": repr(str(value))[:60]},
            )
        return BOOLEAN_WORDS[word]

    def validate(self, value: Any) -> None:
        """Not given is always valid; to_python has already rejected anything else."""


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class CommaSeparatedChoiceField(forms.MultipleChoiceField):
    """Every list parameter takes both forms: `verified=dnssec,dane` and
    `verified=dnssec&verified=dane` (what generated API clients send) mean the same."""

    # Above this many choices the error names the kind of value instead of listing them all.
    LISTED_CHOICES = 30

    def to_python(self, value: Any) -> list[str]:
        items = super().to_python(value)
        return [part.strip() for item in items for part in item.split(",") if part.strip()]

    def validate(self, value: Any) -> None:
        """A wrong value is named together with what would have been right."""
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")
        allowed = [str(key) for key, _label in self.choices]
        for item in value:
            if not self.valid_value(item):
                raise ValidationError(
                    _("%(value)s is not one of the allowed values: %(allowed)s."),
                    code="invalid_choice",
                    params={
                        "value": repr(item)[:60],
                        "allowed": ", ".join(allowed)
                        if len(allowed) <= self.LISTED_CHOICES
                        else _("see the API schema"),
                    },
                )


class UpperCaseMultipleChoiceField(CommaSeparatedChoiceField):
    """Country codes are upper case; accept `de` as `DE` rather than rejecting it."""

    def to_python(self, value: Any) -> list[str]:
        return [item.upper() for item in super().to_python(value)]


class ListFilter(django_filters.MultipleChoiceFilter):
    field_class = CommaSeparatedChoiceField


class CountryFilter(django_filters.MultipleChoiceFilter):
    field_class = UpperCaseMultipleChoiceField


class WholeNumberFilter(django_filters.NumberFilter):
    """Whole megabytes: the column is an integer, and `0.5` would otherwise round silently."""

    field_class = forms.IntegerField


def _country_choices() -> list[tuple[str, Any]]:
    """Every country, by its name in the active language (CLDR): a callable for the form
    fields, so each rendering sorts and names them in the page's language."""
    return list(_country_choices_in(get_language() or "en"))


@cache
def _country_choices_in(language: str) -> tuple[tuple[str, str], ...]:
    # CLDR's names do not change while the process runs; naming and sorting 250 countries for
    # every form (two fields per request) was a third of a comparison page's time.
    with override(language):
        named = [(code, country_name(code)) for code in countries.countries]
    return tuple(sorted(named, key=lambda choice: name_sort_key(choice[1])))


def _documented_country_filter(country_filter: CountryFilter, description: Any) -> CountryFilter:
    """The API schema lists the codes without a 250-line name list in the description."""
    country_filter.extra["help_text"] = description
    schema = {
        "type": "string",
        "enum": sorted(code for code, _name in _country_choices()),
        "description": str(description),
    }
    return extend_schema_field(schema)(country_filter)


def feature_value_exists(key: str, **conditions: Any) -> Exists:
    """Whether the outer service has a value for feature `key` matching `conditions`."""
    return Exists(
        FeatureValue.objects.filter(service=OuterRef("pk"), feature__key=key, **conditions)
    )


def _payment_exists(choice_keys: list[str] | tuple[str, ...]) -> Exists:
    # The join to the choices stays inside the subquery, so the outer rows are never multiplied.
    return feature_value_exists(PAYMENT_FEATURE_KEY, choices__key__in=list(choice_keys))


class StableOrderingFilter(django_filters.OrderingFilter):
    """`ordering=-founded_year,name`; without it, the default order. Every order is total."""

    def filter(self, qs: QuerySet[Service], value: list[str] | None) -> QuerySet[Service]:
        params = [param for param in value or () if param] or list(DEFAULT_ORDERING)
        return qs.order_by(*order_expressions(params))


def order_expressions(params: list[str]) -> list[Any]:
    """`["-founded_year", "name"]` -> expressions with empty values last, plus the tie-breaker.

    SQLite sorts NULLs first and PostgreSQL last; pinning them keeps one order on both.
    """
    expressions: list[Any] = []
    for param in params:
        name = param.removeprefix("-")
        field = country_name_order(name) if name == COUNTRY_ORDER_FIELD else F(name)
        if param.startswith("-"):
            expressions.append(field.desc(nulls_last=True))
        else:
            expressions.append(field.asc(nulls_last=True))
    if TIE_BREAKER not in {param.removeprefix("-") for param in params}:
        expressions.append(F(TIE_BREAKER).asc())
    return expressions


def name_sort_key(name: str) -> tuple[str, str]:
    """Letters before accents: "Österreich" among the O's, "آلمان" (Germany) among the ا's.

    django_countries sorts its own list well only with pyuca, which is not a dependency; without
    it, names in a script other than Latin all sort as "".
    """
    decomposed = unicodedata.normalize("NFKD", name)
    letters = "".join(char for char in decomposed if not unicodedata.combining(char))
    return letters.casefold(), name


def countries_by_name(codes: Iterable[str]) -> list[str]:
    """Country codes in the order of their names in the active language."""
    return sorted(set(codes), key=lambda code: (name_sort_key(country_name(code)), code))


def country_name_order(field: str) -> Case:
    """The country's place among those in use, sorted by name in the active language.

    A code sorts Switzerland (CH) before Germany (DE) in every language. The few countries in use
    are sorted here and numbered in a CASE; an empty value (or a country added since) is NULL,
    which the caller puts last in both directions.
    """
    codes = (
        Service.objects.order_by().exclude(**{field: ""}).values_list(field, flat=True).distinct()
    )
    by_name = countries_by_name(str(code) for code in codes)
    return Case(
        *(When(**{field: code}, then=Value(place)) for place, code in enumerate(by_name)),
        default=Value(None),
        output_field=IntegerField(),
    )


def _boolean_feature_filter(key: str) -> StrictBooleanFilter:
    return StrictBooleanFilter(
        field_name=key,
        method="filter_feature",
        help_text=format_lazy(
            _("Feature {key}: true = yes, false = no; unknown is excluded by both."), key=key
        ),
    )


def _with_boolean_feature_filters(cls: type[django_filters.FilterSet]) -> Any:
    """Add one filter per yes/no feature, as if each were written out in the class body.

    Both tables are filled: `declared_filters` for subclasses, `base_filters` for this class.
    """
    for key in BOOLEAN_FEATURE_KEYS:
        cls.declared_filters[key] = _boolean_feature_filter(key)
        cls.base_filters[key] = _boolean_feature_filter(key)
    return cls


@_with_boolean_feature_filters
class ServiceFilterSet(django_filters.FilterSet):
    """Filter published services by kind, features, payment, free plan and country.

    Boolean feature filters (one per key in BOOLEAN_FEATURE_KEYS): `true` keeps services whose
    value is yes, `false` those whose value is no; services without a value for the feature
    (unknown) are excluded by both.
    """

    kind = django_filters.ChoiceFilter(choices=ServiceKind.choices, help_text=_("Kind of service."))
    payment = ListFilter(
        choices=PAYMENT_CHOICES,
        method="filter_payment",
        help_text=_("Accepts any of these payment methods (repeat the parameter for several)."),
    )
    anonymous_payment = StrictBooleanFilter(
        method="filter_anonymous_payment",
        help_text=_(
            "true: accepts cash or cryptocurrency. false: its payment methods are known and "
            "include neither."
        ),
    )
    free_plan = StrictBooleanFilter(
        field_name="free_plan", help_text=_("Has a free plan (unknown is excluded by both).")
    )
    min_free_storage = WholeNumberFilter(
        field_name="free_storage_mb",
        lookup_expr="gte",
        min_value=0,
        max_value=MAX_STORAGE_MB,
        help_text=_("At least this much free storage, in MB."),
    )
    country = _documented_country_filter(
        CountryFilter(
            field_name="hq_country",
            choices=_country_choices,
        ),
        _("Headquartered in any of these countries (ISO 3166-1 alpha-2 codes)."),
    )
    exclude_country = _documented_country_filter(
        CountryFilter(
            field_name="hq_country",
            choices=_country_choices,
            exclude=True,
        ),
        _(
            "Not headquartered in any of these countries; services without a known "
            "country are kept."
        ),
    )
    # The checks come from the audits app (providers/verification.py), read when a form is
    # built, so this module needs neither the audits app nor the database at import time.
    # The schema's item type and check keys come from the choices, read when the schema is
    # generated (a declared array schema here would be wrapped in a second array).
    verified = ListFilter(
        choices=verified_choices,
        method="filter_verified",
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Checks that the latest automated audit passed on every audited domain and host, "
            "comma-separated (e.g. dnssec,dane)."
        ),
    )
    ordering = StableOrderingFilter(
        fields=ORDERING_FIELDS,
        help_text=_(
            "Sort by these fields, comma-separated; prefix a field with - for descending. "
            "Empty values sort last; ties are broken by slug."
        ),
    )

    class Meta:
        model = Service
        fields: list[str] = []

    def __init__(
        self,
        data: Any = None,
        queryset: QuerySet[Service] | None = None,
        *,
        request: Any = None,
        prefix: str | None = None,
    ) -> None:
        base = queryset if queryset is not None else Service.objects.all()
        if data is not None and hasattr(data, "getlist") and len(data.getlist("ordering")) > 1:
            # `ordering=a&ordering=b` (a generated client's array) means `ordering=a,b`, not b.
            data = data.copy()
            data.setlist("ordering", [",".join(data.getlist("ordering"))])
        # Drafts never reach a filter's result, whoever calls it and with whatever queryset.
        super().__init__(data, base.published(), request=request, prefix=prefix)

    def filter_feature(self, queryset: QuerySet[Service], name: str, value: bool) -> QuerySet:
        return queryset.filter(feature_value_exists(name, bool_value=value))

    def filter_verified(
        self, queryset: QuerySet[Service], name: str, value: list[str]
    ) -> QuerySet[Service]:
        return filter_verified(queryset, value) if value else queryset

    def filter_payment(
        self, queryset: QuerySet[Service], name: str, value: list[str]
    ) -> QuerySet[Service]:
        return queryset.filter(_payment_exists(value))

    def filter_anonymous_payment(
        self, queryset: QuerySet[Service], name: str, value: bool
    ) -> QuerySet[Service]:
        anonymous = _payment_exists(ANONYMOUS_PAYMENT_KEYS)
        if value:
            return queryset.filter(anonymous)
        return queryset.filter(feature_value_exists(PAYMENT_FEATURE_KEY), ~anonymous)

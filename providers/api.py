"""The API's services and feature catalogue: serializers and read-only viewsets.

Only published services are served. The list runs a fixed number of queries whatever its length
(everything related is prefetched), and it is filtered with the same FilterSet as the public
comparison page (providers/filters.py). Assessments are added by criteria/api.py, because the
criteria app depends on this one and not the other way round.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpResponseBase, StreamingHttpResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, viewsets
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request

from portal.api import (
    ERROR_RESPONSES,
    CSVRenderer,
    FallbackLanguagesField,
    PublicApiMixin,
    TranslatedField,
    context_language,
    csv_lines,
    language_parameter,
)
from portal.cache import allowed_query, known_version
from portal.representations import as_json, cached_representations, json_response, paginated_json

from .compare_query import read_query
from .comparison_csv import Labels, comparison_table
from .comparison_index import IndexedSelection, current_index
from .domains import to_unicode
from .filters import BOOLEAN_FEATURE_KEYS, PAYMENT_FEATURE_KEY, ServiceFilterSet
from .models import (
    Feature,
    FeatureChoice,
    FeatureGroup,
    FeatureValue,
    FreeFeature,
    RecommendationGroup,
    Service,
    ServiceDomain,
    ServiceDownload,
    ServiceLink,
    ServiceSection,
)
from .values import attach_feature_details, feature_value

# --- Serializers ------------------------------------------------------------------------------


@extend_schema_field(
    {
        "type": "string",
        "nullable": True,
        "pattern": "^[A-Z]{2}$",
        "description": "ISO 3166-1 alpha-2 code; null when unknown.",
    }
)
class CountryCodeField(serializers.Field):
    def __init__(self, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> str | None:
        # CountryField gives a Country object even when blank: blank becomes null.
        return value.code or None


@extend_schema_field(
    {
        "oneOf": [
            {"type": "boolean"},
            {"type": "number"},
            {"type": "string"},
            {"type": "array", "items": {"type": "string"}},
        ],
        "nullable": True,
        "description": (
            "boolean features: true/false; number: a number (null when unlimited); choice: the "
            "choice key; multichoice: a list of choice keys (see features/)."
        ),
    }
)
class FeatureValueField(serializers.Field):
    def __init__(self, **kwargs: Any) -> None:
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, instance: FeatureValue) -> Any:
        return feature_value(instance)


class RecommendationGroupSerializer(serializers.ModelSerializer):
    name = TranslatedField()
    fallback_languages = FallbackLanguagesField()

    class Meta:
        model = RecommendationGroup
        fields = ["key", "name", "fallback_languages"]


class LinkSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceLink
        fields = ["kind", "url"]


class DownloadSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceDownload
        fields = ["platform", "label", "url"]


class DomainSerializer(serializers.ModelSerializer):
    name = serializers.CharField(
        help_text="The name as DNS knows it: A-labels (IDNA2008), e.g. xn--strae-oqa.de."
    )
    name_unicode = serializers.SerializerMethodField(
        help_text="The same name as people read it: U-labels, e.g. straße.de (equal to `name` "
        "when it is all ASCII)."
    )

    class Meta:
        model = ServiceDomain
        fields = ["name", "name_unicode", "role"]

    def get_name_unicode(self, domain: ServiceDomain) -> str:
        return to_unicode(domain.name)


class FeatureValueSerializer(serializers.ModelSerializer):
    feature = serializers.CharField(source="feature.key", help_text="The feature's key.")
    kind = serializers.ChoiceField(source="feature.kind", choices=Feature.Kind.choices)
    value = FeatureValueField()
    note = TranslatedField()
    fallback_languages = FallbackLanguagesField()

    class Meta:
        model = FeatureValue
        fields = [
            "feature",
            "kind",
            "value",
            "unlimited",
            "status",
            "note",
            "source_url",
            "last_verified",
            "fallback_languages",
        ]


class SectionSerializer(serializers.ModelSerializer):
    group = serializers.CharField(source="group.key", help_text="The feature group's key.")
    heading = TranslatedField()
    body = TranslatedField(help_text="Markdown.")
    fallback_languages = FallbackLanguagesField()

    class Meta:
        model = ServiceSection
        fields = ["group", "status", "heading", "body", "fallback_languages"]


class FreeFeatureSerializer(serializers.ModelSerializer):
    text = TranslatedField()
    fallback_languages = FallbackLanguagesField()

    class Meta:
        model = FreeFeature
        fields = ["included", "text", "fallback_languages"]


class ServiceSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:service-detail", lookup_field="slug")
    group = RecommendationGroupSerializer(read_only=True, allow_null=True)
    summary = TranslatedField(help_text="The recommendation card's text (Markdown).")
    hq_country = CountryCodeField()
    hq_city = TranslatedField()
    links = LinkSerializer(many=True, read_only=True)
    downloads = DownloadSerializer(many=True, read_only=True)
    domains = DomainSerializer(many=True, read_only=True)
    features = FeatureValueSerializer(many=True, read_only=True, source="feature_values")
    fallback_languages = FallbackLanguagesField()

    class Meta:
        model = Service
        fields = [
            "url",
            "slug",
            "name",
            "kind",
            "group",
            "summary",
            "founded_year",
            "hq_country",
            "hq_city",
            "free_plan",
            "free_storage_mb",
            "trial_days",
            "links",
            "downloads",
            "domains",
            "features",
            "published_at",
            "updated_at",
            "fallback_languages",
        ]


class ServiceDetailSerializer(ServiceSerializer):
    description = TranslatedField(help_text="Markdown.")
    pricing_notes = TranslatedField()
    sections = SectionSerializer(many=True, read_only=True)
    free_features = FreeFeatureSerializer(many=True, read_only=True)

    class Meta(ServiceSerializer.Meta):
        fields = [
            *ServiceSerializer.Meta.fields[:6],
            "description",
            "pricing_notes",
            *ServiceSerializer.Meta.fields[6:-1],
            "sections",
            "free_features",
            "fallback_languages",
        ]


class FeatureGroupSerializer(serializers.ModelSerializer):
    name = TranslatedField()
    fallback_languages = FallbackLanguagesField()

    class Meta:
        model = FeatureGroup
        fields = ["key", "name", "fallback_languages"]


class FeatureChoiceSerializer(serializers.ModelSerializer):
    name = TranslatedField()
    fallback_languages = FallbackLanguagesField()

    class Meta:
        model = FeatureChoice
        fields = ["key", "name", "fallback_languages"]


def filter_parameter(feature: Feature) -> str | None:
    """The services/ query parameter that filters on this feature, if there is one."""
    if feature.key in BOOLEAN_FEATURE_KEYS:
        return feature.key
    if feature.key == PAYMENT_FEATURE_KEY:
        return "payment"
    return None


class FeatureSerializer(serializers.ModelSerializer):
    group = FeatureGroupSerializer(read_only=True)
    name = TranslatedField()
    help_text = TranslatedField()
    applies_to = serializers.ListField(
        child=serializers.ChoiceField(choices=Service._meta.get_field("kind").choices),
        help_text="Kinds of service this feature describes.",
    )
    choices = FeatureChoiceSerializer(many=True, read_only=True)
    filter_parameter = serializers.SerializerMethodField(
        help_text="The services/ query parameter that filters on this feature, if any."
    )
    fallback_languages = FallbackLanguagesField()

    class Meta:
        model = Feature
        fields = [
            "key",
            "group",
            "kind",
            "unit",
            "applies_to",
            "name",
            "help_text",
            "choices",
            "filter_parameter",
            "fallback_languages",
        ]

    def get_filter_parameter(self, feature: Feature) -> str | None:
        return filter_parameter(feature)


# --- Viewsets -----------------------------------------------------------------------------------

# Long texts only the detail shows: the list leaves them (in every language) in the database.
DETAIL_ONLY_FIELDS = ("description", "pricing_notes", "logo")

FORMAT_PARAMETER = OpenApiParameter(
    "format",
    str,
    OpenApiParameter.QUERY,
    enum=["json", "csv"],
    description=(
        "json (default, paginated) or csv: the whole filtered comparison, one row per service "
        "and one column per catalogue feature."
    ),
)


BOM_PARAMETER = OpenApiParameter(
    "bom",
    bool,
    OpenApiParameter.QUERY,
    description=(
        "csv only: true starts the file with a UTF-8 byte order mark, so spreadsheet programs "
        "(Excel on Windows) read the Kurdish and Persian text as UTF-8."
    ),
)
LABELS_PARAMETER = OpenApiParameter(
    "labels",
    str,
    OpenApiParameter.QUERY,
    enum=Labels.values(),
    description=(
        "csv only: names (default) heads the columns with the columns' and features' names and "
        "spells kinds, groups, countries, yes/no and choices in the language of lang; keys gives "
        "the same table in stable keys (column and choice keys, true/false, country codes), "
        "for scripts."
    ),
)
BOOLEAN_WORDS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


@extend_schema_view(
    list=extend_schema(
        summary="Published services, filtered and paginated",
        parameters=[language_parameter(), FORMAT_PARAMETER, BOM_PARAMETER, LABELS_PARAMETER],
        responses={
            (200, "application/json"): ServiceSerializer(many=True),
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, description="The comparison as CSV."
            ),
            **ERROR_RESPONSES,
        },
    ),
    retrieve=extend_schema(
        summary="One published service, by slug",
        parameters=[language_parameter()],
        responses={200: ServiceDetailSerializer, **ERROR_RESPONSES},
    ),
)
class ServiceViewSet(PublicApiMixin, viewsets.ReadOnlyModelViewSet):
    """Published services with their links, downloads, domains and feature values."""

    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    filter_backends = [DjangoFilterBackend]
    filterset_class = ServiceFilterSet
    detail_serializer_class: type[serializers.Serializer] = ServiceDetailSerializer

    CSV_PARAMETERS = frozenset({"bom", "labels"})

    def known_parameters(self) -> set[str]:
        csv_parameters = self.CSV_PARAMETERS if self.action == "list" else set()
        return super().known_parameters() | csv_parameters

    def parameter_errors(self, request: Request) -> dict[str, list[str]]:
        errors = super().parameter_errors(request)
        bom = request.query_params.get("bom")
        if bom is not None and bom.strip().lower() not in BOOLEAN_WORDS:
            errors["bom"] = [_("Use true or false.")]
        labels = request.query_params.get("labels")
        if labels is not None and labels.strip().lower() not in Labels.values():
            errors["labels"] = [
                _("%(value)s is not one of the allowed values: %(allowed)s.")
                % {"value": repr(labels[:20]), "allowed": ", ".join(Labels.values())}
            ]
        return errors

    def csv_labels(self) -> Labels:
        raw = self.request.query_params.get("labels", "").strip().lower()
        return Labels(raw) if raw in Labels.values() else Labels.NAMES

    def wants_bom(self) -> bool:
        return BOOLEAN_WORDS.get(self.request.query_params.get("bom", "").strip().lower(), False)

    def get_queryset(self) -> QuerySet[Service]:
        # Each value's feature and choices are attached by attach_feature_details.
        related = ["links", "feature_values"]
        if not self.wants_csv():  # the comparison has no columns for these
            related += ["downloads", "domains"]
        queryset = Service.objects.published().select_related("group").prefetch_related(*related)
        if self.action == "list":
            queryset = queryset.defer(*DETAIL_ONLY_FIELDS)
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(
                Prefetch("sections", queryset=ServiceSection.objects.select_related("group")),
                "free_features",
                *self.detail_prefetches(),
            )
        return queryset

    def wants_csv(self) -> bool:
        renderer = getattr(self.request, "accepted_renderer", None)
        return getattr(renderer, "format", None) == CSVRenderer.format

    def detail_prefetches(self) -> list[Prefetch]:
        """What a subclass adds to the detail view (criteria/api.py adds the assessments)."""
        return []

    def get_object(self) -> Service:
        service = super().get_object()
        attach_feature_details([service])
        return service

    def get_serializer_class(self) -> type[serializers.Serializer]:
        if self.action == "retrieve":
            return self.detail_serializer_class
        return ServiceSerializer

    def get_renderers(self) -> list[Any]:
        if self.action == "list":
            return [JSONRenderer(), CSVRenderer()]
        return [JSONRenderer()]

    def filter_queryset(self, queryset: QuerySet[Service]) -> QuerySet[Service]:
        # The filters and the order belong to the list; a detail URL names one service.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def get_renderer_context(self) -> dict[str, Any]:
        context = super().get_renderer_context()
        context["csv_columns"] = getattr(self, "csv_columns", None)
        context["csv_header"] = getattr(self, "csv_header", None)
        context["csv_bom"] = self.action == "list" and self.wants_bom()
        return context

    # --- Answered from the comparison's index and the kept representations --------------------
    # A list page is one bit-set selection (providers/comparison_index.py) and a join of each
    # service's representation, made once per language and version (portal/representations.py);
    # a detail is its service's kept representation. What is answered stays the FilterSet's and
    # the serializers': tests/test_api_representations.py compares both ways.

    def cleaned_filters(self) -> dict[str, Any]:
        """The list's filters as the FilterSet reads them (its errors were reported in
        `initial`, so here they are valid)."""
        cleaned = read_query(self.request.query_params)
        if cleaned is None:
            filterset = ServiceFilterSet(self.request.query_params, request=self.request)
            cleaned = filterset.form.cleaned_data if filterset.is_valid() else {}
        return cleaned

    def filter_errors(self, request: Request) -> dict[str, Any]:
        if self.action == "list" and read_query(request.query_params) is not None:
            return {}  # a plain query: nothing the FilterSet would reject
        return super().filter_errors(request)

    def representation_variant(self) -> str:
        """What a representation depends on besides its service and the catalogue."""
        serializer = self.get_serializer_class()
        language = context_language(self.get_serializer_context())
        base = self.request.build_absolute_uri("/")  # links are absolute
        return f"{serializer.__module__}.{serializer.__qualname__}:{language}:{base}"

    def serialize_services(self, pks: list[int]) -> dict[int, bytes]:
        services = list(self.get_queryset().filter(pk__in=pks))
        attach_feature_details(services)
        data = self.get_serializer(services, many=True).data
        return {service.pk: as_json(item) for service, item in zip(services, data, strict=True)}

    def serialize_object(self, pks: list[int]) -> dict[int, bytes]:
        service = self.get_object()
        return {service.pk: as_json(self.get_serializer(service).data)}

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        slug = kwargs[self.lookup_url_kwarg or self.lookup_field]
        pk = Service.objects.published().filter(slug=slug).values_list("pk", flat=True).first()
        if pk is None:
            self.get_object()  # the same 404 as ever
        [body] = cached_representations([pk], self.representation_variant(), self.serialize_object)
        return json_response(body)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not self.wants_csv():
            cleaned = self.cleaned_filters()
            index = current_index()
            selection = IndexedSelection(index, index.select(cleaned), cleaned.get("ordering"))
            page = self.paginate_queryset(selection)  # type: ignore[arg-type]
            pks = [service["pk"] for service in page or ()]
            bodies = cached_representations(
                pks, self.representation_variant(), self.serialize_services
            )
            return json_response(paginated_json(self.paginator, bodies))
        return self.streamed_csv()

    # Services read per batch of the streamed CSV: memory stays flat whatever the catalogue.
    CSV_BATCH = 200

    def streamed_csv(self) -> StreamingHttpResponse:
        """The whole comparison (not a page) as CSV, one row per matching service, streamed.

        Its ETag is derived from the content version and everything the table depends on, so
        it is known before a row is read (and a 304 reads none)."""
        cleaned = self.cleaned_filters()
        index = current_index()
        selection = IndexedSelection(index, index.select(cleaned), cleaned.get("ordering"))
        pks = [service["pk"] for service in selection[0 : len(selection)]]
        features = list(
            Feature.objects.prefetch_related("choices").order_by("group__order", "order", "key")
        )
        language = context_language(self.get_serializer_context())
        labels = self.csv_labels()
        bom = self.wants_bom()
        table = comparison_table([], features, language, labels)

        def batches() -> Iterator[list[dict[str, Any]]]:
            # Read while the response is sent, after the view has returned: the language is
            # set here again, and each batch is read in the index's order.
            with translation.override(language):
                for start in range(0, len(pks), self.CSV_BATCH):
                    chunk = pks[start : start + self.CSV_BATCH]
                    found = {s.pk: s for s in self.get_queryset().filter(pk__in=chunk)}
                    services = [found[pk] for pk in chunk if pk in found]
                    attach_feature_details(services)
                    yield comparison_table(services, features, language, labels).rows

        response = StreamingHttpResponse(
            csv_lines(table.header, table.keys, batches(), bom),
            content_type=f"{CSVRenderer.media_type}; charset={CSVRenderer.charset}",
            headers={"Content-Disposition": 'attachment; filename="services.csv"'},
        )
        version = known_version()
        if version is not None:
            query = allowed_query(self.request, [*ServiceFilterSet.base_filters, "bom", "labels"])
            key = f"services.csv:{version}:{language}:{labels}:{bom}:{query.urlencode()}"
            response["ETag"] = f'"{hashlib.sha256(key.encode()).hexdigest()[:32]}"'
        return response


@extend_schema_view(
    list=extend_schema(
        summary="The feature catalogue",
        parameters=[language_parameter()],
        responses={200: FeatureSerializer(many=True), **ERROR_RESPONSES},
    ),
    retrieve=extend_schema(
        summary="One feature, by key",
        parameters=[language_parameter()],
        responses={200: FeatureSerializer, **ERROR_RESPONSES},
    ),
)
class FeatureViewSet(PublicApiMixin, viewsets.ReadOnlyModelViewSet):
    """The typed features services are compared on, in catalogue order, with their choices."""

    serializer_class = FeatureSerializer
    lookup_field = "key"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"

    def get_queryset(self) -> QuerySet[Feature]:
        # Catalogue order, with the key as the tie-breaker so pages are stable.
        return (
            Feature.objects.select_related("group")
            .prefetch_related("choices")
            .order_by("group__order", "order", "key")
        )

"""The public REST API's shared parts: language, conditional requests, paging, throttling, CSV.

The apps' serializers and viewsets (providers/api.py, criteria/api.py) build on these; the router
that wires them together is in portal/api_urls.py, so this building block imports no app.

The API is read-only and anonymous: it authenticates nobody, sets no cookies, and serves published
content only.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponseBase
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_vary_headers, set_response_etag
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date
from django.utils.timezone import make_aware
from django.utils.translation import gettext_lazy as _
from django_filters.utils import translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle

from .cache import known_version
from .translation_support import DEFAULT_LANGUAGE, pick_translation


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


# --- Language negotiation -------------------------------------------------------------------


def _supported(code: str) -> str | None:
    """`ckb-IQ` -> `ckb`, `de` -> `de`; None for languages the site does not offer."""
    code = code.strip().lower().replace("_", "-")
    if not code:
        return None
    supported = language_codes()
    if code in supported:
        return code
    base = code.split("-")[0]
    return base if base in supported else None


def accept_language_preferences(header: str) -> list[str]:
    """The language ranges of an Accept-Language header, best first (q=0 means "not this")."""
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        language, _sep, params = part.strip().partition(";")
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                continue
        if language and language != "*" and quality > 0:
            weighted.append((-quality, position, language))
    return [language for _q, _p, language in sorted(weighted)]


def negotiate_language(request: HttpRequest | Request) -> str:
    """`?lang=` wins, then Accept-Language, then English. An unsupported `?lang` is a 400.

    Cookies and URL prefixes are ignored on purpose: a response must depend only on what the
    Vary header names, or shared caches would serve one visitor's language to another.
    """
    requested = request.GET.get("lang", "").strip()
    if requested:
        code = _supported(requested)
        if code is None:
            raise ValidationError(
                {
                    "lang": [
                        _("Unsupported language %(lang)s. Use one of: %(codes)s.")
                        % {"lang": repr(requested[:20]), "codes": ", ".join(language_codes())}
                    ]
                }
            )
        return code
    for language in accept_language_preferences(request.META.get("HTTP_ACCEPT_LANGUAGE", "")):
        code = _supported(language)
        if code:
            return code
    return DEFAULT_LANGUAGE


def language_parameter() -> OpenApiParameter:
    return OpenApiParameter(
        "lang",
        str,
        OpenApiParameter.QUERY,
        enum=language_codes(),
        description=(
            "Language of the translated texts (default: from Accept-Language, else en). Texts "
            "missing in that language come in English and are listed in fallback_languages."
        ),
    )


# --- Translated fields with English fallback (portal/translation_support.py) ----------------


def context_language(context: Mapping[str, Any]) -> str:
    return context.get("language", DEFAULT_LANGUAGE)


@extend_schema_field(OpenApiTypes.STR)
class TranslatedField(serializers.Field):
    """A modeltranslation field in the request's language, falling back to English."""

    def __init__(self, model_field: str | None = None, **kwargs: Any) -> None:
        self.model_field = model_field
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def bind(self, field_name: str, parent: serializers.BaseSerializer) -> None:
        super().bind(field_name, parent)
        self.model_field = self.model_field or field_name

    def to_representation(self, instance: Model) -> str:
        return pick_translation(instance, self.model_field, context_language(self.context))[0]


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {"type": "string"},
        "description": (
            "The texts of this object that are not in the requested language, with the "
            "language they are in (English, the fallback). Empty when everything is translated."
        ),
        "example": {"summary": "en"},
    }
)
class FallbackLanguagesField(serializers.Field):
    """Names the sibling TranslatedFields whose text fell back to another language."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def _translated(self) -> list[tuple[str, str]]:
        fields = getattr(self, "_translated_fields", None)
        if fields is None:
            fields = [
                (name, field.model_field)
                for name, field in self.parent.fields.items()
                if isinstance(field, TranslatedField)
            ]
            self._translated_fields = fields
        return fields

    def to_representation(self, instance: Model) -> dict[str, str]:
        language = context_language(self.context)
        fallbacks: dict[str, str] = {}
        for name, model_field in self._translated():
            text_language = pick_translation(instance, model_field, language)[1]
            if text_language is not None and text_language != language:
                fallbacks[name] = text_language
        return fallbacks


# --- Conditional requests -------------------------------------------------------------------


def content_last_modified(app_labels: Iterable[str] | None = None) -> datetime | None:
    """When the API's content last changed, in one query over the apps' history tables.

    The apps are settings.PUBLIC_CONTENT_APPS unless given. Every curated model keeps a history
    table (django-simple-history), so the newest history row is the newest change, deletions
    included.

    Conservative by design: any change (even to a draft) moves it forward, which only costs a
    client a fresh download; it never claims "not modified" for content that changed. State
    changes written without history (the seed loader publishes with `update()`) are covered by
    `state_changed_at`. A model without history names the column that dates its visible changes
    in `LAST_MODIFIED_FIELD` (a finished audit run: `finished_at`; queuing one changes nothing).

    The answer is kept per content version (portal/cache.py), which every change moves: the
    query reads a column of each of some 40 tables, some of them unindexed, on every API call.
    """
    if app_labels is not None:
        return _last_modified_in(tuple(app_labels))
    version = known_version()
    if version is None:  # the cache cannot say what changed: ask the database
        return _last_modified_in(tuple(settings.PUBLIC_CONTENT_APPS))
    key = f"api:last-modified:{version}"
    kept = cache.get(key)
    if kept is None:
        kept = (_last_modified_in(tuple(settings.PUBLIC_CONTENT_APPS)),)
        cache.set(key, kept, 24 * 3600)
    return kept[0]


def _last_modified_in(app_labels: tuple[str, ...]) -> datetime | None:
    sql = _last_modified_sql(app_labels)
    if sql is None:
        return None
    with connection.cursor() as cursor:
        cursor.execute(sql)
        value = cursor.fetchone()[0]
    if isinstance(value, str):  # SQLite hands back the column's text
        value = parse_datetime(value)
    if value is not None and value.tzinfo is None:  # stored in UTC (USE_TZ)
        value = make_aware(value, timezone=UTC)
    return value


@lru_cache(maxsize=16)
def _last_modified_sql(app_labels: tuple[str, ...]) -> str | None:
    selects: list[str] = []
    quote = connection.ops.quote_name
    for label in app_labels:
        # The history models live in their app beside the models they record.
        for model in apps.get_app_config(label).get_models():
            columns = {field.column for field in model._meta.concrete_fields}
            declared = getattr(model, "LAST_MODIFIED_FIELD", None)
            candidates = (declared,) if declared else ("history_date", "state_changed_at")
            for column in candidates:
                if column in columns:
                    table = quote(model._meta.db_table)
                    selects.append(f"SELECT MAX({quote(column)}) AS changed FROM {table}")  # noqa: S608
                    break
    if not selects:
        return None
    # The table names come from the models' metadata, never from the request.
    return f"SELECT MAX(changed) FROM ({' UNION ALL '.join(selects)}) AS changes"  # noqa: S608


# --- Errors, for the schema -----------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    """What a 404 or 429 says."""

    detail = serializers.CharField()


# Errors are JSON whatever format was asked for (PublicApiMixin.handle_exception), so each is
# declared for application/json only: a list that also serves CSV must not promise CSV errors.
ERROR_RESPONSES: dict[tuple[int, str], OpenApiResponse] = {
    (400, "application/json"): OpenApiResponse(
        {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "example": {"openpgp": ["'maybe' is not a yes/no value: use true or false."]},
        },
        description="A query parameter is invalid: each one with what is wrong with it.",
    ),
    (404, "application/json"): OpenApiResponse(
        ErrorSerializer, description="No such object or page."
    ),
    (406, "application/json"): OpenApiResponse(
        ErrorSerializer,
        description="No format this operation offers matches the Accept header.",
    ),
    (429, "application/json"): OpenApiResponse(
        ErrorSerializer, description="Too many requests; see Retry-After."
    ),
}


# --- Paging ---------------------------------------------------------------------------------


def _strict_positive_int(raw: str, name: str) -> int:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        value = 0
    if value < 1:
        raise ValidationError({name: [_("Enter a whole number of at least 1.")]})
    return value


class StablePagination(PageNumberPagination):
    """Numbered pages over an order made total by the views (slug or key as the tie-breaker).

    Bad `page` or `page_size` values are a 400 rather than DRF's silent fallback to defaults,
    so a client's mistake never looks like a short result.
    """

    page_size = settings.API_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = settings.API_MAX_PAGE_SIZE
    template = None

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw in (None, ""):
            return self.page_size
        size = _strict_positive_int(raw, self.page_size_query_param)
        if size > self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        _("At most %(max)d items per page.") % {"max": self.max_page_size}
                    ]
                }
            )
        return size

    def get_page_number(self, request: Request, paginator: Any) -> int:
        raw = request.query_params.get(self.page_query_param)
        if raw in (None, ""):
            return 1
        number = _strict_positive_int(raw, self.page_query_param)
        if number > max(paginator.num_pages, 1):
            raise NotFound(_("There is no page %(page)d.") % {"page": number})
        return number

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "A page number, from 1.",
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Items per page (default {self.page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]


# --- Throttling -----------------------------------------------------------------------------


class AnonymousThrottle(AnonRateThrottle):
    """Per-client-address limit for anonymous clients (API_ANON_THROTTLE_RATE; "off" = none).

    The rate is read per request, not when the class is defined, so a changed setting (a test's
    override, a reload) takes effect.
    """

    def get_rate(self) -> str | None:
        return settings.API_ANON_THROTTLE_RATE

    def rate_limit_headers(self) -> dict[str, str]:
        """RateLimit-Limit, -Remaining and -Reset (IETF httpapi "RateLimit header fields" draft)
        for the request just counted: the window's size, what is left of it, and the seconds
        until the oldest counted request leaves it."""
        if self.rate is None or not hasattr(self, "history"):
            return {}
        remaining = max(0, self.num_requests - len(self.history))
        reset = self.duration - (self.now - self.history[-1]) if self.history else 0
        return {
            "RateLimit-Limit": str(self.num_requests),
            "RateLimit-Remaining": str(remaining),
            "RateLimit-Reset": str(max(0, math.ceil(reset))),
        }


# --- CSV ------------------------------------------------------------------------------------

# A cell a spreadsheet would run as a formula (CSV injection); such text gets a leading quote.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ";".join(csv_cell(item) for item in value)
    text = str(value)
    if isinstance(value, str) and text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


class CSVRenderer(BaseRenderer):
    """Rows (a list of dicts) as CSV; the columns come from the view, so an empty result still
    has its header row.

    The view names the columns (`csv_columns`, the rows' keys) and may give the header row its
    own words (`csv_header`, e.g. the columns' names in the request's language).
    """

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        renderer_context = renderer_context or {}
        rows: Sequence[Mapping[str, Any]] = data if isinstance(data, list) else []
        columns: Sequence[str] = renderer_context.get("csv_columns") or (
            list(rows[0]) if rows else []
        )
        header: Sequence[str] = renderer_context.get("csv_header") or columns
        lines = csv_lines(header, columns, [rows], bool(renderer_context.get("csv_bom")))
        return b"".join(lines)


def csv_lines(
    header: Sequence[str],
    columns: Sequence[str],
    batches: Iterable[Iterable[Mapping[str, Any]]],
    bom: bool,
) -> Iterator[bytes]:
    """CSV as UTF-8 bytes: the header line, then one chunk per batch of rows (so a long table can
    be streamed with flat memory). A byte order mark when asked for: Excel on Windows reads UTF-8
    only with one."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_cell(label) for label in header])
    yield (("\ufeff" if bom else "") + buffer.getvalue()).encode(CSVRenderer.charset)
    for rows in batches:
        buffer.seek(0)
        buffer.truncate()
        for row in rows:
            writer.writerow([csv_cell(row.get(column)) for column in columns])
        yield buffer.getvalue().encode(CSVRenderer.charset)


# --- The views' shared behaviour ------------------------------------------------------------


class AnyoneMayRead(BasePermission):
    """Everyone may use the API, without credentials.

    Not DRF's AllowAny: drf-spectacular reads that as "authentication optional" and declares
    `security: [{}]` on every operation, which makes generated clients demand credentials.
    """

    def has_permission(self, request: Request, view: Any) -> bool:
        return True


class RateLimitHeaders:
    """RateLimit-Limit, -Remaining and -Reset on every response of a throttled DRF view, so a
    client sees where it stands before it is refused (mixed in before the view's class)."""

    def get_throttles(self) -> list[Any]:
        # Kept, so finalize_response can read the counts of this request.
        self.counted_throttles = super().get_throttles()  # type: ignore[misc]
        return self.counted_throttles

    def finalize_response(
        self, request: Request, response: HttpResponseBase, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        for throttle in getattr(self, "counted_throttles", ()):
            for header, value in getattr(throttle, "rate_limit_headers", dict)().items():
                response.headers[header] = value
        return response


class PublicApiMixin(RateLimitHeaders):
    """Language, conditional GETs and cache headers for every API view.

    Mixed into DRF viewsets (before them in the bases).
    """

    request: Request
    pagination_class = StablePagination
    throttle_classes = [AnonymousThrottle]
    # Read-only by construction (the viewsets have GET handlers only), so an unsafe method is a
    # 405 with an Allow header, not the default policy's misleading "not authenticated" 403.
    permission_classes = [AnyoneMayRead]
    # Anonymous by design: no authentication is even attempted (no session is read), and the
    # schema declares no security requirement, so generated clients need no credentials.
    authentication_classes: list[Any] = []
    # Query parameters every operation takes; lists add paging and their filters.
    COMMON_PARAMETERS = frozenset({"lang", "format"})
    LIST_PARAMETERS = frozenset({"page", "page_size"})

    def known_parameters(self) -> set[str]:
        known = set(self.COMMON_PARAMETERS)
        if getattr(self, "action", None) == "list":
            known |= self.LIST_PARAMETERS
            filterset_class = getattr(self, "filterset_class", None)
            if filterset_class is not None:
                known |= set(filterset_class.base_filters)
        return known

    def parameter_errors(self, request: Request) -> dict[str, list[str]]:
        """An unknown (say, misspelled) parameter is an error naming it, not a silent no-op."""
        known = self.known_parameters()
        unknown = sorted(set(request.query_params) - known)
        message = _("Unknown parameter. This operation takes: %(known)s.") % {
            "known": ", ".join(sorted(known))
        }
        return {name: [message] for name in unknown[:20]}

    def filter_errors(self, request: Request) -> dict[str, Any]:
        """The list's filter errors, found now so they come with every other error."""
        if getattr(self, "action", None) != "list":
            return {}
        for backend_class in getattr(self, "filter_backends", ()):
            backend = backend_class()
            if not hasattr(backend, "get_filterset"):
                continue
            filterset = backend.get_filterset(request, self.get_queryset(), self)  # type: ignore[attr-defined]
            if filterset is not None and not filterset.is_valid():
                return dict(translate_validation(filterset.errors).detail)
        return {}

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        try:
            return super().perform_content_negotiation(request, force)  # type: ignore[misc]
        except Http404 as exc:
            # DRF answers an unknown ?format= with 404 "Not found", as if the object were
            # missing; it is the client's mistake, so a 400 that lists the formats.
            formats = [renderer.format for renderer in self.get_renderers()]  # type: ignore[attr-defined]
            raise ValidationError(
                {
                    "format": [
                        _("Unsupported format. Use one of: %(formats)s.")
                        % {"formats": ", ".join(formats)}
                    ]
                }
            ) from exc

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        """Check the whole request before answering, and report every mistake in it at once:
        the format, unknown parameters, the language and the filters' values."""
        errors: dict[str, Any] = {}
        try:
            super().initial(request, *args, **kwargs)  # type: ignore[misc]
        except ValidationError as exc:  # the format: DRF negotiates it first
            errors.update(exc.detail)
            self.check_throttles(request)  # type: ignore[attr-defined]
        errors.update(self.parameter_errors(request))
        try:
            request.api_language = negotiate_language(request)
        except ValidationError as exc:
            errors.update(exc.detail)
            request.api_language = DEFAULT_LANGUAGE
        # UI strings (choice labels, error messages) follow the same language until the
        # response is finalized; then the thread gets its previous language back.
        self.language_before = translation.get_language()
        translation.activate(request.api_language)
        errors.update({k: v for k, v in self.filter_errors(request).items() if k not in errors})
        if errors:
            raise ValidationError(errors)

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()  # type: ignore[misc]
        context["language"] = getattr(self.request, "api_language", DEFAULT_LANGUAGE)
        return context

    def handle_exception(self, exc: Exception) -> Response:
        response = super().handle_exception(exc)  # type: ignore[misc]
        # Errors are always JSON: a CSV of an error message would read as an empty table.
        if getattr(self.request, "accepted_renderer", None) is not None and not isinstance(
            self.request.accepted_renderer, JSONRenderer
        ):
            self.request.accepted_renderer = JSONRenderer()
            self.request.accepted_media_type = JSONRenderer.media_type
        return response

    def finalize_response(
        self, request: Request, response: HttpResponseBase, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        try:
            response = super().finalize_response(request, response, *args, **kwargs)
            # The format can come from Accept (text/csv), the texts from Accept-Language, and
            # the encoding from Accept-Encoding (GZipMiddleware). Named on every response, not
            # only where the middleware compressed, so a 304 names what its 200 named.
            patch_vary_headers(response, ("Accept", "Accept-Language", "Accept-Encoding"))
            language = getattr(request, "api_language", None)
            if language:
                response.headers["Content-Language"] = language
            if request.method not in ("GET", "HEAD") or response.status_code != 200:
                return response
            return conditional(request, response)
        finally:
            if getattr(self, "language_before", None):
                translation.activate(self.language_before)


def conditional(request: Request, response: Response) -> HttpResponseBase:
    """Add ETag and Last-Modified, and answer 304 when the client's copy is current.

    The ETag is a hash of the rendered body, so it changes exactly when the representation does
    (language, filters and format included) and can never be stale.
    """
    if response.streaming:
        # Not held in memory, so not hashed: a streamed response names its ETag itself (one
        # derived from the content version), or has none when the version is unknown.
        if not response.has_header("ETag"):
            return response
    else:
        if hasattr(response, "render"):  # a DRF Response; the kept JSON bodies are ready
            response.render()
        set_response_etag(response)
    last_modified = content_last_modified()
    timestamp = int(last_modified.timestamp()) if last_modified else None
    if timestamp is not None:
        response.headers["Last-Modified"] = http_date(timestamp)
    # Shared caches may keep it, but must ask again (cheaply, with the validators) each time.
    response.headers["Cache-Control"] = "public, no-cache"
    conditional_response = get_conditional_response(
        request, etag=response.headers["ETag"], last_modified=timestamp, response=response
    )
    if conditional_response is not response:
        # A 304 stands for the 200: the same language and Vary, or a cache that copies the
        # 304's headers onto its stored copy would relabel a Kurdish body as English.
        for header in (
            "Content-Language",
            "Vary",
            "RateLimit-Limit",
            "RateLimit-Remaining",
            "RateLimit-Reset",
        ):
            if header in response.headers:
                conditional_response.headers[header] = response.headers[header]
    return conditional_response


# --- Languages endpoint ---------------------------------------------------------------------


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    name_local: str
    bidi: bool
    is_default: bool


class LanguageSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Value for ?lang= and Accept-Language.")
    name = serializers.CharField(help_text="English name.")
    name_local = serializers.CharField(help_text="Name in the language itself.")
    bidi = serializers.BooleanField(help_text="Written right to left.")
    is_default = serializers.BooleanField(help_text="The fallback of every translated text.")


def site_languages() -> list[Language]:
    result = []
    for code in language_codes():
        info = translation.get_language_info(code)
        result.append(
            Language(
                code=code,
                name=info["name"],
                name_local=info["name_local"],
                bidi=info["bidi"],
                is_default=code == DEFAULT_LANGUAGE,
            )
        )
    return result


@extend_schema_view(
    list=extend_schema(
        summary="The languages of the content",
        parameters=[language_parameter()],
        responses={200: LanguageSerializer(many=True), **ERROR_RESPONSES},
    )
)
class LanguageViewSet(PublicApiMixin, viewsets.GenericViewSet):
    """The languages the content is offered in."""

    serializer_class = LanguageSerializer

    def get_queryset(self) -> list[Language]:
        return site_languages()

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


# --- Documentation --------------------------------------------------------------------------


class ApiSchemaView(RateLimitHeaders, SpectacularAPIView):
    """The OpenAPI schema, throttled like the rest of the API and saying so."""

    throttle_classes = [AnonymousThrottle]


class ApiDocsView(RateLimitHeaders, SpectacularSwaggerSplitView):
    """Swagger UI from our own static files (drf-spectacular-sidecar), without inline script.

    The stock script template embeds a CSRF token for "Try it out" on unsafe methods; rendering
    one would set a CSRF cookie for anonymous visitors. The API has no unsafe methods, so the
    token is left empty and no cookie is set.
    """

    @extend_schema(exclude=True)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().get(request, *args, **kwargs)
        if isinstance(response.data, dict):
            response.data["csrf_token"] = ""
        return response

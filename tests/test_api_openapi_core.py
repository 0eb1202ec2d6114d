"""Real traffic keeps to the published schema: openapi-core, a strict validator that generated
clients' authors use, checks every request and response of the running app on the seeded content.

Each test drives real requests through Django's test client (every operation; lists and details
of every seeded object; every filter; every language by `?lang=` and by Accept-Language; the
errors; conditional requests; the CSV) and validates each request/response pair against the
schema that /api/schema/ serves. Schemathesis (tests/test_api_schema.py) sends generated
requests; these are the ones real consumers send, on real content.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from openapi_core import OpenAPI
from openapi_core.configurations import Config
from openapi_core.datatypes import RequestParameters
from openapi_core.deserializing.media_types.util import plain_loads
from openapi_core.exceptions import OpenAPIError
from werkzeug.datastructures import Headers, ImmutableMultiDict

from audits.models import AuditResult, AuditRun, Outcome, RunState, Trigger
from providers.filters import BOOLEAN_FEATURE_KEYS, ORDERING_FIELDS, PAYMENT_CHOICES
from providers.models import Service, ServiceDomain, ServiceKind
from tests.http import body

LANGUAGES = ("en", "ckb", "de", "fr", "es", "fa")
API = "/api/v1/"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_throttle(settings: Any) -> None:
    settings.API_ANON_THROTTLE_RATE = None


# --- openapi-core's view of a Django exchange ------------------------------------------------


class ExchangeRequest:
    """openapi-core's Request protocol over the request Django's handler actually saw.

    openapi_core.contrib.django reads the query through a dict, which keeps only the last of a
    repeated parameter; array parameters must be validated as sent.
    """

    def __init__(self, response: Any) -> None:
        request = response.wsgi_request
        self.host_url = request._current_scheme_host
        self.path = request.path
        self.method = request.method.lower()
        self.body = b""
        self.content_type = request.META.get("CONTENT_TYPE", "")
        pairs = [(name, value) for name, values in request.GET.lists() for value in values]
        self.parameters = RequestParameters(
            # From the path as sent, matched against the schema's templates: Django's names
            # for them (`pk`) are not the schema's (`id`).
            path={},
            query=ImmutableMultiDict(pairs),
            header=Headers(list(request.headers.items())),
            cookie=ImmutableMultiDict(),
        )


class ExchangeResponse:
    """openapi-core's Response protocol over Django's response."""

    def __init__(self, response: Any) -> None:
        self.data = body(response)
        self.status_code = response.status_code
        self.headers = Headers(list(response.headers.items()))
        self.content_type = response.get("Content-Type", "")


@dataclass(frozen=True)
class Call:
    """One request, the status it must get, and whether the schema must accept the request.

    `request_valid=False` is for the mistakes the API answers with a 400: the schema must reject
    them too. None leaves the request unjudged (openapi-core ignores undeclared parameters, so
    it cannot see that `?openpg=` is one).
    """

    path: str
    query: tuple[tuple[str, str], ...] = ()
    headers: Mapping[str, str] = field(default_factory=dict)
    status: int = 200
    request_valid: bool | None = True

    def describe(self) -> str:
        query = "&".join(f"{k}={v}" for k, v in self.query)
        headers = " ".join(f"{k}: {v}" for k, v in self.headers.items())
        return f"GET {self.path}{'?' + query if query else ''} {headers}".strip()


@dataclass
class Traffic:
    """Sends calls and collects what openapi-core found wrong with each exchange."""

    client: Client
    openapi: OpenAPI
    exchanges: int = 0
    failures: list[str] = field(default_factory=list)

    def send(self, call: Call) -> Any:
        meta = {"HTTP_" + name.upper().replace("-", "_"): v for name, v in call.headers.items()}
        data: dict[str, list[str]] = {}
        for name, value in call.query:
            data.setdefault(name, []).append(value)
        response = self.client.get(call.path, data, **meta)
        self.exchanges += 1
        if response.status_code != call.status:
            self.failures.append(f"{call.describe()}: status {response.status_code}")
            return response
        request = ExchangeRequest(response)
        request_errors = _errors(self.openapi.validate_request, request)
        if call.request_valid is True and request_errors:
            self.failures.append(f"{call.describe()}: request {_explain(request_errors)}")
        if call.request_valid is False and not request_errors:
            self.failures.append(f"{call.describe()}: the schema accepts a request answered 400")
        response_errors = _errors(
            self.openapi.validate_response, request, ExchangeResponse(response)
        )
        if response_errors:
            self.failures.append(f"{call.describe()}: response {_explain(response_errors)}")
        return response

    def send_all(self, calls: Iterable[Call]) -> list[Any]:
        return [self.send(call) for call in calls]

    def json(self, call: Call) -> Any:
        return self.send(call).json()


def _errors(validate: Callable[..., None], *exchange: Any) -> list[Exception]:
    """What a validator found. (Validating alone is about twenty times faster than openapi-core's
    unmarshalling, which builds Python objects from every value.)"""
    try:
        validate(*exchange)
    except OpenAPIError as error:
        return [error]
    return []


def _explain(errors: list[Exception]) -> str:
    """The innermost reasons, once each: openapi-core wraps jsonschema's errors in its own, and
    one mistake in the schema shows in every item of a list."""
    reasons: dict[str, None] = {}
    for error in errors:
        cause: BaseException = error
        while getattr(cause, "schema_errors", None) is None and cause.__cause__ is not None:
            cause = cause.__cause__
        for leaf in getattr(cause, "schema_errors", None) or [cause]:
            path = getattr(leaf, "absolute_path", ())
            where = "/".join("*" if isinstance(part, int) else str(part) for part in path)
            what = getattr(leaf, "message", None) or f"{type(leaf).__name__}: {leaf}"
            reasons[f"{where}: {what}"[:200]] = None
    return "; ".join(reasons)


@pytest.fixture
def audited(seeded: None) -> Service:
    """A seeded service with a finished audit (the seed has none) and a failed one before it."""
    service = Service.objects.get(slug="proton-mail")
    now = timezone.now()
    AuditRun.objects.create(
        service=service,
        trigger=Trigger.SCHEDULED,
        state=RunState.FAILED,
        outcome="",
        started_at=now - timedelta(hours=2),
        finished_at=now - timedelta(hours=2),
        error="worker lost",
    )
    run = AuditRun.objects.create(
        service=service,
        trigger=Trigger.MANUAL,
        state=RunState.DONE,
        outcome=Outcome.WARN,
        started_at=now - timedelta(minutes=5),
        finished_at=now,
    )
    for check, status, details in (
        ("dnssec", "pass", {"ad": True}),
        ("spf", "warn", {"record": "v=spf1 include:_spf.example ~all", "lookups": 3}),
        ("mta_sts", "not_applicable", {}),
    ):
        AuditResult.objects.create(
            run=run,
            domain="proton.me",
            role=ServiceDomain.Role.MAIL,
            check_key=check,
            target="proton.me",
            status=status,
            message="Checked.",
            details=details,
            duration_ms=12.5,
            checked_at=now,
        )
    return service


@pytest.fixture
def traffic(audited: Service, client: Client) -> Iterator[Traffic]:
    schema = client.get("/api/schema/?format=json").json()
    # openapi-core reads media types it does not know as bytes; a consumer reads text/csv as
    # text (the schema declares a string).
    config = Config(extra_media_type_deserializers={"text/csv": plain_loads})
    traffic = Traffic(client=client, openapi=OpenAPI.from_dict(schema, config=config))
    yield traffic
    assert not traffic.failures, (
        f"{len(traffic.failures)} of {traffic.exchanges} exchanges off the schema:\n"
        + "\n".join(traffic.failures)
    )


# --- Collections and objects -------------------------------------------------------------------


def _every_object(traffic: Traffic, query: tuple[tuple[str, str], ...] = ()) -> int:
    """Every list, then every object each list names, and every audit of every service."""
    sent = 0
    for collection, key in (("services", "slug"), ("features", "key"), ("criteria", "key")):
        page = traffic.json(Call(f"{API}{collection}/", (*query, ("page_size", "200"))))
        items = page["results"]
        assert items, collection
        for item in items:
            traffic.send(Call(f"{API}{collection}/{item[key]}/", query))
        sent += 1 + len(items)
        if collection == "services":
            for item in items:
                runs = traffic.json(Call(f"{API}services/{item[key]}/audits/", query))["results"]
                traffic.send_all(
                    Call(f"{API}services/{item[key]}/audits/{run['id']}/", query) for run in runs
                )
                sent += 1 + len(runs)
    traffic.send(Call(f"{API}languages/", query))
    return sent + 1


def test_every_list_and_object_in_every_language(traffic: Traffic) -> None:
    for language in LANGUAGES:
        assert _every_object(traffic, (("lang", language),)) > 20


def test_every_object_by_accept_language(traffic: Traffic) -> None:
    for header in ("ckb-IQ, en;q=0.5", "fa", "de-CH;q=0.9, fr;q=0.8", "es", "*", "xx"):
        traffic.send(Call(f"{API}services/", headers={"Accept-Language": header}))
        traffic.send(Call(f"{API}services/proton-mail/", headers={"Accept-Language": header}))
        traffic.send(Call(f"{API}criteria/", headers={"Accept-Language": header}))


def test_the_audited_service_shows_its_runs(traffic: Traffic) -> None:
    detail = traffic.json(Call(f"{API}services/proton-mail/"))
    assert detail["latest_audit"]["outcome"] == Outcome.WARN
    runs = traffic.json(Call(f"{API}services/proton-mail/audits/"))["results"]
    assert [run["outcome"] for run in runs] == [Outcome.WARN, ""]


def test_pages(traffic: Traffic) -> None:
    first = traffic.json(Call(f"{API}services/", (("page_size", "3"),)))
    assert first["next"] and first["previous"] is None
    last_page = -(-first["count"] // 3)
    last = traffic.json(Call(f"{API}services/", (("page_size", "3"), ("page", str(last_page)))))
    assert last["next"] is None and last["previous"]
    traffic.send(Call(f"{API}features/", (("page", "2"), ("page_size", "5"))))


# --- Filters -----------------------------------------------------------------------------------


def _filters() -> Iterator[tuple[tuple[str, str], ...]]:
    for key in BOOLEAN_FEATURE_KEYS:
        yield ((key, "true"),)
        yield ((key, "false"),)
    for kind in ServiceKind.values:
        yield (("kind", kind),)
    for payment, _label in PAYMENT_CHOICES:
        yield (("payment", payment),)
    yield (("payment", "cash"), ("payment", "cryptocurrency"))
    for word in ("true", "false"):
        yield (("anonymous_payment", word),)
        yield (("free_plan", word),)
    yield (("min_free_storage", "0"),)
    yield (("min_free_storage", "1000"),)
    yield (("country", "CH"), ("country", "DE"))
    yield (("exclude_country", "DE"),)
    yield (("verified", "dnssec"),)
    yield (("verified", "dnssec"), ("verified", "spf"))
    for name in ORDERING_FIELDS:
        yield (("ordering", name),)
        yield (("ordering", f"-{name}"),)
    yield (("ordering", "-founded_year"), ("ordering", "name"))
    yield (("kind", "provider"), ("openpgp", "true"), ("payment", "cash"), ("lang", "fa"))


def test_every_filter(traffic: Traffic) -> None:
    matched = [traffic.json(Call(f"{API}services/", query))["count"] for query in _filters()]
    assert 0 in matched and max(matched) > 1  # some filters exclude, some keep


def test_the_comma_form_of_array_parameters(traffic: Traffic) -> None:
    # The schema documents the repeated form (what generated clients send): openapi-core reads
    # `payment=cash,cryptocurrency` as one unknown payment method, so only the response is judged.
    for name, value in (
        ("payment", "cash,cryptocurrency"),
        ("country", "ch,de"),
        ("verified", "dnssec,spf"),
        ("ordering", "-founded_year,name"),
    ):
        traffic.send(Call(f"{API}services/", ((name, value),), request_valid=None))


# --- Errors ------------------------------------------------------------------------------------


def test_bad_values_are_400s_the_schema_also_rejects(traffic: Traffic) -> None:
    traffic.send_all(
        Call(f"{API}services/", query, status=400, request_valid=False)
        for query in (
            (("openpgp", "maybe"),),
            (("payment", "gold"),),
            (("kind", "bank"),),
            (("country", "XX"),),
            (("min_free_storage", "lots"),),
            (("ordering", "colour"),),
            (("page_size", "0"),),
            (("page_size", "201"),),
            (("page", "first"),),
            (("lang", "xx"), ("payment", "gold"), ("openpgp", "maybe")),
            (("format", "xml"),),
            (("bom", "maybe"), ("format", "csv")),
        )
    )
    for path in (f"{API}languages/", f"{API}criteria/privacy/", f"{API}services/proton-mail/"):
        traffic.send(Call(path, (("lang", "xx"),), status=400, request_valid=False))


def test_unknown_parameters_are_400s(traffic: Traffic) -> None:
    for path in (f"{API}services/", f"{API}services/proton-mail/", f"{API}features/"):
        traffic.send(Call(path, (("openpg", "true"),), status=400, request_valid=None))


def test_missing_objects_and_pages_are_404s(traffic: Traffic) -> None:
    traffic.send_all(
        Call(path, query, status=404)
        for path, query in (
            (f"{API}services/no-such-service/", ()),
            (f"{API}features/no-such-feature/", ()),
            (f"{API}criteria/no-such-group/", ()),
            (f"{API}services/no-such-service/audits/", ()),
            (f"{API}services/proton-mail/audits/999999/", ()),
            (f"{API}services/", (("page", "999"),)),
        )
    )


def test_an_unsatisfiable_accept_is_a_406(traffic: Traffic) -> None:
    for path in (f"{API}services/", f"{API}services/proton-mail/", f"{API}languages/"):
        traffic.send(Call(path, headers={"Accept": "application/xml"}, status=406))


def test_too_many_requests_are_429s(traffic: Traffic, settings: Any) -> None:
    settings.API_ANON_THROTTLE_RATE = "2/minute"
    cache.clear()  # the throttle counts in the cache
    try:
        traffic.send_all([Call(f"{API}services/"), Call(f"{API}features/")])
        traffic.send(Call(f"{API}services/", status=429))
        traffic.send(Call(f"{API}services/proton-mail/", status=429))
        traffic.send(Call(f"{API}services/", (("format", "csv"),), status=429))
    finally:
        cache.clear()


# --- Conditional requests ----------------------------------------------------------------------


def test_304s_by_etag_and_by_date(traffic: Traffic) -> None:
    for path, query in (
        (f"{API}services/", (("lang", "ckb"),)),
        (f"{API}services/", (("format", "csv"), ("lang", "fa"))),
        (f"{API}services/proton-mail/", ()),
        (f"{API}services/proton-mail/audits/", ()),
        (f"{API}features/openpgp/", (("lang", "de"),)),
        (f"{API}criteria/", ()),
        (f"{API}languages/", ()),
    ):
        first = traffic.send(Call(path, query))
        for header in (
            {"If-None-Match": first["ETag"]},
            {"If-Modified-Since": first["Last-Modified"]},
        ):
            traffic.send(Call(path, query, headers=header, status=304))


# --- CSV ---------------------------------------------------------------------------------------


def test_the_csv_in_every_language(traffic: Traffic) -> None:
    for language in LANGUAGES:
        for extra in ((), (("bom", "true"),), (("kind", "provider"), ("openpgp", "true"))):
            response = traffic.send(
                Call(f"{API}services/", (("format", "csv"), ("lang", language), *extra))
            )
            assert response["Content-Type"].startswith("text/csv")
    by_accept = traffic.send(Call(f"{API}services/", headers={"Accept": "text/csv"}))
    assert by_accept["Content-Type"].startswith("text/csv")

"""Benchmark the services API with 1,000 synthetic published services.

Run: DEBUG=true .venv/bin/python bench/bench_api.py [--services 1000] [--runs 30]

It builds a throw-away SQLite database in a temporary folder (nothing touches db.sqlite3), fills
it with synthetic services shaped like the seed's (links, downloads, domains, about 30 feature
values each), then times `GET /api/v1/services/?page_size=50` through Django's test client and
prints the median, the spread, and the number of queries. The target is a median below 100 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 100.0


def configure(database: Path) -> None:
    """Point Django at the throw-away database before it is set up."""
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DEBUG", "true")
    os.environ["API_ANON_THROTTLE_RATE"] = "off"  # the benchmark is one client, many requests
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()


def build_catalogue() -> dict[str, object]:
    from providers.filters import BOOLEAN_FEATURE_KEYS
    from providers.models import Feature, FeatureChoice, FeatureGroup, ServiceKind

    kinds = list(ServiceKind.values)
    group = FeatureGroup.objects.create(key="bench", name_en="Bench")
    # The filterable keys first (so filters find something), then a few more, 30 in all.
    keys = [*BOOLEAN_FEATURE_KEYS, *(f"extra_{n}" for n in range(30 - len(BOOLEAN_FEATURE_KEYS)))]
    booleans = [
        Feature(
            key=key,
            group=group,
            kind=Feature.Kind.BOOLEAN,
            applies_to=kinds,
            order=n,
            name_en=f"Boolean {n}",
            name_ckb=f"بوولی {n}" if n % 2 else "",
        )
        for n, key in enumerate(keys)
    ]
    Feature.objects.bulk_create(booleans)
    payment = Feature.objects.create(
        key="payment_methods", group=group, kind=Feature.Kind.MULTICHOICE, applies_to=kinds
    )
    choices = FeatureChoice.objects.bulk_create(
        FeatureChoice(feature=payment, key=f"method_{n}", order=n, name_en=f"Method {n}")
        for n in range(8)
    )
    storage = Feature.objects.create(
        key="storage", group=group, kind=Feature.Kind.NUMBER, unit="MB", applies_to=kinds
    )
    return {
        "booleans": list(Feature.objects.filter(kind=Feature.Kind.BOOLEAN)),
        "payment": payment,
        "choices": choices,
        "storage": storage,
    }


def build_services(count: int, rng: random.Random) -> None:
    from django.utils import timezone

    from portal.publishing import PublicationState
    from providers.models import (
        FeatureValue,
        RecommendationGroup,
        Service,
        ServiceDomain,
        ServiceDownload,
        ServiceKind,
        ServiceLink,
    )

    catalogue = build_catalogue()
    groups = {
        kind: RecommendationGroup.objects.create(key=f"group-{kind}", kind=kind, name_en=kind)
        for kind in ServiceKind.values
    }
    now = timezone.now()
    services = []
    for n in range(count):
        kind = ServiceKind.values[n % len(ServiceKind.values)]
        services.append(
            Service(
                kind=kind,
                name=f"Synthetic Mail {n:04d}",
                slug=f"synthetic-mail-{n:04d}",
                group=groups[kind],
                summary_en=f"Synthetic service number {n}, for the benchmark. " * 3,
                summary_ckb=f"خزمەتگوزاری {n}" if n % 3 else "",
                description_en="A longer description. " * 20,
                hq_country=rng.choice(["CH", "DE", "NL", "SE", ""]),
                founded_year=rng.choice([None, *range(2000, 2024)]),
                free_plan=rng.choice([True, False, None]),
                state=PublicationState.PUBLISHED,
                published_at=now,
            )
        )
    services = Service.objects.bulk_create(services)
    links, downloads, domains, values = [], [], [], []
    for service in services:
        host = f"{service.slug}.example"
        for kind in (ServiceLink.Kind.HOMEPAGE, ServiceLink.Kind.PRIVACY_POLICY, "source_code"):
            links.append(ServiceLink(service=service, kind=kind, url=f"https://{host}/{kind}"))
        for order, platform in enumerate(("android", "web")):
            downloads.append(
                ServiceDownload(
                    service=service,
                    platform=platform,
                    label=platform.title(),
                    url=f"https://{host}/get/{platform}",
                    order=order,
                )
            )
        domains += [
            ServiceDomain(service=service, name=host, role="mail"),
            ServiceDomain(service=service, name=f"mail.{host}", role="web"),
        ]
        for feature in rng.sample(catalogue["booleans"], 28):
            values.append(
                FeatureValue(
                    service=service, feature=feature, bool_value=rng.random() < 0.6, status="good"
                )
            )
        values.append(
            FeatureValue(service=service, feature=catalogue["storage"], number_value=1024)
        )
        values.append(FeatureValue(service=service, feature=catalogue["payment"]))
    ServiceLink.objects.bulk_create(links)
    ServiceDownload.objects.bulk_create(downloads)
    ServiceDomain.objects.bulk_create(domains)
    FeatureValue.objects.bulk_create(values)
    through = FeatureValue.choices.through
    payment_values = FeatureValue.objects.filter(feature=catalogue["payment"])
    through.objects.bulk_create(
        through(featurevalue_id=value.pk, featurechoice_id=choice.pk)
        for value in payment_values
        for choice in rng.sample(catalogue["choices"], 2)
    )


def timed(function, runs: int) -> list[float]:
    """Milliseconds per call, after three warm-up calls."""
    for _ in range(3):
        function()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--page-size", type=int, default=50)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="mailvet-bench-") as folder:
        configure(Path(folder) / "bench.sqlite3")
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext
        from rest_framework.test import APIRequestFactory

        from criteria.api import AssessedServiceViewSet

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        build_services(args.services, random.Random(20261127))  # noqa: S311 (not crypto)
        print(f"built {args.services} services in {time.perf_counter() - started:.1f} s")

        client = Client(HTTP_HOST="localhost")
        url = f"/api/v1/services/?page_size={args.page_size}"
        response = client.get(url)
        assert response.status_code == 200, response.content[:500]
        assert len(response.json()["results"]) == args.page_size

        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        # Counted now: the next request's request_started signal empties the query log.
        query_count = len(queries)
        request_ms = timed(lambda: client.get(url), args.runs)
        deep_ms = timed(lambda: client.get(f"{url}&page=10&openpgp=true"), args.runs)

        # Serialisation alone: the page's objects are fetched once, then serialised each run.
        view = AssessedServiceViewSet(
            action="list", action_map={"get": "list"}, format_kwarg=None, args=(), kwargs={}
        )
        view.request = view.initialize_request(APIRequestFactory().get(url, HTTP_HOST="localhost"))
        view.request.api_language = "ckb"
        page = view.paginate_queryset(view.filter_queryset(view.get_queryset()))
        serialise_ms = timed(lambda: view.get_serializer(page, many=True).data, args.runs)

        csv_ms = timed(lambda: client.get("/api/v1/services/?format=csv"), 5)

    def line(label: str, times: list[float]) -> str:
        return (
            f"{label:<48} median {statistics.median(times):7.1f} ms"
            f"   min {min(times):7.1f}   max {max(times):7.1f}   ({len(times)} runs)"
        )

    print(f"queries per request (GET {url}): {query_count}")
    print(line(f"GET {url}", request_ms))
    print(line("GET ...&page=10&openpgp=true", deep_ms))
    print(line(f"serialise a page of {args.page_size} (ckb, no HTTP)", serialise_ms))
    print(line(f"GET ?format=csv (all {args.services})", csv_ms))
    verdict = "OK" if statistics.median(serialise_ms) < TARGET_MS else "TOO SLOW"
    print(f"target: a page of {args.page_size} serialises in < {TARGET_MS:.0f} ms: {verdict}")
    return 0 if verdict == "OK" else 1


if __name__ == "__main__":
    sys.exit(main())

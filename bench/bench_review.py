"""Benchmark the review of live content: what a pending revision costs editors and visitors.

Run: DEBUG=true .venv/bin/python bench/bench_review.py [--requests 20]

Everything runs in one process against a throw-away SQLite database (tempfile.mkdtemp: migrated,
seed loaded; nothing touches db.sqlite3), with the page cache off so every request renders.
For the seed's Proton Mail (the service with the most parts: links, downloads, domains,
sections, feature values, free features):

1. the admin change form, GET: live content without a revision (plain Django) against the same
   form showing an open revision (applied inside a transaction that is rolled back);
2. saving the form into the revision (POST);
3. publishing the revision (fields, every language and every part, one history record);
4. the public service page and its API detail, with and without an open revision: visitors must
   pay nothing for it (same medians within noise, same query counts).

Prints the median of REQUESTS timings and the number of queries of one request for each.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="mailvet-bench-review-")
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3",
            "PAGE_CACHE_SECONDS": "0",
            "ADMIN_REQUIRE_OTP": "false",  # the bench signs in with force_login
            "CELERY_TASK_ALWAYS_EAGER": "true",
        }
    )
    sys.path.insert(0, str(ROOT))
    try:
        run(args.requests)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run(requests: int) -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()  # the test client's response.context, as the tests use it
    # As the test runner does: keep one connection across requests, so queries can be counted.
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    call_command("migrate", verbosity=0)
    call_command("loadseed", verbosity=0)
    from portal.accounts import create_staff_member
    from portal.models import Revision
    from portal.review import move_revision
    from providers.models import Service
    from tests.conftest import change_form_data

    users = get_user_model().objects
    editor = users.get(username=create_staff_member("bench-editor", "editor").username)
    publisher = users.get(username=create_staff_member("bench-publisher", "publisher").username)
    as_editor, visitor = Client(), Client()
    as_editor.force_login(editor)
    service = Service.objects.get(slug="proton-mail")
    change_url = f"/admin/providers/service/{service.pk}/change/"
    page_url = f"/en/services/{service.slug}/"
    api_url = f"/api/v1/services/{service.slug}/"

    def measure(label: str, request: Callable[[], object]) -> None:
        reset_queries()  # the log keeps 9,000 entries: a full one would count nothing
        with CaptureQueriesContext(connection) as queries:
            request()
        timings = []
        for _ in range(requests):
            started = time.perf_counter()
            request()
            timings.append(time.perf_counter() - started)
        median = statistics.median(timings) * 1000
        print(f"  {label:<58} {median:8.1f} ms {len(queries):5d} queries")

    print(f"Median of {requests} requests; Proton Mail with {_parts(service)} inline parts.")
    print("1. Admin change form (GET)")
    measure("live content, no revision", lambda: as_editor.get(change_url))
    visitor_figures(measure, visitor, page_url, api_url, "no revision")

    data = change_form_data(as_editor.get(change_url))
    counter = iter(range(10**6))

    def save() -> None:
        data["summary_en"] = f"Edited {next(counter)}."
        response = as_editor.post(change_url, data)
        assert response.status_code == 302, response.status_code

    print("2. Saving the form into the revision (POST)")
    measure("save into the open revision", save)
    measure("live content, open revision (applied, rolled back)", lambda: as_editor.get(change_url))
    visitor_figures(measure, visitor, page_url, api_url, "open revision")

    print("3. Publishing")
    revision = Revision.objects.open().of(service).get()
    move_revision(revision, "submit", editor)
    started = time.perf_counter()
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        move_revision(revision, "publish", publisher)
    elapsed = (time.perf_counter() - started) * 1000
    print(f"  {'publish (one run)':<58} {elapsed:8.1f} ms {len(queries):5d} queries")
    service.refresh_from_db()
    assert service.summary_en.startswith("Edited"), service.summary_en


def visitor_figures(measure: Callable, visitor: object, page: str, api: str, label: str) -> None:
    measure(f"visitor: service page, {label}", lambda: visitor.get(page))  # type: ignore[attr-defined]
    measure(f"API client: service detail, {label}", lambda: visitor.get(api))  # type: ignore[attr-defined]


def _parts(service: object) -> int:
    from portal.snapshots import part_ids

    return len(part_ids(service))  # type: ignore[arg-type]


if __name__ == "__main__":
    main()

"""Benchmark the public comparison page with 1,000 synthetic published services.

Run: DEBUG=true .venv/bin/python bench/bench_pages.py [--services 1000] [--runs 20]

It reuses bench_api.py's throw-away SQLite database and generator (nothing touches
db.sqlite3), then times, with Django's test client in one run:

- the unfiltered comparison page `/en/compare/` (its first page of rows), rendered every time
  (the page cache is off; the comparison's index and rendered rows are warm after the first);
- the same page from the page cache;
- a static file (`/static/css/site.css`) served by the same stack (WhiteNoise), as the baseline.

It prints the medians, their ratio to the static file, and the page's number of queries. The
target is a median below 150 ms for the rendered page.
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

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_api import build_services, configure, timed

TARGET_MS = 150.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    os.environ["PAGE_CACHE_SECONDS"] = "0"  # measure rendering, not the cache
    with tempfile.TemporaryDirectory(prefix="mailvet-bench-") as folder:
        configure(Path(folder) / "bench.sqlite3")
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext, override_settings

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        build_services(args.services, random.Random(20261127))  # noqa: S311 (not crypto)
        print(f"built {args.services} services in {time.perf_counter() - started:.1f} s")

        client = Client(HTTP_HOST="localhost")
        page = "/en/compare/"
        response = client.get(page)
        assert response.status_code == 200, response.content[:500]
        from providers.compare_view import PAGE_SIZE

        rows = response.content.count(b'name="compare"')
        assert rows == min(args.services, PAGE_SIZE), rows  # the first page of the table
        with CaptureQueriesContext(connection) as queries:
            client.get(page)
        # Counted now: the query log is a bounded deque that the timed runs below overwrite.
        query_count = len(queries)

        def get_static() -> None:
            static = client.get("/static/css/site.css")
            assert static.status_code == 200
            b"".join(static.streaming_content)

        rendered = timed(lambda: client.get(page), args.runs)
        static = timed(get_static, args.runs)
        with override_settings(PAGE_CACHE_SECONDS=600):
            cached = timed(lambda: client.get(page), args.runs)

        def report(label: str, times: list[float]) -> float:
            median = statistics.median(times)
            spread = f"(min {min(times):.2f}, max {max(times):.2f})"
            print(f"{label:<34} median {median:8.2f} ms  {spread}")
            return median

        print(f"page size {len(response.content) / 1024:.0f} KiB, {query_count} queries")
        median_page = report(f"{page} rendered ({rows} rows)", rendered)
        median_cached = report(f"{page} from the page cache", cached)
        median_static = report("/static/css/site.css (WhiteNoise)", static)
        print(f"ratio rendered / static: {median_page / median_static:.0f}x")
        print(f"ratio cached / static:   {median_cached / median_static:.1f}x")
        verdict = "OK" if median_page < TARGET_MS else "SLOWER THAN TARGET"
        print(f"target < {TARGET_MS:.0f} ms median (rendered): {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

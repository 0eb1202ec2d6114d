"""Service pages and the API against their static twins, at several catalogue sizes, through
gunicorn; and a load run of random comparison, service and API pages with 4 workers.

Run: .venv/bin/python bench/bench_near_static.py [--sizes 8,1000,10000] [--samples 30] [--runs 5]
     [--load-seconds 20]

For each size it builds a throw-away SQLite database as bench_comparison.py does, starts
gunicorn (1 worker, DEBUG off, the page cache and kept representations ON: a service's page and
API representation are made once per language and version), and:

1. fetches random service pages (en, ckb), API list pages with random filter combinations
   (page_size 50) and API details, saving each response's bytes as its static twin;
2. restarts gunicorn (nothing kept in its memory; the shared file cache is emptied too), then
   times each URL the first time (made: rendered or serialised) and again (kept), and its twin
   (median of --runs);
3. prints medians and the median ratio kept / twin per kind of URL, and the worker's memory.

Then, at the largest size, a load run: gunicorn with 4 workers, 20 concurrent clients for
--load-seconds, each request a random comparison filter combination (page cache off: any
combination), a service page or an API page; it prints requests/s, p50, p99 and errors.

Goals (issue "near-static cost"): service pages and the API <= 10x their twins.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_comparison import Gunicorn, build, combinations, environment, timed_get


def service_slugs(work: Path, env: dict[str, str], count: int, rng: random.Random) -> list[str]:
    server = Gunicorn(env, work)
    try:
        slugs: list[str] = []
        page = 1
        with httpx.Client(base_url=server.base, timeout=120) as client:
            while True:
                body = client.get(f"/api/v1/services/?page_size=200&page={page}").json()
                slugs += [item["slug"] for item in body["results"]]
                if not body["next"]:
                    break
                page += 1
    finally:
        server.stop()
    return rng.sample(slugs, min(count, len(slugs)))


def urls_for(slugs: list[str], samples: int, rng: random.Random) -> dict[str, list[str]]:
    queries = combinations(samples, rng)
    return {
        "service page": [
            f"/{language}/services/{slug}/" for language in ("en", "ckb") for slug in slugs
        ],
        "API list": [
            "/api/v1/services/?page_size=50" + (f"&{query}" if query else "") for query in queries
        ],
        "API detail": [f"/api/v1/services/{slug}/" for slug in slugs],
    }


def measure(size: int, samples: int, runs: int) -> None:
    work = Path(tempfile.mkdtemp(prefix=f"mailvet-near-static-{size}-"))
    try:
        env = environment(work)
        env.update(PAGE_CACHE_SECONDS="600", CACHE_DIR=str(work / "cache"))
        started = time.perf_counter()
        build(size, work, env)
        print(f"\n== {size} services (built in {time.perf_counter() - started:.0f} s)")
        rng = random.Random(size)  # noqa: S311 (not crypto)
        slugs = service_slugs(work, env, samples // 2 or 1, rng)
        kinds = urls_for(slugs, samples, rng)
        twins = work / "static" / "twins"
        twins.mkdir(parents=True)
        names: dict[str, str] = {}
        server = Gunicorn(env, work)
        with httpx.Client(base_url=server.base, timeout=120) as client:
            for urls in kinds.values():
                for url in urls:
                    response = client.get(url, headers={"Accept-Encoding": "identity"})
                    assert response.status_code == 200, (url, response.status_code)
                    names[url] = f"{len(names)}.txt"
                    (twins / names[url]).write_bytes(response.content)
        server.stop()
        shutil.rmtree(work / "cache", ignore_errors=True)  # nothing kept from the first run

        server = Gunicorn(env, work)
        with httpx.Client(base_url=server.base, timeout=120) as client:
            timed_get(client, "/api/v1/services/?page_size=1")  # builds the index
            for kind, urls in kinds.items():
                made, kept, twin = [], [], []
                for url in urls:
                    made.append(timed_get(client, url, **{"Accept-Encoding": "identity"})[0])
                    kept.append(
                        statistics.median(
                            timed_get(client, url, **{"Accept-Encoding": "identity"})[0]
                            for _ in range(runs)
                        )
                    )
                    twin.append(
                        statistics.median(
                            timed_get(client, f"/static/twins/{names[url]}")[0] for _ in range(runs)
                        )
                    )
                ratios = [k / t for k, t in zip(kept, twin, strict=True)]
                print(
                    f"{kind:13} ({len(urls):3} URLs): made {statistics.median(made):6.2f} ms, "
                    f"kept {statistics.median(kept):5.2f} ms, twin {statistics.median(twin):5.2f}"
                    f" ms -> kept/twin {statistics.median(ratios):4.1f}x "
                    f"(worst {max(ratios):.1f}x), made/twin "
                    f"{statistics.median(m / t for m, t in zip(made, twin, strict=True)):4.1f}x"
                )
            print(f"worker RSS after the run: {server.worker_rss_mb():.0f} MB")
        server.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def load_run(size: int, seconds: float, rng: random.Random) -> None:
    """4 workers, 20 clients, random comparison combinations, service pages and API pages."""
    work = Path(tempfile.mkdtemp(prefix=f"mailvet-load-{size}-"))
    try:
        env = environment(work)
        # The comparison uncached (any combination); service pages and the API keep what they
        # make, as in production. The page cache is one setting, so the comparison's URLs carry
        # a random page of results and order to be new each time.
        env.update(PAGE_CACHE_SECONDS="600", CACHE_DIR=str(work / "cache"))
        build(size, work, env)
        slugs = service_slugs(work, env, 200, rng)
        queries = combinations(400, rng)
        server = Gunicorn(env, work, workers=4)
        stop_at = time.perf_counter() + seconds
        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()

        def client_loop(seed: int) -> None:
            local = random.Random(seed)  # noqa: S311 (not crypto)
            with httpx.Client(base_url=server.base, timeout=30) as client:
                while time.perf_counter() < stop_at:
                    choice = local.random()
                    if choice < 0.4:
                        language = local.choice(["en", "ckb", "fa", "de"])
                        url = f"/{language}/compare/?{local.choice(queries)}"
                    elif choice < 0.7:
                        url = f"/{local.choice(['en', 'ckb'])}/services/{local.choice(slugs)}/"
                    elif choice < 0.9:
                        url = f"/api/v1/services/?{local.choice(queries)}"
                    else:
                        url = f"/api/v1/services/{local.choice(slugs)}/"
                    try:
                        elapsed, response = timed_get(client, url)
                        ok = response.status_code == 200
                    except httpx.HTTPError as exc:
                        elapsed, ok = 0.0, False
                        response = None
                        with lock:
                            errors.append(f"{url}: {exc!r}")
                    with lock:
                        if ok:
                            latencies.append(elapsed)
                        elif response is not None:
                            errors.append(f"{url}: {response.status_code}")

        started = time.perf_counter()
        threads = [threading.Thread(target=client_loop, args=(n,)) for n in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        took = time.perf_counter() - started
        server.stop()
        latencies.sort()
        p99 = latencies[int(len(latencies) * 0.99) - 1] if latencies else float("nan")
        print(
            f"\n== load: {size} services, gunicorn 4 workers, 20 clients, {took:.0f} s: "
            f"{len(latencies)} ok, {len(errors)} errors, {len(latencies) / took:.0f} requests/s, "
            f"p50 {statistics.median(latencies):.1f} ms, p99 {p99:.1f} ms"
        )
        for line in errors[:5]:
            print("  error:", line)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="8,1000,10000")
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--load-seconds", type=float, default=20.0)
    args = parser.parse_args()
    sizes = [int(part) for part in args.sizes.split(",")]
    for size in sizes:
        measure(size, args.samples, args.runs)
    if args.load_seconds > 0:
        load_run(max(sizes), args.load_seconds, random.Random(4))  # noqa: S311 (not crypto)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The comparison page against its static twin, at several catalogue sizes, through gunicorn.

Run: .venv/bin/python bench/bench_comparison.py [--sizes 8,1000,10000] [--combos 30] [--runs 5]

For each size it builds a throw-away SQLite database (8 = the seed; larger sizes = synthetic
services from bench_api.py), starts gunicorn (1 worker, DEBUG off, page cache off: the cost of a
filter combination nobody asked for before) and:

1. fetches the unfiltered page and random valid filter combinations in en and ckb, and saves each
   response's bytes as a static file: its "static twin";
2. restarts gunicorn (WhiteNoise reads its files at start-up), warms the index with one request,
   then times each page the first time this process renders it, and its twin (median of --runs),
   both over keep-alive HTTP from this process;
3. prints the medians, the ratio page / twin (the median of the per-page ratios), bytes on the
   wire with gzip, the 304 path, and the worker's resident memory.

Goals (issue "near-static cost"): ratio <= 5 at the seed's 8 services, <= 10 at 1,000 and 10,000;
worker under 200 MB.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx

ROOT = Path(__file__).resolve().parent.parent
BOOLEAN_KEYS = ("openpgp", "wkd", "totp", "imap", "aliases", "custom_domain", "onion_service")
ORDERINGS = ("", "name", "-founded_year", "hq_country", "-free_storage_mb")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(work: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "CELERY_"))
    }
    env.update(
        DEBUG="false",
        SECRET_KEY="bench-" + "x" * 44,
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{work}/bench.sqlite3",
        STATIC_ROOT=str(work / "static"),
        PAGE_CACHE_SECONDS="0",
        CACHE_DIR=str(work / "cache"),  # this run's own, not the checkout's var/cache
        # Plain HTTP on loopback: TLS would terminate in front of gunicorn in production.
        SECURE_SSL_REDIRECT="false",
        API_ANON_THROTTLE_RATE="off",
        CELERY_TASK_ALWAYS_EAGER="true",
        PYTHONPATH=str(ROOT),
        DJANGO_SETTINGS_MODULE="portal.settings",
    )
    return env


def build(size: int, work: Path, env: dict[str, str]) -> None:
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
    if size == 8:
        subprocess.run([*manage, "loadseed", "-v0"], env=env, cwd=ROOT, check=True)
    else:
        code = (
            "import random, django; django.setup();"
            "import sys; sys.path.insert(0, 'bench');"
            "from bench_api import build_services;"
            f"build_services({size}, random.Random(20261130))"
        )
        subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True)
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)


class Gunicorn:
    def __init__(self, env: dict[str, str], work: Path, workers: int = 1) -> None:
        self.port = free_port()
        self.log = work / "gunicorn.log"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "portal.wsgi:application",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--error-logfile",
                str(self.log),
            ],
            env=env,
            cwd=ROOT,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        for _ in range(300):
            try:
                httpx.get(self.base + "/static/img/favicon.svg", timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError(self.log.read_text()[-2000:])

    def worker_rss_mb(self) -> float:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        pids = children.read_text().split()
        for line in Path(f"/proc/{pids[0]}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def combinations(count: int, rng: random.Random) -> list[str]:
    queries = [""]
    while len(queries) < count:
        params: list[tuple[str, str]] = []
        for key in rng.sample(BOOLEAN_KEYS, rng.randint(1, 3)):
            params.append((key, rng.choice(["true", "false"])))
        if rng.random() < 0.3:
            params.append(("kind", rng.choice(["provider", "aliasing", "self_hosted"])))
        if rng.random() < 0.3:
            params.append(("country", rng.choice(["CH", "DE", "NL", "SE"])))
        if rng.random() < 0.2:
            params.append(("free_plan", rng.choice(["true", "false"])))
        ordering = rng.choice(ORDERINGS)
        if ordering:
            params.append(("ordering", ordering))
        queries.append(urlencode(params))
    return queries


def timed_get(client: httpx.Client, url: str, **headers: str) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    response = client.get(url, headers=headers)
    response.read()
    return (time.perf_counter() - started) * 1000, response


def measure(size: int, combos: int, runs: int) -> None:
    work = Path(tempfile.mkdtemp(prefix=f"mailvet-compare-{size}-"))
    try:
        env = environment(work)
        started = time.perf_counter()
        build(size, work, env)
        print(f"\n== {size} services (built in {time.perf_counter() - started:.0f} s)")
        rng = random.Random(size)  # noqa: S311 (not crypto)
        urls = [
            f"/{language}/compare/" + (f"?{query}" if query else "")
            for language in ("en", "ckb")
            for query in combinations(combos, rng)
        ]
        twins = work / "static" / "twins"
        twins.mkdir(parents=True)
        server = Gunicorn(env, work)
        with httpx.Client(base_url=server.base, timeout=120) as client:
            for number, url in enumerate(urls):
                response = client.get(url, headers={"Accept-Encoding": "identity"})
                assert response.status_code == 200, (url, response.status_code)
                (twins / f"{number}.html").write_bytes(response.content)
        server.stop()

        server = Gunicorn(env, work)  # a fresh process: nothing of the first run is kept
        page_ms: list[float] = []
        twin_ms: list[float] = []
        ratios: list[float] = []
        with httpx.Client(base_url=server.base, timeout=120) as client:
            warm_ms, _ = timed_get(client, "/fr/compare/")  # builds the index
            for number, url in enumerate(urls):
                page, response = timed_get(client, url, **{"Accept-Encoding": "identity"})
                assert response.status_code == 200
                twin = statistics.median(
                    timed_get(client, f"/static/twins/{number}.html")[0] for _ in range(runs)
                )
                page_ms.append(page)
                twin_ms.append(twin)
                ratios.append(page / twin)
            again = [timed_get(client, url)[0] for url in urls[:10]]
            plain = client.get(urls[0], headers={"Accept-Encoding": "identity"})
            packed = client.get(urls[0], headers={"Accept-Encoding": "gzip"})
            etag = plain.headers.get("ETag", "")
            not_modified = [
                timed_get(client, urls[0], **{"If-None-Match": etag}) for _ in range(runs)
            ]
            rss = server.worker_rss_mb()
        server.stop()
        sizes = [len((twins / f"{n}.html").read_bytes()) for n in range(len(urls))]
        print(f"index build + first page (fr): {warm_ms:.0f} ms")
        print(
            f"pages: {len(urls)} (en, ckb; {combos} combinations each), "
            f"median size {statistics.median(sizes) / 1024:.0f} KiB"
        )
        print(f"page, first render  median {statistics.median(page_ms):7.2f} ms")
        print(f"page, rendered again median {statistics.median(again):7.2f} ms")
        print(f"static twin         median {statistics.median(twin_ms):7.2f} ms")
        print(
            f"ratio page / twin   median {statistics.median(ratios):5.1f}x "
            f"(worst {max(ratios):.1f}x)"
        )
        print(
            f"bytes on the wire: {len(plain.content) / 1024:.0f} KiB plain, "
            f"{packed.num_bytes_downloaded / 1024:.0f} KiB gzip"
        )
        codes = {response.status_code for _ms, response in not_modified}
        print(
            f"304 path: status {sorted(codes)}, median "
            f"{statistics.median(ms for ms, _response in not_modified):.2f} ms"
        )
        print(f"worker RSS after the run: {rss:.0f} MB")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="8,1000,10000")
    parser.add_argument("--combos", type=int, default=30)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    for size in (int(part) for part in args.sizes.split(",")):
        measure(size, args.combos, args.runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

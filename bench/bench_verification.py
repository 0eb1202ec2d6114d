"""Benchmark continuous verification: queued audits against direct ones, and pages with history.

Run: DEBUG=true .venv/bin/python bench/bench_verification.py
     [--services 50] [--compare-services 1000] [--requests 30]   (smaller for a quick try)

Everything is measured in one run, in a throw-away folder (tempfile.mkdtemp) that holds a SQLite
database (migrated, seed loaded; nothing touches db.sqlite3), a private redis-server, the local
test network and the worker's log; all of it is stopped and removed at the end, also on failure.

1. Throughput. SERVICES published providers whose domains are SERVICES generated test-network
   zones (gen01.test ...; mail domain, web host and submission host, as
   tests/factories.py:make_audited_service enters them), audited twice:
   (a) queued: `audits.pipeline.request_run` for each service (it dispatches the task to the
       private Redis), run by a real `celery worker` with WORKER_PROCESSES prefork processes
       (tests/workers.py). Wall time from the first enqueue to the last run's `finished_at`;
   (b) direct: the same plans (`plan_service`, then `run_audit(..., only=plan.checks)` per
       domain) in a ProcessPoolExecutor(WORKER_PROCESSES), no broker, no database writes.
   Prints both wall times, services per minute, and the overhead of the queue and the database,
   (a - b) / b (goal: under 10 %), plus how many results differ in status between the two. For
   (a) also: time queued and time running per run, runs claimed more than once (a task retried,
   e.g. after SQLite's "database is locked"), runs left without dispatched_at, and the worker
   log's retries and errors.
   Before either, one pass of the DNS-only checks warms the resolver's cache; (a) runs first, so
   whatever warmth is left favours (b): the overhead printed errs on the high side.
2. Page and API cost with history. One published provider with 3 domains and HISTORY_RUNS
   finished runs x CHECKS_PER_DOMAIN results x 3 domains (bulk_create, varied statuses).
   GET /en/services/<slug>/ and GET /api/v1/services/<slug>/: the median of REQUESTS requests
   and the number of queries, with 1 run and with HISTORY_RUNS runs (the counts must be equal).
3. The comparison page's `verified` filter. COMPARE_SERVICES published services (bulk_create),
   each with feature values, a mail domain and a web host, and one finished run of about 20
   results; some pass dnssec and dane on every domain, some do not. The median of REQUESTS
   requests of /en/compare/?verified=dnssec,dane and of /en/compare/, and how many matched.
   (The services of parts 1 and 2 are unpublished first, so the page shows these and the seed's.)

The page cache is off (PAGE_CACHE_SECONDS=0) and DATABASE_CONN_MAX_AGE=0. The machine's load
average is printed beside the throughput figures: other processes skew them. All waits are
bounded (PHASE_TIMEOUT, STALL_TIMEOUT); a worker that dies stops part 1 with its log's tail.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from contextlib import contextmanager
from datetime import timedelta
from multiprocessing import get_context
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SERVICES = 50
WORKER_PROCESSES = 2
HISTORY_RUNS = 30
CHECKS_PER_DOMAIN = 20
COMPARE_SERVICES = 1000
REQUESTS = 30
OVERHEAD_GOAL = 10.0  # per cent
# Bounds: a phase of part 1 as a whole, and a phase in which no run finishes.
PHASE_TIMEOUT = 1200.0
STALL_TIMEOUT = 300.0
POLL_SECONDS = 0.5
# The checks that only ask the resolver: one pass of them warms its cache for (a) and (b) alike.
DNS_ONLY = ("dnssec", "mx", "spf", "dmarc", "dkim", "tls_rpt", "caa")

# One result row of an audit: (service slug, domain, check, target) -> status, message, details.
Key = tuple[str, str, str, str]
Row = tuple[Key, str, str, dict]


class BenchFailure(Exception):
    """A phase could not be measured; the message says why."""


def configure(folder: Path, redis_url: str) -> None:
    """Point Django at the throw-away database and the private Redis before it is set up."""
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    os.environ["DATABASE_CONN_MAX_AGE"] = "0"
    os.environ["REDIS_URL"] = redis_url  # broker and cache, as in production
    os.environ["CELERY_BROKER_URL"] = redis_url
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    os.environ["PAGE_CACHE_SECONDS"] = "0"  # measure rendering, not the cache
    os.environ["API_ANON_THROTTLE_RATE"] = "off"  # one client, many requests
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


def median_ms(times: list[float]) -> str:
    return f"median {statistics.median(times):7.1f} ms (min {min(times):.1f}, max {max(times):.1f})"


def timed(function: Callable[[], object], runs: int) -> list[float]:
    """Milliseconds per call, after three warm-up calls."""
    for _ in range(3):
        function()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return times


@contextmanager
def temp_files_in(folder: Path) -> Iterator[None]:
    """New temporary files (the worker's log) go to `folder` meanwhile."""
    previous = tempfile.tempdir
    tempfile.tempdir = str(folder)
    try:
        yield
    finally:
        tempfile.tempdir = previous


# --- Part 1: throughput ------------------------------------------------------------------------


def make_services(domains: tuple[Any, ...]) -> list[Any]:
    from tests.factories import make_audited_service

    return [
        make_audited_service(domain, name=f"Generated Mail {n:02d}", slug=f"generated-{n:02d}")
        for n, domain in enumerate(domains, 1)
    ]


def warm_resolver(plans: dict[str, list[Any]], config: Any) -> float:
    from audits.runner import run_audit

    started = time.monotonic()
    for service_plans in plans.values():
        for plan in service_plans:
            only = tuple(key for key in plan.checks if key in DNS_ONLY)
            if only:
                run_audit(plan.target, config, only=only)
    return time.monotonic() - started


def queued_audits(services: list[Any], worker: Any) -> tuple[float, list[Row]]:
    """(a): request_run for each service, then wait for the worker to finish them all."""
    from django.db.models import Max
    from django.utils import timezone

    from audits.models import FINISHED_STATES, AuditResult, AuditRun, RunState, Trigger
    from audits.pipeline import request_run

    first_enqueue = timezone.now()
    enqueue_started = time.monotonic()
    ids = []
    for service in services:
        run, created = request_run(service, Trigger.COMMAND)
        if not created:
            raise BenchFailure(f"{service.slug} already had an active run #{run.pk}")
        ids.append(run.pk)
    enqueue_seconds = time.monotonic() - enqueue_started
    runs = AuditRun.objects.filter(pk__in=ids)
    # Still queued without a send time: the message never reached the broker (no worker can
    # have claimed a run whose message it never got).
    unsent = runs.filter(state=RunState.QUEUED, dispatched_at__isnull=True).count()
    if unsent:
        raise BenchFailure(f"{unsent} runs never reached the broker (Redis down?)")

    deadline = time.monotonic() + PHASE_TIMEOUT
    last_progress, finished = time.monotonic(), 0
    while finished < len(ids):
        if worker.process.poll() is not None:
            raise BenchFailure(
                f"the worker died (exit code {worker.process.returncode}) with {finished} of "
                f"{len(ids)} runs finished; its log ends:\n{worker.output()}"
            )
        now = time.monotonic()
        if now > deadline or now - last_progress > STALL_TIMEOUT:
            states = dict(Counter(runs.values_list("state", flat=True)))
            why = "the phase's bound" if now > deadline else "no run finished for too long"
            raise BenchFailure(
                f"gave up waiting ({why}): run states {states}; the worker's log ends:\n"
                f"{worker.output()}"
            )
        time.sleep(POLL_SECONDS)
        count = runs.filter(state__in=FINISHED_STATES).count()
        if count > finished:
            finished, last_progress = count, time.monotonic()

    last_finish = runs.aggregate(last=Max("finished_at"))["last"]
    wall = (last_finish - first_enqueue).total_seconds()
    states = Counter(runs.values_list("state", flat=True))
    print(f"  enqueued {len(ids)} runs in {enqueue_seconds * 1000:.0f} ms")
    if states[RunState.DONE] != len(ids):
        errors = runs.exclude(state=RunState.DONE).values_list("pk", "state", "error")
        listed = "\n".join(f"    run {pk}: {state}: {error[:300]}" for pk, state, error in errors)
        raise BenchFailure(f"not every run is done: {dict(states)}\n{listed}")
    retried = runs.filter(attempts__gt=1).count()
    # audits/dispatch.py records the send only while the run is still queued: a worker that
    # claims it first leaves it without dispatched_at and task_id.
    unrecorded = runs.filter(dispatched_at__isnull=True).count()
    print(f"  runs claimed before their send was recorded (no dispatched_at/task id): {unrecorded}")
    queue_wait = sorted((r.started_at - r.queued_at).total_seconds() for r in runs)
    run_time = sorted((r.finished_at - r.started_at).total_seconds() for r in runs)
    print(
        f"  per run: median {statistics.median(run_time):.1f} s from claim to finish, "
        f"median {statistics.median(queue_wait):.1f} s queued; runs claimed more than once: "
        f"{retried}"
    )
    rows = [
        ((slug, domain, check, target), status, message, details)
        for slug, domain, check, target, status, message, details in AuditResult.objects.filter(
            run__in=ids
        ).values_list(
            "run__service__slug", "domain", "check_key", "target", "status", "message", "details"
        )
    ]
    return wall, rows


def _child_setup(root: str) -> None:
    """A direct-audit process: Django set up (translations, settings), no database used."""
    sys.path.insert(0, root)
    import django

    django.setup()
    import audits.runner  # noqa: F401 (imported before the clock starts, as in the worker)


def _child_ready(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def _audit_directly(slug: str, plans: list[Any], config: Any) -> tuple[list[Row], float]:
    """One service's plans, audited as audits.pipeline.execute does, without storing anything."""
    from audits.checks.result import CheckStatus
    from audits.pipeline import MAX_TARGET, source_text
    from audits.runner import run_audit

    started = time.monotonic()
    rows: list[Row] = []
    for plan in plans:
        report = run_audit(plan.target, config, only=plan.checks)
        for result in report.results:
            target = (result.target or plan.name)[:MAX_TARGET]
            key = (slug, plan.name, result.check, target)
            status = CheckStatus(result.status).value
            rows.append((key, status, source_text(result.summary), result.details))
    return rows, time.monotonic() - started


def direct_audits(plans: dict[str, list[Any]], config: Any) -> tuple[float, list[Row]]:
    """(b): the same plans in WORKER_PROCESSES processes, no broker, no database."""
    pool = ProcessPoolExecutor(
        WORKER_PROCESSES,
        mp_context=get_context("spawn"),
        initializer=_child_setup,
        initargs=(str(ROOT),),
    )
    try:
        # Start (and set up) every process before the clock starts, as the worker's are.
        ready = [pool.submit(_child_ready, 1.0) for _ in range(WORKER_PROCESSES)]
        done, _ = wait(ready, timeout=120)
        if len(done) != len(ready):
            raise BenchFailure("the direct-audit processes did not start within 120 s")
        pids = {future.result() for future in ready}
        if len(pids) != WORKER_PROCESSES:
            raise BenchFailure(f"expected {WORKER_PROCESSES} processes, got {len(pids)}")
        started = time.monotonic()
        pending = {pool.submit(_audit_directly, slug, p, config) for slug, p in plans.items()}
        rows: list[Row] = []
        per_service: list[float] = []
        last_progress = started
        while pending:
            now = time.monotonic()
            if now - started > PHASE_TIMEOUT or now - last_progress > STALL_TIMEOUT:
                raise BenchFailure(
                    f"gave up waiting for the direct audits: {len(pending)} of {len(plans)} "
                    "services not finished"
                )
            done, pending = wait(pending, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
            for future in done:
                service_rows, seconds = future.result()
                rows += service_rows
                per_service.append(seconds)
                last_progress = time.monotonic()
        wall = time.monotonic() - started
        print(f"  per service: median {statistics.median(per_service):.1f} s of auditing")
        return wall, rows
    except BaseException:
        # A process may be stuck in a check: kill them rather than wait for it.
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            if process.is_alive():
                process.kill()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def compare_rows(queued: list[Row], direct: list[Row]) -> None:
    a = {key: status for key, status, _message, _details in queued}
    b = {key: status for key, status, _message, _details in direct}
    differ = sorted(key for key in a.keys() & b.keys() if a[key] != b[key])
    print(
        f"  results: (a) {len(a)}, (b) {len(b)}; statuses of (a): "
        + ", ".join(f"{status} {n}" for status, n in Counter(a.values()).most_common())
    )
    only = len(a.keys() ^ b.keys())
    print(f"  results whose status differs between (a) and (b): {len(differ)}; in one only: {only}")
    for key in differ[:5]:
        print(f"    {' '.join(key)}: (a) {a[key]}, (b) {b[key]}")


def print_worker_problems(worker: Any) -> None:
    """The worker log's retries, warnings and errors (the first few), if any."""
    try:
        lines = worker.log.read_text(errors="replace").splitlines()
    except OSError:
        return
    words = ("Retry", "WARNING", "ERROR", "Error", "locked")
    problems = [line for line in lines if any(word in line for word in words)]
    if problems:
        print(f"  the worker logged {len(problems)} retries, warnings or errors; the first:")
        for line in problems[:8]:
            print(f"    {line[:300]}")


def throughput(net: Any, redis_url: str, folder: Path, services: list[Any]) -> list[Row]:
    from audits.net.config import NetConfig
    from audits.pipeline import plan_service
    from tests.workers import Worker

    config = NetConfig.from_env(net.env)
    plans = {service.slug: plan_service(service) for service in services}
    domains = sum(len(p) for p in plans.values())
    checks = sum(len(plan.checks) for p in plans.values() for plan in p)
    print(f"{len(services)} services, {domains} domains and hosts, {checks} checks in all")
    print(f"  resolver cache warmed by the DNS-only checks in {warm_resolver(plans, config):.1f} s")

    queued_wall = direct_wall = None
    queued_rows: list[Row] = []
    direct_rows: list[Row] = []
    print(f"(a) request_run -> Redis -> celery worker --concurrency={WORKER_PROCESSES}:")
    worker = None
    try:
        started = time.monotonic()
        with temp_files_in(folder):
            worker = Worker(redis_url, net.env, concurrency=WORKER_PROCESSES)
        print(f"  worker ready in {time.monotonic() - started:.1f} s (not counted)")
        print(f"  {load()} before")
        queued_wall, queued_rows = queued_audits(services, worker)
        print(f"  {load()} after")
        print(
            f"  wall time {queued_wall:.1f} s, "
            f"{len(services) / queued_wall * 60:.1f} services per minute"
        )
    except (BenchFailure, AssertionError) as exc:
        print(f"  FAILED: {exc}")
    finally:
        if worker is not None:
            print_worker_problems(worker)
            worker.stop()

    print(f"(b) the same plans in ProcessPoolExecutor({WORKER_PROCESSES}), no broker, no database:")
    try:
        print(f"  {load()} before")
        direct_wall, direct_rows = direct_audits(plans, config)
        print(f"  {load()} after")
        print(
            f"  wall time {direct_wall:.1f} s, "
            f"{len(services) / direct_wall * 60:.1f} services per minute"
        )
    except BenchFailure as exc:
        print(f"  FAILED: {exc}")

    if queued_wall is not None and direct_wall is not None:
        overhead = (queued_wall - direct_wall) / direct_wall * 100
        verdict = "OK" if overhead < OVERHEAD_GOAL else "ABOVE THE GOAL"
        print(
            f"overhead of the queue and the database, (a - b) / b: {overhead:+.1f} % "
            f"(goal < {OVERHEAD_GOAL:.0f} %: {verdict})"
        )
        compare_rows(queued_rows, direct_rows)
    else:
        print("overhead of the queue and the database: not measured (see above)")
    return direct_rows or queued_rows


# --- Part 2: a service page and its API detail with a long history ------------------------------

STATUS_WEIGHTS = {"pass": 60, "warn": 15, "fail": 10, "error": 5, "info": 5, "not_applicable": 5}


def result_templates(rows: list[Row]) -> dict[str, tuple[str, dict]]:
    """check -> (message, details) of a real result, so synthetic rows look like real ones."""
    templates: dict[str, tuple[str, dict]] = {}
    for (_slug, _domain, check, _target), _status, message, details in rows:
        templates.setdefault(check, (message, details))
    return templates


def history_rows(
    run: Any,
    domains: list[tuple[str, str]],
    templates: dict[str, tuple[str, dict]],
    rng: random.Random,
) -> list[Any]:
    """CHECKS_PER_DOMAIN results per domain: every check once, tls_mail twice (two targets)."""
    from audits.models import AuditResult
    from audits.registry import CHECKS

    keys = [spec.key for spec in CHECKS]
    statuses, weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    rows = []
    for name, role in domains:
        targets = [(key, name) for key in keys]
        extra = CHECKS_PER_DOMAIN - len(targets)
        targets += [("tls_mail", f"mx{n}.{name}") for n in range(2, 2 + extra)]
        for check, target in targets:
            message, details = templates.get(check, ("Synthetic result.", {"synthetic": True}))
            rows.append(
                AuditResult(
                    run=run,
                    domain=name,
                    role=role,
                    check_key=check,
                    target=target,
                    status=rng.choices(statuses, weights)[0],
                    message=message,
                    details=details,
                    duration_ms=round(rng.uniform(5, 3000), 1),
                    checked_at=run.finished_at,
                )
            )
    return rows


def add_history(service: Any, count: int, first: int, templates: dict, rng: random.Random) -> None:
    from django.utils import timezone

    from audits.finish import outcome
    from audits.models import AuditResult, AuditRun, RunState, Trigger

    domains = list(service.domains.values_list("name", "role"))
    oldest = timezone.now() - timedelta(days=HISTORY_RUNS + 1)
    runs = AuditRun.objects.bulk_create(
        AuditRun(
            service=service,
            trigger=Trigger.SCHEDULED,
            state=RunState.DONE,
            started_at=oldest + timedelta(days=n),
            finished_at=oldest + timedelta(days=n, seconds=40),
            dispatched_at=oldest + timedelta(days=n),
            attempts=1,
            changed=True,
        )
        for n in range(first, first + count)
    )
    results = []
    for run in runs:
        rows = history_rows(run, domains, templates, rng)
        run.outcome = outcome({row.status for row in rows})
        results += rows
    AuditRun.objects.bulk_update(runs, ["outcome"])
    AuditResult.objects.bulk_create(results)


def measure_detail(client: Any, urls: dict[str, str]) -> dict[str, tuple[int, list[float]]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    measured = {}
    for label, url in urls.items():
        response = client.get(url)
        if response.status_code != 200:
            raise BenchFailure(f"GET {url}: {response.status_code} {response.content[:300]!r}")
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        count = len(queries)  # counted now: later requests may empty the log
        measured[label] = (count, timed(lambda url=url: client.get(url), REQUESTS))
    return measured


def page_and_api_with_history(templates: dict[str, tuple[str, dict]]) -> list[int]:
    from django.test import Client

    from audits.models import AuditResult, AuditRun
    from providers.models import ServiceDomain
    from tests.factories import make_published_service

    rng = random.Random(20261201)  # noqa: S311 (not crypto)
    service = make_published_service(name="History Mail", slug="history-mail")
    for name, role in (
        ("history-mail.example", ServiceDomain.Role.MAIL),
        ("www.history-mail.example", ServiceDomain.Role.WEB),
        ("smtp.history-mail.example", ServiceDomain.Role.SUBMISSION),
    ):
        ServiceDomain.objects.create(service=service, name=name, role=role)
    slug = service.slug
    urls = {"page": f"/en/services/{slug}/", "api": f"/api/v1/services/{slug}/"}
    client = Client(HTTP_HOST="localhost")

    add_history(service, 1, 0, templates, rng)
    one = measure_detail(client, urls)
    add_history(service, HISTORY_RUNS - 1, 1, templates, rng)
    many = measure_detail(client, urls)
    runs = AuditRun.objects.filter(service=service).count()
    results = AuditResult.objects.filter(run__service=service).count()
    print(
        f"1 provider, 3 domains, {runs} finished runs, {results} results "
        f"({CHECKS_PER_DOMAIN} per domain and run); page cache off"
    )
    equal = True
    for label, url in urls.items():
        (count_one, times_one), (count_many, times_many) = one[label], many[label]
        equal &= count_one == count_many
        print(f"  GET {url}")
        print(f"    with 1 run:   {count_one:3d} queries, {median_ms(times_one)}")
        print(f"    with {runs} runs: {count_many:3d} queries, {median_ms(times_many)}")
    print(f"  query counts equal with 1 and {runs} runs: {'yes' if equal else 'NO'}")
    return [service.pk]


# --- Part 3: the comparison page's `verified` filter --------------------------------------------


def build_compare_services(count: int, rng: random.Random) -> int:
    """`count` published services with one finished run each; returns how many should match
    verified=dnssec,dane (computed from the rows written, the filter's own definition)."""
    from django.utils import timezone

    from audits.finish import outcome
    from audits.models import AuditResult, AuditRun, RunState, Trigger
    from audits.registry import checks_for_role
    from portal.publishing import PublicationState
    from providers.filters import BOOLEAN_FEATURE_KEYS
    from providers.models import Feature, FeatureValue, Service, ServiceDomain, ServiceKind

    now = timezone.now()
    kinds = list(ServiceKind.values)
    services = Service.objects.bulk_create(
        Service(
            kind=kinds[n % len(kinds)],
            name=f"Verified Mail {n:04d}",
            slug=f"verified-mail-{n:04d}",
            summary_en=f"Synthetic service number {n}, for the benchmark.",
            hq_country=rng.choice(["CH", "DE", "NL", "SE", ""]),
            founded_year=rng.choice([None, *range(2000, 2024)]),
            free_plan=rng.choice([True, False, None]),
            state=PublicationState.PUBLISHED,
            published_at=now,
        )
        for n in range(count)
    )
    features = list(Feature.objects.filter(key__in=BOOLEAN_FEATURE_KEYS, kind=Feature.Kind.BOOLEAN))
    FeatureValue.objects.bulk_create(
        FeatureValue(service=s, feature=f, bool_value=rng.random() < 0.6, status="good")
        for s in services
        for f in features
    )
    domains, runs = [], []
    for service in services:
        host = f"{service.slug}.example"
        domains += [
            ServiceDomain(service=service, name=host, role=ServiceDomain.Role.MAIL),
            ServiceDomain(service=service, name=f"www.{host}", role=ServiceDomain.Role.WEB),
        ]
        runs.append(
            AuditRun(
                service=service,
                trigger=Trigger.SCHEDULED,
                state=RunState.DONE,
                started_at=now - timedelta(minutes=5),
                finished_at=now - timedelta(minutes=4),
                attempts=1,
            )
        )
    ServiceDomain.objects.bulk_create(domains)
    runs = AuditRun.objects.bulk_create(runs)
    results, matching = [], 0
    for n, (service, run) in enumerate(zip(services, runs, strict=True)):
        host = f"{service.slug}.example"
        # n % 4 == 1 fails dnssec on its web host, n % 4 == 2 warns on dane, n % 8 == 7 has dane
        # not applicable; the others (3 in 8) pass both everywhere (the other checks vary).
        spoil = {1: ("web", "dnssec", "fail"), 2: ("mail", "dane", "warn")}.get(n % 4)
        if n % 8 == 7:
            spoil = ("mail", "dane", "not_applicable")
        rows = []
        for name, role in ((host, "mail"), (f"www.{host}", "web")):
            for check in checks_for_role(role):
                if check in ("dnssec", "dane"):
                    status = "pass"
                else:
                    status = rng.choices(list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values()))[0]
                if spoil is not None and (role, check) == spoil[:2]:
                    status = spoil[2]
                rows.append(
                    AuditResult(
                        run=run,
                        domain=name,
                        role=role,
                        check_key=check,
                        target=name,
                        status=status,
                        message="Synthetic result.",
                        duration_ms=10.0,
                        checked_at=run.finished_at,
                    )
                )
        by_check: dict[str, set[str]] = {}
        for row in rows:
            by_check.setdefault(row.check_key, set()).add(row.status)
        matching += all(by_check.get(key) == {"pass"} for key in ("dnssec", "dane"))
        run.outcome = outcome({row.status for row in rows})
        results += rows
    AuditRun.objects.bulk_update(runs, ["outcome"])
    AuditResult.objects.bulk_create(results, batch_size=2000)
    return matching


def compare_page(hide: list[int]) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from audits.models import AuditResult
    from portal.publishing import PublicationState
    from providers.models import Service

    # Only the synthetic services and the seed's on the page (parts 1 and 2 leave 51 more).
    Service.objects.filter(pk__in=hide).update(state=PublicationState.DRAFT)
    started = time.perf_counter()
    expected = build_compare_services(COMPARE_SERVICES, random.Random(20261127))  # noqa: S311
    results = AuditResult.objects.filter(run__service__slug__startswith="verified-mail-").count()
    print(
        f"built {COMPARE_SERVICES} services with one finished run each ({results} results) "
        f"in {time.perf_counter() - started:.1f} s"
    )
    published = Service.objects.published().count()
    client = Client(HTTP_HOST="localhost")
    pages = {"filtered": "/en/compare/?verified=dnssec,dane", "unfiltered": "/en/compare/"}
    rows = {}
    for label, url in pages.items():
        response = client.get(url)
        if response.status_code != 200:
            raise BenchFailure(f"GET {url}: {response.status_code} {response.content[:300]!r}")
        rows[label] = response.content.count(b'name="compare"')
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        count = len(queries)
        times = timed(lambda url=url: client.get(url), REQUESTS)
        print(f"  GET {url:<36} {rows[label]:5d} rows, {count:2d} queries, {median_ms(times)}")
    print(
        f"  services matching verified=dnssec,dane: {rows['filtered']} of {published} published "
        f"(expected {expected}: {'OK' if rows['filtered'] == expected else 'MISMATCH'})"
    )
    if rows["unfiltered"] != published:
        print(f"  UNEXPECTED: the unfiltered page shows {rows['unfiltered']} of {published}")


# --- Main ----------------------------------------------------------------------------------------


def main() -> int:
    global SERVICES, COMPARE_SERVICES, REQUESTS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=SERVICES)
    parser.add_argument("--compare-services", type=int, default=COMPARE_SERVICES)
    parser.add_argument("--requests", type=int, default=REQUESTS)
    args = parser.parse_args()
    SERVICES, COMPARE_SERVICES, REQUESTS = args.services, args.compare_services, args.requests

    folder = Path(tempfile.mkdtemp(prefix="mailvet-bench-verification-"))
    net_dir = folder / "testnet"
    redis = net = None
    status = 0
    try:
        from tests.workers import RedisServer

        redis = RedisServer()
        configure(folder, redis.url)
        from django.core.management import call_command

        from tests.testnet import network
        from tests.testnet.generated import generated_zones

        redis.start()
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        call_command("loadseed", verbosity=0, stdout=io.StringIO())
        print(f"database migrated and seeded in {time.perf_counter() - started:.1f} s")
        net = network.up(net_dir, SERVICES)
        print(f"test network with {len(net.zones)} zones up in {net.startup_seconds:.1f} s")
        os.environ.update(net.env)  # the tasks' time limits are computed here from it

        print()
        print(f"== 1. Throughput: {SERVICES} services, queued against direct ==")
        services = make_services(generated_zones(SERVICES)[1])
        direct_rows = throughput(net, redis.url, folder, services)
        network.down(net_dir)
        net = None

        print()
        print(f"== 2. Service page and API detail with {HISTORY_RUNS} runs of history ==")
        hidden = [service.pk for service in services]
        hidden += page_and_api_with_history(result_templates(direct_rows))

        print()
        print(f"== 3. /en/compare/ with the verified filter, {COMPARE_SERVICES} services ==")
        compare_page(hidden)
    except BenchFailure as exc:
        print(f"FAILED: {exc}")
        status = 1
    finally:
        if net is not None:
            from tests.testnet import network

            network.down(net_dir)
        if redis is not None:
            redis.stop()
        shutil.rmtree(folder, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())

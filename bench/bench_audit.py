"""Benchmark: audit speed over the local test network (not a test; prints figures).

Run: DEBUG=true .venv/bin/python bench/bench_audit.py

1. A full audit of good.test, REPEATS times: median wall time against the median sum of the
   checks' own times and the median slowest check (goal: wall < 1.5 x slowest).
2. AUDITS audits in one process, one per generated good.test-like domain (gen01.test ...; see
   tests/testnet/generated.py): domains per minute, and any status that differs from what the
   domain's description expects (there should be none: a mismatch means the generator is wrong).

The network serves the 4 hand-written zones plus the AUDITS generated ones; its start-up time is
printed first.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DEBUG", "true")

import django  # noqa: E402

django.setup()

from audits.net.config import NetConfig  # noqa: E402
from audits.runner import AuditReport, run_audit  # noqa: E402
from tests.netutil import audit_target  # noqa: E402
from tests.testnet import network  # noqa: E402
from tests.testnet.generated import generated_zones  # noqa: E402
from tests.testnet.zones import DOMAINS, Domain  # noqa: E402

REPEATS = 7
AUDITS = 50


def full_audit_of_good(config: NetConfig) -> None:
    good = audit_target(next(d for d in DOMAINS if d.name == "good.test"))
    walls, sums, slowest = [], [], []
    for _ in range(REPEATS):
        report = run_audit(good, config)
        durations = [r.duration_ms for r in report.results]
        walls.append(report.wall_ms)
        sums.append(sum(durations))
        slowest.append(max(durations))
    wall, total, worst = (statistics.median(v) for v in (walls, sums, slowest))
    print(f"good.test full audit, {REPEATS} runs, {len(report.results)} checks:")
    print(f"  median wall time        {wall:8.1f} ms")
    print(f"  median sum of checks    {total:8.1f} ms  (wall / sum   = {wall / total:.2f})")
    print(f"  median slowest check    {worst:8.1f} ms  (wall / slowest = {wall / worst:.2f})")
    by_check = sorted(report.results, key=lambda r: -r.duration_ms)[:3]
    print(
        "  slowest in the last run: "
        + ", ".join(f"{r.check} {r.duration_ms:.0f} ms" for r in by_check)
    )


def mismatches(domain: Domain, report: AuditReport) -> list[str]:
    """`check: got X, expected Y` for each expected status the audit did not produce."""
    found = {r.check: str(r.status) for r in report.results}
    return [
        f"{key}: got {found.get(key, 'nothing')}, expected {want}"
        for key, want in domain.expect.items()
        if found.get(key) != want
    ]


def audits_of_generated(domains: tuple[Domain, ...], config: NetConfig) -> None:
    wrong: dict[str, list[str]] = {}
    started = time.monotonic()
    for domain in domains:
        report = run_audit(audit_target(domain), config)
        if problems := mismatches(domain, report):
            wrong[domain.name] = problems
    elapsed = time.monotonic() - started
    print(
        f"{len(domains)} audits of {len(domains)} distinct generated domains in one process: "
        f"{elapsed:.1f} s, {len(domains) / elapsed * 60:.0f} domains per minute"
    )
    print(f"  domains whose statuses differ from their expectations: {len(wrong)}")
    for name, problems in wrong.items():
        print(f"    {name}: {'; '.join(problems)}")


def main() -> None:
    _, domains = generated_zones(AUDITS)
    state = Path(tempfile.mkdtemp(prefix="mailvet-bench-"))
    try:
        net = network.up(state, AUDITS)
        steps = ", ".join(f"{name} at {seconds:.1f} s" for name, seconds in net.timings.items())
        print(
            f"test network with {len(net.zones)} zones up in {net.startup_seconds:.1f} s ({steps})"
        )
        config = NetConfig.from_env(net.env)
        full_audit_of_good(config)
        audits_of_generated(domains, config)
    finally:
        network.down(state)
        shutil.rmtree(state, ignore_errors=True)


if __name__ == "__main__":
    main()

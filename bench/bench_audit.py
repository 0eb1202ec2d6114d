"""Benchmark: audit speed over the local test network (not a test; prints figures).

Run: DEBUG=true .venv/bin/python bench/bench_audit.py

1. A full audit of good.test, REPEATS times: median wall time against the median sum of the
   checks' own times and the median slowest check (goal: wall < 1.5 x slowest).
2. AUDITS audits in one process, cycling over the test network's domains: domains per minute.
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
from audits.runner import AuditTarget, run_audit  # noqa: E402
from tests.testnet import network  # noqa: E402
from tests.testnet.zones import DOMAINS  # noqa: E402

REPEATS = 7
AUDITS = 50


def target_for(domain) -> AuditTarget:  # type: ignore[no-untyped-def]
    return AuditTarget(
        domain.name,
        domain.mx,
        domain.web,
        domain.submission,
        domain.dkim_selectors,
        domain.wkd_address,
    )


def main() -> None:
    state = Path(tempfile.mkdtemp(prefix="mailvet-bench-"))
    net = network.up(state)
    try:
        config = NetConfig.from_env(net.env)
        good = target_for(next(d for d in DOMAINS if d.name == "good.test"))
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

        targets = [target_for(d) for d in DOMAINS]
        started = time.monotonic()
        for index in range(AUDITS):
            run_audit(targets[index % len(targets)], config)
        elapsed = time.monotonic() - started
        print(
            f"{AUDITS} audits over {len(targets)} test domains in one process: "
            f"{elapsed:.1f} s, {AUDITS / elapsed * 60:.0f} domains per minute"
        )
    finally:
        network.down(state)
        shutil.rmtree(state, ignore_errors=True)


if __name__ == "__main__":
    main()

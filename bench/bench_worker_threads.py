"""Benchmark: do the threads of checks abandoned at their bound accumulate in a long-running
worker? (Not a test; prints figures.)

Run: DEBUG=true .venv/bin/python bench/bench_worker_threads.py [AUDITS]

Audits broken.test's tarpit MX (it accepts connections and never answers) AUDITS times (default
100) in one process, as one worker process would over days, twice:
1. with the settings' proportions (a network timeout shorter than the checks' bounds): the
   checks give up on the tarpit themselves;
2. with a network timeout (8 s) longer than the checks' bound plus the runner's grace (1 + 5 s),
   so the runner abandons every check at its bound and leaves its thread to end on its own.
Prints the process's thread count every 10 audits and after a pause at the end: a count that
keeps growing with the number of audits is a leak; a flat one is not.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import statistics
import sys
import tempfile
import threading
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

CHECKS = ("starttls", "tls_mail")
TARPIT = AuditTarget("broken.test", mx_hosts=("tarpit.broken.test",))


def scenario(title: str, config: NetConfig, audits: int) -> None:
    print(title)
    print(f"threads at start: {threading.active_count()}")
    walls = []
    for number in range(1, audits + 1):
        report = run_audit(TARPIT, config, only=CHECKS)
        walls.append(report.wall_ms)
        if number % 10 == 0:
            statuses = ",".join(str(r.status) for r in report.results)
            print(
                f"after {number:4d} audits: {threading.active_count():4d} threads "
                f"(last statuses {statuses})",
                flush=True,
            )
    print(f"median audit wall time: {statistics.median(walls):.0f} ms")
    time.sleep(15)
    print(f"15 s after the last audit: {threading.active_count()} threads")


def main(audits: int) -> None:
    state = Path(tempfile.mkdtemp(prefix="mailvet-bench-"))
    try:
        net = network.up(state)
        base = NetConfig.from_env(net.env)
        scenario(
            "1. checks give up first (timeout 1 s, bounds 2 s)",
            dataclasses.replace(base, timeout=1.0, check_timeout=2.0, tls_scan_timeout=2.0),
            audits,
        )
        scenario(
            "2. the runner abandons every check (timeout 8 s, bounds 1 s + 5 s grace)",
            dataclasses.replace(base, timeout=8.0, check_timeout=1.0, tls_scan_timeout=1.0),
            audits,
        )
    finally:
        network.down(state)
        shutil.rmtree(state, ignore_errors=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)

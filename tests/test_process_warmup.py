"""A web process freezes its start-up objects, so full garbage collections stay short.

Without it, CPython's full collection walked ~200,000 objects in the middle of a request (~90 ms
at the seed's 8 services; bench/bench_comparison.py printed it as the worst page). The check runs in
a fresh interpreter: the freeze is process-wide and this test process must not inherit it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import gc, json
import {module}
print(json.dumps({{"frozen": gc.get_freeze_count(), "tracked": len(gc.get_objects())}}))
"""


@pytest.mark.parametrize("module", ["portal.wsgi", "portal.asgi"])
def test_serving_module_freezes_what_start_up_made(module: str) -> None:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings"}
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(module=module)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environment,
        timeout=120,
        check=True,
    )
    counts = json.loads(result.stdout.strip().splitlines()[-1])
    # The URL configuration, models and libraries: far more than the collector should walk.
    assert counts["frozen"] > 50_000, counts
    # What a full collection still walks is a small remainder of it.
    assert counts["tracked"] < counts["frozen"] / 5, counts

"""The `audit` command: every check over the local test network, and clear errors for bad input."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.testnet.zones import DOMAINS

ROOT = Path(__file__).resolve().parent.parent


def _audit(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    import os

    return subprocess.run(
        [sys.executable, "manage.py", "audit", *args],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "true", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _domain(name: str):
    return next(d for d in DOMAINS if d.name == name)


@pytest.mark.parametrize("name", ["good.test", "weak.test", "broken.test", "nullmx.test"])
def test_json_audit_gives_the_expected_status_for_every_check(testnet, name):
    domain = _domain(name)
    args = [name, "--json"]
    for host in domain.mx:
        args += ["--mx", host]
    if domain.web:
        args += ["--web", domain.web]
    if domain.submission:
        args += ["--submission", domain.submission]
    for selector in domain.dkim_selectors:
        args += ["--dkim-selector", selector]
    if domain.wkd_address:
        args += ["--wkd-address", domain.wkd_address]
    result = _audit(args, testnet.env)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["domain"] == name
    statuses = {r["check"]: r["status"] for r in report["results"]}
    expected = {key: status for key, status in domain.expect.items() if key in statuses}
    assert len(expected) >= 10
    # No check crashed: failures are reported as verdicts or errors with a reason.
    assert not [r for r in report["results"] if "unexpectedly" in r["summary"]]
    assert {key: statuses[key] for key in expected} == expected
    assert "dnssec" in result.stderr  # progress goes to stderr, JSON alone to stdout
    for entry in report["results"]:
        assert set(entry) == {"check", "target", "status", "summary", "details"}


@pytest.mark.parametrize(
    "bad", ["", "a..b", "x" * 250 + ".com", "https://proton.me/", "192.0.2.1", "localhost"]
)
def test_malformed_domains_exit_with_code_2(bad):
    result = _audit([bad], {})
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip()


def test_idn_input_is_converted_to_a_labels(testnet):
    result = _audit(["bücher.test", "--json"], testnet.env)
    assert json.loads(result.stdout)["domain"] == "xn--bcher-kva.test"


def test_table_lists_the_reasons_under_each_failed_check(testnet):
    domain = _domain("weak.test")
    args = ["weak.test", "--web", domain.web]
    for host in domain.mx:
        args += ["--mx", host]
    lines = _audit(args, testnet.env).stdout.splitlines()
    tls_web = next(i for i, line in enumerate(lines) if line.startswith("tls_web "))
    reasons = []
    for line in lines[tls_web + 1 :]:
        if not line.lstrip().startswith("- "):
            break
        reasons.append(line.strip())
    assert any("accepts TLSv1 " in r for r in reasons), lines
    assert any("1024-bit Diffie-Hellman" in r for r in reasons), lines
    # A passing row gets no reason lines.
    starttls = next(i for i, line in enumerate(lines) if line.startswith("starttls "))
    assert " pass " in lines[starttls] and not lines[starttls + 1].lstrip().startswith("- ")

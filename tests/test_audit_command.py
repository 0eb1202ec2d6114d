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
    "bad",
    [
        "",
        "a..b",
        "x" * 250 + ".com",
        "https://proton.me/",
        "192.0.2.1",
        "localhost",
        "-bad.org",
        "a\u200db.org",
        "printer.local",
        "router.home.arpa",
        "corp.internal",
        "mail.example",
        "good.test",  # .test only with AUDIT_ALLOW_PRIVATE_NETWORKS
    ],
)
def test_malformed_domains_exit_with_code_2(bad):
    result = _audit([bad], {"AUDIT_ALLOW_PRIVATE_NETWORKS": "false"})
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip()
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--dkim-selector", "s_1"], "DKIM selector 's_1'"),
        (["--dkim-selector", "mail._domainkey"], "without ._domainkey"),
        (["--dkim-selector", "a..b"], "empty label"),
        (["--mx", "mx.onion"], "special-use"),
        (["--wkd-address", "alice"], "not a mail address"),
    ],
)
def test_malformed_options_exit_with_code_2(testnet, args, message):
    result = _audit(["good.test", *args], testnet.env)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_idn_input_is_converted_to_a_labels_and_the_change_is_said(testnet):
    result = _audit(["BÜCHER.test", "--json"], testnet.env)
    report = json.loads(result.stdout)
    assert report["domain"] == "xn--bcher-kva.test"
    assert report["domain_unicode"] == "bücher.test"
    assert report["names"][0]["changes"] == ["lower-cased the upper-case letters B Ü C H E R"]
    assert "Auditing bücher.test (xn--bcher-kva.test)" in result.stderr
    assert "'BÜCHER.test' is audited as bücher.test (xn--bcher-kva.test)" in result.stderr


def test_the_table_shows_the_u_label_and_the_a_label(testnet):
    lines = _audit(["bücher.test", "--mx", "mx.good.test"], testnet.env).stdout.splitlines()
    assert lines[0] == "Domain: bücher.test (xn--bcher-kva.test)"
    caa = next(line for line in lines if line.startswith("caa "))
    assert "bücher.test (xn--bcher-kva.test)" in caa


def test_without_a_submission_host_it_is_discovered(testnet):
    result = _audit(["discover.test", "--json"], testnet.env)
    by_check = {r["check"]: r for r in json.loads(result.stdout)["results"]}
    submission = by_check["smtps_submission"]
    assert submission["status"] == "warn", submission  # STARTTLS only, no SMTPS
    assert submission["details"]["discovery"]["method"] == "srv"
    assert by_check["wkd"]["status"] == "pass"
    assert by_check["wkd"]["details"]["method"] == "advanced"


def test_a_failed_mx_lookup_makes_the_mail_checks_errors_not_no_mail(testnet):
    lines = _audit(["servfail.test"], testnet.env).stdout.splitlines()
    for check in ("mta_sts", "dane", "starttls", "tls_mail"):
        row = next(i for i, line in enumerate(lines) if line.startswith(f"{check} "))
        assert " error " in lines[row], lines[row]
        assert "could not determine the MX hosts" in lines[row + 1]


def test_help_says_which_hosts_are_discovered_and_how():
    text = _audit(["--help"], {}).stdout
    for phrase in (
        "_submissions._tcp",
        "_submission._tcp",
        "smtp.<domain>",
        "openpgpkey.<domain>",
        "MX records",
        "Must be given: DOMAIN only",
    ):
        assert phrase in text, phrase


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

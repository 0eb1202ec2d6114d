"""A failed lookup is an error, never an absence: when the MX lookup SERVFAILs (servfail.test,
whose MX RRset alone has expired signatures), the checks that need the MX hosts say they could
not determine them, and the criteria they are evidence for stay unknown."""

from __future__ import annotations

import dataclasses

import pytest

from audits.checks.result import CheckStatus
from audits.checks.starttls import check_starttls
from audits.runner import MX_DEPENDENT, AuditTarget, run_audit
from audits.scoring import combine, verdicts
from tests import netutil

MX_BASED = sorted(MX_DEPENDENT - {"mx"})


@pytest.fixture(scope="module")
def servfail_report(testnet):
    return run_audit(AuditTarget("servfail.test"), netutil.config(testnet, timeout=2.0))


def test_the_mx_check_reports_the_failed_lookup(servfail_report):
    mx = next(r for r in servfail_report.results if r.check == "mx")
    assert mx.status == CheckStatus.ERROR
    assert "SERVFAIL" in mx.details["error"]


@pytest.mark.parametrize("check", MX_BASED)
def test_checks_that_need_the_mx_hosts_are_errors_not_not_applicable(servfail_report, check):
    result = next(r for r in servfail_report.results if r.check == check)
    assert result.status == CheckStatus.ERROR, result.as_dict()
    assert result.details["prerequisite"] == "mx"
    assert result.details["error"].startswith("could not determine the MX hosts")


def test_a_criterion_resting_on_the_mx_hosts_is_unknown_not_met(servfail_report):
    statuses = combine((r.check, r.status) for r in servfail_report.results)
    assert statuses["tls_rpt"] == CheckStatus.PASS  # its record validates
    assert verdicts(statuses)["mta-sts-tls-rpt"] == "unknown"


def test_the_runner_uses_the_a_label_of_a_stored_unicode_name(testnet):
    # An editor may store bücher.test; the checks and the resolver see its A-label.
    report = run_audit(
        AuditTarget("BÜCHER.test"), netutil.config(testnet, timeout=1.0), only=("mx",)
    )
    assert report.domain == "xn--bcher-kva.test"
    assert report.results[0].target == "xn--bcher-kva.test"


def test_a_starttls_host_the_ssrf_guard_refused_is_reported_as_refused(testnet):
    config = dataclasses.replace(netutil.config(testnet), allow_private_networks=False)
    result = check_starttls(["mx.good.test"], resolve=netutil.resolver(testnet), config=config)
    assert result.status == CheckStatus.ERROR
    (host,) = result.details["hosts"]
    assert host["refused"] is True
    assert "not a public address" in host["message"]


@pytest.mark.parametrize("check", ["hsts", "csp", "sri", "https_redirect"])
def test_a_web_host_the_ssrf_guard_refused_is_reported_as_refused(testnet, check):
    from audits.checks import web

    config = dataclasses.replace(netutil.config(testnet), allow_private_networks=False)
    run = getattr(web, f"check_{check}")
    result = run("www.good.test", resolve=netutil.resolver(testnet), config=config)
    assert result.status == CheckStatus.ERROR
    assert result.details["refused"] is True
    assert "not a public address" in result.details["message"]
    assert "not contacted" in str(result.summary)


def test_the_tls_scan_and_mta_sts_say_refused_too(testnet):
    from audits.checks.mta_sts import check_mta_sts
    from audits.checks.tls import check_tls_web

    config = dataclasses.replace(netutil.config(testnet), allow_private_networks=False)
    resolve = netutil.resolver(testnet)
    tls = check_tls_web("www.good.test", resolve=resolve, config=config)
    assert tls.status == CheckStatus.ERROR
    assert tls.details["hosts"][0]["refused"] is True
    policy = check_mta_sts(
        "good.test",
        ["mx.good.test"],
        resolve_txt=netutil.txt_resolver(testnet),
        resolve=resolve,
        config=config,
    )
    assert policy.status == CheckStatus.ERROR
    assert policy.details["refused"] is True

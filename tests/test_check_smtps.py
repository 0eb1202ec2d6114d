"""`smtps_submission` against the local test network (expectations from zones.DOMAINS)."""

from __future__ import annotations

import time

import pytest

from audits.checks.result import CheckStatus
from audits.checks.smtps import check_smtps_submission
from tests import netutil
from tests.testnet.zones import DOMAINS


@pytest.mark.parametrize(
    "domain", [pytest.param(d, id=d.name) for d in DOMAINS if "smtps_submission" in d.expect]
)
def test_smtps_submission_gives_the_expected_status(testnet, domain):
    result = check_smtps_submission(
        domain.submission,
        resolve=netutil.resolver(testnet),
        config=netutil.config(testnet, timeout=2.0),
    )
    assert result.status == domain.expect["smtps_submission"], result.details
    # Tarpit and reset hosts included: an error within the bound, never a hang.
    assert result.duration_ms < 3 * 2000


def test_good_host_passes_on_implicit_tls(testnet):
    result = check_smtps_submission(
        "smtp.good.test", resolve=netutil.resolver(testnet), config=netutil.config(testnet)
    )
    by_port = {a["port"]: a["status"] for a in result.details["attempts"]}
    assert by_port == {465: "pass", 587: "pass"}


def test_weak_host_passes_on_587_only(testnet):
    result = check_smtps_submission(
        "smtp.weak.test", resolve=netutil.resolver(testnet), config=netutil.config(testnet)
    )
    by_port = {a["port"]: a["status"] for a in result.details["attempts"]}
    assert by_port == {465: "fail", 587: "pass"}


def test_host_without_submission_fails(testnet):
    # mx.good.test listens on 25 only: both submission ports refuse.
    result = check_smtps_submission(
        "mx.good.test", resolve=netutil.resolver(testnet), config=netutil.config(testnet)
    )
    assert result.status == CheckStatus.FAIL


def test_tarpit_submission_host_gives_error_within_bound(testnet):
    config = netutil.config(testnet, timeout=1.0)
    started = time.monotonic()
    result = check_smtps_submission(
        "tarpit.broken.test", resolve=netutil.resolver(testnet), config=config
    )
    assert result.status == CheckStatus.ERROR
    assert time.monotonic() - started < 2 * config.timeout


def test_reset_submission_host_gives_error_with_message(testnet):
    result = check_smtps_submission(
        "smtp.broken.test", resolve=netutil.resolver(testnet), config=netutil.config(testnet)
    )
    assert result.status == CheckStatus.ERROR
    assert all(a["message"] for a in result.details["attempts"])

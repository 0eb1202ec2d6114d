"""The `mx` check against the local test network: every testnet domain gives the status that
tests/testnet/zones.py expects, and no domain (the broken ones included) makes it crash or hang.
"""

from __future__ import annotations

import json
import time

import pytest

from audits.checks.mx import check_mx
from audits.checks.result import CheckResult, CheckStatus
from audits.net.config import NetConfig
from audits.net.dns import DnsResolver
from tests.testnet import zones

EXPECTED = [pytest.param(d, id=d.name) for d in zones.DOMAINS if "mx" in d.expect]
ALL_DOMAINS = [pytest.param(d, id=d.name) for d in zones.DOMAINS]


@pytest.fixture(scope="module")
def config(testnet) -> NetConfig:
    return NetConfig.from_env(testnet.env)


def run(domain: zones.Domain, config: NetConfig) -> CheckResult:
    return check_mx(domain.name, DnsResolver(config), config)


@pytest.mark.parametrize("domain", EXPECTED)
def test_status_matches_the_testnet_expectation(domain: zones.Domain, config: NetConfig) -> None:
    result = run(domain, config)
    assert result.status.value == domain.expect["mx"], result.as_dict()
    assert result.check == "mx"


@pytest.mark.parametrize("domain", ALL_DOMAINS)
def test_no_domain_crashes_or_hangs_the_check(domain: zones.Domain, config: NetConfig) -> None:
    started = time.monotonic()
    result = run(domain, config)
    assert isinstance(result.status, CheckStatus)
    assert str(result.summary)
    if result.status is CheckStatus.ERROR:
        assert result.details.get("error") or result.details.get("errors")
    assert time.monotonic() - started < config.check_timeout
    json.dumps(result.as_dict())  # details must be storable and servable as they are


def test_cname_target_is_named_in_the_details(config: NetConfig) -> None:
    result = check_mx("weak.test", DnsResolver(config), config)
    assert result.details["cname_hosts"] == ["mx2.weak.test"]
    hosts = {h["host"]: h for h in result.details["hosts"]}
    assert hosts["mx2.weak.test"]["cname"] == "mx.weak.test"


def test_null_mx_is_reported_and_makes_mail_checks_not_applicable(config: NetConfig) -> None:
    from audits.checks.mx import is_null_mx, lookup_mx

    dns = DnsResolver(config)
    result = check_mx("nullmx.test", dns, config)
    assert result.details["null_mx"] is True
    assert "RFC 7505" in str(result.summary)
    assert is_null_mx("nullmx.test", dns)
    assert not is_null_mx("good.test", dns)
    assert lookup_mx("broken.test", dns).hosts == ("mx.broken.test", "tarpit.broken.test")


def test_domain_without_mx_fails(config: NetConfig) -> None:
    result = check_mx("www.good.test", DnsResolver(config), config)
    assert result.status is CheckStatus.FAIL
    assert result.details["records"] == []

"""The `caa` check against the local test network: every testnet domain gives the status that
tests/testnet/zones.py expects, and no domain (the broken ones included) makes it crash or hang.
"""

from __future__ import annotations

import json
import time

import pytest

from audits.checks.caa import check_caa
from audits.checks.result import CheckResult, CheckStatus
from audits.net.config import NetConfig
from audits.net.dns import DnsResolver
from tests.testnet import zones

EXPECTED = [pytest.param(d, id=d.name) for d in zones.DOMAINS if "caa" in d.expect]
ALL_DOMAINS = [pytest.param(d, id=d.name) for d in zones.DOMAINS]


@pytest.fixture(scope="module")
def config(testnet) -> NetConfig:
    return NetConfig.from_env(testnet.env)


def run(domain: zones.Domain, config: NetConfig) -> CheckResult:
    return check_caa(domain.name, DnsResolver(config), config)


@pytest.mark.parametrize("domain", EXPECTED)
def test_status_matches_the_testnet_expectation(domain: zones.Domain, config: NetConfig) -> None:
    result = run(domain, config)
    assert result.status.value == domain.expect["caa"], result.as_dict()
    assert result.check == "caa"


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


def test_tree_climbing_finds_the_parent_records(config: NetConfig) -> None:
    result = check_caa("www.good.test", DnsResolver(config), config)
    assert result.status is CheckStatus.PASS
    assert result.details["found_at"] == "good.test"


def test_malformed_issue_and_iodef_are_both_named(config: NetConfig) -> None:
    result = check_caa("broken.test", DnsResolver(config), config)
    assert len(result.details["problems"]) == 2


# RFC 8659 section 4 examples.
@pytest.mark.parametrize(
    "text",
    [
        '0 issue "ca.example.net"',
        '0 issue "ca.example.net; account=230123"',
        '0 issue "ca.example.net; policy=ev"',
        '0 issue ";"',
        '0 issuewild "ca.example.org"',
        '0 iodef "mailto:security@example.com"',
        '0 iodef "https://iodef.example.com/"',
        '0 tbs "Unknown"',
    ],
)
def test_rfc8659_example_properties_are_well_formed(text: str) -> None:
    from audits.checks.caa import parse_presentation, property_problem

    assert property_problem(parse_presentation(text)) is None


@pytest.mark.parametrize(
    "text",
    [
        '0 issue "ca.example.net; key"',
        '0 iodef "not-a-url"',
        '128 tbs "Unknown"',
        '0 issue "-ca.example.net"',
    ],
)
def test_malformed_properties_are_found(text: str) -> None:
    from audits.checks.caa import parse_presentation, property_problem

    assert property_problem(parse_presentation(text))

"""The `dmarc` check against the local test network: every testnet domain gives the status that
tests/testnet/zones.py expects, and no domain (the broken ones included) makes it crash or hang.
"""

from __future__ import annotations

import json
import time

import pytest

from audits.checks.dmarc import check_dmarc
from audits.checks.result import CheckResult, CheckStatus
from audits.net.config import NetConfig
from audits.net.dns import DnsResolver
from tests.testnet import zones

EXPECTED = [pytest.param(d, id=d.name) for d in zones.DOMAINS if "dmarc" in d.expect]
ALL_DOMAINS = [pytest.param(d, id=d.name) for d in zones.DOMAINS]


@pytest.fixture(scope="module")
def config(testnet) -> NetConfig:
    return NetConfig.from_env(testnet.env)


def run(domain: zones.Domain, config: NetConfig) -> CheckResult:
    return check_dmarc(domain.name, DnsResolver(config), config)


@pytest.mark.parametrize("domain", EXPECTED)
def test_status_matches_the_testnet_expectation(domain: zones.Domain, config: NetConfig) -> None:
    result = run(domain, config)
    assert result.status.value == domain.expect["dmarc"], result.as_dict()
    assert result.check == "dmarc"


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


def test_two_string_record_is_concatenated_and_parsed(config: NetConfig) -> None:
    result = check_dmarc("good.test", DnsResolver(config), config)
    assert result.details["p"] == "reject"
    assert result.details["sp"] == "reject"
    assert result.details["pct"] == 100
    assert result.details["rua"] == ["mailto:dmarc@good.test"]


def test_two_records_are_both_reported(config: NetConfig) -> None:
    result = check_dmarc("broken.test", DnsResolver(config), config)
    assert len(result.details["records"]) == 2


# RFC 7489 appendix B.2 / B.3 example records.
@pytest.mark.parametrize(
    ("text", "policy", "pct", "rua"),
    [
        (
            "v=DMARC1; p=none; rua=mailto:dmarc-feedback@example.com",
            "none",
            100,
            ("mailto:dmarc-feedback@example.com",),
        ),
        (
            "v=DMARC1; p=none; rua=mailto:dmarc-feedback@example.com; "
            "ruf=mailto:auth-reports@thirdparty.example.net",
            "none",
            100,
            ("mailto:dmarc-feedback@example.com",),
        ),
        (
            "v=DMARC1; p=quarantine; rua=mailto:dmarc-feedback@example.com,"
            "mailto:tld-test@thirdparty.example.net!10m; pct=25",
            "quarantine",
            25,
            ("mailto:dmarc-feedback@example.com", "mailto:tld-test@thirdparty.example.net"),
        ),
        ("v=DMARC1; p=reject; sp=quarantine;", "reject", 100, ()),
    ],
)
def test_rfc7489_example_records_parse(text: str, policy: str, pct: int, rua: tuple) -> None:
    from audits.checks.dmarc_parser import parse_record

    record = parse_record(text)
    assert (record.policy, record.pct, record.rua) == (policy, pct, rua)


@pytest.mark.parametrize(
    "text",
    [
        "v=DMARC1; p=always",
        "v=DMARC1; p=reject; pct=150",
        "v=DMARC1; p=reject; rua=dmarc@x.example",
        "v=DMARC1; p=reject; p=none",
        "p=reject; v=DMARC1",
    ],
)
def test_invalid_records_are_rejected(text: str) -> None:
    from audits.checks.dmarc_parser import DmarcSyntaxError, parse_record

    with pytest.raises(DmarcSyntaxError):
        parse_record(text)

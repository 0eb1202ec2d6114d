"""The `spf` check against the local test network: every testnet domain gives the status that
tests/testnet/zones.py expects, and no domain (the broken ones included) makes it crash or hang.
"""

from __future__ import annotations

import pytest

from audits.checks.result import CheckStatus
from audits.checks.spf import check_spf
from audits.net.config import NetConfig
from audits.net.dns import DnsResolver


def test_include_loop_is_found_on_the_broken_domain(config: NetConfig) -> None:
    result = check_spf("broken.test", DnsResolver(config), config)
    assert result.details["result"] == "permerror"
    assert result.details["cause"] == "loop"
    assert "spf-loop.broken.test -> spf-loop2.broken.test" in result.details["message"]


def test_nested_lookups_are_counted_past_the_limit(config: NetConfig) -> None:
    result = check_spf("spf-many.broken.test", DnsResolver(config), config)
    assert result.details["cause"] == "lookup-limit"
    assert result.details["lookups"] == 11  # stops at the first term over 10


def test_lookup_count_and_deciding_term_are_reported(config: NetConfig) -> None:
    result = check_spf("good.test", DnsResolver(config), config)
    assert result.details["lookups"] == 1
    assert result.details["decided_by"] == "-all"
    assert result.details["records"] == ["v=spf1 mx -all"]


def test_domain_without_spf_fails(config: NetConfig) -> None:
    result = check_spf("www.good.test", DnsResolver(config), config)
    assert result.status is CheckStatus.FAIL
    assert result.details["records"] == []


@pytest.mark.parametrize(
    ("record", "status"),
    [
        ("v=spf1 ip4:192.0.2.0/24 -all", CheckStatus.PASS),
        ("v=spf1 ptr -all", CheckStatus.WARN),
        ("v=spf1 ip4:192.0.2.0/24 ?all", CheckStatus.FAIL),
        ("v=spf1 +all", CheckStatus.FAIL),
        ("v=spf1 ip4:192.0.2.0/24", CheckStatus.FAIL),
        ("v=spf1 include:allow-all.example -all", CheckStatus.FAIL),
        ("v=spf1 redirect=strict.example", CheckStatus.PASS),
    ],
)
def test_all_qualifier_decides_over_static_data(record: str, status: CheckStatus) -> None:
    # Pure logic over recorded DNS data: the verdict table of the check's docstring.
    from audits.net.dns import StaticResolver

    zone = {
        "example.test": [{"TXT": record}],
        "allow-all.example": [{"TXT": "v=spf1 +all"}],
        "strict.example": [{"TXT": "v=spf1 -all"}],
    }
    result = check_spf("example.test", StaticResolver(zone), NetConfig())
    assert result.status is status, result.as_dict()


def test_two_spf_records_fail() -> None:
    from audits.net.dns import StaticResolver

    zone = {"example.test": [{"TXT": "v=spf1 -all"}, {"TXT": "v=spf1 mx -all"}]}
    result = check_spf("example.test", StaticResolver(zone), NetConfig())
    assert result.status is CheckStatus.FAIL
    assert result.details["cause"] == "multiple-records"

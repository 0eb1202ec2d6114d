"""The `caa` check against the local test network: every testnet domain gives the status that
tests/testnet/zones.py expects, and no domain (the broken ones included) makes it crash or hang.
"""

from __future__ import annotations

import pytest

from audits.checks.caa import check_caa
from audits.checks.result import CheckStatus
from audits.net.config import NetConfig
from audits.net.dns import DnsResolver


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

"""The `caa` check against the local test network: the relevant record set found by climbing
the tree (RFC 8659 3) and the verdict on what it authorises. Property syntax and authorisation
rules are tested without DNS in test_caa_parser.py.
"""

from __future__ import annotations

from audits.checks.caa import check_caa
from audits.checks.result import CheckStatus
from audits.net.config import NetConfig
from audits.net.dns import DnsResolver


def test_tree_climbing_finds_the_parent_records(config: NetConfig) -> None:
    result = check_caa("www.good.test", DnsResolver(config), config)
    assert result.status is CheckStatus.PASS
    assert result.details["found_at"] == "good.test"
    assert result.details["issuers"] == {"names": ["ca.good.test"], "wildcards": ["ca.good.test"]}


def test_malformed_issue_and_iodef_are_both_named(config: NetConfig) -> None:
    result = check_caa("broken.test", DnsResolver(config), config)
    assert len(result.details["problems"]) == 2


def test_issuewild_alone_leaves_ordinary_names_open_and_does_not_pass(config: NetConfig) -> None:
    for name in ("wild.edge.test", "www.wild.edge.test"):
        result = check_caa(name, DnsResolver(config), config)
        assert result.status is CheckStatus.WARN, result.as_dict()
        assert result.details["found_at"] == "wild.edge.test"
        assert result.details["issuers"] == {"names": None, "wildcards": ["ca.edge.test"]}
        assert "wildcard" in str(result.summary)


def test_issue_semicolon_forbids_every_ca_and_passes(config: NetConfig) -> None:
    result = check_caa("edge.test", DnsResolver(config), config)
    assert result.status is CheckStatus.PASS
    assert result.details["issuers"] == {"names": [], "wildcards": []}


def test_an_unknown_critical_property_is_noted_as_forbidding_issuance(config: NetConfig) -> None:
    result = check_caa("crit.edge.test", DnsResolver(config), config)
    assert result.status is CheckStatus.FAIL
    assert result.details["critical_unknown"] == ["tbs"]
    assert result.details["issuers"] == {"names": [], "wildcards": []}
    assert "critical" in str(result.summary)


def test_a_tag_in_capitals_is_read_as_issue(config: NetConfig) -> None:
    result = check_caa("caps.edge.test", DnsResolver(config), config)
    assert result.status is CheckStatus.PASS, result.as_dict()
    assert result.details["issuers"]["names"] == ["ca.edge.test"]

"""The `dmarc` check against the local test network: what it finds at _dmarc.<domain>, where it
falls back to the organizational domain (RFC 7489 6.6.3), and lookups that fail. The record
grammar itself is tested without DNS in test_dmarc_parser.py.
"""

from __future__ import annotations

from audits.checks.dmarc import check_dmarc
from audits.checks.result import CheckStatus
from audits.net.config import NetConfig
from audits.net.dns import DnsResolver


def test_two_string_record_is_concatenated_and_parsed(config: NetConfig) -> None:
    result = check_dmarc("good.test", DnsResolver(config), config)
    assert result.details["p"] == "reject"
    assert result.details["sp"] == "reject"
    assert result.details["pct"] == 100
    assert result.details["rua"] == ["mailto:dmarc@good.test"]
    assert result.details["policy_domain"] == "good.test"
    assert result.details["queried"] == ["_dmarc.good.test"]


def test_two_records_are_both_reported(config: NetConfig) -> None:
    result = check_dmarc("broken.test", DnsResolver(config), config)
    assert len(result.details["records"]) == 2


def test_a_subdomain_without_a_record_takes_the_organizational_domains_sp(
    config: NetConfig,
) -> None:
    result = check_dmarc("mail.edge.test", DnsResolver(config), config)
    assert result.status is CheckStatus.PASS, result.as_dict()
    details = result.details
    assert details["queried"] == ["_dmarc.mail.edge.test", "_dmarc.edge.test"]
    assert (details["policy_domain"], details["org_domain"]) == ("edge.test", "edge.test")
    assert details["inherited"] is True
    assert details["name"] == "_dmarc.edge.test"
    assert (details["p"], details["sp"], details["applied_policy"]) == (
        "reject",
        "quarantine",
        "quarantine",
    )


def test_rfc7489_goes_straight_to_the_organizational_domain(config: NetConfig) -> None:
    # b.edge.test has a p=none record; RFC 7489 does not look there for a.b.edge.test (the
    # DMARCbis tree walk would, and would still settle on edge.test: no psd=n there).
    result = check_dmarc("a.b.edge.test", DnsResolver(config), config)
    assert result.details["queried"] == ["_dmarc.a.b.edge.test", "_dmarc.edge.test"]
    assert result.details["applied_policy"] == "quarantine"


def test_a_record_not_starting_with_v_is_discarded_and_the_org_domain_asked(
    config: NetConfig,
) -> None:
    result = check_dmarc("notfirst.edge.test", DnsResolver(config), config)
    assert result.details["discarded"] == ["p=reject; v=DMARC1"]
    assert result.details["policy_domain"] == "edge.test"
    assert result.status is CheckStatus.PASS


def test_an_inherited_policy_of_none_fails(config: NetConfig) -> None:
    # weak.test publishes p=none and no sp, so its subdomains get none as well.
    result = check_dmarc("lists.weak.test", DnsResolver(config), config)
    assert result.status is CheckStatus.FAIL
    assert (result.details["policy_domain"], result.details["applied_policy"]) == (
        "weak.test",
        "none",
    )
    assert "organizational domain" in str(result.summary)


def test_a_missing_p_with_a_rua_is_applied_as_p_none(config: NetConfig) -> None:
    result = check_dmarc("nop.edge.test", DnsResolver(config), config)
    assert result.status is CheckStatus.FAIL
    assert result.details["p"] == "none"
    assert result.details["inherited"] is False
    (entry,) = result.details["ignored"]
    assert (entry["tag"], entry["applied"]) == ("p", "none")


def test_syntax_errors_fall_back_to_defaults_and_warn(config: NetConfig) -> None:
    result = check_dmarc("lax.edge.test", DnsResolver(config), config)
    assert result.status is CheckStatus.WARN, result.as_dict()
    assert (result.details["p"], result.details["pct"], result.details["adkim"]) == (
        "reject",
        100,
        "r",
    )
    kinds = {entry["tag"]: entry["kind"] for entry in result.details["ignored"]}
    assert kinds == {"pct": "invalid", "adkim": "invalid", "foo": "unknown"}


def test_no_record_anywhere_fails_after_asking_both_domains(config: NetConfig) -> None:
    dns = DnsResolver(config)
    result = check_dmarc("mail.absent.test", dns, config)
    assert result.status is CheckStatus.FAIL
    assert result.details["queried"] == ["_dmarc.mail.absent.test", "_dmarc.absent.test"]
    assert (result.details["policy_domain"], result.details["inherited"]) == (None, False)
    # An organizational domain is asked only once.
    assert check_dmarc("absent.test", dns, config).details["queried"] == ["_dmarc.absent.test"]


def test_a_failed_organizational_domain_lookup_is_an_error_not_an_absence(
    config: NetConfig,
) -> None:
    result = check_dmarc("mail.stale.test", DnsResolver(config), config)
    assert result.status is CheckStatus.ERROR, result.as_dict()
    assert "SERVFAIL" in result.details["error"]
    assert result.details["queried"] == ["_dmarc.mail.stale.test", "_dmarc.stale.test"]


def test_a_failed_lookup_of_the_domain_itself_is_an_error_without_fallback(
    config: NetConfig,
) -> None:
    # Negative answers inside broken.test are bogus (its SOA signature expired): SERVFAIL.
    result = check_dmarc("lists.broken.test", DnsResolver(config), config)
    assert result.status is CheckStatus.ERROR
    assert result.details["queried"] == ["_dmarc.lists.broken.test"]

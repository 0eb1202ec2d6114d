"""The `dnssec` check against the local test network: every testnet domain gives the status that
tests/testnet/zones.py expects, and no domain (the broken ones included) makes it crash or hang.
"""

from __future__ import annotations

from audits.checks.dnssec import check_dnssec
from audits.checks.result import CheckStatus
from audits.net.config import NetConfig
from audits.net.dns import DnsResolver


def test_insecure_and_bogus_fail_with_different_summaries(config: NetConfig) -> None:
    dns = DnsResolver(config)
    insecure = check_dnssec("weak.test", dns, config)
    bogus = check_dnssec("broken.test", dns, config)
    assert insecure.status is bogus.status is CheckStatus.FAIL
    assert str(insecure.summary) != str(bogus.summary)
    assert insecure.details["insecure"] == ["weak.test", "mx.weak.test", "mx2.weak.test"]
    # The MX hosts live in broken.test itself, so their zone is bogus too.
    assert bogus.details["bogus"] == ["broken.test", "mx.broken.test", "tarpit.broken.test"]
    assert bogus.details["mx_zones"]["tarpit.broken.test"] == "broken.test"


def test_each_mx_host_gets_its_own_verdict(config: NetConfig) -> None:
    result = check_dnssec("good.test", DnsResolver(config), config)
    assert result.details["verdicts"] == {"good.test": "secure", "mx.good.test": "secure"}
    assert result.details["mx_zones"] == {"mx.good.test": "good.test"}


def test_an_insecure_mx_host_fails_a_secure_domain(config: NetConfig) -> None:
    result = check_dnssec("good.test", DnsResolver(config), config, mx_hosts=("mx.weak.test",))
    assert result.status is CheckStatus.FAIL
    assert result.details["insecure"] == ["mx.weak.test"]

"""The `mx` check against the local test network: every testnet domain gives the status that
tests/testnet/zones.py expects, and no domain (the broken ones included) makes it crash or hang.
"""

from __future__ import annotations

from audits.checks.mx import check_mx
from audits.checks.result import CheckStatus
from audits.net.config import NetConfig
from audits.net.dns import DnsResolver


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

"""Every DNS-family check against every test domain: the status tests/testnet/zones.py expects,
and no domain (the broken ones included) makes a check crash or hang."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest

from audits.checks.caa import check_caa
from audits.checks.dkim import check_dkim
from audits.checks.dmarc import check_dmarc
from audits.checks.dnssec import check_dnssec
from audits.checks.mx import check_mx
from audits.checks.result import CheckResult, CheckStatus
from audits.checks.spf import check_spf
from audits.checks.tls_rpt import check_tls_rpt
from audits.net.config import NetConfig
from audits.net.dns import DnsResolver
from tests.testnet import zones

Run = Callable[[zones.Domain, NetConfig], CheckResult]

CHECKS: dict[str, Run] = {
    "caa": lambda d, c: check_caa(d.name, DnsResolver(c), c),
    "dkim": lambda d, c: check_dkim(d.name, DnsResolver(c), c, d.dkim_selectors),
    "dmarc": lambda d, c: check_dmarc(d.name, DnsResolver(c), c),
    "dnssec": lambda d, c: check_dnssec(d.name, DnsResolver(c), c),
    "mx": lambda d, c: check_mx(d.name, DnsResolver(c), c),
    "spf": lambda d, c: check_spf(d.name, DnsResolver(c), c),
    "tls_rpt": lambda d, c: check_tls_rpt(d.name, DnsResolver(c), c),
}

EXPECTED = [
    pytest.param(key, d, id=f"{key}-{d.name}")
    for key in CHECKS
    for d in zones.DOMAINS
    if key in d.expect
]
EVERY_PAIR = [pytest.param(key, d, id=f"{key}-{d.name}") for key in CHECKS for d in zones.DOMAINS]


@pytest.mark.parametrize(("key", "domain"), EXPECTED)
def test_status_matches_the_testnet_expectation(key: str, domain: zones.Domain, config) -> None:
    result = CHECKS[key](domain, config)
    assert result.status.value == domain.expect[key], result.as_dict()
    assert result.check == key


@pytest.mark.parametrize(("key", "domain"), EVERY_PAIR)
def test_no_domain_crashes_or_hangs_the_check(key: str, domain: zones.Domain, config) -> None:
    started = time.monotonic()
    result = CHECKS[key](domain, config)
    assert isinstance(result.status, CheckStatus)
    assert str(result.summary)
    if result.status is CheckStatus.ERROR:
        assert result.details.get("error") or result.details.get("errors")
    assert time.monotonic() - started < config.check_timeout
    json.dumps(result.as_dict())  # details must be storable and servable as they are

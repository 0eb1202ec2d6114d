"""The resolver wrapper against the real local test network, plus a nameserver that never answers.

Shows: the configured host AND port are used, the DO bit brings back AD from the validating
resolver, NXDOMAIN/NODATA are answers rather than exceptions, secure / insecure / bogus are told
apart, and a silent nameserver gives DnsTimeout (and an error result from every check) within
the configured bound.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import dns.message
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import pytest

from audits.checks.caa import check_caa
from audits.checks.dkim import check_dkim
from audits.checks.dmarc import check_dmarc
from audits.checks.dnssec import check_dnssec
from audits.checks.mx import check_mx
from audits.checks.result import CheckStatus
from audits.checks.spf import check_spf
from audits.checks.tls_rpt import check_tls_rpt
from audits.net.config import NetConfig
from audits.net.dns import (
    DnsResolver,
    DnssecVerdict,
    DnsServFail,
    DnsTimeout,
    StaticResolver,
    dnssec_verdict,
)


@pytest.fixture(scope="module")
def resolver(testnet) -> DnsResolver:
    return DnsResolver(NetConfig.from_env(testnet.env))


@pytest.fixture
def silent_nameserver() -> Iterator[tuple[str, int]]:
    """A UDP socket that receives queries and never replies."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    try:
        yield sock.getsockname()
    finally:
        sock.close()


def test_it_uses_the_configured_port(resolver: DnsResolver, testnet) -> None:
    host, port = testnet.nameserver
    assert port != 53
    assert resolver.nameservers == ((host, port),)
    assert resolver.query("good.test", "MX").records == ("10 mx.good.test.",)


def test_signed_answers_carry_the_ad_flag(resolver: DnsResolver) -> None:
    assert resolver.query("good.test", "SOA").secure is True
    assert resolver.query("weak.test", "SOA").secure is False


def test_nxdomain_and_nodata_are_answers(resolver: DnsResolver) -> None:
    missing = resolver.query("no-such-host.good.test", "A")
    assert missing.rcode == "NXDOMAIN" and missing.records == () and not missing.exists
    nodata = resolver.query("good.test", "AAAA")
    assert nodata.rcode == "NOERROR" and nodata.records == ()


def test_multi_string_txt_is_concatenated(resolver: DnsResolver) -> None:
    (record,) = resolver.query("_dmarc.good.test", "TXT").records
    assert record == "v=DMARC1; p=reject; sp=reject; pct=100; rua=mailto:dmarc@good.test"


def test_cname_chain_is_reported(resolver: DnsResolver) -> None:
    answer = resolver.query("mx2.weak.test", "A")
    assert answer.cnames == ("mx.weak.test.",)
    assert len(answer.records) == 1


@pytest.mark.parametrize(
    ("name", "verdict"),
    [
        ("good.test", DnssecVerdict.SECURE),
        ("weak.test", DnssecVerdict.INSECURE),
        ("broken.test", DnssecVerdict.BOGUS),
    ],
)
def test_dnssec_verdict_tells_secure_insecure_and_bogus_apart(
    resolver: DnsResolver, name: str, verdict: DnssecVerdict
) -> None:
    assert dnssec_verdict(resolver, name) is verdict


def test_bogus_data_is_servfail_without_cd_and_data_with_it(resolver: DnsResolver) -> None:
    with pytest.raises(DnsServFail):
        resolver.query("broken.test", "SOA")
    assert resolver.query("broken.test", "SOA", check_disabled=True).records


def test_silent_nameserver_times_out_within_the_bound(silent_nameserver) -> None:
    host, port = silent_nameserver
    config = NetConfig(nameservers=((host, port),), timeout=0.3)
    started = time.monotonic()
    with pytest.raises(DnsTimeout):
        DnsResolver(config).query("good.test", "A")
    assert time.monotonic() - started < 2


@pytest.mark.parametrize(
    "check",
    [check_dnssec, check_mx, check_spf, check_dmarc, check_dkim, check_caa, check_tls_rpt],
    ids=lambda f: f.__name__,
)
def test_every_check_gives_error_not_exception_when_dns_is_silent(silent_nameserver, check) -> None:
    host, port = silent_nameserver
    config = NetConfig(nameservers=((host, port),), timeout=0.3)
    started = time.monotonic()
    result = check("good.test", DnsResolver(config), config)
    assert result.status is CheckStatus.ERROR
    assert str(result.summary)
    # One or two timed-out queries at most: no check keeps knocking on a dead resolver.
    assert time.monotonic() - started < 2


def test_static_resolver_serves_suite_data() -> None:
    fake = StaticResolver(
        {
            "example.com": [{"SPF": ["v=spf1 ", "-all"]}, {"MX": [10, "mx.example.com"]}],
            "slow.example.com": ["TIMEOUT"],
        }
    )
    assert fake.query("example.com", "TXT").records == ("v=spf1 -all",)
    assert fake.query("example.com", "MX").records == ("10 mx.example.com",)
    assert fake.query("nothing.example.com", "A").rcode == "NXDOMAIN"
    with pytest.raises(DnsTimeout):
        fake.query("slow.example.com", "TXT")


def test_deadline_bounds_all_queries_of_a_check(silent_nameserver) -> None:
    host, port = silent_nameserver
    config = NetConfig(nameservers=((host, port),), timeout=5, check_timeout=0.4)
    resolver = DnsResolver.for_check(config)
    started = time.monotonic()
    for _ in range(3):
        with pytest.raises(DnsTimeout):
            resolver.query("good.test", "A")
    assert time.monotonic() - started < 1.5


def test_addresses_lists_a_records_and_survives_bogus_aaaa(resolver: DnsResolver) -> None:
    # mx.broken.test has an A record; its AAAA NODATA is bogus (expired SOA signature).
    assert resolver.addresses("mx.broken.test") == [
        resolver.query("mx.broken.test", "A").records[0]
    ]
    assert resolver.addresses("nothing.good.test") == []


def _response_with(count: int, rdtype: str, rdata: str) -> dns.message.Message:
    query = dns.message.make_query("big.example.", rdtype)
    response = dns.message.make_response(query)
    rrset = response.find_rrset(
        response.answer,
        dns.name.from_text("big.example."),
        dns.rdataclass.IN,
        dns.rdatatype.from_text(rdtype),
        create=True,
    )
    for i in range(count):
        rrset.add(dns.rdata.from_text("IN", rdtype, rdata.format(i)), 300)
    return response


def test_hostile_answers_over_the_cap_are_refused() -> None:
    from audits.net.dns import MAX_RECORDS, DnsAnswerTooLarge, _to_answer

    name = dns.name.from_text("big.example.")
    ok = _to_answer("big.example", "A", name, dns.rdatatype.A, _response_with(3, "A", "10.0.0.{}"))
    assert len(ok.records) == 3
    many = _response_with(MAX_RECORDS + 1, "A", "10.0.{}.1")
    with pytest.raises(DnsAnswerTooLarge):
        _to_answer("big.example", "A", name, dns.rdatatype.A, many)
    long_txt = _response_with(80, "TXT", '"{}' + "x" * 250 + '"')
    with pytest.raises(DnsAnswerTooLarge):
        _to_answer("big.example", "TXT", name, dns.rdatatype.TXT, long_txt)


def test_invalid_names_raise_dns_error_not_a_crash(resolver: DnsResolver) -> None:
    from audits.net.dns import DnsError

    with pytest.raises(DnsError):
        resolver.query("x" * 64 + ".good.test", "TXT")
    config = resolver.config
    result = check_dkim("good.test", resolver, config, ("s" * 70,))
    assert result.status is CheckStatus.PASS  # the bad selector is an error, "mail" still found

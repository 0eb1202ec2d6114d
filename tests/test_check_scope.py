"""Checks judge a criterion by its own words: what the words leave out is noted, never failed.

SRI has its own tests in test_check_web.py; these are the other checks whose verdicts the words
bound: "a valid MTA-STS ... policy", "valid SPF ... records", and the three TLS criteria that one
`tls_web`/`tls_mail` result is evidence for.
"""

from __future__ import annotations

import pytest

from audits.checks.mta_sts import judge_policy
from audits.checks.mta_sts_parser import StsPolicy
from audits.checks.result import CheckStatus
from audits.checks.spf import check_spf
from audits.checks.tls import aspects, check_tls_web
from audits.net.config import NetConfig
from audits.net.dns import StaticResolver
from audits.net.tls_scan import AcceptedSuite, ServerTls
from tests import netutil

MX = ["mx.example.net"]


def policy(mode: str = "enforce", max_age: int = 604800) -> StsPolicy:
    return StsPolicy(version="STSv1", mode=mode, mx=("mx.example.net",), max_age=max_age)


@pytest.mark.parametrize(
    ("sts", "media_type", "status"),
    [
        (policy(), "text/plain", "pass"),
        # Valid policies (RFC 8461 3.2, 5): the words ask for no more.
        (policy("testing"), "text/plain", "pass"),
        (policy(max_age=3600), "text/plain", "pass"),
        # Not valid: the media type MUST be text/plain (3.2); mode none withdraws the policy (5).
        (policy(), "text/html", "fail"),
        (policy(), "", "fail"),
        (policy("none"), "text/plain", "fail"),
    ],
)
def test_mta_sts_fails_only_what_makes_a_policy_invalid(sts, media_type, status):
    assert judge_policy(sts, MX, media_type)[0] == status


def test_mta_sts_testing_mode_and_short_max_age_are_noted():
    status, _, found = judge_policy(policy("testing", max_age=60), MX, "text/plain")
    assert status == CheckStatus.PASS
    assert [n.split(":")[0] for n in found["notes"]] == [
        "mode is testing",
        "max_age 60 is under a day",
    ]


def test_mta_sts_policy_must_still_cover_every_mx():
    status, _, found = judge_policy(policy(), [*MX, "backup.example.org"], "text/plain")
    assert status == CheckStatus.FAIL and found["uncovered_mx"] == ["backup.example.org"]


def test_mta_sts_testing_mode_on_the_test_network_is_valid(testnet):
    from audits.checks.mta_sts import check_mta_sts

    result = check_mta_sts(
        "testing.scope.test",
        ["mx.scope.test"],
        resolve_txt=netutil.txt_resolver(testnet),
        resolve=netutil.resolver(testnet),
        config=netutil.config(testnet),
    )
    assert result.status == CheckStatus.PASS and result.details["mode"] == "testing"
    html = check_mta_sts(
        "html.scope.test",
        ["mx.scope.test"],
        resolve_txt=netutil.txt_resolver(testnet),
        resolve=netutil.resolver(testnet),
        config=netutil.config(testnet),
    )
    assert html.status == CheckStatus.FAIL and html.details["media_type"] == "text/html"


@pytest.mark.parametrize(
    ("record", "status"),
    [
        ("v=spf1 ip4:192.0.2.0/24 ~all", CheckStatus.PASS),
        ("v=spf1 ptr ~all", CheckStatus.WARN),
        ("v=spf1 ip4:192.0.2.0/24 -all", CheckStatus.PASS),
        ("v=spf1 ip4:192.0.2.0/24 ?all", CheckStatus.FAIL),
    ],
)
def test_spf_softfail_is_a_valid_record(record, status):
    result = check_spf(
        "example.test", StaticResolver({"example.test": [{"TXT": record}]}), NetConfig()
    )
    assert result.status is status, result.as_dict()


def test_spf_softfail_is_noted_not_failed():
    zone = {"example.test": [{"TXT": "v=spf1 mx ~all"}]}
    result = check_spf("example.test", StaticResolver(zone), NetConfig())
    assert result.status is CheckStatus.PASS and "~all" in result.details["notes"][0]


ECDHE_GCM = AcceptedSuite("TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "EC", 256)
ECDHE_CBC = AcceptedSuite("TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "EC", 256)
TLS13 = AcceptedSuite("TLSv1.3", "TLS_AES_128_GCM_SHA256", "X25519", 253)


def server(*suites: AcceptedSuite, **kwargs) -> ServerTls:
    return ServerTls("www.example.test", "192.0.2.80", 443, suites=suites, **kwargs)


@pytest.mark.parametrize(
    ("suites", "expected"),
    [
        ((TLS13, ECDHE_GCM), {"versions": "pass", "suites": "pass"}),
        # TLS 1.0 beside 1.2+: "a plan for RFC8996" cannot be seen, so not yet a failure.
        ((TLS13, AcceptedSuite("TLSv1", ECDHE_CBC.name, "EC", 256)), {"versions": "warn"}),
        ((AcceptedSuite("SSLv3", ECDHE_CBC.name, "EC", 256), TLS13), {"versions": "fail"}),
        ((AcceptedSuite("TLSv1", ECDHE_CBC.name, "EC", 256),), {"versions": "fail"}),
        # Weaker suites beside strong ones: a server preference is asked for, and here not
        # measured (tests/test_tls_preference.py has the measured cases).
        ((ECDHE_GCM, ECDHE_CBC), {"suites": "error"}),
        ((ECDHE_CBC,), {"suites": "fail"}),
    ],
)
def test_tls_aspects_follow_the_words_of_their_criteria(suites, expected):
    found = aspects(server(*suites, certificate_valid=True))
    assert {k: found[k].value for k in expected} == expected


def test_tls_certificate_and_dh_aspects():
    dhe = AcceptedSuite("TLSv1.2", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "DH", 1024)
    found = aspects(server(TLS13, dhe, certificate_valid=False, certificate_error="expired"))
    assert (found["dh"], found["certificate"]) == (CheckStatus.FAIL, CheckStatus.FAIL)
    assert found["versions"] == found["suites"] == CheckStatus.PASS
    unreachable = aspects(server(connection_error="refused"))
    assert set(unreachable.values()) == {CheckStatus.ERROR}


def test_tls_weak_host_fails_overall_but_not_on_versions_and_suites(testnet):
    result = check_tls_web(
        "www.weak.test", resolve=netutil.resolver(testnet), config=netutil.config(testnet)
    )
    assert result.status == CheckStatus.FAIL
    # TLS 1.0 beside 1.3: partly. CBC beside GCM, but the server's order (OpenSSL's DEFAULT,
    # which Python servers enforce) puts every strong suite first: the preference asked for.
    # The 1024-bit DH group fails outright.
    assert result.details["aspects"] == {
        "versions": "warn",
        "suites": "pass",
        "dh": "fail",
        "certificate": "pass",
    }


def test_tls_aspects_of_an_unresolvable_host_are_unknown(testnet):
    result = check_tls_web(
        "nothing.weak.test", resolve=netutil.resolver(testnet), config=netutil.config(testnet)
    )
    assert result.status == CheckStatus.ERROR
    assert set(result.details["aspects"].values()) == {"error"}

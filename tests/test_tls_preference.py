"""The pure parts of the suite-preference measurement (audits/net/tls_preference.py) and how its
finding becomes the `suites` aspect. Against the test network: test_tls_preference_testnet.py."""

from __future__ import annotations

import socket
import ssl

import pytest

from audits.checks.result import CheckStatus
from audits.checks.tls import aspects, judge_server
from audits.net.config import NetConfig
from audits.net.tls import Deadline
from audits.net.tls_preference import (
    TLS13,
    Attempt,
    Finding,
    Preference,
    client_context,
    judge,
    local_name,
    local_tls12_names,
    measure,
    needs_measuring,
    offerable,
    offers,
)
from audits.net.tls_scan import AcceptedSuite, ScanTarget, ServerTls

STRONG = AcceptedSuite(
    "TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "EC", 256, "ECDHE-RSA-AES128-GCM-SHA256"
)
NO_FS = AcceptedSuite("TLSv1.2", "TLS_RSA_WITH_AES_128_GCM_SHA256", None, None, "AES128-GCM-SHA256")
CBC = AcceptedSuite(
    "TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "EC", 256, "ECDHE-RSA-AES128-SHA"
)
# Accepted by old servers, gone from OpenSSL 3 builds: sslyze's legacy OpenSSL still offers it.
TRIPLE_DES = AcceptedSuite("TLSv1.2", "TLS_RSA_WITH_3DES_EDE_CBC_SHA", None, None, "DES-CBC3-SHA")
TLS13_SUITE = AcceptedSuite(
    "TLSv1.3", "TLS_AES_128_GCM_SHA256", "X25519", 253, "TLS_AES_128_GCM_SHA256"
)


def server(*suites: AcceptedSuite, address: str = "192.0.2.80") -> ServerTls:
    return ServerTls("www.example.test", address, 443, suites=suites, certificate_valid=True)


def test_suites_are_offered_by_the_openssl_name_sslyze_used():
    available = local_tls12_names()
    assert local_name(NO_FS, available) == "AES128-GCM-SHA256"
    assert local_name(CBC, available) == "ECDHE-RSA-AES128-SHA"
    # TLS 1.3 suites are not set through the TLS 1.2 cipher list.
    assert "TLS_AES_128_GCM_SHA256" not in available


def test_a_suite_this_openssl_lacks_or_without_a_name_cannot_be_offered():
    available = local_tls12_names()
    if "DES-CBC3-SHA" in available:
        pytest.skip("this OpenSSL build still has 3DES")
    assert local_name(TRIPLE_DES, available) is None
    unnamed = AcceptedSuite("TLSv1.2", NO_FS.name, None, None)
    assert local_name(unnamed, available) is None
    local, untested = offerable([NO_FS, TRIPLE_DES, STRONG], available)
    assert local == {NO_FS.name: "AES128-GCM-SHA256", STRONG.name: "ECDHE-RSA-AES128-GCM-SHA256"}
    assert untested == [TRIPLE_DES.name]


def test_every_strong_suite_is_offered_after_all_the_weak_ones():
    assert offers(["W1", "W2"], ["S1", "S2"]) == [("W1", "W2", "S1"), ("W1", "W2", "S2")]
    assert offers(["W1"], []) == []


def test_the_client_offers_the_suites_in_the_order_given_for_tls_1_2_only():
    context = client_context(["AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256"])
    tls12 = [c["name"] for c in context.get_ciphers() if c["protocol"] != TLS13]
    assert tls12 == ["AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256"]
    assert context.maximum_version == ssl.TLSVersion.TLSv1_2
    assert context.verify_mode == ssl.CERT_NONE  # the handshake only: the scan judges the cert
    assert client_context(["AES128-GCM-SHA256"], tls13=True).maximum_version == (
        ssl.TLSVersion.TLSv1_3
    )


@pytest.mark.parametrize(
    ("attempts", "untested", "finding"),
    [
        ([Attempt("S1", "S1"), Attempt("S2", "S2")], [], Finding.STRONG_PREFERRED),
        ([Attempt("S1", "S1"), Attempt("S2", "W1")], [], Finding.WEAK_CHOSEN),
        # A weak pick is a definite defect: it outranks what could not be tested.
        ([Attempt("S1", "W2")], ["TLS_RSA_WITH_3DES_EDE_CBC_SHA"], Finding.WEAK_CHOSEN),
        ([Attempt("S1", "S1")], ["TLS_RSA_WITH_3DES_EDE_CBC_SHA"], Finding.COULD_NOT_TEST),
        ([Attempt("S1", "S1"), Attempt("S2", error="timed out")], [], Finding.COULD_NOT_TEST),
        ([], [], Finding.COULD_NOT_TEST),
    ],
)
def test_the_finding_never_guesses(attempts, untested, finding):
    assert judge(["W1", "W2"], attempts, untested) is finding


@pytest.mark.parametrize(
    ("suites", "measured"),
    [
        ((STRONG, NO_FS), True),
        # Strong suites only in TLS 1.3: a client able to use one must get one.
        ((TLS13_SUITE, CBC), True),
        ((STRONG, TLS13_SUITE), False),  # nothing weak: no order to measure
        ((CBC,), False),  # nothing strong: the suites aspect fails without measuring
    ],
)
def test_only_weak_suites_beside_strong_ones_are_measured(suites, measured):
    assert needs_measuring(server(*suites)) is measured


@pytest.mark.parametrize(
    ("finding", "status"),
    [
        (Finding.STRONG_PREFERRED, CheckStatus.PASS),
        (Finding.WEAK_CHOSEN, CheckStatus.FAIL),
        (Finding.COULD_NOT_TEST, CheckStatus.ERROR),
    ],
)
def test_the_suites_aspect_follows_the_measured_preference(finding, status):
    found = aspects(server(STRONG, NO_FS), Preference(finding))
    assert found["suites"] == status
    # The other aspects do not depend on it.
    assert found["versions"] == found["dh"] == found["certificate"] == CheckStatus.PASS


def test_strong_suites_alone_pass_without_a_measurement():
    assert aspects(server(STRONG, TLS13_SUITE))["suites"] == CheckStatus.PASS


def test_a_weak_pick_is_named_among_the_problems():
    preference = Preference(
        Finding.WEAK_CHOSEN,
        (NO_FS.name,),
        (Attempt(STRONG.name, NO_FS.name),),
        message="chose it over the strong one",
    )
    status, problems = judge_server(server(STRONG, NO_FS), preference)
    assert status == CheckStatus.FAIL
    assert problems[-1] == "chose it over the strong one"
    assert "chose it" not in " ".join(judge_server(server(STRONG, NO_FS))[1])


def test_suites_this_openssl_cannot_offer_are_not_tested_and_not_guessed():
    if "DES-CBC3-SHA" in local_tls12_names():
        pytest.skip("this OpenSSL build still has 3DES")
    # The only weak suite cannot be offered, so there is nothing to connect for (nothing answers
    # in documentation space anyway), and the finding says so.
    target = ScanTarget("www.example.test", "192.0.2.80", 443)
    config = NetConfig(allow_private_networks=True, timeout=0.5)
    preference = measure(target, server(STRONG, TRIPLE_DES), config, Deadline(1.0))
    assert preference.finding is Finding.COULD_NOT_TEST
    assert preference.attempts == () and preference.untested == (TRIPLE_DES.name,)
    assert "TLS_RSA_WITH_3DES_EDE_CBC_SHA" in preference.message


def test_the_ssrf_guard_refuses_a_private_address_before_any_handshake():
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        target = ScanTarget("www.example.test", "127.0.0.1", port)
        config = NetConfig(allow_private_networks=False, timeout=0.5)
        preference = measure(target, server(STRONG, NO_FS), config, Deadline(1.0))
        assert preference.finding is Finding.COULD_NOT_TEST and preference.refused
        assert "not a public address" in preference.message
        assert preference.attempts == ()
        # Nothing connected to the listener.
        listener.settimeout(0.2)
        with pytest.raises(TimeoutError):
            listener.accept()

"""`tls_web` and `tls_mail` against the local test network (expectations from zones.DOMAINS)."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys
import time

import pytest
from django.conf import settings

from audits.checks.result import CheckStatus
from audits.checks.tls import check_tls_mail, check_tls_web, judge_server
from audits.net.tls import has_route
from audits.net.tls_scan import AcceptedSuite, ServerTls
from audits.scoring import BY_CRITERION, combine, status_pairs, verdict
from tests import netutil
from tests.testnet.zones import DOMAINS

BOUND = 2.0  # per-step timeout in these tests; the tarpit must not cost more than a few of them


def cases(key: str) -> list:
    return [pytest.param(d, id=d.name) for d in DOMAINS if key in d.expect]


@pytest.mark.parametrize("domain", cases("tls_web"))
def test_tls_web_gives_the_expected_status(testnet, domain):
    result = check_tls_web(
        domain.web, resolve=netutil.resolver(testnet), config=netutil.config(testnet, timeout=BOUND)
    )
    assert result.status == domain.expect["tls_web"], result.details
    # Tarpit and reset hosts included: an error within the bound, never a hang.
    assert result.duration_ms < 3 * 2000


@pytest.mark.parametrize("domain", cases("tls_mail"))
def test_tls_mail_gives_the_expected_status(testnet, domain):
    result = check_tls_mail(
        domain.mx, resolve=netutil.resolver(testnet), config=netutil.config(testnet, timeout=BOUND)
    )
    assert result.status == domain.expect["tls_mail"], result.details
    # Tarpit and reset hosts included: an error within the bound, never a hang.
    assert result.duration_ms < 3 * 2000


def test_tls_web_names_tls10_on_the_weak_host(testnet):
    result = check_tls_web(
        "www.weak.test", resolve=netutil.resolver(testnet), config=netutil.config(testnet)
    )
    host = result.details["hosts"][0]
    assert "TLSv1" in host["accepted_versions"] and "TLSv1.3" in host["accepted_versions"]
    assert any("RFC 8996" in p for p in host["problems"])
    # The legacy profile offers OpenSSL's DEFAULT list: static-RSA-less, but CBC suites in 1.2.
    assert host["without_forward_secrecy_or_aead"]


def test_tls_web_passes_good_host_with_only_modern_versions(testnet):
    result = check_tls_web(
        "www.good.test", resolve=netutil.resolver(testnet), config=netutil.config(testnet)
    )
    host = result.details["hosts"][0]
    assert host["accepted_versions"] == ["TLSv1.2", "TLSv1.3"]
    assert host["without_forward_secrecy_or_aead"] == [] and host["weak_dh"] == []
    assert host["certificate_valid"] is True and host["untested_versions"] == []
    assert host["problems"] == []
    # Every suite sslyze found is one the modern test profile configures.
    assert all("GCM" in s or "CHACHA20" in s for s in host["suites"]["TLSv1.2"])


def test_certificate_for_another_name_fails(testnet):
    # mx.good.test's certificate does not name www.good.test; point the name at its address.
    def resolve(name: str) -> list[str]:
        return [testnet.address("mx.good.test")]

    result = check_tls_mail(["www.good.test"], resolve=resolve, config=netutil.config(testnet))
    assert result.status == CheckStatus.FAIL
    assert any("certificate" in p for p in result.details["hosts"][0]["problems"])


def test_tarpit_mx_gives_error_within_bound(testnet):
    config = netutil.config(testnet, timeout=1.0)
    started = time.monotonic()
    result = check_tls_mail(
        ["tarpit.broken.test"], resolve=netutil.resolver(testnet), config=config
    )
    assert time.monotonic() - started < 3 * config.timeout
    assert result.status == CheckStatus.ERROR
    assert "answer" in result.details["hosts"][0]["problems"][0]


def test_reset_web_host_gives_error_at_once(testnet):
    started = time.monotonic()
    result = check_tls_web(
        "www.broken.test", resolve=netutil.resolver(testnet), config=netutil.config(testnet)
    )
    assert result.status == CheckStatus.ERROR
    assert time.monotonic() - started < 1.0


@pytest.mark.parametrize(
    ("version", "name", "forward_secret", "aead"),
    [
        ("TLSv1.2", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", True, True),
        ("TLSv1.2", "TLS_DHE_RSA_WITH_AES_256_CCM_8", True, True),
        ("TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", True, False),
        ("TLSv1.2", "TLS_RSA_WITH_AES_128_GCM_SHA256", False, True),
        ("TLSv1.2", "TLS_RSA_WITH_AES_256_CBC_SHA", False, False),
    ],
)
def test_suite_names_tell_forward_secrecy_and_aead(version, name, forward_secret, aead):
    suite = AcceptedSuite(version, name, None, None)
    assert (suite.forward_secret, suite.aead) == (forward_secret, aead)


def test_dh_groups_below_2048_bits_are_weak():
    dhe = "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"
    assert AcceptedSuite("TLSv1.2", dhe, "DH", 1024).weak_dh
    assert not AcceptedSuite("TLSv1.2", dhe, "DH", 2048).weak_dh
    # sslyze's client refuses groups below ~768 bits and records no key: weakest, not unknown.
    assert AcceptedSuite("TLSv1.2", dhe, None, None).weak_dh
    assert AcceptedSuite("TLSv1", "TLS_DH_anon_WITH_AES_128_CBC_SHA", None, None).weak_dh
    # Static RSA has no ephemeral key at all; that is a forward-secrecy problem, not a DH one.
    assert not AcceptedSuite("TLSv1.2", "TLS_RSA_WITH_AES_128_GCM_SHA256", None, None).weak_dh


def test_a_dhe_suite_without_a_key_is_reported_as_too_small():
    server = ServerTls(
        "mx.example.test",
        "192.0.2.25",
        25,
        suites=(
            AcceptedSuite("TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "EC", 256),
            AcceptedSuite("TLSv1.2", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", None, None),
        ),
        certificate_valid=True,
    )
    status, problems = judge_server(server)
    assert status == CheckStatus.FAIL
    assert problems == [
        "uses a too small (< 768-bit) Diffie-Hellman group (below 2048, RFC 9325 4.1) "
        "with TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"
    ]


def test_an_unchecked_certificate_is_an_error_not_a_failure():
    suites = (AcceptedSuite("TLSv1.3", "TLS_AES_128_GCM_SHA256", "X25519", 253),)
    server = ServerTls(
        "www.example.test",
        "192.0.2.80",
        443,
        suites=suites,
        certificate_error="the certificate could not be retrieved",
        certificate_checked=False,
    )
    assert judge_server(server)[0] == CheckStatus.ERROR


def test_private_address_is_an_error_when_not_allowed(testnet):
    config = netutil.config(testnet, allow_private_networks=False)
    result = check_tls_web("www.good.test", resolve=netutil.resolver(testnet), config=config)
    assert result.status == CheckStatus.ERROR
    assert "not a public address" in result.details["hosts"][0]["problems"][0]


@pytest.mark.parametrize(
    ("check", "host"), [("tls_web", "www.weak.test"), ("tls_mail", "mx.weak.test")]
)
def test_a_1024_bit_dh_group_is_found_and_named(testnet, check, host):
    config = netutil.config(testnet)
    resolve = netutil.resolver(testnet)
    if check == "tls_web":
        result = check_tls_web(host, resolve=resolve, config=config)
    else:
        result = check_tls_mail([host], resolve=resolve, config=config)
    details = result.details["hosts"][0]
    assert details["weak_dh"], details
    assert {entry["bits"] for entry in details["weak_dh"]} == {1024}
    assert all("_DHE_" in entry["suite"] for entry in details["weak_dh"])
    assert any("1024-bit Diffie-Hellman" in p for p in details["problems"])


def test_every_address_of_a_host_is_scanned(testnet):
    # mx.good.test behind two addresses; the second server's certificate names mx-ta only.
    def resolve(name: str) -> list[str]:
        return [testnet.address("mx.good.test"), testnet.address("mx-ta.good.test")]

    result = check_tls_mail(["mx.good.test"], resolve=resolve, config=netutil.config(testnet))
    by_address = {h["address"]: h for h in result.details["hosts"]}
    assert by_address[testnet.address("mx.good.test")]["status"] == "pass"
    second = by_address[testnet.address("mx-ta.good.test")]
    assert second["status"] == "fail" and second["certificate_valid"] is False
    assert result.status == CheckStatus.FAIL


def test_addresses_without_a_route_are_told_apart_from_reachable_ones():
    # A network namespace with no interface up: the kernel has no route to anything there.
    probe = (
        "from audits.net.tls import has_route; "
        "print(has_route('2001:db8::1'), has_route('192.0.2.7'))"
    )
    unshare = shutil.which("unshare")
    assert unshare, "util-linux's unshare is needed"
    isolated = subprocess.run(
        [unshare, "--net", sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
    )
    assert isolated.stdout.split() == ["False", "False"]
    assert has_route("127.0.0.1")


def test_a_scan_past_its_own_bound_is_an_error_at_the_bound(testnet):
    # The tarpit holds the connectivity test for the whole per-step timeout (2 s); the scan's
    # bound is shorter, so the check must give up at the bound, not wait for sslyze.
    config = dataclasses.replace(netutil.config(testnet, timeout=2.0), tls_scan_timeout=0.5)
    started = time.monotonic()
    result = check_tls_mail(
        ["tarpit.broken.test"], resolve=netutil.resolver(testnet), config=config
    )
    assert time.monotonic() - started < 1.5
    assert result.status == CheckStatus.ERROR
    assert "did not finish within 0.5 s" in result.details["hosts"][0]["problems"][0]


# --- A server suite preference for strong suites (prefer.test; tests/test_tls_preference*.py) --


@pytest.mark.parametrize(
    ("host", "suites", "finding", "criterion"),
    [
        ("strong-first.prefer.test", "pass", "strong_preferred", "met"),
        ("client-order.prefer.test", "fail", "weak_chosen", "not_met"),
        ("interleaved.prefer.test", "fail", "weak_chosen", "not_met"),
    ],
)
def test_weak_suites_beside_strong_ones_are_judged_by_the_servers_preference(
    testnet, host, suites, finding, criterion
):
    resolve, config = netutil.resolver(testnet), netutil.config(testnet)
    # The host is both the web host (HTTPS) and the MX (STARTTLS).
    results = [
        check_tls_web(host, resolve=resolve, config=config),
        check_tls_mail([host], resolve=resolve, config=config),
    ]
    for result in results:
        (details,) = result.details["hosts"]
        # Accepting weak suites is a TLS defect whatever the order ("No TLS errors ...").
        assert result.status == CheckStatus.FAIL
        assert details["without_forward_secrecy_or_aead"]
        assert result.details["aspects"] == {
            "versions": "pass",
            "suites": suites,
            "dh": "pass",
            "certificate": "pass",
        }
        preference = details["preference"]
        assert preference["finding"] == finding
        assert preference["weak_first"] == sorted(details["without_forward_secrecy_or_aead"])
        assert all(a["chosen"] for a in preference["attempts"])
        assert (preference["message"] in details["problems"]) is (finding == "weak_chosen")
    statuses = combine(pair for r in results for pair in status_pairs(r.check, r.status, r.details))
    assert verdict(BY_CRITERION["strong-cipher-suites"], statuses) == criterion
    assert verdict(BY_CRITERION["no-tls-errors"], statuses) == "not_met"


def test_a_host_without_weak_suites_has_no_preference_to_measure(testnet):
    result = check_tls_web(
        "www.good.test", resolve=netutil.resolver(testnet), config=netutil.config(testnet)
    )
    assert result.details["hosts"][0]["preference"] is None
    assert result.details["aspects"]["suites"] == "pass"


def test_a_mixed_host_at_a_private_address_is_refused_before_scan_or_measurement(testnet):
    config = netutil.config(testnet, allow_private_networks=False)
    result = check_tls_mail(
        ["client-order.prefer.test"], resolve=netutil.resolver(testnet), config=config
    )
    (details,) = result.details["hosts"]
    assert result.status == CheckStatus.ERROR and details["refused"] is True
    assert "preference" not in details
    assert result.details["aspects"]["suites"] == "error"

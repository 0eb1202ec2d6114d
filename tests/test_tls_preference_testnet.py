"""The suite-preference measurement against the servers of prefer.test (tests/testnet/zones.py).

Each host there accepts strong suites and two weak TLS 1.2 suites over HTTPS and over SMTP
STARTTLS; only its server order differs (TlsProfile.MIXED_*).
"""

from __future__ import annotations

import dataclasses
import socket
import ssl
import time

import pytest

from audits.net.tls import Deadline
from audits.net.tls_preference import TLS13, Finding, measure, needs_measuring
from audits.net.tls_scan import AcceptedSuite, ScanTarget, ServerTls, scan_servers
from tests import netutil
from tests.testnet.zones import HTTPS_PORT, SMTP_PORT

WEAK = ("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_128_GCM_SHA256")
# A weak and a strong suite of a server with an RSA key, as a scan would list them.
RSA_KEYED = (
    AcceptedSuite("TLSv1.2", WEAK[1], None, None, "AES128-GCM-SHA256"),
    AcceptedSuite(
        "TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "EC", 256, "ECDHE-RSA-AES128-GCM-SHA256"
    ),
)
PORTS = [pytest.param(HTTPS_PORT, False, id="https"), pytest.param(SMTP_PORT, True, id="starttls")]


def target(net, host: str, port: int, starttls: bool) -> ScanTarget:
    return ScanTarget(host, net.address(host), port, starttls)


def scanned(net, where: ScanTarget) -> ServerTls:
    (server,) = scan_servers([where], netutil.config(net))
    assert server.connection_error is None, server.connection_error
    return server


def chosen_with(net, host: str, offer: str) -> str:
    """The suite a server picks when a TLS 1.2 client offers `offer` (OpenSSL names, in order)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers(offer)
    with (
        socket.create_connection((net.address(host), HTTPS_PORT), timeout=2) as sock,
        context.wrap_socket(sock, server_hostname=host) as tls,
    ):
        return tls.cipher()[0]


@pytest.mark.parametrize(
    ("host", "picks"),
    [
        # Its order: strong suites, then the weak ones; enforced.
        ("strong-first.prefer.test", ["ECDHE-RSA-AES128-GCM-SHA256"] * 2),
        # No server order: the client's first suite the server accepts.
        ("client-order.prefer.test", ["AES128-GCM-SHA256", "ECDHE-RSA-AES128-SHA"]),
        # Enforced order AES256-GCM > AES128-GCM-SHA256 (weak) > AES128-GCM > CHACHA20 > CBC.
        ("interleaved.prefer.test", ["AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256"]),
    ],
)
def test_the_test_servers_pick_suites_as_described(testnet, host, picks):
    offers = [
        "AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES128-GCM-SHA256",
    ]
    assert [chosen_with(testnet, host, offer) for offer in offers] == picks


@pytest.mark.parametrize(("port", "starttls"), PORTS)
def test_a_server_preferring_strong_suites_picks_one_in_every_attempt(testnet, port, starttls):
    where = target(testnet, "strong-first.prefer.test", port, starttls)
    server = scanned(testnet, where)
    assert needs_measuring(server)
    preference = measure(where, server, netutil.config(testnet), Deadline(10))
    assert preference.finding is Finding.STRONG_PREFERRED, preference
    assert preference.weak_first == WEAK
    # One attempt per strong TLS 1.2 suite the scan found, each won by that strong suite.
    strong = sorted(s.name for s in server.suites if s.version == "TLSv1.2" and s.name not in WEAK)
    assert [(a.strong, a.chosen) for a in preference.attempts] == [(s, s) for s in strong]
    assert preference.untested == ()


@pytest.mark.parametrize(("port", "starttls"), PORTS)
@pytest.mark.parametrize("host", ["client-order.prefer.test", "interleaved.prefer.test"])
def test_a_weak_suite_chosen_over_a_strong_one_is_found(testnet, host, port, starttls):
    where = target(testnet, host, port, starttls)
    preference = measure(where, scanned(testnet, where), netutil.config(testnet), Deadline(10))
    assert preference.finding is Finding.WEAK_CHOSEN, preference
    last = preference.attempts[-1]
    assert last.chosen in WEAK and last.strong not in WEAK
    assert f"chose {last.chosen} over {last.strong}" in preference.message


@pytest.mark.parametrize("host", ["strong-first.prefer.test", "client-order.prefer.test"])
def test_strong_suites_only_in_tls_1_3_win_by_the_version(testnet, host):
    # As if the server's only strong suites were TLS 1.3 ones: a client offering TLS 1.3 beside
    # the weak TLS 1.2 suites gets TLS 1.3, whatever the server's TLS 1.2 order.
    where = target(testnet, host, HTTPS_PORT, False)
    server = scanned(testnet, where)
    only_13 = tuple(s for s in server.suites if s.version == "TLSv1.3" or s.name in WEAK)
    preference = measure(
        where, dataclasses.replace(server, suites=only_13), netutil.config(testnet), Deadline(10)
    )
    assert preference.finding is Finding.STRONG_PREFERRED, preference
    (attempt,) = preference.attempts
    assert attempt.strong == TLS13
    assert attempt.chosen in {s.name for s in only_13 if s.version == "TLSv1.3"}


def test_a_suite_this_openssl_cannot_offer_leaves_the_preference_unknown(testnet):
    # The scan of an old server could list 3DES, which this OpenSSL cannot offer: the suites it
    # can offer are measured, but the server's place for 3DES stays unknown.
    where = target(testnet, "strong-first.prefer.test", HTTPS_PORT, False)
    server = scanned(testnet, where)
    triple_des = AcceptedSuite(
        "TLSv1.2", "TLS_RSA_WITH_3DES_EDE_CBC_SHA", None, None, "NO-SUCH-SUITE-HERE"
    )
    with_3des = dataclasses.replace(server, suites=(*server.suites, triple_des))
    preference = measure(where, with_3des, netutil.config(testnet), Deadline(10))
    assert preference.finding is Finding.COULD_NOT_TEST
    assert preference.untested == (triple_des.name,)
    assert all(a.chosen == a.strong for a in preference.attempts)  # the rest was measured


def test_a_handshake_the_server_refuses_is_an_error_not_a_finding(testnet):
    # good.test's server has an ECDSA key, so it accepts no static-RSA or ECDHE-RSA suite: a
    # scan claiming it does (a server changed between scan and measurement) meets a refusal,
    # reported as such.
    where = target(testnet, "www.good.test", HTTPS_PORT, False)
    claimed = ServerTls(where.host, where.address, where.port, suites=RSA_KEYED)
    preference = measure(where, claimed, netutil.config(testnet), Deadline(10))
    assert preference.finding is Finding.COULD_NOT_TEST
    assert "handshake refused" in preference.message


def test_a_tarpit_ends_within_the_bound(testnet):
    where = target(testnet, "tarpit.broken.test", SMTP_PORT, True)
    like_a_mixed_server = ServerTls(where.host, where.address, where.port, suites=RSA_KEYED)
    started = time.monotonic()
    preference = measure(
        where, like_a_mixed_server, netutil.config(testnet, timeout=0.5), Deadline(1.0)
    )
    assert time.monotonic() - started < 1.5
    assert preference.finding is Finding.COULD_NOT_TEST
    assert "did not answer in time" in preference.message


def test_the_ssrf_guard_refuses_the_test_network_when_private_networks_are_not_allowed(testnet):
    where = target(testnet, "client-order.prefer.test", HTTPS_PORT, False)
    server = scanned(testnet, where)
    config = netutil.config(testnet, allow_private_networks=False)
    preference = measure(where, server, config, Deadline(10))
    assert preference.refused and preference.attempts == ()
    assert preference.finding is Finding.COULD_NOT_TEST

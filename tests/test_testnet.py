"""The local test network answers as tests/testnet/zones.py describes it.

These talk to the real Knot/Unbound and servers through the `testnet` session fixture (from
tests/testnet/fixtures.py, imported by tests/conftest.py), the same way the checks will: DNS through
our validating resolver, TLS against the test CA.
"""

from __future__ import annotations

import http.client
import os
import smtplib
import socket
import ssl
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import pytest
from cryptography import x509

from tests.testnet import content, network, procs, zones
from tests.testnet.network import Testnet
from tests.testnet.zonefiles import spki_sha256

ROOT = Path(__file__).resolve().parent.parent
HTTPS = zones.HTTPS_PORT
HTTP = zones.HTTP_PORT


def ask(net: Testnet, name: str, rdtype: str, *, cd: bool = False) -> dns.message.Message:
    query = dns.message.make_query(name, rdtype, want_dnssec=True)
    if cd:
        query.flags |= dns.flags.CD
    host, port = net.nameserver
    return dns.query.udp(query, host, port=port, timeout=2)


def rdata_texts(answer: dns.message.Message, rdtype: str) -> list[str]:
    wanted = dns.rdatatype.from_text(rdtype)
    return [rd.to_text() for rrset in answer.answer if rrset.rdtype == wanted for rd in rrset]


def client_context(net: Testnet) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(net.ca_bundle))


@dataclass(frozen=True)
class Fetched:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


def https_get(net: Testnet, name: str, path: str) -> Fetched:
    """GET over TLS to the address of `name`, with SNI and Host set to `name`."""
    raw = socket.create_connection((net.address(name), HTTPS), timeout=5)
    with client_context(net).wrap_socket(raw, server_hostname=name) as sock:
        return _exchange(sock, name, path)


def http_get(net: Testnet, name: str, path: str) -> Fetched:
    with socket.create_connection((net.address(name), HTTP), timeout=5) as sock:
        return _exchange(sock, name, path)


def _exchange(sock: socket.socket, name: str, path: str) -> Fetched:
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {name}\r\nConnection: close\r\n\r\n".encode())
    response = http.client.HTTPResponse(sock)
    response.begin()
    with response:
        return Fetched(response.status, response.headers, response.read())


class _SMTP(smtplib.SMTP):
    """smtplib that connects to a given address but checks the certificate for the host name."""

    def __init__(self, address: str, host: str, port: int) -> None:
        self._address = address
        super().__init__(host, port, local_hostname="client.test", timeout=5)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        return socket.create_connection((self._address, port), timeout)


class _SMTPS(smtplib.SMTP_SSL):
    def __init__(self, address: str, host: str, port: int, context: ssl.SSLContext) -> None:
        self._address = address
        super().__init__(host, port, local_hostname="client.test", timeout=5, context=context)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        raw = socket.create_connection((self._address, port), timeout)
        return self.context.wrap_socket(raw, server_hostname=host)


def tls10_only_context() -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx.minimum_version = ssl.TLSVersion.TLSv1
        ctx.maximum_version = ssl.TLSVersion.TLSv1
    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    return ctx


# --- DNS ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("zone", ["good.test", "nullmx.test"])
def test_signed_zones_validate_with_the_ad_flag(testnet: Testnet, zone: str) -> None:
    answer = ask(testnet, zone, "SOA")
    assert answer.rcode() == dns.rcode.NOERROR
    assert answer.flags & dns.flags.AD


def test_unsigned_zone_answers_without_the_ad_flag(testnet: Testnet) -> None:
    answer = ask(testnet, "weak.test", "SOA")
    assert answer.rcode() == dns.rcode.NOERROR
    assert rdata_texts(answer, "SOA")
    assert not answer.flags & dns.flags.AD


def test_expired_signatures_give_servfail_and_cd_returns_the_data(testnet: Testnet) -> None:
    assert ask(testnet, "broken.test", "SOA").rcode() == dns.rcode.SERVFAIL
    unchecked = ask(testnet, "broken.test", "SOA", cd=True)
    assert unchecked.rcode() == dns.rcode.NOERROR
    assert rdata_texts(unchecked, "SOA")
    assert rdata_texts(unchecked, "RRSIG"), "the expired signature is served"


def test_broken_zone_keeps_its_other_defects_reachable(testnet: Testnet) -> None:
    # Only SOA and apex A carry expired signatures, so the SPF record itself validates.
    answer = ask(testnet, "broken.test", "TXT")
    assert answer.rcode() == dns.rcode.NOERROR
    assert answer.flags & dns.flags.AD


def test_names_outside_the_test_zones_never_leave_the_machine(testnet: Testnet) -> None:
    started = time.monotonic()
    answer = ask(testnet, "example.com", "A")
    assert answer.rcode() == dns.rcode.NXDOMAIN
    assert time.monotonic() - started < 1


@pytest.mark.parametrize(
    ("name", "rdtype", "expected"),
    [
        ("good.test", "MX", ["10 mx.good.test."]),
        ("good.test", "TXT", ['"v=spf1 mx -all"']),
        (
            "_dmarc.good.test",
            "TXT",
            ['"v=DMARC1; p=reject; sp=reject; pct=100; " "rua=mailto:dmarc@good.test"'],
        ),
        ("_mta-sts.good.test", "TXT", ['"v=STSv1; id=20260101T000000"']),
        ("_smtp._tls.good.test", "TXT", ['"v=TLSRPTv1; rua=mailto:tls-reports@good.test"']),
        ("good.test", "CAA", ['0 iodef "mailto:security@good.test"', '0 issue "ca.good.test"']),
        ("_submissions._tcp.good.test", "SRV", ["0 1 465 smtp.good.test."]),
        ("nullmx.test", "MX", ["0 ."]),
        ("weak.test", "MX", ["10 mx.weak.test.", "20 mx2.weak.test."]),
        ("weak.test", "TXT", ['"v=spf1 mx ~all"']),
        ("_dmarc.weak.test", "TXT", ['"v=DMARC1; p=none"']),
        ("broken.test", "MX", ["10 mx.broken.test.", "20 tarpit.broken.test."]),
        (
            "_dmarc.broken.test",
            "TXT",
            ['"v=DMARC1; p=none"', '"v=DMARC1; p=reject; rua=mailto:dmarc@broken.test"'],
        ),
        ("spf-loop2.broken.test", "TXT", ['"v=spf1 include:spf-loop.broken.test -all"']),
        ("mail._domainkey.broken.test", "TXT", ['"v=DKIM1; k=rsa; p="']),
    ],
)
def test_records_are_published_as_described(
    testnet: Testnet, name: str, rdtype: str, expected: list[str]
) -> None:
    answer = ask(testnet, name, rdtype)
    assert answer.rcode() == dns.rcode.NOERROR
    assert sorted(rdata_texts(answer, rdtype)) == sorted(expected)


@pytest.mark.parametrize(("selector", "key_tag"), [("mail", "k=rsa"), ("ed", "k=ed25519")])
def test_dkim_keys_are_published(testnet: Testnet, selector: str, key_tag: str) -> None:
    (record,) = rdata_texts(ask(testnet, f"{selector}._domainkey.good.test", "TXT"), "TXT")
    value = "".join(part.strip('"') for part in record.split('" "'))
    assert key_tag in value
    assert "p=" in value and not value.endswith("p=")


def test_a_records_point_at_the_hosts(testnet: Testnet) -> None:
    answer = ask(testnet, "mx.good.test", "A")
    assert rdata_texts(answer, "A") == [testnet.address("mx.good.test")]


# --- TLS and HTTPS ----------------------------------------------------------------------------


WEB_HOSTS = [
    "www.good.test",
    "good.test",
    "mta-sts.good.test",
    "openpgpkey.good.test",
    "www.weak.test",
    "mta-sts.broken.test",
    "mta-sts.big.broken.test",
]


@pytest.mark.parametrize("name", WEB_HOSTS)
def test_https_certificate_verifies_against_the_test_ca(testnet: Testnet, name: str) -> None:
    raw = socket.create_connection((testnet.address(name), HTTPS), timeout=5)
    with client_context(testnet).wrap_socket(raw, server_hostname=name) as tls:
        assert tls.version() in {"TLSv1.2", "TLSv1.3"}


def test_https_certificate_is_refused_for_another_name(testnet: Testnet) -> None:
    with (
        socket.create_connection((testnet.address("mta-sts.good.test"), HTTPS), timeout=5) as raw,
        pytest.raises(ssl.SSLCertVerificationError),
    ):
        client_context(testnet).wrap_socket(raw, server_hostname="www.good.test")


def test_mta_sts_policy_is_served(testnet: Testnet) -> None:
    response = https_get(testnet, "mta-sts.good.test", "/.well-known/mta-sts.txt")
    assert response.status == 200
    assert response.body.decode() == zones.GOOD_POLICY
    assert "mode: enforce" in zones.GOOD_POLICY and "mx: mx.good.test" in zones.GOOD_POLICY


def test_broken_mta_sts_policy_redirects(testnet: Testnet) -> None:
    response = https_get(testnet, "mta-sts.broken.test", "/.well-known/mta-sts.txt")
    assert response.status == 301
    assert response.headers["Location"] == "https://mta-sts.broken.test/policy.txt"


def test_oversized_policy_is_over_64_kib(testnet: Testnet) -> None:
    response = https_get(testnet, "mta-sts.big.broken.test", "/.well-known/mta-sts.txt")
    assert response.status == 200
    assert len(response.body) > 64 * 1024


def test_good_homepage_sends_hsts_csp_and_integrity(testnet: Testnet) -> None:
    response = https_get(testnet, "www.good.test", "/")
    assert response.headers["Strict-Transport-Security"] == zones.GOOD_HSTS
    assert response.headers["Content-Security-Policy"] == zones.GOOD_CSP
    html = response.body.decode()
    assert f'integrity="{content.sri(content.APP_JS)}"' in html
    script = https_get(testnet, "www.good.test", "/static/app.js").body.decode()
    assert content.sri(script) == content.sri(content.APP_JS)


def test_weak_homepage_has_no_security_headers(testnet: Testnet) -> None:
    response = https_get(testnet, "www.weak.test", "/")
    assert response.status == 200
    assert response.headers["Strict-Transport-Security"] is None
    assert response.headers["Content-Security-Policy"] is None
    assert "integrity=" not in response.body.decode()


def test_http_redirects_to_https_only_where_described(testnet: Testnet) -> None:
    good = http_get(testnet, "www.good.test", "/")
    assert good.status == 301
    assert good.headers["Location"] == "https://www.good.test/"
    assert http_get(testnet, "www.weak.test", "/").status == 200


def test_wkd_serves_the_policy_and_a_key_for_the_address(testnet: Testnet) -> None:
    address = zones.GOOD_WKD_ADDRESS
    assert content.wkd_hash("Joe.Doe") == "iy9q119eutrkn8s1mk4r39qejnbu3n5q"  # the draft's example
    policy = https_get(testnet, "openpgpkey.good.test", "/.well-known/openpgpkey/good.test/policy")
    assert policy.status == 200
    key = https_get(
        testnet, "openpgpkey.good.test", content.wkd_advanced_path(address) + "?l=alice"
    )
    assert key.status == 200
    body = key.body
    # A binary OpenPGP public key packet first (old or new packet format), then the user ID.
    assert (body[0] & 0xFC) == 0x98 or body[0] == 0xC6
    assert address.encode() in body


# --- SMTP --------------------------------------------------------------------------------------


def test_mx_offers_starttls_with_a_valid_certificate(testnet: Testnet) -> None:
    with _SMTP(testnet.address("mx.good.test"), "mx.good.test", zones.SMTP_PORT) as smtp:
        smtp.ehlo()
        assert smtp.has_extn("starttls")
        smtp.starttls(context=client_context(testnet))
        assert smtp.sock.version() in {"TLSv1.2", "TLSv1.3"}
        certificate = smtp.sock.getpeercert(binary_form=True)
    # The TLSA record of the MX matches the certificate it presents (DANE-EE, SPKI, SHA-256).
    spki = spki_sha256(x509.load_der_x509_certificate(certificate))
    (tlsa,) = rdata_texts(ask(testnet, "_25._tcp.mx.good.test", "TLSA"), "TLSA")
    assert tlsa.replace(" ", "").lower().endswith(spki)


def test_submission_offers_starttls(testnet: Testnet) -> None:
    with _SMTP(testnet.address("smtp.good.test"), "smtp.good.test", zones.SUBMISSION_PORT) as smtp:
        smtp.ehlo()
        assert smtp.has_extn("starttls")
        smtp.starttls(context=client_context(testnet))


def test_implicit_tls_port_speaks_tls(testnet: Testnet) -> None:
    address = testnet.address("smtp.good.test")
    ctx = client_context(testnet)
    with _SMTPS(address, "smtp.good.test", zones.SMTPS_PORT, ctx) as smtp:
        code, _ = smtp.ehlo()
        assert code == 250
        assert smtp.sock.version() in {"TLSv1.2", "TLSv1.3"}
        assert not smtp.has_extn("starttls")


def test_weak_mx_still_accepts_tls_1_0_and_good_mx_does_not(testnet: Testnet) -> None:
    with _SMTP(testnet.address("mx.weak.test"), "mx.weak.test", zones.SMTP_PORT) as smtp:
        smtp.ehlo()
        smtp.starttls(context=tls10_only_context())
        assert smtp.sock.version() == "TLSv1"
    with _SMTP(testnet.address("mx.good.test"), "mx.good.test", zones.SMTP_PORT) as smtp:
        smtp.ehlo()
        with pytest.raises(ssl.SSLError):
            smtp.starttls(context=tls10_only_context())


def test_weak_web_still_accepts_tls_1_0_and_good_web_does_not(testnet: Testnet) -> None:
    weak = socket.create_connection((testnet.address("www.weak.test"), HTTPS), timeout=5)
    with tls10_only_context().wrap_socket(weak, server_hostname="www.weak.test") as tls:
        assert tls.version() == "TLSv1"
    with (
        socket.create_connection((testnet.address("www.good.test"), HTTPS), timeout=5) as good,
        pytest.raises(ssl.SSLError),
    ):
        tls10_only_context().wrap_socket(good, server_hostname="www.good.test")


# --- Misbehaving hosts --------------------------------------------------------------------------


@pytest.mark.parametrize("port", [zones.SMTP_PORT, HTTPS])
def test_tarpit_accepts_and_never_answers(testnet: Testnet, port: int) -> None:
    with socket.create_connection((testnet.address("tarpit.broken.test"), port), timeout=1) as s:
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            s.recv(1)
        assert time.monotonic() - started < 2


def test_reset_host_resets_connections(testnet: Testnet) -> None:
    address = testnet.address("reset.broken.test")
    # The RST can arrive before connect() returns or on the first read: either is a reset.
    with (
        pytest.raises(ConnectionResetError),
        socket.create_connection((address, HTTPS), timeout=2) as s,
    ):
        s.recv(1)


# --- Lifecycle ---------------------------------------------------------------------------------


def test_env_names_what_a_check_run_needs(testnet: Testnet) -> None:
    env = testnet.env
    assert env["AUDIT_NAMESERVERS"] == "{}:{}".format(*testnet.nameserver)
    assert env["AUDIT_ALLOW_PRIVATE_NETWORKS"] == "true"
    assert env["AUDIT_PORT_OVERRIDES"] == "443=8443,80=8080,25=2525,465=4465,587=5587"
    assert Path(env["AUDIT_CA_BUNDLE"]).is_file()


def _cli(state: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # Our own interpreter and module, with fixed arguments from this file.
    return subprocess.run(
        [sys.executable, "-m", "tests.testnet", *args],
        cwd=ROOT,
        env={**os.environ, "MAILVET_TESTNET_DIR": str(state)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _processes_naming(state: Path) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if str(state).encode() in cmdline:
                found.append(int(entry.name))
    return found


def test_up_then_down_leaves_no_process_behind(testnet: Testnet, tmp_path: Path) -> None:
    # A second network beside the session's one: it takes another subnet.
    state = tmp_path / "net"
    started = _cli(state, "up")
    assert started.returncode == 0, started.stderr
    assert "AUDIT_NAMESERVERS=" in started.stdout
    assert testnet.env["AUDIT_NAMESERVERS"] not in started.stdout
    pids = procs.owned_pids(state)
    assert set(pids) == set(network.PROCESSES)
    assert _cli(state, "env").returncode == 0

    assert _cli(state, "down").returncode == 0
    assert _cli(state, "down").returncode == 0, "down twice is fine"
    assert _processes_naming(state) == []
    assert _cli(state, "env").returncode == 1

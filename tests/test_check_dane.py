"""`dane` against the local test network, and TLSA matching with RFC 6698/7671 semantics."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from cryptography.x509.oid import NameOID

from audits.checks.dane import TlsaRecord, TlsaSet, check_dane, judge_host, matches
from audits.checks.result import CheckStatus
from audits.net import smtp
from tests import netutil
from tests.testnet.ca import TestCA
from tests.testnet.zones import DOMAINS, SMTP_PORT


@pytest.mark.parametrize(
    "domain", [pytest.param(d, id=d.name) for d in DOMAINS if "dane" in d.expect]
)
def test_dane_gives_the_expected_status(testnet, domain):
    tlsa = {host: netutil.tlsa_set(testnet, host) for host in domain.mx}
    result = check_dane(
        domain.mx,
        tlsa,
        resolve=netutil.resolver(testnet),
        config=netutil.config(testnet, timeout=2.0),
    )
    assert result.status == domain.expect["dane"], result.details
    # Tarpit and reset hosts included: an error within the bound, never a hang.
    assert result.duration_ms < 3 * 2000


@pytest.fixture(scope="module")
def good_chain(testnet) -> tuple[bytes, ...]:
    probe = smtp.probe_starttls(
        "mx.good.test", testnet.address("mx.good.test"), SMTP_PORT, netutil.config(testnet)
    )
    assert probe.tls is not None
    return probe.tls.chain_der or (probe.tls.cert_der,)


def _spki(der: bytes) -> bytes:
    key = x509.load_der_x509_certificate(der).public_key()
    return key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)


@pytest.mark.parametrize("selector", [0, 1])
@pytest.mark.parametrize("mtype", [0, 1, 2])
def test_dane_ee_matches_every_selector_and_matching_type(good_chain, selector, mtype):
    content = good_chain[0] if selector == 0 else _spki(good_chain[0])
    data = {0: content, 1: hashlib.sha256(content).digest(), 2: hashlib.sha512(content).digest()}
    assert matches(TlsaRecord(3, selector, mtype, data[mtype]), good_chain, "mx.good.test")
    # Flip the first byte (a fixed 0x00 would equal it once in 256 runs: the keys are random).
    wrong = TlsaRecord(3, selector, mtype, bytes([data[mtype][0] ^ 0xFF]) + data[mtype][1:])
    assert not matches(wrong, good_chain, "mx.good.test")


def _der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(Encoding.DER)


def test_dane_ta_matches_an_issuer_not_the_leaf(testnet, good_chain):
    # Built by hand from the leaf and the test CA, so that this test does not depend on the
    # servers' own chain (they send leaf + CA; the network test below covers that).
    ca = x509.load_pem_x509_certificate(testnet.ca_bundle.read_bytes())
    chain = (good_chain[0], _der(ca))
    issuer = hashlib.sha256(_spki(chain[1])).digest()
    leaf = hashlib.sha256(_spki(chain[0])).digest()
    assert matches(TlsaRecord(2, 1, 1, issuer), chain, "mx.good.test")
    assert matches(TlsaRecord(2, 0, 2, hashlib.sha512(chain[1]).digest()), chain, "mx.good.test")
    assert not matches(TlsaRecord(2, 1, 1, leaf), chain, "mx.good.test")


def test_dane_ta_needs_the_leaf_to_be_issued_by_the_anchor_for_the_mx_name(
    testnet, good_chain, tmp_path
):
    ours = x509.load_pem_x509_certificate(testnet.ca_bundle.read_bytes())
    other_ca = TestCA(tmp_path)  # a second CA whose leaf merely sits in front of our anchor
    foreign = other_ca.issue(["mx.good.test"], "foreign").certificate
    anchor = TlsaRecord(2, 0, 1, hashlib.sha256(_der(ours)).digest())
    genuine = good_chain[0]
    # Anchor present and it signed the leaf: valid for the name on the leaf only.
    assert matches(anchor, (genuine, _der(ours)), "mx.good.test")
    assert not matches(anchor, (genuine, _der(ours)), "mx.weak.test")
    # Anchor present in the chain but the leaf was signed by someone else: no match.
    assert not matches(anchor, (_der(foreign), _der(ours)), "mx.good.test")


def test_bogus_tlsa_answer_fails(testnet):
    answer = netutil.tlsa_set(testnet, "tarpit.broken.test")
    assert answer.bogus
    assert judge_host(answer, ())[0] == "fail"


def test_pkix_usages_and_insecure_answers_do_not_count(good_chain):
    digest = hashlib.sha256(_spki(good_chain[0])).digest()
    assert judge_host(TlsaSet((TlsaRecord(1, 1, 1, digest),), True), good_chain)[0] == "fail"
    assert judge_host(TlsaSet((TlsaRecord(3, 1, 1, digest),), False), good_chain)[0] == "fail"
    assert judge_host(TlsaSet((TlsaRecord(3, 1, 1, digest),), True), good_chain)[0] == "pass"


def test_good_tlsa_answer_is_validated(testnet):
    answer = netutil.tlsa_set(testnet, "mx.good.test")
    assert answer.secure and [r.usage for r in answer.records] == [3]


def test_no_mx_is_not_applicable():
    result = check_dane([], {}, resolve=lambda name: [], config=None)  # type: ignore[arg-type]
    assert result.status == CheckStatus.NOT_APPLICABLE


def test_broken_tlsa_fails_on_the_mismatch_itself(testnet):
    result = check_dane(
        ["mx.broken.test"],
        {"mx.broken.test": netutil.tlsa_set(testnet, "mx.broken.test")},
        resolve=netutil.resolver(testnet),
        config=netutil.config(testnet),
    )
    host = result.details["hosts"][0]
    assert host["secure"] and host["tlsa"][0].startswith("3 1 1 ")
    assert result.status == CheckStatus.FAIL
    assert host["message"] == "no TLSA record matches the presented certificate"


# --- DANE-TA chains built here: anchors RFC 5280 path validation would refuse ----------------


def _cert(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: tuple[str, ec.EllipticCurvePrivateKey] | None = None,
    *,
    san: list[str] | None = None,
    ca: bool | None = None,
    expired: bool = False,
) -> bytes:
    """A certificate with only the extensions asked for: no AKI, no key usage, nothing else."""
    now = dt.datetime.now(dt.UTC)
    issuer_name, issuer_key = issuer or (subject, key)
    not_after = now - dt.timedelta(days=1) if expired else now + dt.timedelta(days=30)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer_name)]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=30))
        .not_valid_after(not_after)
    )
    if san:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(n) for n in san]), critical=False
        )
    if ca is not None:
        builder = builder.add_extension(x509.BasicConstraints(ca=ca, path_length=None), True)
    return builder.sign(issuer_key, hashes.SHA256()).public_bytes(Encoding.DER)


@pytest.fixture(scope="module")
def keys() -> dict[str, ec.EllipticCurvePrivateKey]:
    return {name: ec.generate_private_key(ec.SECP256R1()) for name in ("root", "int", "leaf")}


def _ta(der: bytes) -> TlsaRecord:
    return TlsaRecord(2, 0, 1, hashlib.sha256(der).digest())


def test_dane_ta_accepts_an_intermediate_anchor_and_any_chain_order(keys):
    root = _cert("Root", keys["root"], ca=True)
    intermediate = _cert("Int", keys["int"], ("Root", keys["root"]), ca=True)
    leaf = _cert("mx.example.test", keys["leaf"], ("Int", keys["int"]), san=["mx.example.test"])
    # The intermediate as anchor: it is not self-signed, and only its key and name matter.
    assert matches(_ta(intermediate), (leaf, intermediate, root), "mx.example.test")
    # TLS 1.3 allows any order after the leaf (RFC 8446 4.4.2).
    assert matches(_ta(root), (leaf, root, intermediate), "mx.example.test")
    assert matches(_ta(root), (leaf, intermediate, root), "mx.example.test")
    # Without the intermediate, the leaf does not reach the root.
    assert not matches(_ta(root), (leaf, root), "mx.example.test")


def test_dane_ta_anchor_needs_no_ca_extensions_and_cn_names_the_leaf(keys):
    bare_anchor = _cert("Bare", keys["root"])  # no basicConstraints, no key usage
    leaf = _cert("mx.example.test", keys["leaf"], ("Bare", keys["root"]))  # no SAN, no AKI
    assert matches(_ta(bare_anchor), (leaf, bare_anchor), "mx.example.test")
    assert not matches(_ta(bare_anchor), (leaf, bare_anchor), "mx2.example.test")


def test_dane_ta_wildcards_cover_one_label_and_expired_leaves_fail(keys):
    root = _cert("Root", keys["root"], ca=True)
    wildcard = _cert("w", keys["leaf"], ("Root", keys["root"]), san=["*.example.test"])
    assert matches(_ta(root), (wildcard, root), "mx.example.test")
    assert not matches(_ta(root), (wildcard, root), "a.mx.example.test")
    assert not matches(_ta(root), (wildcard, root), "example.test")
    expired = _cert(
        "mx", keys["leaf"], ("Root", keys["root"]), san=["mx.example.test"], expired=True
    )
    assert not matches(_ta(root), (expired, root), "mx.example.test")

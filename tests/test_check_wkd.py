"""`wkd` against the local test network, the WKD draft's hash example and packet framing."""

from __future__ import annotations

import time

import pytest

from audits.checks.openpgp import (
    OpenPgpError,
    packets,
    user_id_has_address,
    user_ids,
    wkd_hash,
    zbase32,
)
from audits.checks.result import CheckStatus
from audits.checks.wkd import check_wkd, wkd_urls
from tests import netutil
from tests.testnet import content
from tests.testnet.zones import DOMAINS, GOOD_WKD_ADDRESS


@pytest.mark.parametrize(
    "domain", [pytest.param(d, id=d.name) for d in DOMAINS if "wkd" in d.expect]
)
def test_wkd_gives_the_expected_status(testnet, domain):
    started = time.monotonic()
    result = check_wkd(
        domain.wkd_address,
        resolve=netutil.resolver(testnet),
        config=netutil.config(testnet, timeout=2.0),
    )
    assert result.status == domain.expect["wkd"], result.details
    assert time.monotonic() - started < 8.0


def test_good_address_is_found_by_the_advanced_method(testnet):
    result = check_wkd(
        GOOD_WKD_ADDRESS, resolve=netutil.resolver(testnet), config=netutil.config(testnet)
    )
    assert [a["method"] for a in result.details["attempts"]] == ["advanced"]
    assert any(GOOD_WKD_ADDRESS in uid for uid in result.details["attempts"][0]["user_ids"])


def test_direct_method_is_the_fallback(testnet):
    # With openpgpkey.good.test unresolvable, the key on good.test itself is found.
    real = netutil.resolver(testnet)

    def resolve(name: str) -> list[str]:
        return [] if name.startswith("openpgpkey.") else real(name)

    result = check_wkd(GOOD_WKD_ADDRESS, resolve=resolve, config=netutil.config(testnet))
    assert result.status == CheckStatus.PASS
    assert result.details["attempts"][-1]["method"] == "direct"


def test_address_without_a_key_fails(testnet):
    # Nothing is served at bob's hash path under either method.
    result = check_wkd(
        "bob@good.test", resolve=netutil.resolver(testnet), config=netutil.config(testnet)
    )
    assert result.status == CheckStatus.FAIL


def test_wkd_draft_hash_example():
    # draft-koch-openpgp-webkey-service, section 3.1: "Joe.Doe" -> this hash.
    assert wkd_hash("Joe.Doe") == "iy9q119eutrkn8s1mk4r39qejnbu3n5q"
    assert wkd_urls("Joe.Doe@Example.ORG", "advanced")[1] == (
        "https://openpgpkey.example.org/.well-known/openpgpkey/example.org/hu/"
        "iy9q119eutrkn8s1mk4r39qejnbu3n5q?l=Joe.Doe"
    )


def test_zbase32_agrees_with_the_testnet_encoder():
    for data in (b"", b"\x00", b"\xff", b"hello", bytes(range(20))):
        assert zbase32(data) == content.zbase32(data)


def _new(tag: int, body: bytes) -> bytes:
    assert len(body) < 192
    return bytes([0xC0 | tag, len(body)]) + body


def test_packets_in_both_formats():
    uid = b"Alice <alice@example.org>"
    legacy = bytes([0x80 | (13 << 2) | 0, len(uid)]) + uid  # old format, one-octet length
    two_octet = bytes([0xC0 | 13, 192 + ((300 - 192) >> 8), (300 - 192) & 0xFF]) + b"x" * 300
    data = _new(6, b"key") + legacy + two_octet + _new(13, b"bob@example.org")
    assert [t for t, _ in packets(data)] == [6, 13, 13, 13]
    assert user_ids(data)[0] == "Alice <alice@example.org>"
    assert user_ids(data)[2] == "bob@example.org"


def test_partial_body_lengths_are_joined():
    data = bytes([0xC0 | 13, 0xE0 | 1]) + b"ab" + bytes([3]) + b"cde"
    assert list(packets(data)) == [(13, b"abcde")]


@pytest.mark.parametrize(
    "data", [b"\x00\x01", bytes([0xC0 | 13, 50]) + b"short", b"-----BEGIN PGP"]
)
def test_malformed_keys_are_rejected(data):
    with pytest.raises(OpenPgpError):
        user_ids(data)


def test_user_id_matching():
    assert user_id_has_address("Alice <Alice@Good.test>", "alice@good.test")
    assert user_id_has_address("alice@good.test", "alice@good.test")
    assert not user_id_has_address("Alice <alice@good.test.evil>", "alice@good.test")

"""`wkd` against the local test network, the WKD draft's hash example and packet framing."""

from __future__ import annotations

import hashlib
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
from audits.checks.wkd import check_wkd, holds_address, policy_flags, wkd_urls
from providers.domains import normalise_name
from tests import netutil
from tests.testnet import content
from tests.testnet.zones import (
    DISCOVER_WKD_ADDRESS,
    DOMAINS,
    GOOD_WKD_ADDRESS,
    HOLLOW_WKD_ADDRESS,
)


@pytest.mark.parametrize(
    "domain", [pytest.param(d, id=d.name) for d in DOMAINS if "wkd" in d.expect]
)
def test_wkd_gives_the_expected_status(testnet, domain):
    started = time.monotonic()
    result = check_wkd(
        domain.name,
        address=domain.wkd_address,
        resolve=netutil.resolver(testnet),
        config=netutil.config(testnet, timeout=2.0),
    )
    assert result.status == domain.expect["wkd"], result.details
    assert time.monotonic() - started < 8.0


def _check(testnet, domain, address=None, resolve=None, **config):
    return check_wkd(
        domain,
        address=address,
        resolve=resolve or netutil.resolver(testnet),
        config=netutil.config(testnet, **config),
    )


def test_good_address_is_found_by_the_advanced_method(testnet):
    result = _check(testnet, "good.test", GOOD_WKD_ADDRESS)
    assert result.status == CheckStatus.PASS
    assert result.details["method"] == "advanced"
    assert "openpgpkey.good.test exists" in result.details["why"]
    assert any(GOOD_WKD_ADDRESS in uid for uid in result.details["key"]["user_ids"])


def test_without_an_address_the_policy_file_decides(testnet):
    result = _check(testnet, "discover.test")
    assert result.status == CheckStatus.PASS
    assert result.details["method"] == "advanced"
    assert result.details["policy"]["status"] == 200
    assert "key" not in result.details


def test_the_direct_method_is_used_only_when_the_advanced_host_does_not_exist(testnet):
    result = _check(testnet, "direct.discover.test", DISCOVER_WKD_ADDRESS)
    assert result.status == CheckStatus.PASS, result.details
    assert result.details["method"] == "direct"
    assert "does not exist in DNS" in result.details["why"]
    assert result.details["policy"]["flags"] == {"protocol-version": "5"}


def test_an_advanced_host_that_serves_nothing_is_broken_not_a_fallback(testnet):
    # hollow.discover.test serves a valid key by the direct method; a client must not look there.
    for address in (HOLLOW_WKD_ADDRESS, None):
        result = _check(testnet, "hollow.discover.test", address)
        assert result.status == CheckStatus.FAIL
        assert result.details["method"] == "advanced"
        assert "serves no policy file" in str(result.summary)
        assert result.details["policy"]["status"] == 404


def test_a_failed_lookup_of_the_advanced_host_is_an_error_not_a_fallback(testnet):
    # NXDOMAIN inside broken.test is bogus: the resolver answers SERVFAIL.
    result = _check(testnet, "broken.test", "alice@broken.test")
    assert result.status == CheckStatus.ERROR
    assert "method" not in result.details
    assert "openpgpkey.broken.test" in result.details["error"]


def test_a_host_the_ssrf_guard_refused_is_reported_as_refused(testnet):
    result = _check(testnet, "good.test", GOOD_WKD_ADDRESS, allow_private_networks=False)
    assert result.status == CheckStatus.ERROR
    assert "Refused to connect" in str(result.summary)
    assert result.details["policy"]["kind"] == "refused"
    assert "not a public address" in result.details["policy"]["message"]


def test_address_without_a_key_fails(testnet):
    # good.test has a directory, but nothing at bob's hash path.
    result = _check(testnet, "good.test", "bob@good.test")
    assert result.status == CheckStatus.FAIL
    assert "no key for the address" in str(result.summary)


def test_a_domain_without_any_wkd_fails(testnet):
    result = _check(testnet, "weak.test")
    assert result.status == CheckStatus.FAIL
    assert result.details["method"] == "direct"


def test_wkd_draft_hash_example():
    # draft-koch-openpgp-webkey-service, section 3.1: "Joe.Doe" -> this hash.
    assert wkd_hash("Joe.Doe") == "iy9q119eutrkn8s1mk4r39qejnbu3n5q"
    assert wkd_urls("Joe.Doe@Example.ORG", "advanced")[1] == (
        "https://openpgpkey.example.org/.well-known/openpgpkey/example.org/hu/"
        "iy9q119eutrkn8s1mk4r39qejnbu3n5q?l=Joe.Doe"
    )


def test_only_ascii_letters_are_lower_cased_before_hashing():
    def sha1_zb32(text: str) -> str:
        return zbase32(hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).digest())

    assert wkd_hash("JOE.Doe") == wkd_hash("joe.doe")
    # str.lower() would turn the Kelvin sign into an ASCII k and İ into i plus a dot above.
    assert wkd_hash("\u212aim") == sha1_zb32("\u212aim") != sha1_zb32("kim")
    assert wkd_hash("\u0130rem") == sha1_zb32("\u0130rem")
    assert wkd_hash("ÄRGER") == sha1_zb32("Ärger")
    assert wkd_hash("Ärger") != sha1_zb32("ärger")


def test_key_urls_carry_the_local_part_as_typed_and_the_a_label_domain():
    policy, key = wkd_urls("Jörg@xn--strae-oqa.de", "direct")
    assert policy == "https://xn--strae-oqa.de/.well-known/openpgpkey/policy"
    assert key.endswith(f"/hu/{wkd_hash('Jörg')}?l=J%C3%B6rg")


def test_policy_flags_are_read():
    text = "# comment\nmailbox-only\nprotocol-version: 5\n\nsubmission-address: k@x.org\n"
    assert policy_flags(text) == {
        "mailbox-only": True,
        "protocol-version": "5",
        "submission-address": "k@x.org",
    }


def test_user_ids_hold_the_address_by_ascii_case_and_a_label_domain():
    name = normalise_name("straße.de")
    assert holds_address("Jörg <JÖRG@Straße.de>", "jÖrg", name)
    assert holds_address("jörg@xn--strae-oqa.de", "Jörg", name)
    assert not holds_address("jÖrg@straße.de", "Jörg", name)  # only ASCII case is folded
    assert not holds_address("Alice <alice@strasse.de>", "alice", name)


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

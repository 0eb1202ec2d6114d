"""DKIM tag lists (RFC 6376 3.2) and key records (3.6.1, RFC 8301, RFC 8463), without DNS."""

from __future__ import annotations

import pytest

from audits.checks.dkim_parser import (
    DkimKeySyntaxError,
    TagListError,
    looks_like_key_record,
    parse_key_record,
    parse_tag_list,
)

# RFC 8463 appendix A.2: the Ed25519 key record of the example.
ED_KEY = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
ED_RECORD = f"v=DKIM1; k=ed25519; p={ED_KEY}"


# --- Tag lists (3.2) ------------------------------------------------------------------------


def test_whitespace_around_tags_is_dropped_and_inside_values_kept() -> None:
    tags = parse_tag_list(" a=1 ;\tb = 2\r\n ; n=two  words;")
    assert tags == {"a": "1", "b": "2", "n": "two  words"}


def test_tag_names_are_case_sensitive() -> None:
    assert parse_tag_list("P=x; p=y") == {"P": "x", "p": "y"}


def test_an_empty_value_is_allowed() -> None:
    assert parse_tag_list("p=") == {"p": ""}


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("a=1; a=2", "twice"),  # duplicate: "the entire tag-list is invalid"
        ("a=1; b", "="),
        ("1a=b", "name"),  # tag-name = ALPHA *ALNUMPUNC
        ("a-b=c", "name"),
        ("a=1;; b=2", "empty"),
        ("; a=1", "empty"),
        ("", "empty"),
        ("a=caf\u00e9", "character"),  # VALCHAR is printable ASCII except ";"
        ("a=x\x7fy", "character"),
    ],
)
def test_malformed_tag_lists_are_rejected(text: str, why: str) -> None:
    with pytest.raises(TagListError, match=why):
        parse_tag_list(text)


def test_underscores_and_digits_may_follow_the_first_letter() -> None:
    assert parse_tag_list("a_1=x") == {"a_1": "x"}


# --- Key records (3.6.1) --------------------------------------------------------------------


def test_rfc8463_ed25519_key_record() -> None:
    record = parse_key_record(ED_RECORD)
    assert record.key_type == "ed25519"
    assert len(record.public_key) == 32
    assert record.problem is None


def test_defaults_rsa_all_hashes_all_services_no_flags() -> None:
    record = parse_key_record(f"p={ED_KEY}")
    assert record.key_type == "rsa"
    assert (record.hashes, record.services, record.flags) == (None, ("*",), ())
    assert not record.testing and not record.strict


@pytest.mark.parametrize(
    ("text", "why"),
    [
        (f"k=ed25519; v=DKIM1; p={ED_KEY}", "first"),  # v= MUST be the first tag
        (f"v=DKIM2; p={ED_KEY}", "DKIM1"),
        (f"v=dkim1; p={ED_KEY}", "DKIM1"),  # a string comparison
        (f"v=DKIM1.0; p={ED_KEY}", "DKIM1"),
        ("v=DKIM1; k=ed25519", "p="),  # p= is REQUIRED
        (f"v=DKIM1; k=ed25519; P={ED_KEY}", "p="),  # "P" is another (unknown) tag
        ("v=DKIM1; p=not*base64", "base64"),
        (f"v=DKIM1; p={ED_KEY}; p={ED_KEY}", "twice"),  # 3.2: duplicates void the record
        (f"v=DKIM1; p={ED_KEY}; s=email;;", "empty"),
        (f"v=DKIM1; h=sha256:-bad; p={ED_KEY}", "h="),
        (f"v=DKIM1; s=e mail; p={ED_KEY}", "s="),
    ],
)
def test_invalid_key_records_are_rejected(text: str, why: str) -> None:
    with pytest.raises(DkimKeySyntaxError, match=why):
        parse_key_record(text)


def test_an_empty_p_is_a_revoked_key() -> None:
    record = parse_key_record("v=DKIM1; k=rsa; p=")
    assert record.revoked and record.public_key == b""


def test_whitespace_inside_the_base64_key_is_allowed() -> None:
    # key-p-tag: base64string allows FWS between the characters.
    folded = (
        f"v=DKIM1; k=ed25519; p={ED_KEY[:10]} {ED_KEY[10:20]}\t{ED_KEY[20:30]}\r\n {ED_KEY[30:]}"
    )
    assert parse_key_record(folded).public_key == parse_key_record(ED_RECORD).public_key


def test_an_unknown_key_type_is_not_usable() -> None:
    # "Unrecognized key types MUST be ignored": the record cannot verify anything.
    record = parse_key_record(f"v=DKIM1; k=dsa; p={ED_KEY}")
    assert record.key_type == "dsa"
    assert "k=dsa" in (record.problem or "")


@pytest.mark.parametrize(
    ("h", "usable"),
    [
        ("sha256", True),
        ("sha1:sha256", True),
        (" sha1 : sha256 ", True),
        ("sha256:sha512-future", True),  # unrecognised algorithms are ignored
        ("sha1", False),  # RFC 8301 3.1: verifiers MUST NOT accept rsa-sha1
        ("sha512-future", False),
    ],
)
def test_the_hash_list_must_allow_sha256(h: str, usable: bool) -> None:
    record = parse_key_record(f"v=DKIM1; h={h}; p={ED_KEY}")
    assert (record.problem is None) is usable
    if not usable:
        assert "h=" in (record.problem or "")


@pytest.mark.parametrize(
    ("s", "usable"),
    [("*", True), ("email", True), ("email:other", True), ("other", False), ("other:x", False)],
)
def test_the_service_types_must_include_email_or_star(s: str, usable: bool) -> None:
    record = parse_key_record(f"v=DKIM1; s={s}; p={ED_KEY}")
    assert (record.problem is None) is usable
    if not usable:
        assert "s=" in (record.problem or "")


@pytest.mark.parametrize(
    ("t", "testing", "strict"),
    [("y", True, False), ("s", False, True), ("y:s", True, True), ("x", False, False)],
)
def test_flags_testing_and_strict_unknown_ones_ignored(t: str, testing: bool, strict: bool) -> None:
    record = parse_key_record(f"v=DKIM1; t={t}; p={ED_KEY}")
    assert (record.testing, record.strict) == (testing, strict)
    assert record.problem is None


def test_unknown_tags_and_notes_are_ignored() -> None:
    record = parse_key_record(f"v=DKIM1; n=a note with spaces; foo=bar; p={ED_KEY}")
    assert record.problem is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (ED_RECORD, True),
        (f"p={ED_KEY}", True),
        (f"k=rsa; p = {ED_KEY}", True),
        ("v=DKIM1; p=", True),
        ("v=spf1 -all", False),
        ("google-site-verification=abc", False),
    ],
)
def test_key_records_are_told_from_other_txt_records(text: str, expected: bool) -> None:
    assert looks_like_key_record(text) is expected

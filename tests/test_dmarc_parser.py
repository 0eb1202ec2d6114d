"""The DMARC record parser (RFC 7489 6.3, 6.4, 6.6.3) and the organizational domain (3.2),
without DNS: RFC examples, and each error-recovery rule on its own."""

from __future__ import annotations

import pytest

from audits.checks.dmarc_parser import (
    DmarcSyntaxError,
    is_dmarc_record,
    parse_record,
)
from audits.checks.org_domain import organizational_domain

RUA = "rua=mailto:dmarc-feedback@example.com"


def ignored_tags(text: str) -> dict[str, dict]:
    return {entry["tag"]: entry for entry in parse_record(text).ignored_as_dicts()}


# --- RFC 7489 appendix B examples -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "policy", "pct", "rua"),
    [
        (
            "v=DMARC1; p=none; rua=mailto:dmarc-feedback@example.com",
            "none",
            100,
            ("mailto:dmarc-feedback@example.com",),
        ),
        (
            "v=DMARC1; p=none; rua=mailto:dmarc-feedback@example.com; "
            "ruf=mailto:auth-reports@thirdparty.example.net",
            "none",
            100,
            ("mailto:dmarc-feedback@example.com",),
        ),
        (
            "v=DMARC1; p=quarantine; rua=mailto:dmarc-feedback@example.com,"
            "mailto:tld-test@thirdparty.example.net!10m; pct=25",
            "quarantine",
            25,
            ("mailto:dmarc-feedback@example.com", "mailto:tld-test@thirdparty.example.net"),
        ),
        ("v=DMARC1; p=reject; sp=quarantine;", "reject", 100, ()),
    ],
)
def test_rfc7489_example_records_parse(text: str, policy: str, pct: int, rua: tuple) -> None:
    record = parse_record(text)
    assert (record.policy, record.pct, record.rua) == (policy, pct, rua)
    assert record.ignored == ()


def test_defaults_of_absent_tags_are_those_of_section_6_3() -> None:
    record = parse_record("v=DMARC1; p=reject")
    assert (record.adkim, record.aspf, record.fo, record.rf, record.ri, record.pct) == (
        "r",
        "r",
        ("0",),
        ("afrf",),
        86400,
        100,
    )
    assert record.subdomain_policy is None and record.effective_subdomain_policy == "reject"


# --- v=DMARC1 first: anything else is not a DMARC record (6.3, 6.6.3 step 2) ----------------


@pytest.mark.parametrize(
    "text",
    [
        "p=reject; v=DMARC1",
        "v=DMARC2; p=reject",
        "v=dmarc1; p=reject",  # %x44 %x4d %x41 %x52 %x43 %x31: the value is case-sensitive
        "v=DMARC1.0; p=reject",
        " v=DMARC1; p=reject",  # dmarc-record starts with dmarc-version, no leading space
        "v=DMARC1 p=reject",
        "v=spf1 -all",
        "",
    ],
)
def test_records_not_starting_with_v_dmarc1_are_not_dmarc_records(text: str) -> None:
    assert not is_dmarc_record(text)
    with pytest.raises(DmarcSyntaxError):
        parse_record(text)


@pytest.mark.parametrize(
    "text", ["v=DMARC1; p=reject", "v = DMARC1 ;p=reject", "V=DMARC1;p=reject"]
)
def test_whitespace_around_the_version_and_a_capital_tag_name_are_allowed(text: str) -> None:
    assert is_dmarc_record(text)
    assert parse_record(text).policy == "reject"


# --- An invalid or missing p (6.6.3 step 6) -------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        f"v=DMARC1; {RUA}",
        f"v=DMARC1; p=always; {RUA}",
        f"v=DMARC1; p=; {RUA}",
    ],
)
def test_missing_or_invalid_p_with_a_valid_rua_is_applied_as_p_none(text: str) -> None:
    record = parse_record(text)
    assert record.policy == "none"
    assert record.rua == ("mailto:dmarc-feedback@example.com",)
    entry = ignored_tags(text)["p"]
    assert entry["applied"] == "none"
    assert "6.6.3" in entry["reason"]


@pytest.mark.parametrize(
    "text",
    [
        "v=DMARC1",
        "v=DMARC1; p=always",
        "v=DMARC1; rua=dmarc-feedback@example.com",  # no scheme: not a valid URI
        "v=DMARC1; p=always; rua=mailto:no-address",
    ],
)
def test_missing_or_invalid_p_without_a_valid_rua_voids_the_record(text: str) -> None:
    with pytest.raises(DmarcSyntaxError, match=r"6\.6\.3"):
        parse_record(text)


def test_an_invalid_sp_is_treated_like_an_invalid_p() -> None:
    # RFC 7489 6.6.3 step 6 names sp alongside p: the whole record becomes p=none (with a rua),
    # not p's value; the general default rule of 6.3 yields to this specific one.
    record = parse_record(f"v=DMARC1; p=reject; sp=bogus; {RUA}")
    assert (record.policy, record.effective_subdomain_policy) == ("none", "none")
    assert ignored_tags(f"v=DMARC1; p=reject; sp=bogus; {RUA}")["sp"]["applied"] == "none"
    with pytest.raises(DmarcSyntaxError):
        parse_record("v=DMARC1; p=reject; sp=bogus")


def test_policy_values_are_case_insensitive() -> None:
    record = parse_record("v=DMARC1; P=Reject; SP=QUARANTINE")
    assert (record.policy, record.subdomain_policy) == ("reject", "quarantine")


def test_p_after_another_tag_is_applied_and_reported_as_misplaced() -> None:
    # 6.3: "the v and p tags MUST be present and MUST appear in that order" (6.4: p follows v).
    text = f"v=DMARC1; {RUA}; p=reject"
    assert parse_record(text).policy == "reject"
    entry = ignored_tags(text)["p"]
    assert (entry["kind"], entry["applied"]) == ("misplaced", "reject")


# --- Syntax errors elsewhere fall back to the tag's default (6.3) ---------------------------


@pytest.mark.parametrize(
    ("tag_spec", "attribute", "default"),
    [
        ("pct=abc", "pct", 100),
        ("pct=150", "pct", 100),
        ("pct=-5", "pct", 100),
        ("pct=1000", "pct", 100),
        ("adkim=x", "adkim", "r"),
        ("aspf=strict", "aspf", "r"),
        ("fo=2", "fo", ("0",)),
        ("fo=1:x", "fo", ("0",)),
        ("ri=daily", "ri", 86400),
        ("ri=99999999999", "ri", 86400),  # beyond a 32-bit unsigned integer
        ("rf=iodef", "rf", ("afrf",)),
    ],
)
def test_an_invalid_tag_falls_back_to_its_default(tag_spec: str, attribute: str, default) -> None:
    text = f"v=DMARC1; p=reject; {tag_spec}"
    record = parse_record(text)
    assert record.policy == "reject"
    assert getattr(record, attribute) == default
    (entry,) = record.ignored_as_dicts()
    assert entry["tag"] == tag_spec.split("=")[0]
    assert entry["kind"] == "invalid"
    assert entry["value"] == tag_spec.split("=", 1)[1]
    assert entry["applied"] == (list(default) if isinstance(default, tuple) else default)


def test_valid_values_of_the_optional_tags_are_read() -> None:
    record = parse_record("v=DMARC1; p=reject; adkim=s; aspf=S; fo=1 : d; ri=3600; rf=afrf")
    assert (record.adkim, record.aspf, record.fo, record.ri, record.rf) == (
        "s",
        "s",
        ("1", "d"),
        3600,
        ("afrf",),
    )
    assert record.ignored == ()


def test_invalid_report_uris_are_dropped_and_valid_ones_kept() -> None:
    text = "v=DMARC1; p=reject; rua=mailto:a@example.com,not a uri,mailto:b@example.com!x"
    record = parse_record(text)
    assert record.rua == ("mailto:a@example.com",)
    entry = ignored_tags(text)["rua"]
    assert entry["kind"] == "invalid"
    assert entry["applied"] == ["mailto:a@example.com"]


def test_a_rua_without_any_valid_uri_is_ignored() -> None:
    record = parse_record("v=DMARC1; p=reject; rua=dmarc@x.example")
    assert record.rua == ()
    assert ignored_tags("v=DMARC1; p=reject; rua=dmarc@x.example")["rua"]["applied"] == []


def test_unknown_tags_are_ignored_and_listed() -> None:
    # DMARCbis tags (np, psd, t) are unknown to RFC 7489 and so ignored, not errors.
    text = "v=DMARC1; p=reject; np=reject; psd=n; t=y; foo=bar"
    record = parse_record(text)
    assert record.policy == "reject"
    entries = ignored_tags(text)
    assert set(entries) == {"np", "psd", "t", "foo"}
    assert {e["kind"] for e in entries.values()} == {"unknown"}
    assert not record.has_syntax_errors


def test_a_tag_spec_that_is_not_tag_equals_value_is_ignored() -> None:
    text = "v=DMARC1; p=reject; junk; =x; 9a=b"
    record = parse_record(text)
    assert record.policy == "reject"
    assert [e["kind"] for e in record.ignored_as_dicts()] == ["invalid"] * 3
    assert record.has_syntax_errors


def test_a_duplicate_tag_invalidates_the_record() -> None:
    # RFC 7489 6.3 uses DKIM's tag-value syntax; RFC 6376 3.2: a duplicate voids the list.
    with pytest.raises(DmarcSyntaxError, match="twice"):
        parse_record("v=DMARC1; p=reject; p=none")
    with pytest.raises(DmarcSyntaxError, match="twice"):
        parse_record("v=DMARC1; p=reject; pct=50; PCT=100")


def test_a_trailing_separator_and_empty_tag_specs_are_harmless() -> None:
    record = parse_record("v=DMARC1;;p=reject; ;")
    assert record.policy == "reject"
    assert record.ignored == ()


# --- The organizational domain (RFC 7489 3.2) -----------------------------------------------


@pytest.mark.parametrize(
    ("domain", "org"),
    [
        ("example.com", "example.com"),
        ("mail.example.com", "example.com"),
        ("a.b.mail.example.com.", "example.com"),
        ("Mail.Example.COM", "example.com"),
        ("mail.example.co.uk", "example.co.uk"),
        ("co.uk", "co.uk"),  # a public suffix is its own organizational domain
        # .test is not in the list; its default rule "*" makes test. a public suffix, so
        # the test network's domains behave like registered ones without an override.
        ("mail.example.test", "example.test"),
        ("good.test", "good.test"),
    ],
)
def test_organizational_domain_comes_from_the_bundled_public_suffix_list(
    domain: str, org: str
) -> None:
    assert organizational_domain(domain) == org

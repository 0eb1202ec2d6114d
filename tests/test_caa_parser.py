"""CAA property parsing and what a record set authorises (RFC 8659 4), without DNS.

The record sets are RFC 8659's examples (section 4.2 to 4.5) unless a comment says otherwise.
"""

from __future__ import annotations

import pytest

from audits.checks.caa_parser import authorisation, parse_presentation, property_problem


def authorised(*texts: str):
    return authorisation([parse_presentation(text) for text in texts])


# --- Well-formed and malformed properties ---------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        '0 issue "ca1.example.net"',
        '0 issue "ca1.example.net; account=230123"',
        '0 issue ";"',
        '0 issuewild "ca2.example.org"',
        '0 iodef "mailto:security@example.com"',
        '0 iodef "https://iodef.example.com/"',
        '0 tbs "Unknown"',
        # The grammar (4.2) allows whitespace around the parts, hyphens inside parameter tags,
        # several parameters and an empty parameter value.
        '0 issue "  ca1.example.net ;  account=1 ; validation-methods=dns-01 "',
        '0 issue "ca1.example.net; policy="',
        '0 issue "ca1.example.net;"',
    ],
)
def test_well_formed_properties_have_no_problem(text: str) -> None:
    assert property_problem(parse_presentation(text)) is None


@pytest.mark.parametrize(
    "text",
    [
        '0 issue "%%%%%"',  # RFC 8659 4.2's malformed.example.com
        '0 issue "ca1.example.net; key"',
        '0 issue "ca1.example.net; a=1;"',  # parameters = parameter *(";" parameter): no trailer
        '0 issue "ca1.example.net; a=1;; b=2"',
        '0 issue "-ca1.example.net"',
        '0 issue "ca1.example.net."',
        '0 issue "ca1.example.net; a=b c"',
        '0 issuewild "ca 2.example.org"',
        '0 iodef "not-a-url"',
        '128 tbs "Unknown"',
    ],
)
def test_malformed_properties_are_found(text: str) -> None:
    assert property_problem(parse_presentation(text))


def test_presentation_escapes_are_decoded() -> None:
    # dnspython writes non-printable octets and quotes as \DDD and \" (RFC 1035 5.1).
    prop = parse_presentation(r'0 iodef "mailto:security\064example.com"')
    assert prop.value == "mailto:security@example.com"
    assert parse_presentation(r'0 tbs "a\"b\\c"').value == 'a"b\\c'


def test_tags_match_case_insensitively() -> None:
    # RFC 8659 4.1: "Matching of tags is case insensitive."
    prop = parse_presentation('0 IssueWild "ca2.example.org"')
    assert prop.tag == "issuewild"
    assert authorised('0 ISSUE "ca1.example.net"').names == ("ca1.example.net",)


# --- What a record set authorises -----------------------------------------------------------


def test_issue_properties_authorise_their_issuers_for_names_and_wildcards() -> None:
    auth = authorised('0 issue "ca1.example.net"', '0 issue "ca2.example.org"')
    assert auth.names == ("ca1.example.net", "ca2.example.org")
    assert auth.wildcards == auth.names


def test_issue_semicolon_forbids_every_ca() -> None:
    auth = authorised('0 issue ";"')
    assert (auth.names, auth.wildcards) == ((), ())


def test_a_malformed_issue_value_counts_as_an_empty_issuer() -> None:
    # RFC 8659 4.2: "MUST be treated the same as one specifying an empty issuer-domain-name".
    auth = authorised('0 issue "%%%%%"')
    assert (auth.names, auth.wildcards) == ((), ())


def test_authorisations_are_additive() -> None:
    # RFC 8659 4.2: an empty issuer next to a named one is the same as the named one alone.
    auth = authorised('0 issue ";"', '0 issue "ca1.example.net"')
    assert auth.names == ("ca1.example.net",)


def test_issuer_parameters_do_not_change_the_issuer() -> None:
    assert authorised('0 issue "ca1.example.net; account=230123"').names == ("ca1.example.net",)


def test_issuewild_takes_precedence_for_wildcards_only() -> None:
    # wild.example.com: ca1 for names, only ca2 for wildcards.
    auth = authorised('0 issue "ca1.example.net"', '0 issuewild "ca2.example.org"')
    assert (auth.names, auth.wildcards) == (("ca1.example.net",), ("ca2.example.org",))


def test_without_issuewild_issue_governs_wildcards_too() -> None:
    # wild2.example.com
    auth = authorised('0 issue "ca1.example.net"')
    assert auth.wildcards == ("ca1.example.net",)


def test_issuewild_with_issue_semicolon_allows_wildcards_only() -> None:
    # wild3.example.com: only ca2, and only for wildcards.
    auth = authorised('0 issuewild "ca2.example.org"', '0 issue ";"')
    assert (auth.names, auth.wildcards) == ((), ("ca2.example.org",))
    assert auth.restricts_names


def test_issuewild_alone_leaves_ordinary_names_unrestricted() -> None:
    # RFC 8659 4.3: issuewild "MUST be ignored when processing a request for a Domain Name".
    # Not an RFC example: the defect the check used to pass.
    auth = authorised('0 issuewild "ca2.example.org"')
    assert auth.names is None
    assert auth.wildcards == ("ca2.example.org",)
    assert not auth.restricts_names


def test_iodef_and_unknown_properties_restrict_nothing() -> None:
    # RFC 8659 4: a set with "only iodef Property Tags, or only Property Tags unrecognized by
    # the CA" does not restrict issuance; a non-critical unknown tag is ignored.
    auth = authorised('0 iodef "mailto:security@example.com"', '0 tbs "Unknown"')
    assert (auth.names, auth.wildcards) == (None, None)
    assert auth.ignored == ("tbs",)
    assert auth.critical_unknown == ()


def test_an_unknown_critical_property_forbids_every_ca() -> None:
    # new.example.com (4.5): ca1 is named, but the critical "tbs" means no CA may issue.
    auth = authorised('0 issue "ca1.example.net"', '128 tbs "Unknown"')
    assert auth.critical_unknown == ("tbs",)
    assert (auth.names, auth.wildcards) == ((), ())


def test_the_critical_flag_on_a_known_tag_and_reserved_flag_bits_change_nothing() -> None:
    # Flag 128 is bit 0 (critical); the other bits are reserved and MUST be ignored (4.1).
    auth = authorised('128 issue "ca1.example.net"', '1 tbs "Unknown"')
    assert auth.names == ("ca1.example.net",)
    assert auth.critical_unknown == ()

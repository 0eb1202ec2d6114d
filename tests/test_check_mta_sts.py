"""`mta_sts` against the local test network, and its parsers with RFC 8461's own examples."""

from __future__ import annotations

import time

import pytest

from audits.checks.mta_sts import check_mta_sts
from audits.checks.mta_sts_parser import (
    StsSyntaxError,
    is_sts_record,
    mx_matches,
    parse_policy,
    parse_sts_record,
)
from audits.checks.result import CheckStatus
from tests import netutil
from tests.testnet.zones import DOMAINS


def run(testnet, domain: str, mx, **overrides):
    return check_mta_sts(
        domain,
        mx,
        resolve_txt=netutil.txt_resolver(testnet),
        resolve=netutil.resolver(testnet),
        config=netutil.config(testnet, **overrides),
    )


@pytest.mark.parametrize(
    "domain", [pytest.param(d, id=d.name) for d in DOMAINS if "mta_sts" in d.expect]
)
def test_mta_sts_gives_the_expected_status(testnet, domain):
    started = time.monotonic()
    result = run(testnet, domain.name, domain.mx, timeout=2.0)
    assert result.status == domain.expect["mta_sts"], result.details
    assert time.monotonic() - started < 6.0


def test_redirect_is_reported_not_followed(testnet):
    result = run(testnet, "broken.test", ["mx.broken.test"])
    assert result.status == CheckStatus.FAIL
    assert result.details["location"] == "https://mta-sts.broken.test/policy.txt"
    assert "mode" not in result.details  # the redirect target was never read


def test_oversized_policy_fails_on_size(testnet):
    result = run(testnet, "big.broken.test", ["mx.broken.test"])
    assert result.status == CheckStatus.FAIL
    assert "64 KiB" in str(result.summary)


def test_uncovered_mx_fails(testnet):
    result = run(testnet, "good.test", ["mx.good.test", "other.good.test"])
    assert result.status == CheckStatus.FAIL
    assert result.details["uncovered_mx"] == ["other.good.test"]


def test_good_policy_details(testnet):
    result = run(testnet, "good.test", ["mx.good.test"])
    assert result.details["mode"] == "enforce" and result.details["max_age"] == 604800


# RFC 8461 3.1's record example and 3.2's policy example.
def test_record_example():
    assert parse_sts_record("v=STSv1; id=20160831085700Z;").id == "20160831085700Z"


RFC_POLICY = (
    "version: STSv1\r\n"
    "mode: enforce\r\n"
    "mx: mail.example.com\r\n"
    "mx: *.example.net\r\n"
    "mx: backupmx.example.com\r\n"
    "max_age: 604800\r\n"
)


def test_policy_example():
    policy = parse_policy(RFC_POLICY)
    assert policy.mode == "enforce" and policy.max_age == 604800
    assert policy.mx == ("mail.example.com", "*.example.net", "backupmx.example.com")


# RFC 8461 4.1's matching examples.
@pytest.mark.parametrize(
    ("pattern", "host", "matched"),
    [
        ("*.example.com", "mx1.example.com", True),
        ("*.example.com", "example.com", False),
        ("*.example.com", "foo.bar.example.com", False),
        ("mail.example.com", "MAIL.example.com.", True),
        ("mail.example.com", "mail2.example.com", False),
    ],
)
def test_mx_patterns(pattern, host, matched):
    assert mx_matches(pattern, host) is matched


@pytest.mark.parametrize(
    "record", ["v=STSv1; id=", "v=STSv1; id=has-dash", "v=STSv1", "id=1; v=STSv1"]
)
def test_invalid_records(record):
    with pytest.raises(StsSyntaxError):
        parse_sts_record(record)


def test_non_sts_txt_records_are_discarded():
    assert is_sts_record("v=STSv1; id=1") and not is_sts_record("v=spf1 -all")
    assert not is_sts_record("v=STSv10; id=1")


@pytest.mark.parametrize(
    "text",
    [
        RFC_POLICY.replace("STSv1", "STSv2"),
        RFC_POLICY.replace("enforce", "strict"),
        RFC_POLICY.replace("604800", "31557601"),
        "version: STSv1\r\nmode: enforce\r\nmax_age: 86400\r\n",
        "this is not a policy",
    ],
)
def test_invalid_policies(text):
    with pytest.raises(StsSyntaxError):
        parse_policy(text)

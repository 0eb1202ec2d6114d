"""The `dmarc` check against the local test network: every testnet domain gives the status that
tests/testnet/zones.py expects, and no domain (the broken ones included) makes it crash or hang.
"""

from __future__ import annotations

import pytest

from audits.checks.dmarc import check_dmarc
from audits.net.config import NetConfig
from audits.net.dns import DnsResolver


def test_two_string_record_is_concatenated_and_parsed(config: NetConfig) -> None:
    result = check_dmarc("good.test", DnsResolver(config), config)
    assert result.details["p"] == "reject"
    assert result.details["sp"] == "reject"
    assert result.details["pct"] == 100
    assert result.details["rua"] == ["mailto:dmarc@good.test"]


def test_two_records_are_both_reported(config: NetConfig) -> None:
    result = check_dmarc("broken.test", DnsResolver(config), config)
    assert len(result.details["records"]) == 2


# RFC 7489 appendix B.2 / B.3 example records.
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
    from audits.checks.dmarc_parser import parse_record

    record = parse_record(text)
    assert (record.policy, record.pct, record.rua) == (policy, pct, rua)


@pytest.mark.parametrize(
    "text",
    [
        "v=DMARC1; p=always",
        "v=DMARC1; p=reject; pct=150",
        "v=DMARC1; p=reject; rua=dmarc@x.example",
        "v=DMARC1; p=reject; p=none",
        "p=reject; v=DMARC1",
    ],
)
def test_invalid_records_are_rejected(text: str) -> None:
    from audits.checks.dmarc_parser import DmarcSyntaxError, parse_record

    with pytest.raises(DmarcSyntaxError):
        parse_record(text)

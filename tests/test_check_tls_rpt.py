"""The `tls_rpt` check against the local test network: every testnet domain gives the status that
tests/testnet/zones.py expects, and no domain (the broken ones included) makes it crash or hang.
"""

from __future__ import annotations

import pytest

from audits.checks.tls_rpt import check_tls_rpt
from audits.net.config import NetConfig
from audits.net.dns import DnsResolver


def test_rua_is_reported(config: NetConfig) -> None:
    result = check_tls_rpt("good.test", DnsResolver(config), config)
    assert result.details["rua"] == ["mailto:tls-reports@good.test"]


# RFC 8460 3.1 examples.
@pytest.mark.parametrize(
    ("text", "rua"),
    [
        ("v=TLSRPTv1; rua=mailto:reports@example.com", ("mailto:reports@example.com",)),
        (
            "v=TLSRPTv1; rua=https://reporting.example.com/v1/tlsrpt",
            ("https://reporting.example.com/v1/tlsrpt",),
        ),
        (
            "v=TLSRPTv1; rua=mailto:a@example.com,https://r.example.com/x",
            ("mailto:a@example.com", "https://r.example.com/x"),
        ),
    ],
)
def test_rfc8460_example_records_parse(text: str, rua: tuple) -> None:
    from audits.checks.tls_rpt import parse_record

    assert parse_record(text) == rua


@pytest.mark.parametrize(
    "text",
    [
        "v=TLSRPTv1; rua=ftp://reports.example/",
        "v=TLSRPTv1;",
        "v=TLSRPTv1; rua=http://x.example/",
        "v=TLSRPTv2; rua=mailto:a@example.com",
    ],
)
def test_invalid_records_are_rejected(text: str) -> None:
    from audits.checks.tls_rpt import TlsRptSyntaxError, parse_record

    with pytest.raises(TlsRptSyntaxError):
        parse_record(text)

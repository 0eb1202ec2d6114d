"""SPF syntax and evaluation against RFC 7208's examples and the OpenSPF permerror cases.

The OpenSPF cases run the real evaluator over the suite's own DNS data through the dict-backed
StaticResolver: pure logic, no network (the `spf` check itself is tested against the testnet).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from audits.checks.spf import Evaluator, expand
from audits.checks.spf_parser import SpfSyntaxError, is_spf_record, parse_record
from audits.net.dns import StaticResolver

# The OpenSPF RFC 7208 test suite (release 2014.04, licence notice inside the file).
SUITE = Path(__file__).resolve().parent / "data" / "rfc7208_permerror.json"
_DATA = json.loads(SUITE.read_text(encoding="utf-8"))
CASES = _DATA["tests"]


def _run(case: dict) -> str:
    resolver = StaticResolver(_DATA["zonedata"][case["group"]])
    evaluator = Evaluator(resolver, ip=case["host"], sender=case["mailfrom"], helo=case["helo"])
    return evaluator.run(case["mailfrom"].rpartition("@")[2] or case["helo"]).result


@pytest.mark.parametrize("case", CASES, ids=[f"{c['cause']}-{c['name']}" for c in CASES])
def test_openspf_permerror_case_is_detected(case: dict) -> None:
    expected = case["result"] if isinstance(case["result"], list) else [case["result"]]
    result = _run(case)
    if case["cause"] in ("syntax", "lookup-limit"):
        # Every syntax and lookup-limit case must be found as permerror (RFC 7208 4.6, 4.6.4).
        assert result == "permerror", case["description"]
    else:
        assert result in expected, case["description"]


def test_suite_holds_the_78_cases_by_cause() -> None:
    counts = Counter(c["cause"] for c in CASES)
    assert counts == {"syntax": 66, "lookup-limit": 6, "multiple-records": 3, "target-record": 3}


# RFC 7208 appendix A records, which must all parse.
RFC_EXAMPLES = [
    "v=spf1 +all",
    "v=spf1 a -all",
    "v=spf1 a:example.org -all",
    "v=spf1 mx -all",
    "v=spf1 mx:example.org -all",
    "v=spf1 mx mx:example.org -all",
    "v=spf1 mx/30 mx:example.org/30 -all",
    "v=spf1 ptr -all",
    "v=spf1 ip4:192.0.2.128/28 -all",
    "v=spf1 mx include:mx.example.org include:mx.example.net -all",
    "v=spf1 mx -all exp=explain._spf.%{d}",
    "v=spf1 -include:ip4._spf.%{d} -include:ptr._spf.%{d} +all",
    "v=spf1 -ip4:192.0.2.0/24 a//96 +all",
    "v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} -all",
    "v=spf1 redirect=_spf.example.com",
    "v=spf1 ip6:2001:db8::/32 ~all",
]


@pytest.mark.parametrize("text", RFC_EXAMPLES)
def test_rfc7208_examples_parse(text: str) -> None:
    record = parse_record(text)
    assert record.mechanisms or record.redirect


def test_parser_reads_terms_and_lookup_count() -> None:
    record = parse_record("v=spf1 mx/30 include:_spf.example.net ip4:192.0.2.1 ~all exp=x.%{d}")
    assert [m.name for m in record.mechanisms] == ["mx", "include", "ip4", "all"]
    assert record.mechanisms[0].cidr4 == 30
    assert record.lookup_terms == 2
    assert record.exp == "x.%{d}"
    assert record.all_mechanism is not None and record.all_mechanism.result == "softfail"


@pytest.mark.parametrize(
    "text",
    [
        "v=spf1 ip4:1.2.3.4/33",
        "v=spf1 a:museum",
        "v=spf1 redirect=a.example redirect=b.example",
        "v=spf1 exists:%{x}.example.com",
        "v=spf1 include",
        "v=spf1 -all\tmx",
    ],
)
def test_parser_rejects_invalid_records(text: str) -> None:
    with pytest.raises(SpfSyntaxError):
        parse_record(text)


def test_version_tag_must_stand_alone() -> None:
    assert is_spf_record("V=SPF1 -all")
    assert not is_spf_record("v=spf10 -all")
    assert is_spf_record("v=spf1")


def test_macro_expansion_follows_rfc7208_section_7_4() -> None:
    values = {
        "s": "strong-bad@email.example.com",
        "l": "strong-bad",
        "o": "email.example.com",
        "d": "email.example.com",
        "i": "192.0.2.3",
        "v": "in-addr",
        "h": "mx.example.org",
        "p": "unknown",
        "c": "192.0.2.3",
        "r": "unknown",
        "t": "0",
    }
    assert expand("%{s}", values) == "strong-bad@email.example.com"
    assert expand("%{d4}", values) == "email.example.com"
    assert expand("%{d2}", values) == "example.com"
    assert expand("%{dr}", values) == "com.example.email"
    assert expand("%{d2r}", values) == "example.email"
    assert expand("%{l-}", values) == "strong.bad"
    assert expand("%{lr-}", values) == "bad.strong"
    assert expand("%{ir}.%{v}._spf.%{d2}", values) == "3.2.0.192.in-addr._spf.example.com"
    assert expand("%{l1r-}", values) == "strong"


def test_include_loop_is_a_permerror_not_a_recursion_error() -> None:
    zone = {
        "a.example": [{"TXT": "v=spf1 include:b.example -all"}],
        "b.example": [{"TXT": "v=spf1 include:a.example -all"}],
    }
    evaluation = Evaluator(StaticResolver(zone)).run("a.example")
    assert evaluation.result == "permerror"
    assert evaluation.cause == "loop"

"""Web checks against the local test network, and their parsers with the specs' own examples."""

from __future__ import annotations

import time

import pytest

from audits.checks.csp_parser import parse_csp, script_verdict
from audits.checks.expect_ct import check_expect_ct
from audits.checks.hsts_parser import HstsSyntaxError, parse_hsts
from audits.checks.result import CheckStatus
from audits.checks.sri_parser import parse_page, subresources
from audits.checks.web import (
    check_csp,
    check_hsts,
    check_https_redirect,
    check_sri,
    fetch_homepage,
    judge_csp,
    judge_hsts,
    judge_sri,
    site,
)
from tests import netutil
from tests.testnet.zones import DOMAINS

CHECKS = {
    "hsts": check_hsts,
    "csp": check_csp,
    "sri": check_sri,
    "https_redirect": check_https_redirect,
}
CASES = [
    pytest.param(key, d, id=f"{key}-{d.name}")
    for key in CHECKS
    for d in DOMAINS
    if key in d.expect and d.web
]


@pytest.mark.parametrize(("key", "domain"), CASES)
def test_web_check_gives_the_expected_status(testnet, key, domain):
    config = netutil.config(testnet, timeout=2.0)
    started = time.monotonic()
    result = CHECKS[key](domain.web, resolve=netutil.resolver(testnet), config=config)
    assert result.status == domain.expect[key], result.details
    if result.status == CheckStatus.ERROR:
        assert result.details["message"]
    assert time.monotonic() - started < 3 * config.timeout


def test_one_homepage_fetch_serves_three_checks(testnet):
    resolve, config = netutil.resolver(testnet), netutil.config(testnet)
    page = fetch_homepage("www.good.test", resolve=resolve, config=config)
    for check in (check_hsts, check_csp, check_sri):
        assert check("www.good.test", resolve=None, config=config, homepage=page).status == "pass"


def test_https_redirect_records_the_hop(testnet):
    result = check_https_redirect(
        "www.good.test", resolve=netutil.resolver(testnet), config=netutil.config(testnet)
    )
    assert result.details["hops"] == [
        {"url": "http://www.good.test/", "status": 301, "location": "https://www.good.test/"}
    ]


# RFC 6797 6.2's examples.
@pytest.mark.parametrize(
    ("header", "max_age", "subdomains"),
    [
        ("max-age=31536000", 31536000, False),
        ("max-age=15768000 ; includeSubDomains", 15768000, True),
        ('max-age="31536000"; INCLUDESUBDOMAINS; preload', 31536000, True),
    ],
)
def test_hsts_parser_reads_rfc_examples(header, max_age, subdomains):
    policy = parse_hsts(header)
    assert (policy.max_age, policy.include_subdomains) == (max_age, subdomains)


@pytest.mark.parametrize(
    "header", ["includeSubDomains", "max-age=1; max-age=2", "max-age=abc", "max-age=-1"]
)
def test_hsts_parser_rejects_invalid_headers(header):
    with pytest.raises(HstsSyntaxError):
        parse_hsts(header)


@pytest.mark.parametrize(
    ("header", "status"),
    [
        ("max-age=31536000; includeSubDomains", "pass"),
        ("max-age=15552000; includeSubDomains", "pass"),
        ("max-age=15551999; includeSubDomains", "warn"),
        ("max-age=31536000", "warn"),
        ("max-age=0; includeSubDomains", "fail"),
        (None, "fail"),
    ],
)
def test_hsts_verdicts(header, status):
    assert judge_hsts(header)[0] == status


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        (["default-src 'self'; script-src 'self'"], "pass"),
        (["default-src 'self'"], "pass"),
        (["script-src 'self' 'unsafe-inline'"], "fail"),
        (["default-src 'self' 'unsafe-eval'"], "fail"),
        # A nonce makes browsers ignore 'unsafe-inline' (the CSP3 backward-compatible pattern).
        (["script-src 'nonce-abc' 'unsafe-inline'"], "pass"),
        (["img-src 'self'"], "warn"),
        (["script-src 'unsafe-inline'", "script-src 'self'"], "pass"),
        ([], "fail"),
    ],
)
def test_csp_verdicts(headers, status):
    assert judge_csp(headers)[0] == status


def test_csp_first_repeated_directive_wins():
    directives = parse_csp("script-src 'self'; SCRIPT-SRC 'unsafe-inline'")
    assert script_verdict(directives).unsafe == ()


def test_sri_parser_finds_scripts_and_stylesheets_only():
    html = (
        '<link rel="stylesheet" href="/a.css" integrity="sha384-abc">'
        '<link rel="icon" href="/f.ico"><script src="https://cdn.example/x.js"></script>'
        "<script>inline()</script><LINK REL='Alternate Stylesheet' HREF='/b.css'/>"
    )
    found = subresources(html)
    assert [(r.kind, r.url) for r in found] == [
        ("stylesheet", "/a.css"),
        ("script", "https://cdn.example/x.js"),
        ("stylesheet", "/b.css"),
    ]
    assert found[0].has_valid_integrity and not found[1].has_valid_integrity


def test_sri_parser_counts_preloads_of_scripts_and_styles():
    html = (
        '<link rel="modulepreload" href="/m.js"><link rel="preload" as="script" href="/p.js">'
        '<link rel="preload" as="style" href="/p.css">'
        '<link rel="preload" as="font" href="/f.woff2">'
    )
    assert [(r.kind, r.url) for r in subresources(html)] == [
        ("script", "/m.js"),
        ("script", "/p.js"),
        ("stylesheet", "/p.css"),
    ]


def test_sri_parser_keeps_the_first_base_href():
    page = parse_page('<base href="https://cdn.example/"><base href="/x/"><script src="a.js">')
    assert page.base == "https://cdn.example/"


PAGE = "https://www.example.org/"


@pytest.mark.parametrize(
    ("html", "status"),
    [
        # Same origin, and same site (another host of example.org): outside the criterion.
        ('<script src="/app.js"></script>', "pass"),
        ('<script src="https://static.example.org/app.js"></script>', "pass"),
        ('<link rel="stylesheet" href="//example.org/a.css">', "pass"),
        # Another registrable domain: "external domains".
        ('<script src="https://cdn.example/app.js"></script>', "fail"),
        ('<link rel="stylesheet" href="https://example.org.cdn.example/a.css">', "fail"),
        ('<script src="https://cdn.example/app.js" integrity="sha256-AAAA"></script>', "pass"),
        ('<script src="https://cdn.example/app.js" integrity="md5-AAAA"></script>', "fail"),
        # A relative URL under a <base> on another domain loads from that domain.
        ('<base href="https://cdn.example/"><script src="app.js"></script>', "fail"),
        # Nothing from any domain: the criterion's condition does not arise, so it is met.
        ("<p>no scripts</p><script>inline()</script>", "pass"),
        ('<script src="data:text/javascript,1"></script>', "pass"),
    ],
)
def test_sri_fails_only_for_external_domains(html, status):
    assert judge_sri(html, PAGE)[0] == status


def test_sri_lists_same_site_resources_without_integrity_as_information():
    html = '<script src="/app.js"></script><script src="https://cdn.example/x.js"></script>'
    status, _, details = judge_sri(html, PAGE)
    assert status == "fail"
    assert details["missing_external"] == ["https://cdn.example/x.js"]
    assert details["same_site_without_integrity"] == ["https://www.example.org/app.js"]


def test_sri_public_suffixes_are_not_one_site():
    # github.io is a public suffix: two users' pages there are two sites (and two operators).
    html = '<script src="https://other.github.io/x.js"></script>'
    assert judge_sri(html, "https://mine.github.io/")[0] == "fail"
    assert site("https://a.b.example.co.uk/") == "example.co.uk"
    assert site("https://192.0.2.1:8443/") == "192.0.2.1" and site("data:,x") is None


def test_sri_passes_a_page_that_loads_nothing(testnet):
    result = check_sri(
        "bare.scope.test", resolve=netutil.resolver(testnet), config=netutil.config(testnet)
    )
    assert result.status == "pass" and result.details["resources"] == 0


def test_sri_on_the_test_network_names_what_it_judged(testnet):
    resolve, config = netutil.resolver(testnet), netutil.config(testnet)
    same = check_sri("same.scope.test", resolve=resolve, config=config)
    assert same.status == "pass" and same.details["missing_external"] == []
    assert "https://static.scope.test/lib.js" in same.details["same_site_without_integrity"]
    cross = check_sri("cross.scope.test", resolve=resolve, config=config)
    assert cross.details["missing_external"] == ["https://cdn.elsewhere.test/lib.js"]
    signed = check_sri("signed.scope.test", resolve=resolve, config=config)
    assert signed.details["external"] == ["https://cdn.elsewhere.test/lib.js"]
    assert signed.details["missing_external"] == []


def test_expect_ct_is_reported_as_deprecated():
    result = check_expect_ct("www.good.test")
    assert result.status == CheckStatus.INFO and result.details["deprecated"] is True


def test_a_host_without_plain_http_needs_no_redirect(testnet):
    # same.scope.test serves HTTPS only: port 80 refuses the connection, which is an answer.
    result = check_https_redirect(
        "same.scope.test", resolve=netutil.resolver(testnet), config=netutil.config(testnet)
    )
    assert result.status == CheckStatus.NOT_APPLICABLE, result.details
    assert "refused" in result.details["message"].lower()


def test_a_host_that_resets_plain_http_is_still_an_error(testnet):
    result = check_https_redirect(
        "www.broken.test", resolve=netutil.resolver(testnet), config=netutil.config(testnet)
    )
    assert result.status == CheckStatus.ERROR

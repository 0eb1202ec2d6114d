"""`smtps_submission` against the local test network (expectations from zones.DOMAINS): a given
host on 465 and 587, or the submission service discovered as mail clients find it (RFC 6186,
RFC 8314 SRV records, then smtp./mail.<domain>)."""

from __future__ import annotations

import time

import pytest

from audits.checks.result import CheckStatus
from audits.checks.smtps import check_smtps_submission
from audits.checks.submission import parse_srv
from audits.net.dns import DnsResolver
from tests import netutil
from tests.testnet.zones import DOMAINS


def _check(testnet, host=None, domain=None, **config):
    net_config = netutil.config(testnet, **config)
    return check_smtps_submission(
        host,
        resolve=netutil.resolver(testnet),
        config=net_config,
        domain=domain,
        dns=DnsResolver(net_config),
    )


@pytest.mark.parametrize(
    "domain", [pytest.param(d, id=d.name) for d in DOMAINS if "smtps_submission" in d.expect]
)
def test_smtps_submission_gives_the_expected_status(testnet, domain):
    result = _check(testnet, domain.submission, domain.name, timeout=2.0)
    assert result.status == domain.expect["smtps_submission"], result.details
    # Tarpit and reset hosts included: an error within the bound, never a hang.
    assert result.duration_ms < 3 * 2000


def _by_endpoint(result) -> dict[tuple[str, int, str], str]:
    return {(a["host"], a["port"], a["tls"]): a["status"] for a in result.details["attempts"]}


def test_good_host_passes_on_implicit_tls(testnet):
    result = _check(testnet, "smtp.good.test")
    assert {port: s for (_h, port, _t), s in _by_endpoint(result).items()} == {
        465: "pass",
        587: "pass",
    }


def test_weak_host_offers_587_only(testnet):
    result = _check(testnet, "smtp.weak.test")
    # STARTTLS works, but the criterion asks for SMTPS (implicit TLS): partly met.
    assert result.status == CheckStatus.WARN
    assert "STARTTLS only" in result.summary
    by_port = {port: s for (_h, port, _t), s in _by_endpoint(result).items()}
    assert by_port == {465: "not_offered", 587: "pass"}


def test_host_without_submission_fails(testnet):
    # mx.good.test listens on 25 only: both submission ports refuse.
    result = _check(testnet, "mx.good.test")
    assert result.status == CheckStatus.FAIL


def test_tarpit_submission_host_gives_error_within_bound(testnet):
    started = time.monotonic()
    result = _check(testnet, "tarpit.broken.test", timeout=1.0)
    assert result.status == CheckStatus.ERROR
    assert time.monotonic() - started < 2 * 1.0


def test_reset_submission_host_gives_error_with_message(testnet):
    result = _check(testnet, "smtp.broken.test")
    assert result.status == CheckStatus.ERROR
    assert all(a["message"] for a in result.details["attempts"])


def test_srv_records_give_every_host_and_port(testnet):
    result = _check(testnet, domain="good.test")
    assert result.status == CheckStatus.PASS
    assert result.details["discovery"]["method"] == "srv"
    assert _by_endpoint(result) == {
        ("smtp.good.test", 465, "implicit"): "pass",
        ("smtp.good.test", 587, "starttls"): "pass",
    }


def test_a_dot_target_means_not_offered_and_every_listed_host_is_checked(testnet):
    result = _check(testnet, domain="discover.test")
    assert result.status == CheckStatus.WARN  # STARTTLS only
    srv = result.details["discovery"]["srv"]
    assert srv["_submissions._tcp"] == {"not_offered": True}
    assert _by_endpoint(result) == {
        ("smtp.discover.test", 587, "starttls"): "pass",
        ("smtp2.discover.test", 587, "starttls"): "pass",
    }
    assert result.target == "smtp.discover.test, smtp2.discover.test"


def test_imap_and_pop3_discovery_is_reported(testnet):
    mailbox = _check(testnet, domain="discover.test").details["discovery"]["mailbox_srv"]
    assert mailbox["_imaps._tcp"] == {"records": ["0 1 993 imap.discover.test"]}
    assert mailbox["_imap._tcp"] == {"not_offered": True}
    assert mailbox["_pop3s._tcp"] == {"records": []}


def test_without_srv_records_the_conventional_names_are_tried(testnet):
    result = _check(testnet, domain="direct.discover.test")
    assert result.status == CheckStatus.PASS
    discovery = result.details["discovery"]
    assert discovery["method"] == "conventional"
    assert discovery["conventional_hosts"] == {
        "smtp.direct.discover.test": "no address",
        "mail.direct.discover.test": "exists",
    }
    assert set(_by_endpoint(result).values()) == {"pass"}


def test_implicit_tls_is_judged_on_the_port_the_srv_record_gives(testnet):
    # _submissions points at 587, where a STARTTLS server speaks plain SMTP first.
    result = _check(testnet, domain="hollow.discover.test")
    assert result.status == CheckStatus.FAIL
    assert _by_endpoint(result) == {("smtp.discover.test", 587, "implicit"): "fail"}


def test_both_services_declared_not_offered_is_not_applicable(testnet):
    result = _check(testnet, domain="nosubmit.discover.test")
    assert result.status == CheckStatus.NOT_APPLICABLE
    assert result.details["attempts"] == []


def test_a_failed_srv_lookup_is_an_error_not_a_reason_to_guess(testnet):
    # broken.test: _submission._tcp is NXDOMAIN, which is bogus there (SERVFAIL).
    result = _check(testnet, domain="broken.test")
    assert result.status == CheckStatus.ERROR
    assert any("_submission._tcp.broken.test" in e for e in result.details["errors"])
    assert "conventional_hosts" not in result.details["discovery"]


def test_a_host_the_ssrf_guard_refused_is_reported_as_refused(testnet):
    result = _check(testnet, "smtp.good.test", allow_private_networks=False)
    assert result.status == CheckStatus.ERROR
    assert "could not be resolved" not in str(result.summary)
    assert all(a["refused"] for a in result.details["attempts"])
    assert all("not a public address" in a["message"] for a in result.details["attempts"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0 1 465 smtp.example.org.", (0, 1, 465, "smtp.example.org")),
        ("10 0 587 Mail.Example.ORG.", (10, 0, 587, "mail.example.org")),
        ("0 0 0 .", (0, 0, 0, "")),
    ],
)
def test_srv_records_are_parsed(text, expected):
    record = parse_srv(text)
    assert (record.priority, record.weight, record.port, record.target) == expected

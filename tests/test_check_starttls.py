"""`starttls` against the local test network (expectations from zones.DOMAINS)."""

from __future__ import annotations

import time

import pytest

from audits.checks.result import CheckStatus
from audits.checks.starttls import check_starttls
from audits.net import smtp
from audits.net.tls import ConnectionProblem
from tests import netutil
from tests.testnet.zones import DOMAINS, SMTP_PORT


@pytest.mark.parametrize(
    "domain", [pytest.param(d, id=d.name) for d in DOMAINS if "starttls" in d.expect]
)
def test_starttls_gives_the_expected_status(testnet, domain):
    result = check_starttls(
        domain.mx, resolve=netutil.resolver(testnet), config=netutil.config(testnet, timeout=2.0)
    )
    assert result.status == domain.expect["starttls"], result.details
    # Tarpit and reset hosts included: an error within the bound, never a hang.
    assert result.duration_ms < 3 * 2000


def test_probe_reports_banner_version_and_certificate(testnet):
    address = testnet.address("mx.good.test")
    probe = smtp.probe_starttls("mx.good.test", address, SMTP_PORT, netutil.config(testnet))
    assert probe.banner and probe.starttls_offered
    assert probe.tls is not None and probe.tls.version in {"TLSv1.2", "TLSv1.3"}
    assert probe.tls.cert_der and probe.tls.verified


def test_tarpit_gives_error_within_bound(testnet):
    config = netutil.config(testnet, timeout=1.0)
    started = time.monotonic()
    result = check_starttls(
        ["mx.broken.test", "tarpit.broken.test"], resolve=netutil.resolver(testnet), config=config
    )
    elapsed = time.monotonic() - started
    assert result.status == CheckStatus.ERROR
    tarpit = next(h for h in result.details["hosts"] if h["host"] == "tarpit.broken.test")
    assert "did not answer" in tarpit["message"]
    # The healthy MX was still judged, and both ran side by side.
    assert any(h["status"] == "pass" for h in result.details["hosts"])
    assert elapsed < 2 * config.timeout


def test_reset_raises_connection_problem_at_once(testnet):
    started = time.monotonic()
    with pytest.raises(ConnectionProblem) as raised:
        smtp.probe_starttls(
            "reset.broken.test",
            testnet.address("reset.broken.test"),
            SMTP_PORT,
            netutil.config(testnet),
        )
    assert raised.value.kind == "reset"
    assert time.monotonic() - started < 1.0


def test_no_mx_is_not_applicable():
    result = check_starttls([], resolve=lambda name: [], config=None)  # type: ignore[arg-type]
    assert result.status == CheckStatus.NOT_APPLICABLE

"""`tls_web` and `tls_mail` against the local test network (expectations from zones.DOMAINS)."""

from __future__ import annotations

import time

import pytest

from audits.checks.result import CheckStatus
from audits.checks.tls import check_tls_mail, check_tls_web
from audits.net.tls import weak_tls12_suites
from tests import netutil
from tests.testnet.zones import DOMAINS

BOUND = 2.0  # per-step timeout in these tests; the tarpit must not cost more than a few of them


def cases(key: str) -> list:
    return [pytest.param(d, id=d.name) for d in DOMAINS if key in d.expect]


@pytest.mark.parametrize("domain", cases("tls_web"))
def test_tls_web_gives_the_expected_status(testnet, domain):
    result = check_tls_web(
        domain.web, resolve=netutil.resolver(testnet), config=netutil.config(testnet, timeout=BOUND)
    )
    assert result.status == domain.expect["tls_web"], result.details
    # Tarpit and reset hosts included: an error within the bound, never a hang.
    assert result.duration_ms < 3 * 2000


@pytest.mark.parametrize("domain", cases("tls_mail"))
def test_tls_mail_gives_the_expected_status(testnet, domain):
    result = check_tls_mail(
        domain.mx, resolve=netutil.resolver(testnet), config=netutil.config(testnet, timeout=BOUND)
    )
    assert result.status == domain.expect["tls_mail"], result.details
    # Tarpit and reset hosts included: an error within the bound, never a hang.
    assert result.duration_ms < 3 * 2000


def test_tls_web_names_tls10_on_the_weak_host(testnet):
    result = check_tls_web(
        "www.weak.test", resolve=netutil.resolver(testnet), config=netutil.config(testnet)
    )
    host = result.details["hosts"][0]
    assert "TLSv1" in host["accepted"] and "TLSv1.3" in host["accepted"]
    assert any("RFC 8996" in p for p in host["problems"])


def test_tls_web_passes_good_host_with_only_modern_versions(testnet):
    result = check_tls_web(
        "www.good.test", resolve=netutil.resolver(testnet), config=netutil.config(testnet)
    )
    host = result.details["hosts"][0]
    assert set(host["accepted"]) == {"TLSv1.2", "TLSv1.3"}
    assert host["weak_suite"] is None and host["certificate_valid"] is True


def test_certificate_for_another_name_fails(testnet):
    # mx.good.test's certificate does not name www.good.test; point the name at its address.
    def resolve(name: str) -> list[str]:
        return [testnet.address("mx.good.test")]

    result = check_tls_mail(["www.good.test"], resolve=resolve, config=netutil.config(testnet))
    assert result.status == CheckStatus.FAIL
    assert any("certificate" in p for p in result.details["hosts"][0]["problems"])


def test_tarpit_mx_gives_error_within_bound(testnet):
    config = netutil.config(testnet, timeout=1.0)
    started = time.monotonic()
    result = check_tls_mail(
        ["tarpit.broken.test"], resolve=netutil.resolver(testnet), config=config
    )
    assert time.monotonic() - started < 3 * config.timeout
    assert result.status == CheckStatus.ERROR
    assert "answer" in result.details["hosts"][0]["problems"][0]


def test_reset_web_host_gives_error_at_once(testnet):
    started = time.monotonic()
    result = check_tls_web(
        "www.broken.test", resolve=netutil.resolver(testnet), config=netutil.config(testnet)
    )
    assert result.status == CheckStatus.ERROR
    assert time.monotonic() - started < 1.0


def test_weak_suite_list_has_no_forward_secret_aead_suite():
    assert weak_tls12_suites()
    assert not [s for s in weak_tls12_suites() if s.startswith("ECDHE-") and "GCM" in s]


def test_private_address_is_an_error_when_not_allowed(testnet):
    config = netutil.config(testnet, allow_private_networks=False)
    result = check_tls_web("www.good.test", resolve=netutil.resolver(testnet), config=config)
    assert result.status == CheckStatus.ERROR
    assert "not a public address" in result.details["hosts"][0]["problems"][0]

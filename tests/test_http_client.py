"""audits/net/http.py: our address, SNI and Host, the test CA, caps, redirects, the guard."""

from __future__ import annotations

import dataclasses
import time

import pytest

from audits.net.guard import ForbiddenAddress
from audits.net.http import HttpError, fetch
from tests import netutil
from tests.testnet import zones


@pytest.mark.parametrize("address", ["127.0.0.1", "10.0.0.1", "169.254.169.254", "::1"])
def test_private_addresses_are_refused_when_not_allowed(testnet, address):
    config = dataclasses.replace(netutil.config(testnet), allow_private_networks=False)
    with pytest.raises(ForbiddenAddress):
        fetch("https://www.good.test/", resolve=lambda name: [address], config=config)


def test_fetch_uses_our_address_with_sni_and_host(testnet):
    response = fetch(
        "https://mta-sts.good.test/.well-known/mta-sts.txt",
        resolve=netutil.resolver(testnet),
        config=netutil.config(testnet),
    )
    assert response.status == 200
    assert response.address == testnet.address("mta-sts.good.test")
    assert response.text == zones.GOOD_POLICY
    assert not response.truncated


def test_certificate_must_verify_for_the_name(testnet):
    # www.good.test's address presents a certificate that does not name mta-sts.good.test.
    with pytest.raises(HttpError) as raised:
        fetch(
            "https://mta-sts.good.test/",
            resolve=lambda name: [testnet.address("www.good.test")],
            config=netutil.config(testnet),
        )
    assert raised.value.kind == "tls"


def test_test_ca_is_needed(testnet):
    config = dataclasses.replace(netutil.config(testnet), ca_bundle=None)
    with pytest.raises(HttpError) as raised:
        fetch("https://www.good.test/", resolve=netutil.resolver(testnet), config=config)
    assert raised.value.kind == "tls"


def test_body_is_capped_and_truncation_reported(testnet):
    response = fetch(
        "https://mta-sts.big.broken.test/.well-known/mta-sts.txt",
        resolve=netutil.resolver(testnet),
        config=netutil.config(testnet),
        max_bytes=64 * 1024,
    )
    assert response.truncated and len(response.body) == 64 * 1024


def test_redirects_are_returned_unless_following_is_asked(testnet):
    resolve, config = netutil.resolver(testnet), netutil.config(testnet)
    url = "https://mta-sts.broken.test/.well-known/mta-sts.txt"
    response = fetch(url, resolve=resolve, config=config)
    assert response.status == 301
    assert response.location == "https://mta-sts.broken.test/policy.txt"
    followed = fetch(url, resolve=resolve, config=config, follow_redirects=True)
    assert followed.status == 200 and followed.history == (url,)


def test_tarpit_times_out_within_bound(testnet):
    config = netutil.config(testnet, timeout=1.0)
    started = time.monotonic()
    with pytest.raises(HttpError) as raised:
        fetch("https://tarpit.broken.test/", resolve=netutil.resolver(testnet), config=config)
    assert raised.value.kind == "timeout"
    assert time.monotonic() - started < 3 * config.timeout


def test_reset_is_an_error(testnet):
    with pytest.raises(HttpError):
        fetch(
            "http://reset.broken.test/",
            resolve=netutil.resolver(testnet),
            config=netutil.config(testnet),
        )


def test_a_name_without_an_address_is_no_address(testnet):
    with pytest.raises(HttpError) as raised:
        fetch(
            "https://nothing.weak.test/",
            resolve=netutil.resolver(testnet),
            config=netutil.config(testnet),
        )
    assert raised.value.kind == "no_address"


def test_a_failed_lookup_is_a_dns_error_not_an_absence(testnet):
    # NXDOMAIN inside broken.test is bogus: the validating resolver answers SERVFAIL.
    with pytest.raises(HttpError) as raised:
        fetch(
            "https://nothing.broken.test/",
            resolve=netutil.resolver(testnet),
            config=netutil.config(testnet),
        )
    assert raised.value.kind == "dns"


def test_an_idn_host_is_resolved_and_named_by_its_a_label(testnet):
    asked: list[str] = []
    real = netutil.resolver(testnet)

    def resolve(name: str) -> list[str]:
        asked.append(name)
        return real(name)

    response = fetch(
        "https://xn--strae-oqa.discover.test/", resolve=resolve, config=netutil.config(testnet)
    )
    assert response.status == 200 and response.text == "straße\n"
    assert asked == ["xn--strae-oqa.discover.test"]

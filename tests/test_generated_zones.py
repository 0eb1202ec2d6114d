"""Generated good.test-like zones (tests/testnet/generated.py) really pass every check.

The audit benchmark relies on them; this keeps the generator honest. It starts its own network
(the session one serves only the hand-written zones), in its own state directory and subnet.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from audits.net.config import NetConfig
from audits.runner import run_audit
from tests.netutil import audit_target
from tests.testnet import network
from tests.testnet.generated import generated_zones
from tests.testnet.zones import ZONES, Domain

ZONES_GENERATED, DOMAINS_GENERATED = generated_zones(3)


@pytest.fixture(scope="module")
def generated_net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[network.Testnet]:
    state = tmp_path_factory.mktemp("testnet-generated")
    try:
        net = network.up(state, len(ZONES_GENERATED))
    except RuntimeError as exc:
        pytest.fail(f"The test network with generated zones did not start: {exc}", pytrace=False)
    try:
        yield net
    finally:
        network.down(state)


def test_generated_zones_are_distinct_and_beside_the_hand_written_ones() -> None:
    names = [z.name for z in (*ZONES, *ZONES_GENERATED)]
    indexes = [z.index for z in (*ZONES, *ZONES_GENERATED)]
    assert len(set(names)) == len(names)
    assert len(set(indexes)) == len(indexes)
    assert [d.name for d in DOMAINS_GENERATED] == [z.name for z in ZONES_GENERATED]


def test_indexes_past_the_address_space_are_refused() -> None:
    with pytest.raises(ValueError, match="not free"):
        generated_zones(3, first_index=253)


@pytest.mark.parametrize("domain", DOMAINS_GENERATED, ids=lambda d: d.name)
def test_full_audit_gives_the_expected_statuses(
    domain: Domain, generated_net: network.Testnet
) -> None:
    report = run_audit(audit_target(domain), NetConfig.from_env(generated_net.env))
    found = {r.check: r.status.value for r in report.results}
    assert {key: found.get(key) for key in domain.expect} == dict(domain.expect), [
        r.as_dict() for r in report.results if r.status.value != domain.expect.get(r.check)
    ]

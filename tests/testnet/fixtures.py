"""The session-scoped `testnet` pytest fixture: one network per test session.

Import it into a conftest (`from tests.testnet.fixtures import testnet`). The network is shared
per process, so a module that imports the fixture as well does not start a second one.
A missing knotd/unbound/gpg is a failure, not a skip: a suite that silently skipped the checks'
integration tests would look green while testing nothing.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.testnet import network

_shared: network.Testnet | None = None
_users = 0


def _acquire() -> network.Testnet:
    global _shared, _users
    if _shared is None:
        missing = network.missing_tools()
        if missing:
            pytest.fail(
                f"The local test network cannot start, missing: {', '.join(missing)}. "
                "Install with `sudo bash .ci/install-testnet.sh` "
                "(Debian packages knot, knot-dnsutils, unbound, ldnsutils, gnupg).",
                pytrace=False,
            )
        # A fresh directory per session: a network started by hand keeps its own, and two
        # sessions side by side take different subnets (see layout.py).
        state = Path(tempfile.mkdtemp(prefix="mailvet-testnet-session-"))
        try:
            _shared = network.up(state)
        except RuntimeError as exc:
            shutil.rmtree(state, ignore_errors=True)
            pytest.fail(f"The local test network did not start: {exc}", pytrace=False)
    _users += 1
    return _shared


def _release() -> None:
    global _shared, _users
    _users -= 1
    if _users == 0 and _shared is not None:
        state = _shared.instance.root
        network.down(state)
        shutil.rmtree(state, ignore_errors=True)
        _shared = None


@pytest.fixture(scope="session")
def testnet() -> Iterator[network.Testnet]:
    net = _acquire()
    try:
        yield net
    finally:
        _release()

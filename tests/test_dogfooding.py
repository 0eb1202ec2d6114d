"""The portal passes its own web checks: served over HTTPS by gunicorn with its production
settings on the test network (portal.good.test), audited by the same code that audits providers.

A portal that tells providers to use HSTS, a strict CSP, SRI and modern TLS must do it itself.
gunicorn terminates TLS here with a certificate from a CA of this test (added to the audit's CA
bundle beside the test network's), AEAD suites with forward secrecy only, and a second gunicorn
answers plain HTTP with Django's redirect to HTTPS.
"""

from __future__ import annotations

import dataclasses
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from audits.checks.result import CheckStatus
from audits.checks.tls import check_tls_web
from audits.checks.web import check_csp, check_hsts, check_https_redirect, check_sri
from audits.net.config import NetConfig
from tests import netutil
from tests.testnet.ca import TestCA
from tests.testnet.zones import HTTP_PORT, HTTPS_PORT

ROOT = Path(__file__).resolve().parent.parent
HOST = "portal.good.test"
# What an operator would configure in front of the portal (RFC 9325 4.2: AEAD with ECDHE).
CIPHERS = "ECDHE+AESGCM:ECDHE+CHACHA20"


def _wait_for(address: str, port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited: {log.read_text()[-2000:]}")
        try:
            socket.create_connection((address, port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"gunicorn did not listen on {address}:{port}: {log.read_text()[-2000:]}")


@pytest.fixture(scope="module")
def served_portal(testnet, tmp_path_factory) -> Iterator[NetConfig]:
    work = tmp_path_factory.mktemp("dogfood")
    ca = TestCA(work / "pki")
    issued = ca.issue([HOST], "portal")
    bundle = work / "bundle.pem"
    bundle.write_bytes(testnet.ca_bundle.read_bytes() + ca.bundle_path.read_bytes())
    address = testnet.address(HOST)
    env = {
        key: value
        for key, value in os.environ.items()
        # The test process's own settings (a test database, async-unsafe allowances) are not
        # the production portal's.
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "CELERY_", "PYTEST"))
    }
    env.update(
        DEBUG="false",
        SECRET_KEY="dogfooding-" + "x" * 40,
        ALLOWED_HOSTS=HOST,
        DATABASE_URL=f"sqlite:///{work}/portal.sqlite3",
        STATIC_ROOT=str(work / "static"),
        CELERY_TASK_ALWAYS_EAGER="true",
        PYTHONPATH=str(ROOT),
    )
    manage = [sys.executable, str(ROOT / "manage.py")]
    for command in (["migrate", "--noinput"], ["loadseed"], ["collectstatic", "--noinput"]):
        subprocess.run([*manage, *command, "-v0"], env=env, cwd=ROOT, check=True, timeout=300)
    gunicorn = [sys.executable, "-m", "gunicorn", "portal.wsgi:application", "--workers", "1"]
    servers = []
    for port, tls in ((HTTPS_PORT, True), (HTTP_PORT, False)):
        log = work / f"gunicorn-{port}.log"
        options = ["--bind", f"{address}:{port}", "--error-logfile", str(log)]
        if tls:
            options += [
                "--certfile",
                str(issued.cert_path),
                "--keyfile",
                str(issued.key_path),
                "--ciphers",
                CIPHERS,
            ]
        process = subprocess.Popen(
            [*gunicorn, *options], env=env, cwd=ROOT, stderr=subprocess.STDOUT
        )
        servers.append(process)
        _wait_for(address, port, process, log)
    try:
        yield dataclasses.replace(netutil.config(testnet), ca_bundle=str(bundle))
    finally:
        for process in servers:
            process.terminate()
        for process in servers:
            process.wait(timeout=10)


@pytest.mark.parametrize(
    "check", [check_tls_web, check_hsts, check_csp, check_sri, check_https_redirect]
)
def test_the_portal_passes_its_own_web_checks(testnet, served_portal, check):
    result = check(HOST, resolve=netutil.resolver(testnet), config=served_portal)
    assert result.status == CheckStatus.PASS, result.as_dict()

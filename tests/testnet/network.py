"""Bring the whole test network up or down: materials, Knot, Unbound, the servers process."""

from __future__ import annotations

import os
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from tests.testnet import dnsd, keys, procs
from tests.testnet.ca import TestCA
from tests.testnet.generated import generated_zones
from tests.testnet.layout import Instance, claim_subnet, default_state_dir
from tests.testnet.zonefiles import Materials, write_zone_files
from tests.testnet.zones import PORT_OVERRIDES, Domain, WkdKey, Zone

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PROCESSES = ("knotd", "unbound", "servers")
STARTUP_TIMEOUT = 30.0
# Generated zones cost keys, certificates and server start-up: extend the bound accordingly.
STARTUP_SECONDS_PER_GENERATED_ZONE = 0.6


@dataclass(frozen=True)
class Testnet:
    """A running network: what a test needs to point the checks at it."""

    __test__ = False  # a fixture value, not a test class

    instance: Instance
    startup_seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict, compare=False)
    # Unbound answers on port 53 of the resolver address too (see `up`).
    resolver_on_port_53: bool = False

    @property
    def nameserver(self) -> tuple[str, int]:
        return self.instance.resolver

    @property
    def ca_bundle(self) -> Path:
        return self.instance.ca_bundle

    @property
    def env(self) -> dict[str, str]:
        """The environment a check run against this network needs."""
        host, port = self.nameserver
        return {
            "AUDIT_NAMESERVERS": f"{host}:{port}",
            "AUDIT_ALLOW_PRIVATE_NETWORKS": "true",
            "AUDIT_PORT_OVERRIDES": ",".join(f"{k}={v}" for k, v in PORT_OVERRIDES.items()),
            "AUDIT_CA_BUNDLE": str(self.ca_bundle),
        }

    def address(self, fqdn: str) -> str:
        return self.instance.host_address(fqdn)

    @property
    def zones(self) -> tuple[Zone, ...]:
        return self.instance.zones

    @property
    def domains(self) -> tuple[Domain, ...]:
        return self.instance.domains


def missing_tools() -> list[str]:
    missing = dnsd.missing_tools()
    if shutil.which("gpg") is None:
        missing.append("gpg")
    return missing


def _prepare_dir(state_dir: Path) -> None:
    """Empty the state dir, refusing to wipe a directory this package did not make."""
    if state_dir.exists() and any(state_dir.iterdir()):
        if not (state_dir / "instance.json").exists():
            raise RuntimeError(f"{state_dir} is not empty and not a test network state directory")
        shutil.rmtree(state_dir)
    state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)


def _make_materials(instance: Instance) -> Materials:
    ca = TestCA(instance.path("pki"))
    materials = Materials(ca=ca.certificate)
    for zone in instance.zones:
        for host in zone.hosts:
            if host.has_tls:
                names = [zone.fqdn(label) for label in host.names]
                # The apex sorts last, so the CN is the host name clients ask for most (www).
                names.sort(key=lambda n: n == zone.name)
                issued = ca.issue(
                    names, instance.cert_stem(zone, host.octet), rsa_key=host.rsa_certificate
                )
                materials.certs[(zone.name, host.octet)] = issued.certificate
        for spec in zone.dkim:
            stem = f"{zone.name}-{spec.selector}"
            value = keys.dkim_record(spec, instance.path("dkim"), stem)
            materials.dkim[(zone.name, spec.selector)] = value
    return materials


def _wkd_addresses(zones: tuple[Zone, ...]) -> set[str]:
    found = set()
    for zone in zones:
        for host in zone.hosts:
            for service in host.services:
                site = getattr(service, "site", None)
                for page in site.pages if site else ():
                    if isinstance(page.body, WkdKey):
                        found.add(page.body.address)
    return found


def _wait_servers(instance: Instance, deadline: float) -> None:
    while not instance.ready_file.exists():
        if "servers" not in procs.owned_pids(instance.root):
            raise RuntimeError(
                f"the servers process exited:\n{procs.log_tail(instance.root, 'servers')}"
            )
        if time.monotonic() > deadline:
            raise RuntimeError("the servers process did not get ready in time")
        time.sleep(0.01)


def up(
    state_dir: Path | None = None,
    generated: int = 0,
    *,
    resolver_on_port_53: bool = False,
) -> Testnet:
    """Start a fresh network (stopping one already running in the same state dir).

    `generated` good.test-like zones are served besides ZONES (tests/testnet/generated.py, for
    benchmarks). With `resolver_on_port_53`, Unbound listens on port 53 of its address as well,
    for tools that cannot be given a port; that needs root.
    """
    generated_zones(generated)  # a count that does not fit raises ValueError before any work
    missing = missing_tools()
    if missing:
        raise RuntimeError(
            f"missing tools: {', '.join(missing)}; run `bash .ci/install-testnet.sh` as root"
        )
    state_dir = (state_dir or default_state_dir()).resolve()
    down(state_dir)
    _prepare_dir(state_dir)
    started = time.monotonic()
    deadline = started + STARTUP_TIMEOUT + STARTUP_SECONDS_PER_GENERATED_ZONE * generated
    timings: dict[str, float] = {}
    subnet, lock_fd = claim_subnet()
    try:
        instance = Instance(str(state_dir), subnet, generated)
        instance.save()
        with ThreadPoolExecutor(max_workers=4) as pool:
            # gpg is a separate process: let it run while the certificates are made.
            wkd = [
                pool.submit(keys.openpgp_key, address, instance.wkd_key(address))
                for address in sorted(_wkd_addresses(instance.zones))
            ]
            materials = _make_materials(instance)
            for future in wkd:
                future.result()
        timings["keys"] = time.monotonic() - started
        # The servers process imports while DNS starts; it inherits the subnet lock.
        procs.spawn(
            "servers",
            [sys.executable, "-m", "tests.testnet.servers", str(state_dir)],
            state_dir,
            pass_fds=(lock_fd,),
            cwd=PROJECT_ROOT,
        )
        zones = write_zone_files(instance, materials, instance.path("zones"))
        dnsd.start_knot(instance, zones, deadline)
        timings["knot"] = time.monotonic() - started
        anchors = dnsd.trust_anchors(instance, zones)
        dnsd.start_unbound(instance, anchors, deadline, port_53=resolver_on_port_53)
        timings["unbound"] = time.monotonic() - started
        _wait_servers(instance, deadline)
        timings["servers"] = time.monotonic() - started
    except BaseException:
        down(state_dir)
        raise
    finally:
        os.close(lock_fd)
    return Testnet(instance, time.monotonic() - started, timings, resolver_on_port_53)


def down(state_dir: Path | None = None) -> list[str]:
    """Stop every process of the network in `state_dir`; returns their names. Safe to repeat."""
    state_dir = (state_dir or default_state_dir()).resolve()
    if not state_dir.exists():
        return []
    stopped = procs.stop_all(state_dir)
    Path(state_dir / "servers.ready").unlink(missing_ok=True)
    return stopped


def running(state_dir: Path | None = None) -> Testnet | None:
    """The network in `state_dir` if all its processes are alive, else None."""
    state_dir = (state_dir or default_state_dir()).resolve()
    instance = Instance.load(state_dir)
    if instance is None:
        return None
    alive = procs.owned_pids(state_dir)
    if not all(name in alive for name in PROCESSES):
        return None
    return Testnet(instance)

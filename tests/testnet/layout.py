"""Where a running test network lives: its state directory and its loopback subnet.

Each instance takes a /16 of 127.0.0.0/8 (127.<subnet>.0.0) under an flock, so that a test run and
a hand-started network (or two engineers' test runs) do not fight over addresses. The lock is
inherited by the long-lived servers process, so it is held exactly as long as the network is up.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from tests.testnet.generated import generated_zones
from tests.testnet.zones import (
    AUTHORITATIVE_OCTET,
    DNS_PORT,
    DOMAINS,
    RESOLVER_OCTET,
    ZONES,
    Domain,
    Zone,
)

SUBNETS = range(53, 69)
DIR_ENV = "MAILVET_TESTNET_DIR"


def default_state_dir() -> Path:
    explicit = os.environ.get(DIR_ENV)
    if explicit:
        return Path(explicit).resolve()
    return Path(tempfile.gettempdir()) / f"mailvet-testnet-{os.getuid()}"


@dataclass(frozen=True)
class Instance:
    """The per-run facts: state directory, subnet, and how many generated zones are served
    besides ZONES (tests/testnet/generated.py). Saved as instance.json for the servers process,
    `env` and `down`; the generated zones are rebuilt from their count, never stored."""

    state_dir: str
    subnet: int
    generated: int = 0

    @property
    def zones(self) -> tuple[Zone, ...]:
        return (*ZONES, *generated_zones(self.generated)[0])

    @property
    def domains(self) -> tuple[Domain, ...]:
        return (*DOMAINS, *generated_zones(self.generated)[1])

    @property
    def root(self) -> Path:
        return Path(self.state_dir)

    def address(self, zone: Zone | None, octet: int) -> str:
        return f"127.{self.subnet}.{zone.index if zone else 0}.{octet}"

    @property
    def resolver(self) -> tuple[str, int]:
        return self.address(None, RESOLVER_OCTET), DNS_PORT

    @property
    def authoritative(self) -> tuple[str, int]:
        return self.address(None, AUTHORITATIVE_OCTET), DNS_PORT

    def host_address(self, fqdn: str) -> str:
        """The loopback address behind a host name of the description (no DNS involved)."""
        fqdn = fqdn.rstrip(".").lower()
        for zone in self.zones:
            for host in zone.hosts:
                if any(zone.fqdn(label) == fqdn for label in host.names):
                    return self.address(zone, host.octet)
        raise KeyError(f"no host {fqdn} in the test network")

    # Paths inside the state directory.
    def path(self, *parts: str) -> Path:
        return self.root.joinpath(*parts)

    @property
    def ca_bundle(self) -> Path:
        return self.path("pki", "ca.pem")

    def cert_stem(self, zone: Zone, octet: int) -> str:
        """File stem (under pki/) of the certificate that host's TLS servers present."""
        return f"{zone.name}-{octet}"

    def cert_files(self, zone: Zone, octet: int) -> tuple[Path, Path]:
        stem = self.cert_stem(zone, octet)
        return self.path("pki", f"{stem}.pem"), self.path("pki", f"{stem}.key")

    def wkd_key(self, address: str) -> Path:
        return self.path("wkd", f"{address}.pgp")

    @property
    def ready_file(self) -> Path:
        return self.path("servers.ready")

    def save(self) -> None:
        self.path("instance.json").write_text(json.dumps(asdict(self)))

    @classmethod
    def load(cls, state_dir: Path) -> Instance | None:
        try:
            data = json.loads((state_dir / "instance.json").read_text())
        except (OSError, ValueError):
            return None
        return cls(
            state_dir=data["state_dir"],
            subnet=int(data["subnet"]),
            generated=int(data.get("generated", 0)),
        )


def lock_path(subnet: int) -> Path:
    return Path(tempfile.gettempdir()) / f"mailvet-testnet-127.{subnet}.lock"


def _dns_ports_free(subnet: int) -> bool:
    """False if something already listens where this subnet's Knot or Unbound would.

    Catches daemons orphaned by a network whose servers process died (and so freed the lock).
    """
    for octet in (RESOLVER_OCTET, AUTHORITATIVE_OCTET):
        with socket.socket() as probe:
            # SO_REUSEADDR: a connection in TIME_WAIT is no obstacle, a listener still is.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((f"127.{subnet}.0.{octet}", DNS_PORT))
            except OSError:
                return False
    return True


def claim_subnet() -> tuple[int, int]:
    """Lock the first free subnet; returns (subnet, fd holding the lock)."""
    for subnet in SUBNETS:
        # O_RDONLY is enough for flock, and lets another user lock a file root created.
        fd = os.open(lock_path(subnet), os.O_RDONLY | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue
        if not _dns_ports_free(subnet):
            os.close(fd)
            continue
        return subnet, fd
    raise RuntimeError(f"every test network subnet 127.{SUBNETS[0]}-{SUBNETS[-1]} is in use")

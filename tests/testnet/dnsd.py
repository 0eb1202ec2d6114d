"""Knot (authoritative, signs the AUTO zones) and Unbound (validating resolver) for one instance."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path

import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype

from tests.testnet import procs
from tests.testnet.layout import Instance
from tests.testnet.zonefiles import RenderedZones
from tests.testnet.zones import Signing

TOOLS = ("knotd", "keymgr", "unbound")
# Each readiness probe waits at most this long for one answer, then tries again.
PROBE_TIMEOUT = 1.0
STANDARD_DNS_PORT = 53


def tool(name: str) -> str:
    # Debian puts the daemons in /usr/sbin, which a non-root PATH often lacks.
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if found is None:
        raise FileNotFoundError(name)
    return found


def missing_tools() -> list[str]:
    missing = []
    for name in TOOLS:
        try:
            tool(name)
        except FileNotFoundError:
            missing.append(name)
    return missing


def knot_conf(instance: Instance, zones: RenderedZones) -> Path:
    base = instance.path("knot")
    base.mkdir(parents=True, exist_ok=True)
    address, port = instance.authoritative
    lines = [
        "server:",
        f'    rundir: "{base}"',
        f"    listen: {address}@{port}",
        # Two cores on the CI machines; the defaults start a worker per core and type.
        "    udp-workers: 1",
        "    tcp-workers: 1",
        "    background-workers: 1",
        "control:",
        f'    listen: "{base / "knot.sock"}"',
        "log:",
        "  - target: stderr",
        "    any: info",
        "database:",
        f'    storage: "{base}"',
        "policy:",
        "  - id: testnet",
        "    algorithm: ecdsap256sha256",
        "    nsec3: off",
        "template:",
        "  - id: default",
        f'    storage: "{zones.directory}"',
        # Keep the zone files as we wrote them and hold the signed zone in memory only.
        "    zonefile-sync: -1",
        "    zonefile-load: whole",
        "    journal-content: none",
        "zone:",
    ]
    signing = {zone.name: zone.signing for zone in instance.zones}
    for name, filename in zones.files.items():
        lines += [f"  - domain: {name}", f"    file: {filename}"]
        if signing.get(name) is Signing.AUTO:
            lines += ["    dnssec-signing: on", "    dnssec-policy: testnet"]
    path = instance.path("knot.conf")
    path.write_text("\n".join(lines) + "\n")
    return path


def unbound_conf(instance: Instance, anchors: list[str], *, port_53: bool = False) -> Path:
    """`port_53`: listen on port 53 of the same address as well, for clients that cannot be
    given a port (checkdmarc). Binding it needs root, so only when asked."""
    address, port = instance.resolver
    knot_address, knot_port = instance.authoritative
    lines = [
        "server:",
        f"    interface: {address}",
        *([f"    interface: {address}@{STANDARD_DNS_PORT}"] if port_53 else []),
        f"    port: {port}",
        f"    outgoing-interface: {address}",
        "    interface-automatic: no",
        "    do-ip6: no",
        "    access-control: 127.0.0.0/8 allow",
        # Stay the invoking user, and do not chroot: everything lives in the state dir.
        '    username: ""',
        '    chroot: ""',
        f'    directory: "{instance.root}"',
        f'    pidfile: "{instance.path("unbound.pid")}"',
        '    logfile: ""',
        "    use-syslog: no",
        "    verbosity: 1",
        "    val-log-level: 2",
        "    num-threads: 1",
        "    so-reuseport: no",
        # Knot answers on a loopback address, which Unbound refuses to query by default.
        "    do-not-query-localhost: no",
        # "test." is a built-in empty zone (RFC 6761); drop it so the stubs below are used.
        '    local-zone: "test." nodefault',
        '    module-config: "validator iterator"',
        "    qname-minimisation: no",
        "    harden-dnssec-stripped: yes",
        # No RFC 8145 key-tag queries to the zones: noise in Knot's log, nothing to learn.
        "    trust-anchor-signaling: no",
    ]
    lines += [f'    trust-anchor: "{anchor}"' for anchor in anchors]
    lines += ["remote-control:", "    control-enable: no"]
    # A stub for "." too: every name outside the test zones gets Knot's NXDOMAIN, so the
    # resolver never tries the real root servers.
    for name in (".", "test.", *(f"{zone.name}." for zone in instance.zones)):
        lines += ["stub-zone:", f'    name: "{name}"', f"    stub-addr: {knot_address}@{knot_port}"]
    path = instance.path("unbound.conf")
    path.write_text("\n".join(lines) + "\n")
    return path


def query(
    server: tuple[str, int], name: str, rdtype: str, *, cd: bool = False, timeout: float = 1.0
) -> dns.message.Message:
    """One query with the DO bit (and CD when asked), as the readiness probes send it.

    Over TCP: before the daemon binds, TCP is refused at once, where UDP would sit out the
    whole timeout waiting for an answer that cannot come.
    """
    q = dns.message.make_query(name, rdtype, want_dnssec=True)
    if cd:
        q.flags |= dns.flags.CD
    return dns.query.tcp(q, server[0], port=server[1], timeout=timeout)


def _wait(
    description: str,
    probe: Callable[[], tuple[bool, str]],
    deadline: float,
    alive: Callable[[], bool],
) -> None:
    last = "no answer"
    while time.monotonic() < deadline:
        if not alive():
            raise RuntimeError(f"{description}: the process exited")
        try:
            ok, last = probe()
        except (dns.exception.DNSException, OSError) as exc:
            ok, last = False, repr(exc)
        if ok:
            return
        time.sleep(0.02)
    raise RuntimeError(f"{description}: not ready in time (last: {last})")


def start_knot(instance: Instance, zones: RenderedZones, deadline: float) -> None:
    conf = knot_conf(instance, zones)
    proc = procs.spawn("knotd", [tool("knotd"), "-c", str(conf)], instance.root)
    server = instance.authoritative

    def signed() -> tuple[bool, str]:
        # Ready when every zone loads, and every AUTO zone has been signed (has a DNSKEY).
        for zone in instance.zones:
            rdtype = "DNSKEY" if zone.signing is Signing.AUTO else "SOA"
            answer = query(server, zone.name, rdtype, timeout=PROBE_TIMEOUT)
            if answer.rcode() != dns.rcode.NOERROR or not answer.answer:
                return False, f"{zone.name} {rdtype}: {dns.rcode.to_text(answer.rcode())}"
        return True, "ok"

    try:
        _wait("knotd", signed, deadline, lambda: proc.poll() is None)
    except RuntimeError as exc:
        raise RuntimeError(f"{exc}\n{procs.log_tail(instance.root, 'knotd')}") from None


def trust_anchors(instance: Instance, zones: RenderedZones) -> list[str]:
    """DS records: from `keymgr ds` for Knot-signed zones, from the signer for pre-signed ones."""
    anchors = list(zones.presigned_anchors.values())
    conf = str(instance.path("knot.conf"))
    for zone in instance.zones:
        if zone.signing is Signing.AUTO:
            out = procs.run([tool("keymgr"), "-c", conf, zone.name, "ds"]).decode()
            anchors += [line.strip() for line in out.splitlines() if " DS " in line]
    return anchors


def start_unbound(
    instance: Instance, anchors: list[str], deadline: float, *, port_53: bool = False
) -> None:
    conf = unbound_conf(instance, anchors, port_53=port_53)
    proc = procs.spawn("unbound", [tool("unbound"), "-d", "-c", str(conf)], instance.root)
    server = instance.resolver
    # Ready means validating: a zone Knot signed answers with the AD flag.
    probe_zone = next(zone.name for zone in instance.zones if zone.signing is Signing.AUTO)

    def validating() -> tuple[bool, str]:
        answer = query(server, probe_zone, "SOA", timeout=PROBE_TIMEOUT)
        secure = answer.rcode() == dns.rcode.NOERROR and bool(answer.flags & dns.flags.AD)
        return secure, f"rcode {dns.rcode.to_text(answer.rcode())}, flags {answer.flags!r}"

    try:
        _wait("unbound", validating, deadline, lambda: proc.poll() is None)
    except RuntimeError as exc:
        raise RuntimeError(f"{exc}\n{procs.log_tail(instance.root, 'unbound')}") from None

"""Zone files for Knot, rendered from zones.py for one instance (addresses, keys, certificates).

Besides the test zones, Knot serves an unsigned "test." (delegating to them) and an unsigned root
zone. Unbound stubs "." to Knot too, so a query for any other name ends in a local NXDOMAIN and
never leaves the machine.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import dns.dnssec
import dns.name
import dns.rdatatype
import dns.rrset
import dns.transaction
import dns.zone
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.testnet.layout import Instance
from tests.testnet.zones import AUTHORITATIVE_OCTET, Record, Signing, Zone, txt

TTL = 300
NEGATIVE_TTL = 60


@dataclass
class Materials:
    """Generated values the zone files need."""

    # (zone name, selector) -> DKIM TXT value
    dkim: dict[tuple[str, str], str] = field(default_factory=dict)
    # (zone name, host octet) -> the certificate its TLS servers present
    certs: dict[tuple[str, int], x509.Certificate] = field(default_factory=dict)
    # The test CA, for DANE-TA records
    ca: x509.Certificate | None = None


def _header(origin: str, admin: str) -> list[str]:
    return [
        f"$ORIGIN {origin}",
        f"$TTL {TTL}",
        f"@ SOA ns.test. {admin} 1 3600 600 86400 {NEGATIVE_TTL}",
        "@ NS ns.test.",
    ]


def spki_sha256(cert: x509.Certificate) -> str:
    """The TLSA 3 1 1 association data: SHA-256 of the DER SubjectPublicKeyInfo."""
    spki = cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(spki).hexdigest()


def _generated(zone: Zone, instance: Instance, materials: Materials) -> list[Record]:
    """The records that depend on this instance: addresses, DKIM keys, TLSA digests."""
    records = [
        Record(label, "A", instance.address(zone, host.octet))
        for host in zone.hosts
        for label in host.names
    ]
    records += [
        txt(f"{key.selector}._domainkey", materials.dkim[(zone.name, key.selector)])
        for key in zone.dkim
    ]
    for tlsa in zone.tlsa:
        host = zone.host_named(tlsa.host)
        if not tlsa.matches:
            data = hashlib.sha256(b"not the certificate of " + tlsa.host.encode()).hexdigest()
        elif tlsa.usage == 2:
            assert materials.ca is not None, "DANE-TA records need the test CA"
            data = hashlib.sha256(materials.ca.public_bytes(serialization.Encoding.DER)).hexdigest()
        else:
            data = spki_sha256(materials.certs[(zone.name, host.octet)])
        # DANE-TA pins the whole CA certificate (selector 0), DANE-EE the leaf's key (selector 1).
        fields = "2 0 1" if tlsa.usage == 2 else "3 1 1"
        records.append(Record(f"_{tlsa.port}._tcp.{tlsa.host}", "TLSA", f"{fields} {data}"))
    return records


def zone_text(zone: Zone, instance: Instance, materials: Materials) -> str:
    lines = _header(f"{zone.name}.", f"hostmaster.{zone.name}.")
    for record in (*zone.records, *_generated(zone, instance, materials)):
        lines.append(f"{record.owner} {record.rtype} {record.rdata}")
    return "\n".join(lines) + "\n"


def parent_text(instance: Instance) -> str:
    """The unsigned "test." zone: the name server's address and a delegation per test zone."""
    lines = _header("test.", "hostmaster.test.")
    lines.append(f"ns A {instance.address(None, AUTHORITATIVE_OCTET)}")
    lines += [f"{zone.name}. NS ns.test." for zone in instance.zones]
    return "\n".join(lines) + "\n"


def root_text(instance: Instance) -> str:
    """The unsigned root: only the delegation of "test.", so every other name is NXDOMAIN."""
    lines = _header(".", "hostmaster.test.")
    lines += ["test. NS ns.test.", f"ns.test. A {instance.address(None, AUTHORITATIVE_OCTET)}"]
    return "\n".join(lines) + "\n"


def presign(
    text: str, origin: str, expired: Iterable[tuple[str, str]], now: dt.datetime
) -> tuple[str, str]:
    """Sign a zone with one ECDSA P-256 CSK; returns (signed zone text, DS record text).

    RRsets listed in `expired` (owner label, type) get signatures that ended 30 days ago;
    the others are valid for 30 days. The NSEC chain comes from dnspython's sign_zone.
    """
    zone = dns.zone.from_text(text, origin=origin, relativize=False)
    private_key = ec.generate_private_key(ec.SECP256R1())
    dnskey = dns.dnssec.make_dnskey(
        private_key.public_key(),
        dns.dnssec.Algorithm.ECDSAP256SHA256,
        flags=dns.dnssec.Flag.ZONE | dns.dnssec.Flag.SEP,
    )
    keys = [(private_key, dnskey)]
    apex = dns.name.from_text(origin)
    expired_names = {
        (apex if label == "@" else dns.name.from_text(label, apex), dns.rdatatype.from_text(t))
        for label, t in expired
    }
    valid = functools.partial(
        dns.dnssec.default_rrset_signer,
        signer=apex,
        ksks=keys,
        zsks=keys,
        inception=now - dt.timedelta(hours=1),
        expiration=now + dt.timedelta(days=30),
        origin=apex,
    )
    stale = functools.partial(
        valid, inception=now - dt.timedelta(days=60), expiration=now - dt.timedelta(days=30)
    )

    def sign(txn: dns.transaction.Transaction, rrset: dns.rrset.RRset) -> None:
        (stale if (rrset.name, rrset.rdtype) in expired_names else valid)(txn, rrset)

    dns.dnssec.sign_zone(zone, keys=keys, dnskey_ttl=TTL, rrset_signer=sign)
    ds = dns.dnssec.make_ds(apex, dnskey, "SHA256")
    return zone.to_text(relativize=False), f"{origin} DS {ds.to_text()}"


@dataclass(frozen=True)
class RenderedZones:
    directory: Path
    files: dict[str, str]  # zone name (no trailing dot; "." for the root) -> file name
    presigned_anchors: dict[str, str]  # zone name -> DS text for Unbound


def write_zone_files(instance: Instance, materials: Materials, directory: Path) -> RenderedZones:
    directory.mkdir(parents=True, exist_ok=True)
    files: dict[str, str] = {}
    anchors: dict[str, str] = {}
    now = dt.datetime.now(dt.UTC)
    texts = {".": root_text(instance), "test": parent_text(instance)}
    for zone in instance.zones:
        text = zone_text(zone, instance, materials)
        if zone.signing is Signing.PRESIGNED:
            text, anchors[zone.name] = presign(text, f"{zone.name}.", zone.expired_rrsets, now)
        texts[zone.name] = text
    for name, text in texts.items():
        filename = "root.zone" if name == "." else f"{name}.zone"
        (directory / filename).write_text(text)
        files[name] = filename
    return RenderedZones(directory, files, anchors)

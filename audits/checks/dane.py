"""`dane`: TLSA records at _25._tcp.<mx> (RFC 6698, RFC 7671) match what the MX presents (RFC 7672).

The caller passes the TLSA answer and whether the resolver validated it (AD): TLSA records from an
insecure zone must not be used (RFC 7672 2.2), so they fail here. For SMTP only DANE-EE (3) and
DANE-TA (2) are usable (RFC 7672 3.1.3); PKIX-TA/EE (0/1) records are reported but never match.
DANE-TA is matched against the issuer certificates the server sent (RFC 7671 5.2.2); the leaf
must then chain up to the matched anchor by signatures, be current, and name the MX host (RFC
7672 3.2.2: the reference identifier is the MX host name).
"""

from __future__ import annotations

import datetime
import hashlib
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from cryptography.x509.oid import NameOID
from django.utils.translation import gettext_lazy as _

from audits.checks.result import CheckResult, CheckStatus
from audits.checks.tls import concurrently, no_mx_hosts, per_host_result, unique
from audits.net import smtp
from audits.net.config import NetConfig
from audits.net.guard import ForbiddenAddress
from audits.net.tls import ConnectionProblem, guarded_addresses

DANE_TA, DANE_EE = 2, 3
FULL_CERT, SPKI = 0, 1
EXACT, SHA256, SHA512 = 0, 1, 2


@dataclass(frozen=True)
class TlsaRecord:
    usage: int
    selector: int
    mtype: int
    data: bytes

    def to_text(self) -> str:
        return f"{self.usage} {self.selector} {self.mtype} {self.data.hex()}"


@dataclass(frozen=True)
class TlsaSet:
    records: tuple[TlsaRecord, ...]
    secure: bool  # the validating resolver set AD on the answer
    # The lookup failed validation (SERVFAIL from the validating resolver): RFC 7672 2.1.1 says
    # the client must then treat the MX as unusable, so this is a defect, not "no DANE".
    bogus: bool = False


def selected(cert_der: bytes, selector: int) -> bytes | None:
    """The bytes a TLSA selector points at: the whole certificate or its SubjectPublicKeyInfo."""
    if selector == FULL_CERT:
        return cert_der
    if selector == SPKI:
        cert = x509.load_der_x509_certificate(cert_der)
        return cert.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return None


def association(content: bytes, mtype: int) -> bytes | None:
    if mtype == EXACT:
        return content
    if mtype == SHA256:
        return hashlib.sha256(content).digest()
    if mtype == SHA512:
        return hashlib.sha512(content).digest()
    return None


def _matching_index(record: TlsaRecord, chain: tuple[bytes, ...], first: int) -> int | None:
    """Index of the first certificate from `first` on that this record's data matches."""
    for index in range(first, len(chain)):
        content = selected(chain[index], record.selector)
        if content is not None and association(content, record.mtype) == record.data:
            return index
    return None


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    """Did `issuer`'s key sign `cert`? (Names must chain too, as RFC 5280 6.1.3 asks.)"""
    if cert.issuer != issuer.subject:
        return False
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _dns_names(cert: x509.Certificate) -> list[str]:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = san.get_values_for_type(x509.DNSName)
    except x509.ExtensionNotFound:
        names = []
    if names:
        return [n.lower().rstrip(".") for n in names]
    # RFC 7672 3.2.3: without DNS-IDs in the subjectAltName, the CN is the name.
    return [
        str(attribute.value).lower().rstrip(".")
        for attribute in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    ]


def name_matches(cert: x509.Certificate, host: str) -> bool:
    """RFC 6125 6.4: exact, or a wildcard standing for the whole left-most label only."""
    host = host.lower().rstrip(".")
    for name in _dns_names(cert):
        if name == host:
            return True
        if name.startswith("*.") and "." in host and host.split(".", 1)[1] == name[2:]:
            return True
    return False


def anchor_validates(chain: tuple[bytes, ...], anchor_index: int, host: str) -> bool:
    """Does the presented chain lead from the leaf to chain[anchor_index], and is the leaf
    current and issued for `host`? (RFC 7671 5.2.2, RFC 7672 3.2.)

    Written out rather than left to an RFC 5280 path validator: a DANE trust anchor is just a
    name and a key (RFC 5280 6.1.1 (d)), so it needs no CA extensions and its own dates do not
    count, and TLS 1.3 lets servers send their chain in any order (RFC 8446 4.4.2).
    """
    try:
        certificates = [x509.load_der_x509_certificate(der) for der in chain]
    except ValueError:
        return False
    leaf, anchor = certificates[0], certificates[anchor_index]
    now = datetime.datetime.now(datetime.UTC)
    if not (leaf.not_valid_before_utc <= now <= leaf.not_valid_after_utc):
        return False
    if not name_matches(leaf, host):
        return False
    current, unused = leaf, [c for i, c in enumerate(certificates) if i not in (0, anchor_index)]
    while current is not anchor:
        if _issued_by(current, anchor):
            return True
        issuer = next((c for c in unused if _issued_by(current, c)), None)
        if issuer is None:
            return False
        unused.remove(issuer)  # each certificate once: no loops
        current = issuer
    return True  # the leaf itself is the anchor (a self-issued DANE-TA leaf, RFC 7671 5.2)


def matches(record: TlsaRecord, chain: tuple[bytes, ...], host: str) -> bool:
    """Does this record match the presented chain (leaf first) of the MX `host`?"""
    if record.usage == DANE_EE:
        # RFC 7672 3.1.1: DANE-EE ignores names and dates; the key is what is pinned.
        return _matching_index(record, chain[:1], 0) is not None
    if record.usage != DANE_TA:
        return False
    # A trust anchor is an issuer; a self-issued leaf may be its own anchor (RFC 7671 5.2).
    index = _matching_index(record, chain, 1 if len(chain) > 1 else 0)
    return index is not None and anchor_validates(chain, index, host)


def judge_host(
    tlsa: TlsaSet | None, chain: tuple[bytes, ...], host: str = ""
) -> tuple[CheckStatus, str]:
    if tlsa is not None and tlsa.bogus:
        return CheckStatus.FAIL, "the TLSA lookup failed DNSSEC validation (RFC 7672 2.1.1)"
    if tlsa is None or not tlsa.records:
        return CheckStatus.FAIL, "no TLSA records"
    if not tlsa.secure:
        return CheckStatus.FAIL, "TLSA records are not DNSSEC-validated (RFC 7672 2.2)"
    usable = [r for r in tlsa.records if r.usage in (DANE_TA, DANE_EE)]
    if not usable:
        return CheckStatus.FAIL, "no usable TLSA record (only DANE-TA(2) and DANE-EE(3) count)"
    if any(matches(record, chain, host) for record in usable):
        return CheckStatus.PASS, "a TLSA record matches the presented certificate"
    return CheckStatus.FAIL, "no TLSA record matches the presented certificate"


def check_dane(
    mx_hosts: Iterable[str],
    tlsa: Mapping[str, TlsaSet],
    *,
    resolve: Callable[[str], list[str]],
    config: NetConfig,
) -> CheckResult:
    """`tlsa` maps each MX host name to its _25._tcp TLSA answer."""
    started = time.monotonic()
    hosts = unique(mx_hosts)
    if not hosts:
        return no_mx_hosts("dane")
    port = config.port(25)

    def one(host: str) -> dict[str, Any]:
        answer = tlsa.get(host)
        verdict: dict[str, Any] = {
            "host": host,
            "tlsa": [r.to_text() for r in answer.records] if answer else [],
            "secure": bool(answer and answer.secure),
            "bogus": bool(answer and answer.bogus),
        }
        if answer is None or answer.bogus or not answer.records or not answer.secure:
            status, message = judge_host(answer, ())
            return {**verdict, "status": status, "message": message}
        try:
            address = guarded_addresses(host, resolve, config)[0]
            probe = smtp.probe_starttls(host, address, port, config)
        except ForbiddenAddress as exc:
            return {**verdict, "status": CheckStatus.ERROR, "message": str(exc), "refused": True}
        except ConnectionProblem as exc:
            return {**verdict, "status": CheckStatus.ERROR, "message": str(exc)}
        if probe.tls is None or probe.tls.cert_der is None:
            reason = probe.tls_error or "STARTTLS not offered"
            return {**verdict, "status": CheckStatus.FAIL, "message": f"no certificate: {reason}"}
        chain = probe.tls.chain_der or (probe.tls.cert_der,)
        status, message = judge_host(answer, chain, host)
        return {**verdict, "status": status, "message": message}

    summaries = {
        CheckStatus.PASS: _("Every MX host has DNSSEC-signed TLSA records that match."),
        CheckStatus.FAIL: _("DANE is missing or does not match on an MX host."),
        CheckStatus.ERROR: _("An MX host could not be tested for DANE."),
    }
    return per_host_result("dane", hosts, concurrently(one, hosts), summaries, started)

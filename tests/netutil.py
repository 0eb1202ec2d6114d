"""Test helpers that give the checks their inputs from the local test network.

The checks take `resolve` / `resolve_txt` callables and TLSA answers as arguments, so they stay
independent of audits/net/dns.py; these build them with dnspython straight against the test
network's validating resolver, so a fault in audits/net/dns.py cannot hide one in a check.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype

from audits.checks.dane import TlsaRecord, TlsaSet
from audits.net.config import NetConfig
from audits.runner import AuditTarget
from tests.testnet.network import Testnet
from tests.testnet.zones import Domain

DNS_TIMEOUT = 2.0


class LookupError_(Exception):
    """SERVFAIL or another failed lookup (not NXDOMAIN/NODATA, which are empty answers)."""


def query(net: Testnet, name: str, rdtype: str) -> dns.message.Message:
    message = dns.message.make_query(name, rdtype, want_dnssec=True)
    host, port = net.nameserver
    answer = dns.query.udp(message, host, port=port, timeout=DNS_TIMEOUT)
    if answer.flags & dns.flags.TC:
        answer = dns.query.tcp(message, host, port=port, timeout=DNS_TIMEOUT)
    rcode = answer.rcode()
    if rcode not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
        raise LookupError_(f"{name} {rdtype}: {dns.rcode.to_text(rcode)}")
    return answer


def _rdatas(answer: dns.message.Message, rdtype: str) -> list:
    wanted = dns.rdatatype.from_text(rdtype)
    return [rd for rrset in answer.answer if rrset.rdtype == wanted for rd in rrset]


def resolver(net: Testnet) -> Callable[[str], list[str]]:
    """name -> its IPv4 and IPv6 addresses (CNAMEs followed by the resolver)."""

    def resolve(name: str) -> list[str]:
        found: list[str] = []
        failures: list[LookupError_] = []
        for rdtype in ("A", "AAAA"):
            try:
                found += [rd.address for rd in _rdatas(query(net, name, rdtype), rdtype)]
            except LookupError_ as exc:
                failures.append(exc)
        # One family failing is not fatal when the other answered: in broken.test every NODATA
        # (AAAA, say) is bogus because the SOA signature expired, while the A records validate.
        if failures and not found:
            raise failures[0]
        return found

    return resolve


def txt_resolver(net: Testnet) -> Callable[[str], list[str]]:
    """name -> its TXT records, each one's strings concatenated (RFC 7208 3.3)."""

    def resolve_txt(name: str) -> list[str]:
        return [
            b"".join(rd.strings).decode("utf-8", errors="replace")
            for rd in _rdatas(query(net, name, "TXT"), "TXT")
        ]

    return resolve_txt


def tlsa_set(net: Testnet, mx_host: str, port: int = 25) -> TlsaSet:
    try:
        answer = query(net, f"_{port}._tcp.{mx_host}", "TLSA")
    except LookupError_:
        # SERVFAIL from the validating resolver: the answer is bogus (see RFC 7672 2.1.1).
        return TlsaSet(records=(), secure=False, bogus=True)
    records = tuple(
        TlsaRecord(rd.usage, rd.selector, rd.mtype, rd.cert) for rd in _rdatas(answer, "TLSA")
    )
    return TlsaSet(records=records, secure=bool(answer.flags & dns.flags.AD))


def config(net: Testnet, **overrides: object) -> NetConfig:
    return dataclasses.replace(NetConfig.from_env(net.env), **overrides)


def audit_target(domain: Domain) -> AuditTarget:
    """The runner's input for a test domain, as zones.DOMAINS (or generated.py) describes it."""
    return AuditTarget(
        domain.name,
        domain.mx,
        domain.web,
        domain.submission,
        domain.dkim_selectors,
        domain.wkd_address,
    )

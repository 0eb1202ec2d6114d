"""The one DNS resolver of the checks: dnspython 2.8 against the configured (validating) resolver.

Every query asks the nameservers of NetConfig (host AND port) with EDNS0 and the DO bit set, so
a validating resolver returns the AD flag (RFC 4035 3.2.3) that the DNSSEC verdicts rest on.
NXDOMAIN and NODATA are ordinary answers (empty `records`); only timeouts, SERVFAIL and other
failures raise, each with its own exception type.

Checks depend on the small `Resolver` protocol, not on this class, so pure logic (the SPF
evaluator) can be fed recorded DNS data by `StaticResolver` in tests.
"""

from __future__ import annotations

import enum
import ipaddress
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdatatype
import dns.rrset

from audits.net.config import NetConfig

# A hostile or broken zone can return huge RRsets; nothing a check reads legitimately comes
# close to these numbers, so beyond them the answer is refused rather than processed.
MAX_RECORDS = 100
MAX_TEXT_BYTES = 16 * 1024  # total rdata text of one answer
MAX_CNAME_CHAIN = 8
EDNS_PAYLOAD = 1232  # the DNS Flag Day 2020 size: avoids IP fragmentation; TCP on truncation


class DnsError(Exception):
    """The lookup did not produce an answer a check can judge (base class)."""


class DnsTimeout(DnsError):
    """No nameserver answered within the configured timeout."""


class DnsServFail(DnsError):
    """The resolver answered SERVFAIL (with a validating resolver: often a DNSSEC failure)."""


class DnsAnswerTooLarge(DnsError):
    """The answer exceeds MAX_RECORDS / MAX_TEXT_BYTES and was refused."""


class DnssecVerdict(enum.StrEnum):
    SECURE = "secure"  # validated: AD set
    INSECURE = "insecure"  # answers, but no chain of trust (unsigned or no DS)
    BOGUS = "bogus"  # SERVFAIL that goes away with CD: the signatures do not validate


@dataclass(frozen=True)
class Answer:
    """One RRset lookup result. `records` are presentation-format values, except TXT.

    TXT (and SPF) records are the record's strings concatenated (RFC 7208 3.3, RFC 7489
    6.6.3), decoded as Latin-1 so every octet survives as one code point: parsers can then
    reject non-ASCII octets instead of tripping over decoding errors.
    """

    name: str
    rdtype: str
    rcode: str  # "NOERROR" or "NXDOMAIN"
    records: tuple[str, ...] = ()
    secure: bool = False  # AD flag of the response
    cnames: tuple[str, ...] = ()  # the CNAME chain followed from `name`, in order

    @property
    def exists(self) -> bool:
        return self.rcode != "NXDOMAIN"


class Resolver(Protocol):
    def query(self, name: str, rdtype: str, *, check_disabled: bool = False) -> Answer: ...


def _txt_value(rdata: object) -> str:
    strings: Iterable[bytes] = rdata.strings  # type: ignore[attr-defined]
    return b"".join(strings).decode("latin-1")


def _record_text(rdata: object) -> str:
    if rdata.rdtype in (dns.rdatatype.TXT, dns.rdatatype.SPF):  # type: ignore[attr-defined]
        return _txt_value(rdata)
    return rdata.to_text()  # type: ignore[attr-defined]


class DnsResolver:
    """Stub resolver asking the configured recursive resolvers (AUDIT_NAMESERVERS)."""

    def __init__(self, config: NetConfig, *, deadline: float | None = None) -> None:
        """`deadline` (a time.monotonic() value) bounds every query of this resolver, so one
        check's lookups together stay within its total time bound (AUDIT_CHECK_TIMEOUT)."""
        self.config = config
        self.deadline = deadline
        self.nameservers = config.nameservers or _system_nameservers()
        if not self.nameservers:
            raise DnsError("No nameserver configured (AUDIT_NAMESERVERS) or in /etc/resolv.conf.")

    @classmethod
    def for_check(cls, config: NetConfig) -> DnsResolver:
        """A resolver whose queries all end within config.check_timeout from now."""
        return cls(config, deadline=time.monotonic() + config.check_timeout)

    def addresses(self, host: str) -> list[str]:
        """IPv4 then IPv6 addresses of `host` (the `resolve` callable of the HTTP/TLS code).

        An empty list means the name has no address; failures raise DnsError.
        """
        found = list(self.query(host, "A").records)
        try:
            found += self.query(host, "AAAA").records
        except DnsError:
            if not found:
                raise
        return found

    def query(self, name: str, rdtype: str, *, check_disabled: bool = False) -> Answer:
        if not name.isascii():
            # dnspython would encode a Unicode name with IDNA2003 (ß -> ss: another domain).
            # Names reach the resolver as A-labels (providers.domains.normalise_name).
            raise DnsError(f"{name!r} is not in A-label form; it was not looked up.")
        try:
            qname = dns.name.from_text(name)
        except dns.exception.DNSException as exc:
            # An overlong label or name can come from user input or a hostile record.
            raise DnsError(f"{name!r} is not a valid DNS name: {exc}") from exc
        wanted = dns.rdatatype.from_text(rdtype)
        request = dns.message.make_query(
            qname, wanted, use_edns=0, want_dnssec=True, payload=EDNS_PAYLOAD
        )
        if check_disabled:
            request.flags |= dns.flags.CD
        response = self._exchange(request, name, rdtype)
        rcode = response.rcode()
        # SERVFAIL is not retried on another nameserver: from a validating resolver it is
        # usually the DNSSEC verdict itself, which dnssec_verdict() needs to see.
        if rcode == dns.rcode.SERVFAIL:
            raise DnsServFail(f"SERVFAIL for {name} {rdtype}")
        if rcode not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
            raise DnsError(f"{dns.rcode.to_text(rcode)} for {name} {rdtype}")
        return _to_answer(name, rdtype, qname, wanted, response)

    def _exchange(
        self, request: dns.message.Message, name: str, rdtype: str
    ) -> dns.message.Message:
        last: Exception | None = None
        for host, port in self.nameservers:
            timeout = self._timeout()
            if timeout <= 0:
                raise DnsTimeout(f"Time bound of the check reached before {name} {rdtype}")
            try:
                # udp_with_fallback retries over TCP when the UDP answer is truncated.
                response, _ = dns.query.udp_with_fallback(request, host, timeout=timeout, port=port)
                return response
            except (OSError, dns.exception.DNSException) as exc:
                last = exc  # try the next nameserver; timeouts included
        if isinstance(last, dns.exception.Timeout | TimeoutError):
            raise DnsTimeout(f"No answer for {name} {rdtype} within {self.config.timeout:g}s")
        raise DnsError(f"Query {name} {rdtype} failed: {last}")

    def _timeout(self) -> float:
        if self.deadline is None:
            return self.config.timeout
        return min(self.config.timeout, self.deadline - time.monotonic())

    def dnssec_verdict(self, name: str, rdtype: str = "SOA") -> DnssecVerdict:
        return dnssec_verdict(self, name, rdtype)


def dnssec_verdict(dns_: Resolver, name: str, rdtype: str = "SOA") -> DnssecVerdict:
    """Secure / insecure / bogus for one RRset, told apart as a validating resolver signals it.

    A validating resolver answers SERVFAIL for data whose signatures fail; asking again with
    CD (checking disabled, RFC 4035 3.2.2) returns the data. If the CD query fails too, the
    failure is not DNSSEC's and DnsServFail propagates.
    """
    try:
        answer = dns_.query(name, rdtype)
    except DnsServFail:
        dns_.query(name, rdtype, check_disabled=True)
        return DnssecVerdict.BOGUS
    return DnssecVerdict.SECURE if answer.secure else DnssecVerdict.INSECURE


def _to_answer(
    name: str,
    rdtype: str,
    qname: dns.name.Name,
    wanted: dns.rdatatype.RdataType,
    response: dns.message.Message,
) -> Answer:
    secure = bool(response.flags & dns.flags.AD)
    rcode = dns.rcode.to_text(response.rcode())
    current = qname
    cnames: list[str] = []
    rrset: dns.rrset.RRset | None = None
    for _ in range(MAX_CNAME_CHAIN + 1):
        rrset = _find(response, current, wanted)
        if rrset is not None or wanted == dns.rdatatype.CNAME:
            break
        alias = _find(response, current, dns.rdatatype.CNAME)
        if alias is None:
            break
        current = alias[0].target  # type: ignore[attr-defined]
        cnames.append(current.to_text())
    else:
        raise DnsError(f"CNAME chain longer than {MAX_CNAME_CHAIN} at {name}")
    records: tuple[str, ...] = ()
    if rrset is not None:
        if len(rrset) > MAX_RECORDS:
            raise DnsAnswerTooLarge(f"{name} {rdtype}: {len(rrset)} records (cap {MAX_RECORDS})")
        records = tuple(sorted(_record_text(rd) for rd in rrset))
        if sum(len(r) for r in records) > MAX_TEXT_BYTES:
            raise DnsAnswerTooLarge(f"{name} {rdtype}: answer over {MAX_TEXT_BYTES} bytes")
    return Answer(name, rdtype, rcode, records, secure, tuple(cnames))


def _find(
    response: dns.message.Message, name: dns.name.Name, rdtype: dns.rdatatype.RdataType
) -> dns.rrset.RRset | None:
    for rrset in response.answer:
        if rrset.name == name and rrset.rdtype == rdtype:
            return rrset
    return None


def _system_nameservers() -> tuple[tuple[str, int], ...]:
    servers = []
    try:
        with open("/etc/resolv.conf", encoding="utf-8") as conf:
            for line in conf:
                parts = line.split()
                if len(parts) >= 2 and parts[0] == "nameserver":
                    servers.append((parts[1], 53))
    except OSError:
        return ()
    return tuple(servers)


class StaticResolver:
    """A dict-backed Resolver for pure-logic tests (the OpenSPF suite's zone data).

    `zone` maps a name to a list of {TYPE: value} dicts; "TIMEOUT" as an entry makes every
    query for that name time out. This never touches the network: the checks themselves are
    tested against the local test network, not against this.
    """

    def __init__(self, zone: Mapping[str, list[object]]) -> None:
        self.zone = {k.lower().rstrip("."): v for k, v in zone.items()}
        self.queries: list[tuple[str, str]] = []

    def query(self, name: str, rdtype: str, *, check_disabled: bool = False) -> Answer:
        key = name.lower().rstrip(".")
        self.queries.append((key, rdtype))
        entries = self.zone.get(key)
        if entries is None:
            return Answer(name, rdtype, "NXDOMAIN")
        if "TIMEOUT" in entries:
            raise DnsTimeout(f"No answer for {name} {rdtype} (static TIMEOUT)")
        values: list[str] = []
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            for etype, value in entry.items():
                if etype == "CNAME" and rdtype != "CNAME":
                    target = str(value).rstrip(".")
                    inner = self.query(target, rdtype)
                    return Answer(name, rdtype, inner.rcode, inner.records, False, (target,))
                if _static_type_matches(etype, rdtype):
                    values.append(_static_value(etype, value))
        return Answer(name, rdtype, "NOERROR", tuple(values))


def _static_type_matches(etype: str, rdtype: str) -> bool:
    # RFC 7208 3.1: SPF records are published as TXT; the suite's "SPF" entries stand for TXT.
    if rdtype == "TXT":
        return etype in ("TXT", "SPF")
    return etype == rdtype


def _static_value(etype: str, value: object) -> str:
    if etype in ("TXT", "SPF"):
        return "".join(value) if isinstance(value, list) else str(value)
    if etype == "MX":
        pref, host = value  # type: ignore[misc]
        return f"{pref} {host}"
    return str(value)


def reverse_name(address: str) -> str:
    """The in-addr.arpa / ip6.arpa name of an address (for PTR lookups)."""
    return ipaddress.ip_address(address).reverse_pointer


__all__ = [
    "MAX_RECORDS",
    "Answer",
    "DnsAnswerTooLarge",
    "DnsError",
    "DnsResolver",
    "DnsServFail",
    "DnsTimeout",
    "DnssecVerdict",
    "Resolver",
    "StaticResolver",
    "dnssec_verdict",
    "reverse_name",
]

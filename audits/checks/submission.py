"""Where a domain's mail clients submit mail: SRV discovery (RFC 6186, RFC 8314), then the
conventional host names, as mail clients look for them.

- `_submissions._tcp.<domain>` (RFC 8314 section 5.1): implicit TLS, port 465 by default.
- `_submission._tcp.<domain>` (RFC 6186 section 3.1): STARTTLS, port 587 by default.
- A single SRV record with the target "." means the service is decidedly not offered (RFC 2782,
  RFC 6186 section 4).
- Only when neither service has any SRV record: smtp.<domain> and mail.<domain> on 465 and 587,
  the names clients such as Thunderbird guess.

The mailbox services (`_imaps._tcp`, `_imap._tcp`, `_pop3s._tcp`, `_pop3._tcp`, RFC 6186 sections
3.2-3.3) are looked up too and reported, but not judged here.

A lookup that fails is kept as an error, never read as "no record": a SERVFAIL on the SRV name must
not send the audit to guessed hosts, nor make submission look not offered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from audits.net.dns import DnsError, Resolver

Tls = Literal["implicit", "starttls"]
Source = Literal["given", "srv", "conventional"]

SUBMISSION_SERVICES: tuple[tuple[str, Tls], ...] = (
    ("_submissions._tcp", "implicit"),  # RFC 8314 5.1
    ("_submission._tcp", "starttls"),  # RFC 6186 3.1
)
MAILBOX_SERVICES = ("_imaps._tcp", "_imap._tcp", "_pop3s._tcp", "_pop3._tcp")
STANDARD_PORTS: dict[Tls, int] = {"implicit": 465, "starttls": 587}  # RFC 8314 3.3, RFC 6409
CONVENTIONAL_HOSTS = ("smtp", "mail")
# A hostile zone can list any number of SRV records; more than this is not a submission setup.
MAX_ENDPOINTS = 8


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int  # as advertised; AUDIT_PORT_OVERRIDES maps it when connecting
    tls: Tls
    source: Source


@dataclass(frozen=True)
class SrvRecord:
    priority: int
    weight: int
    port: int
    target: str  # without the trailing dot; "" for "."


@dataclass(frozen=True)
class SrvLookup:
    service: str
    records: tuple[SrvRecord, ...] = ()
    error: str | None = None

    @property
    def not_offered(self) -> bool:
        """RFC 2782: a single record whose target is "." says "decidedly not available"."""
        return len(self.records) == 1 and self.records[0].target == ""

    def as_dict(self) -> dict[str, Any]:
        if self.error is not None:
            return {"error": self.error}
        if self.not_offered:
            return {"not_offered": True}
        return {"records": [f"{r.priority} {r.weight} {r.port} {r.target}" for r in self.records]}


@dataclass(frozen=True)
class Discovery:
    """What was found, how, and what could not be looked up."""

    endpoints: tuple[Endpoint, ...]
    method: str  # "given", "srv", "conventional" or "none"
    explanation: str
    errors: tuple[str, ...] = ()
    lookups: dict[str, Any] = field(default_factory=dict)

    @property
    def declared_not_offered(self) -> bool:
        return self.method == "srv" and not self.endpoints and not self.errors


def parse_srv(text: str) -> SrvRecord:
    """An SRV record in presentation format: "priority weight port target." (RFC 2782)."""
    priority, weight, port, target = text.split()
    return SrvRecord(int(priority), int(weight), int(port), target.rstrip(".").lower())


def lookup_srv(service: str, domain: str, dns: Resolver) -> SrvLookup:
    name = f"{service}.{domain}"
    try:
        answer = dns.query(name, "SRV")
        records = tuple(parse_srv(text) for text in answer.records)
    except DnsError as exc:
        return SrvLookup(service, error=str(exc))
    except ValueError:
        return SrvLookup(service, error=f"{name} has a malformed SRV record")
    # RFC 2782: lowest priority first; among equals, the heavier weight is the likelier pick.
    return SrvLookup(service, tuple(sorted(records, key=lambda r: (r.priority, -r.weight))))


def given_host(host: str) -> Discovery:
    """Both submission ports of a host named by the operator."""
    endpoints = tuple(Endpoint(host, STANDARD_PORTS[tls], tls, "given") for tls in STANDARD_PORTS)
    return Discovery(endpoints, "given", f"{host} was given as the submission host")


def discover(domain: str, dns: Resolver, resolve: Callable[[str], list[str]]) -> Discovery:
    """The submission endpoints of `domain`, as a mail client would find them."""
    lookups = {service: lookup_srv(service, domain, dns) for service, _tls in SUBMISSION_SERVICES}
    mailbox = {service: lookup_srv(service, domain, dns).as_dict() for service in MAILBOX_SERVICES}
    details = {
        "srv": {service: lookup.as_dict() for service, lookup in lookups.items()},
        "mailbox_srv": mailbox,
    }
    errors = tuple(
        f"{service}.{domain} SRV: {lookup.error}"
        for service, lookup in lookups.items()
        if lookup.error
    )
    if errors or any(lookup.records for lookup in lookups.values()):
        endpoints = _srv_endpoints(lookups)
        explanation = (
            "from the SRV records (RFC 6186, RFC 8314)"
            if not errors
            else "the SRV records could not all be looked up, so no host names were guessed"
        )
        return Discovery(endpoints, "srv", explanation, errors, details)
    return _conventional(domain, resolve, details)


def _srv_endpoints(lookups: dict[str, SrvLookup]) -> tuple[Endpoint, ...]:
    endpoints = []
    for service, tls in SUBMISSION_SERVICES:
        lookup = lookups[service]
        if lookup.not_offered:
            continue
        # A "." among other records means nothing (RFC 2782 allows it only alone).
        endpoints += [Endpoint(r.target, r.port, tls, "srv") for r in lookup.records if r.target]
    return tuple(dict.fromkeys(endpoints))[:MAX_ENDPOINTS]


def _conventional(
    domain: str, resolve: Callable[[str], list[str]], details: dict[str, Any]
) -> Discovery:
    endpoints: list[Endpoint] = []
    errors: list[str] = []
    names: dict[str, str] = {}
    for label in CONVENTIONAL_HOSTS:
        host = f"{label}.{domain}"
        try:
            found = resolve(host)
        except Exception as exc:  # any resolver failure: we cannot tell whether it exists
            errors.append(f"{host}: {exc}")
            names[host] = "lookup failed"
            continue
        names[host] = "exists" if found else "no address"
        if found:
            endpoints += [
                Endpoint(host, port, tls, "conventional") for tls, port in STANDARD_PORTS.items()
            ]
    details = {**details, "conventional_hosts": names}
    if not endpoints and not errors:
        explanation = "no SRV records, and neither " + " nor ".join(names) + " has an address"
        return Discovery((), "none", explanation, (), details)
    explanation = "no SRV records, so the conventional names " + ", ".join(names) + " were tried"
    return Discovery(tuple(endpoints), "conventional", explanation, tuple(errors), details)

"""The `spf` check and the check_host() evaluator it rests on (RFC 7208).

The check evaluates the domain's policy the way a receiver would, but for no particular client
(`ip=None`): no address-based mechanism matches, so every term is reached, which makes the
lookup count the worst case a receiver can meet. Include loops, more than 10 DNS-querying terms
(RFC 7208 4.6.4, nested include/redirect counted), more than 2 void lookups and syntax errors
all end in permerror, which the check reports as fail. The `all` that ends evaluation decides
the rest, by the criterion's words ("Valid SPF ... records"): -all and ~all pass, since both are
valid policies that say unlisted hosts are not authorized (~all, softfail, "probably not": RFC
7208 8.5; with DMARC enforcing, it is the common advice, so rejection waits for DKIM); ~all is
noted in `notes`, nothing more. ?all and a record without `all` give neutral, which receivers
MUST treat exactly as no SPF record (8.2), and +all authorizes every host: as a policy, neither
says anything, so both fail. `ptr` warns: RFC 7208 5.5 says it SHOULD NOT be used.

With an `ip`, the evaluator is a full check_host() (used by the OpenSPF suite tests).
"""

from __future__ import annotations

import ipaddress
import time
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from audits.checks.result import CheckResult, CheckStatus
from audits.checks.spf_parser import (
    Mechanism,
    SpfRecord,
    SpfSyntaxError,
    is_spf_record,
    parse_record,
)
from audits.net.config import NetConfig
from audits.net.dns import Answer, DnsError, Resolver, reverse_name

CHECK = "spf"
MAX_LOOKUPS = 10  # RFC 7208 4.6.4
MAX_VOID_LOOKUPS = 2  # RFC 7208 4.6.4
MAX_NAMES = 10  # MX hosts per mx mechanism, PTR names per ptr (RFC 7208 4.6.4)


class PermError(Exception):
    """check_host() result permerror; `cause` is syntax, lookup-limit, loop, void-limit, ..."""

    def __init__(self, message: str, cause: str) -> None:
        super().__init__(message)
        self.cause = cause


class TempError(Exception):
    """check_host() result temperror: a DNS failure."""


@dataclass
class Evaluation:
    """What one check_host() run saw: result, counters and the records it read."""

    result: str = "none"
    cause: str | None = None
    message: str = ""
    lookups: int = 0
    void_lookups: int = 0
    records: dict[str, str] = field(default_factory=dict)
    # The mechanism or modifier that decided the result at the top level.
    decided_by: str | None = None


class Evaluator:
    def __init__(
        self,
        dns: Resolver,
        *,
        ip: str | None = None,
        sender: str = "",
        helo: str = "",
    ) -> None:
        self.dns = dns
        self.ip = ipaddress.ip_address(ip) if ip else None
        self.helo = helo
        self.sender = sender
        self.state = Evaluation()
        self._stack: list[str] = []

    def run(self, domain: str) -> Evaluation:
        domain = domain.rstrip(".").lower()
        sender = self.sender or f"postmaster@{self.helo or domain}"
        local, _, _ = sender.rpartition("@")
        self.sender = sender if local else f"postmaster@{sender.lstrip('@')}"
        try:
            self.state.result, self.state.decided_by = self._check_host(domain)
        except PermError as exc:
            self.state.result, self.state.cause, self.state.message = (
                "permerror",
                exc.cause,
                str(exc),
            )
        except TempError as exc:
            self.state.result, self.state.message = "temperror", str(exc)
        return self.state

    # -- RFC 7208 4: check_host() ----------------------------------------------------------

    def _check_host(self, domain: str) -> tuple[str, str | None]:
        if domain in self._stack:
            raise PermError(f"Loop: {' -> '.join([*self._stack, domain])}", "loop")
        text = self._fetch_record(domain)
        if text is None:
            return "none", None
        try:
            record = parse_record(text)
        except SpfSyntaxError as exc:
            raise PermError(f"{domain}: {exc}", "syntax") from exc
        self._stack.append(domain)
        try:
            return self._evaluate(record, domain)
        finally:
            self._stack.pop()

    def _fetch_record(self, domain: str) -> str | None:
        answer = self._query(domain, "TXT")
        records = [r for r in answer.records if is_spf_record(r)]
        if not records:
            return None
        if len(records) > 1:
            raise PermError(f"{domain} publishes {len(records)} SPF records", "multiple-records")
        self.state.records.setdefault(domain, records[0])
        return records[0]

    def _evaluate(self, record: SpfRecord, domain: str) -> tuple[str, str | None]:
        for mechanism in record.mechanisms:
            if self._matches(mechanism, domain):
                return mechanism.result, str(mechanism)
        # RFC 7208 6.1: redirect applies only when no mechanism matched (an `all` always does).
        if record.redirect is not None:
            self._count_lookup()
            target = self._target(record.redirect, domain)
            result, _ = self._check_host(target)
            if result == "none":
                raise PermError(f"redirect={target} has no SPF record", "target-record")
            return result, f"redirect={target}"
        return "neutral", None

    def _matches(self, mech: Mechanism, domain: str) -> bool:
        name = mech.name
        if name == "all":
            return True
        if name in ("ip4", "ip6"):
            assert mech.domain is not None
            return self._in_network(
                self.ip, mech.domain, mech.cidr4 if name == "ip4" else mech.cidr6
            )
        self._count_lookup()
        target = self._target(mech.domain, domain) if mech.domain else domain
        if name == "include":
            result, _ = self._check_host(target)
            if result == "none":
                raise PermError(f"include:{target} has no SPF record", "target-record")
            return result == "pass"
        if name == "a":
            return self._any_address_matches(self._addresses(target, void_counts=True), mech)
        if name == "mx":
            return self._mx_matches(target, mech)
        if name == "exists":
            if self.ip is None:
                return False  # audit mode: the name depends on the client, nothing to learn
            return bool(self._void_checked(self._query(target, "A")).records)
        return self._ptr_matches(target)

    # -- mechanisms ----------------------------------------------------------------------

    def _mx_matches(self, target: str, mech: Mechanism) -> bool:
        answer = self._void_checked(self._query(target, "MX"))
        hosts = [r.split()[1].rstrip(".") for r in answer.records if len(r.split()) == 2]
        hosts = [h for h in hosts if h]  # a null MX ("0 .") names no host
        if len(hosts) > MAX_NAMES:
            raise PermError(f"mx:{target} has {len(hosts)} MX hosts (limit 10)", "lookup-limit")
        for host in hosts:
            if self._any_address_matches(self._addresses(host, void_counts=False), mech):
                return True
        return False

    def _ptr_matches(self, target: str) -> bool:
        if self.ip is None:
            return False  # audit mode: needs the client address
        answer = self._void_checked(self._query(reverse_name(str(self.ip)), "PTR"))
        for name in [r.rstrip(".").lower() for r in answer.records][:MAX_NAMES]:
            if not (name == target.lower() or name.endswith("." + target.lower())):
                continue
            try:
                addresses = self._addresses(name, void_counts=False)
            except TempError:
                continue  # RFC 7208 5.5: errors on a PTR name skip that name
            if self.ip in [ipaddress.ip_address(a) for a in addresses]:
                return True
        return False

    def _addresses(self, name: str, *, void_counts: bool) -> tuple[str, ...]:
        rdtype = "AAAA" if self.ip is not None and self.ip.version == 6 else "A"
        answer = self._query(name, rdtype)
        if void_counts:
            self._void_checked(answer)
        return answer.records

    def _any_address_matches(self, addresses: tuple[str, ...], mech: Mechanism) -> bool:
        cidr = mech.cidr6 if self.ip is not None and self.ip.version == 6 else mech.cidr4
        return any(self._in_network(self.ip, a, cidr) for a in addresses)

    @staticmethod
    def _in_network(
        ip: ipaddress.IPv4Address | ipaddress.IPv6Address | None, net: str, cidr: int | None
    ) -> bool:
        if ip is None:
            return False
        network = ipaddress.ip_address(net)
        if network.version != ip.version:
            return False
        prefix = cidr if cidr is not None else network.max_prefixlen
        return ip in ipaddress.ip_network(f"{net}/{prefix}", strict=False)

    # -- counters, DNS and macros --------------------------------------------------------

    def _count_lookup(self) -> None:
        self.state.lookups += 1
        if self.state.lookups > MAX_LOOKUPS:
            raise PermError(
                f"More than {MAX_LOOKUPS} DNS-querying terms (RFC 7208 4.6.4)", "lookup-limit"
            )

    def _void_checked(self, answer: Answer) -> Answer:
        if not answer.records:
            self.state.void_lookups += 1
            if self.state.void_lookups > MAX_VOID_LOOKUPS:
                raise PermError(
                    f"More than {MAX_VOID_LOOKUPS} void lookups (RFC 7208 4.6.4)", "lookup-limit"
                )
        return answer

    def _query(self, name: str, rdtype: str) -> Answer:
        try:
            return self.dns.query(name, rdtype)
        except DnsError as exc:
            raise TempError(str(exc)) from exc

    def _target(self, spec: str, domain: str) -> str:
        name = expand(spec, self._macro_values(domain)).rstrip(".")
        # RFC 7208 7.3: overlong expansions lose labels on the left until they fit.
        while len(name) > 253 and "." in name:
            name = name.split(".", 1)[1]
        labels = name.split(".")
        if any(not label or len(label) > 63 for label in labels):
            # Undefined by RFC 7208 (see the OpenSPF suite's invalid-domain tests); a name that
            # cannot be put in a query is treated as an error in the record.
            raise PermError(f"{name!r} is not a valid domain name", "syntax")
        return name

    def _macro_values(self, domain: str) -> dict[str, str]:
        local, _, sender_domain = self.sender.rpartition("@")
        ip = self.ip
        if ip is None:
            ip_text, version = "192.0.2.0", "in-addr"  # audit mode: a documentation address
        elif ip.version == 4:
            ip_text, version = str(ip), "in-addr"
        else:
            ip_text, version = ".".join(ip.exploded.replace(":", "")), "ip6"
        return {
            "s": self.sender,
            "l": local or "postmaster",
            "o": sender_domain,
            "d": domain,
            "i": ip_text,
            # "p" needs a validated PTR lookup the RFC discourages; "unknown" is its fallback.
            "p": "unknown",
            "v": version,
            "h": self.helo or domain,
            "c": str(ip) if ip else ip_text,
            "r": "unknown",
            "t": str(int(time.time())),
        }


def expand(spec: str, values: dict[str, str]) -> str:
    """RFC 7208 7.3 macro expansion of an already syntax-checked macro-string."""
    out: list[str] = []
    pos = 0
    while pos < len(spec):
        char = spec[pos]
        if char != "%":
            out.append(char)
            pos += 1
            continue
        nxt = spec[pos + 1]
        if nxt in "%_-":
            out.append({"%": "%", "_": " ", "-": "%20"}[nxt])
            pos += 2
            continue
        end = spec.index("}", pos)
        body = spec[pos + 2 : end]
        letter, rest = body[0], body[1:]
        digits = "".join(c for c in rest if c.isdigit())
        reverse = "r" in rest.lower()
        delimiters = "".join(c for c in rest if c in ".-+,/_=") or "."
        value = values[letter.lower()]
        parts = [value]
        for delim in delimiters:
            parts = [piece for part in parts for piece in part.split(delim)]
        if reverse:
            parts.reverse()
        if digits:
            parts = parts[-int(digits) :] if int(digits) > 0 else parts
        text = ".".join(parts)
        if letter.isupper():
            text = urllib.parse.quote(text, safe="")
        out.append(text)
        pos = end + 1
    return "".join(out)


# -- the check ---------------------------------------------------------------------------------


def check_spf(domain: str, dns: Resolver, config: NetConfig) -> CheckResult:
    """SPF policy of `domain` (RFC 7208): one valid record, <= 10 lookups, a strict `all`."""
    started = time.monotonic()
    try:
        answer = dns.query(domain, "TXT")
    except DnsError as exc:
        return _result(
            domain,
            CheckStatus.ERROR,
            _("The SPF record could not be looked up."),
            {"error": str(exc)},
            started,
        )
    records = [r for r in answer.records if is_spf_record(r)]
    if not records:
        return _result(
            domain, CheckStatus.FAIL, _("No SPF record is published."), {"records": []}, started
        )
    evaluation = Evaluator(dns).run(domain)
    details = {
        "records": records,
        "result": evaluation.result,
        "lookups": evaluation.lookups,
        "void_lookups": evaluation.void_lookups,
        "decided_by": evaluation.decided_by,
        "cause": evaluation.cause,
        "message": evaluation.message,
        "included": {k: v for k, v in evaluation.records.items() if k != domain},
    }
    if evaluation.result == "temperror":
        summary = _("A DNS lookup needed to evaluate the SPF policy failed.")
        return _result(domain, CheckStatus.ERROR, summary, details, started)
    if evaluation.result == "permerror":
        summaries = {
            "multiple-records": _("More than one SPF record is published."),
            "syntax": _("The SPF record has a syntax error."),
            "loop": _("The SPF policy includes itself (loop)."),
            "lookup-limit": _("The SPF policy needs more DNS lookups than RFC 7208 allows."),
            "target-record": _("An SPF include or redirect points at a domain without SPF."),
        }
        summary = summaries.get(evaluation.cause or "", _("The SPF policy is invalid."))
        return _result(domain, CheckStatus.FAIL, summary, details, started)
    uses_ptr = _uses_ptr(evaluation.records.values())
    details["uses_ptr"] = uses_ptr
    if evaluation.result == "fail" and uses_ptr:
        summary = _("SPF ends in -all but uses the ptr mechanism, which RFC 7208 5.5 discourages.")
        return _result(domain, CheckStatus.WARN, summary, details, started)
    if evaluation.result == "softfail" and uses_ptr:
        summary = _("SPF is valid but uses the ptr mechanism, which RFC 7208 5.5 discourages.")
        return _result(domain, CheckStatus.WARN, summary, details, started)
    if evaluation.result == "fail":
        return _result(
            domain, CheckStatus.PASS, _("SPF is valid and ends in -all."), details, started
        )
    if evaluation.result == "softfail":
        # Valid, so it meets "valid SPF records"; the choice of ~all over -all is only noted.
        details["notes"] = ["ends in ~all (soft fail): receivers mark, not reject, unlisted hosts"]
        summary = _("SPF is valid but ends in ~all (soft fail): unlisted senders are not rejected.")
        return _result(domain, CheckStatus.PASS, summary, details, started)
    summary = _("SPF does not reject unlisted senders (?all, +all or no all).")
    return _result(domain, CheckStatus.FAIL, summary, details, started)


def _uses_ptr(records: Iterable[str]) -> bool:
    # Every record in an Evaluation parsed already; ptr is slow and unreliable for receivers.
    return any(m.name == "ptr" for text in records for m in parse_record(text).mechanisms)


def _result(
    domain: str, status: CheckStatus, summary: str, details: dict, started: float
) -> CheckResult:
    return CheckResult(CHECK, domain, status, summary, details, (time.monotonic() - started) * 1000)

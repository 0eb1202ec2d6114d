"""Does a server prefer strong cipher suites to the weak ones it also accepts? Our own handshakes.

The criterion `tls_web`/`tls_mail` answer asks for "a server suite preference (optional on
TLSv1.3) for strong cipher suites which support forward secrecy and authenticated encryption",
and RFC 9325 4.2.1 says servers "MUST prefer [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256] over weaker
cipher suites whenever it is proposed, even if it is not the first proposal". sslyze lists the
suites a server accepts, not the order it picks them in, so this module asks the server itself.

For a server that accepts both strong (forward-secret AEAD) and weak TLS 1.2 suites, it makes one
TLS 1.2 handshake per strong suite, offering every weak suite FIRST and that strong suite last. A
server with a preference for strong suites picks the strong one anyway; a server that follows the
client's order, or ranks a weak suite above that strong one, picks a weak one. If every strong
suite wins against all the weak ones, no weak suite ranks above any strong one in the server's
order. A server whose only strong suites are TLS 1.3 ones gets one handshake offering TLS 1.3
beside the weak TLS 1.2 suites: a client that can use a strong suite must get one.

The suites are offered by their OpenSSL names as sslyze knew them; one this machine's OpenSSL
lacks (RC4, 3DES and export suites are gone from OpenSSL 3 builds) cannot be offered, so its
place in the server's order is "could not test", never a guess. The handshakes go to the address
the SSRF guard passed, with SNI, after STARTTLS for SMTP (net/smtp.py's own client), without
verifying the certificate: only the suite the server picks is read here.
"""

from __future__ import annotations

import enum
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from audits.net.config import NetConfig
from audits.net.guard import ForbiddenAddress, ensure_public
from audits.net.smtp import starttls_connector
from audits.net.tls import Connect, ConnectionProblem, Deadline, handshake, open_tcp
from audits.net.tls_scan import AcceptedSuite, ScanTarget, ServerTls

# Stands for "any TLS 1.3 suite" in an attempt: Python's ssl offers all of them, in OpenSSL's
# order, ahead of the TLS 1.2 list, and every one is forward-secret AEAD.
TLS13 = "TLSv1.3"


class Finding(enum.StrEnum):
    STRONG_PREFERRED = "strong_preferred"  # every strong suite won over all the weak ones
    WEAK_CHOSEN = "weak_chosen"  # the server picked a weak suite over a strong one offered
    COULD_NOT_TEST = "could_not_test"  # a handshake failed, or a suite cannot be offered here


@dataclass(frozen=True)
class Attempt:
    """One handshake: the strong suite offered after every weak one, and the server's pick.

    Names are IANA names, as sslyze reports them (`TLS13` for the TLS 1.3 suites)."""

    strong: str
    chosen: str | None = None
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"strong": self.strong, "chosen": self.chosen, "error": self.error}


@dataclass(frozen=True)
class Preference:
    finding: Finding
    weak_first: tuple[str, ...] = ()  # offered first in every attempt, in this order
    attempts: tuple[Attempt, ...] = ()
    untested: tuple[str, ...] = ()  # accepted suites this machine's OpenSSL cannot offer
    message: str = ""
    refused: bool = False  # the SSRF guard refused the address: nothing was sent

    def as_dict(self) -> dict[str, Any]:
        details: dict[str, Any] = {
            "finding": self.finding.value,
            "message": self.message,
            "weak_first": list(self.weak_first),
            "attempts": [a.as_dict() for a in self.attempts],
            "untested": list(self.untested),
        }
        if self.refused:
            details["refused"] = True
        return details


def weak_suites(server: ServerTls) -> list[AcceptedSuite]:
    """TLS 1.2 suites without forward secrecy or AEAD (RFC 9325 4.2), as the scan found them."""
    return [
        s for s in server.suites if s.version == "TLSv1.2" and not (s.forward_secret and s.aead)
    ]


def strong_suites(server: ServerTls) -> list[AcceptedSuite]:
    return [s for s in server.suites if s.version == "TLSv1.2" and s.forward_secret and s.aead]


def needs_measuring(server: ServerTls) -> bool:
    """Only a server that accepts weak suites beside strong ones has an order that matters."""
    if server.connection_error or not weak_suites(server):
        return False
    return bool(strong_suites(server)) or any(s.version == TLS13 for s in server.suites)


@cache
def local_tls12_names() -> frozenset[str]:
    """The TLS 1.2-and-older suites this machine's OpenSSL can offer, by OpenSSL name."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    # Everything the build has, security level 0 included: availability, not acceptability.
    context.set_ciphers("ALL:COMPLEMENTOFALL:@SECLEVEL=0")
    return frozenset(c["name"] for c in context.get_ciphers() if c["protocol"] != TLS13)


def local_name(suite: AcceptedSuite, available: frozenset[str]) -> str | None:
    """The OpenSSL name to offer `suite` by, or None when this OpenSSL cannot offer it."""
    name = suite.openssl_name
    return name if name in available else None


def offers(weak: Sequence[str], strong: Sequence[str]) -> list[tuple[str, ...]]:
    """The client lists to try: per strong suite, every weak suite first and that one last.

    Weak first, so a server that follows the client's order shows it at the first handshake."""
    return [(*weak, one) for one in strong]


def judge(
    weak_first: Sequence[str], attempts: Sequence[Attempt], untested: Sequence[str]
) -> Finding:
    """A weak pick is a definite defect and outranks anything left unknown."""
    if any(a.chosen in weak_first for a in attempts):
        return Finding.WEAK_CHOSEN
    if not attempts or untested or any(a.chosen is None for a in attempts):
        return Finding.COULD_NOT_TEST
    return Finding.STRONG_PREFERRED


def message(
    finding: Finding,
    weak_first: Sequence[str],
    attempts: Sequence[Attempt],
    untested: Sequence[str],
) -> str:
    if finding is Finding.WEAK_CHOSEN:
        lost = next(a for a in attempts if a.chosen in weak_first)
        return (
            f"chose {lost.chosen} over {lost.strong} when the client listed it first "
            "(no server preference for strong suites, RFC 9325 4.2.1)"
        )
    if finding is Finding.STRONG_PREFERRED:
        return (
            f"chose the strong suite in all {len(attempts)} handshake(s) offering weak ones first"
        )
    failed = next((a for a in attempts if a.error), None)
    if failed is not None:
        return f"could not test the server's preference: {failed.error}"
    if untested:
        return f"could not test {', '.join(untested)}: this machine's OpenSSL cannot offer them"
    return "could not test the server's preference"


def offerable(
    suites: Sequence[AcceptedSuite], available: frozenset[str]
) -> tuple[dict[str, str], list[str]]:
    """(IANA name -> the OpenSSL name to offer it by, the IANA names that cannot be offered)."""
    local: dict[str, str] = {}
    untested: list[str] = []
    for suite in suites:
        name = local_name(suite, available)
        if name is None:
            untested.append(suite.name)
        else:
            local[suite.name] = name
    return local, untested


def measure(
    target: ScanTarget, server: ServerTls, config: NetConfig, deadline: Deadline
) -> Preference:
    """The server's preference between the strong and weak suites the scan found it accepts.

    Call only when `needs_measuring(server)`. Never raises for the server's sake.
    """
    try:
        # Right before connecting, as every connecting module does: a hostile DNS answer must not
        # point our handshakes at the operator's own network.
        ensure_public(target.address, allow_private=config.allow_private_networks)
    except ForbiddenAddress as exc:
        return Preference(Finding.COULD_NOT_TEST, message=str(exc), refused=True)
    weak, strong = weak_suites(server), strong_suites(server)
    local, untested = offerable([*weak, *strong], local_tls12_names())
    # In name order, so that one server's details read the same from one audit to the next.
    weak_first = tuple(sorted(s.name for s in weak if s.name in local))
    strong_names = sorted(s.name for s in strong if s.name in local)
    if not strong and any(s.version == TLS13 for s in server.suites):
        strong_names = [TLS13]
    attempts: list[Attempt] = []
    if weak_first:
        connect = _connector(target, config, deadline)
        for offer in offers(weak_first, strong_names):
            attempt = _attempt(connect, target.host, offer, local, config, deadline)
            attempts.append(attempt)
            if attempt.chosen in weak_first or attempt.error:
                break  # one weak pick settles it; after a failure, the rest would tell no more
    finding = judge(weak_first, attempts, untested)
    return Preference(
        finding,
        weak_first,
        tuple(attempts),
        tuple(untested),
        message(finding, weak_first, attempts, untested),
    )


def _connector(target: ScanTarget, config: NetConfig, deadline: Deadline) -> Connect:
    if target.smtp_starttls:
        return starttls_connector(target.address, target.port, config, deadline)
    return lambda timeout: open_tcp(target.address, target.port, timeout)


def _attempt(
    connect: Connect,
    host: str,
    offer: tuple[str, ...],
    local: Mapping[str, str],
    config: NetConfig,
    deadline: Deadline,
) -> Attempt:
    """One handshake offering `offer` (IANA names, the strong suite last) in that order."""
    strong = offer[-1]
    tls13 = strong == TLS13
    names = [local[n] for n in (offer[:-1] if tls13 else offer)]
    try:
        context = client_context(names, tls13=tls13)
        # `handshake` detaches the plain socket into the TLS one; closing both covers a bound
        # that runs out between connecting and the handshake.
        with (
            connect(deadline.left(config.timeout)) as sock,
            handshake(sock, host, context, deadline.left(config.timeout)) as tls,
        ):
            version, cipher = tls.version(), tls.cipher()
    except ssl.SSLError as exc:
        return Attempt(strong, error=f"handshake refused: {exc.reason or exc}")
    except ConnectionProblem as exc:
        return Attempt(strong, error=str(exc))
    if not cipher:
        return Attempt(strong, error="the handshake named no cipher suite")
    return Attempt(strong, chosen=_iana(cipher[0], version, local))


def _iana(cipher: str, version: str | None, local: Mapping[str, str]) -> str:
    """The IANA name of what the server chose (OpenSSL already uses them for TLS 1.3)."""
    if version == TLS13:
        return cipher
    return next((iana for iana, name in local.items() if name == cipher), cipher)


def client_context(openssl_names: Sequence[str], *, tls13: bool = False) -> ssl.SSLContext:
    """A client offering exactly `openssl_names`, in that order, for TLS 1.2 (and 1.3)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    # Only the suite the server picks is measured; the certificate is judged by the scan.
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.maximum_version = ssl.TLSVersion.TLSv1_3 if tls13 else ssl.TLSVersion.TLSv1_2
    # Security level 0: the server accepted these suites, so our client must not refuse one of
    # them (or the server's key) for its own policy's sake; nothing is sent over the session.
    context.set_ciphers(":".join(openssl_names) + ":@SECLEVEL=0")
    return context

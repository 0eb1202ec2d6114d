"""TLS probing with Python's ssl module (OpenSSL 3).

Why not sslyze: sslyze 6.x pins cryptography<47, and installing it would downgrade the
cryptography that dnspython's DNSSEC code in this same environment runs on. What the checks need
(which protocol versions a server accepts, whether it accepts a suite without forward secrecy or
AEAD, the certificate and whether it verifies for the name) takes one handshake per question.

A probe takes a `connect` callable that returns a socket ready for the TLS handshake (a plain TCP
connection for HTTPS, a connection after STARTTLS for SMTP), so one prober serves both.
"""

from __future__ import annotations

import socket
import ssl
import time
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache

import certifi

from audits.net.config import NetConfig
from audits.net.guard import ensure_public

# Oldest first. SSLv3 is not probed: OpenSSL 3 cannot speak it at all.
VERSIONS: tuple[ssl.TLSVersion, ...] = (
    ssl.TLSVersion.TLSv1,
    ssl.TLSVersion.TLSv1_1,
    ssl.TLSVersion.TLSv1_2,
    ssl.TLSVersion.TLSv1_3,
)
VERSION_NAMES = {
    ssl.TLSVersion.TLSv1: "TLSv1",
    ssl.TLSVersion.TLSv1_1: "TLSv1.1",
    ssl.TLSVersion.TLSv1_2: "TLSv1.2",
    ssl.TLSVersion.TLSv1_3: "TLSv1.3",
}
# Key exchanges that give forward secrecy in TLS 1.2 (OpenSSL's `kea` names).
_FORWARD_SECRET_KEA = frozenset({"kx-ecdhe", "kx-dhe"})

Connect = Callable[[float], socket.socket]  # argument: seconds left; returns a connected socket


class ConnectionProblem(Exception):
    """The peer could not be reached or talked to (not a TLS refusal): timeout, reset, refused."""

    def __init__(self, message: str, *, kind: str) -> None:
        super().__init__(message)
        self.kind = kind  # "timeout", "reset", "refused", "protocol", "connect"


@dataclass(frozen=True)
class TlsSession:
    version: str
    cipher: str
    cert_der: bytes | None
    chain_der: tuple[bytes, ...] = ()  # as the peer sent it, leaf first (may be just the leaf)
    verified: bool = False
    verify_error: str | None = None


@dataclass(frozen=True)
class TlsScan:
    """What a server accepts; `session` is the handshake a modern, verifying client gets."""

    session: TlsSession | None
    accepted: dict[str, str] = field(default_factory=dict)  # version name -> cipher negotiated
    weak_suite: str | None = None  # a TLS 1.2 suite without forward secrecy or AEAD, if accepted

    @property
    def legacy_versions(self) -> list[str]:
        return [v for v in ("TLSv1", "TLSv1.1") if v in self.accepted]


class Deadline:
    """A point in time every network step of one probe must finish by."""

    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds

    def left(self, per_step: float) -> float:
        remaining = self.end - time.monotonic()
        if remaining <= 0:
            raise ConnectionProblem("time bound exceeded", kind="timeout")
        return min(per_step, remaining)


@cache
def _trust_context(ca_bundle: str | None) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=certifi.where())
    if ca_bundle:
        context.load_verify_locations(cafile=ca_bundle)
    return context


def _probe_context(
    version: ssl.TLSVersion | None = None, ciphers: str = "ALL:@SECLEVEL=0"
) -> ssl.SSLContext:
    """A non-verifying client that offers what we ask about, old and weak things included."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    if version is not None:
        with warnings.catch_warnings():
            # Python deprecates TLS 1.0/1.1; asking whether a server accepts them is the point.
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = version
            context.maximum_version = version
    # Security level 0, or OpenSSL 3 will not offer TLS 1.0/1.1 or SHA-1 suites at all.
    context.set_ciphers(ciphers)
    return context


@cache
def weak_tls12_suites() -> tuple[str, ...]:
    """TLS 1.2 suites this OpenSSL can offer that lack forward secrecy or AEAD."""
    names = []
    for suite in _probe_context().get_ciphers():
        if suite.get("protocol") == "TLSv1.3":
            continue
        if not (suite.get("aead") and suite.get("kea") in _FORWARD_SECRET_KEA):
            names.append(suite["name"])
    return tuple(names)


def _session(tls: ssl.SSLSocket, *, verified: bool, error: str | None) -> TlsSession:
    cipher = tls.cipher()
    chain: tuple[bytes, ...] = ()
    # Python 3.13 makes this public; 3.11/3.12 have it on the internal object. Needed for DANE-TA.
    get_chain = getattr(getattr(tls, "_sslobj", None), "get_unverified_chain", None)
    if get_chain is not None:
        try:
            chain = tuple(c.public_bytes(ssl._ssl.ENCODING_DER) for c in get_chain() or ())  # type: ignore[attr-defined]
        except (AttributeError, ValueError, ssl.SSLError):
            chain = ()
    return TlsSession(
        version=tls.version() or "",
        cipher=cipher[0] if cipher else "",
        cert_der=tls.getpeercert(binary_form=True),
        chain_der=chain,
        verified=verified,
        verify_error=error,
    )


def handshake(
    sock: socket.socket, name: str, context: ssl.SSLContext, timeout: float
) -> ssl.SSLSocket:
    """TLS handshake on a connected socket, SNI `name`; SSLError means the peer refused it."""
    sock.settimeout(timeout)
    try:
        return context.wrap_socket(sock, server_hostname=name)
    except ssl.SSLError:
        sock.close()
        raise
    except TimeoutError as exc:
        sock.close()
        raise ConnectionProblem("TLS handshake timed out", kind="timeout") from exc
    except ConnectionError as exc:  # reset, aborted, broken pipe
        sock.close()
        raise ConnectionProblem("connection reset during the TLS handshake", kind="reset") from exc
    except OSError as exc:
        sock.close()
        raise ConnectionProblem(f"TLS handshake failed: {exc}", kind="connect") from exc


def verified_session(
    connect: Connect, name: str, config: NetConfig, deadline: Deadline
) -> TlsSession:
    """Handshake as a modern client would; on a certificate error, again without verification.

    Raises ssl.SSLError if no modern handshake (TLS >= 1.2) is possible at all.
    """
    try:
        tls = handshake(
            connect(deadline.left(config.timeout)),
            name,
            _trust_context(config.ca_bundle),
            deadline.left(config.timeout),
        )
    except ssl.SSLCertVerificationError as exc:
        error = exc.verify_message or str(exc)
        modern = _probe_context(ciphers="DEFAULT")
        modern.minimum_version = ssl.TLSVersion.TLSv1_2
        tls = handshake(
            connect(deadline.left(config.timeout)), name, modern, deadline.left(config.timeout)
        )
        with tls:
            return _session(tls, verified=False, error=error)
    with tls:
        return _session(tls, verified=True, error=None)


def scan(connect: Connect, name: str, config: NetConfig, *, bound: float | None = None) -> TlsScan:
    """Which versions and weak suites the server accepts, and the certificate it presents.

    Raises ConnectionProblem if the server cannot be talked to at all.
    """
    deadline = Deadline(bound if bound is not None else config.check_timeout)
    try:
        session: TlsSession | None = verified_session(connect, name, config, deadline)
    except ssl.SSLError:
        session = None  # no modern handshake; the version probes below tell what is left
    # Contexts are built here, not in the threads: warnings.catch_warnings is not thread-safe.
    probes = {VERSION_NAMES[v]: _probe_context(v) for v in VERSIONS}
    if weak_tls12_suites():
        probes["weak"] = _probe_context(
            ssl.TLSVersion.TLSv1_2, ":".join(weak_tls12_suites()) + ":@SECLEVEL=0"
        )
    # Side by side: real MX hosts often delay their banner, and five in a row would add up.
    with ThreadPoolExecutor(max_workers=len(probes)) as pool:
        futures = {
            key: pool.submit(_accepted_cipher, connect, name, context, config, deadline)
            for key, context in probes.items()
        }
        ciphers = {key: future.result() for key, future in futures.items()}
    weak_suite = ciphers.pop("weak", None)
    accepted = {version: cipher for version, cipher in ciphers.items() if cipher is not None}
    return TlsScan(session=session, accepted=accepted, weak_suite=weak_suite)


def _accepted_cipher(
    connect: Connect, name: str, context: ssl.SSLContext, config: NetConfig, deadline: Deadline
) -> str | None:
    """The cipher negotiated with this client context, or None if the server refused it."""
    sock = connect(deadline.left(config.timeout))  # cannot connect at all: ConnectionProblem
    try:
        tls = handshake(sock, name, context, deadline.left(config.timeout))
    except ssl.SSLError:
        return None
    except ConnectionProblem as exc:
        # Some servers answer an unwanted ClientHello with a reset instead of an alert; the
        # server was reachable a moment ago, so that is a refusal, not an outage.
        if exc.kind == "reset":
            return None
        raise
    with tls:
        return (tls.cipher() or ("",))[0]


def tcp_connector(address: str, port: int) -> Connect:
    """A Connect for a plain TCP service (HTTPS, SMTPS); the guard has run on `address` already."""

    def connect(timeout: float) -> socket.socket:
        return open_tcp(address, port, timeout)

    return connect


def open_tcp(address: str, port: int, timeout: float) -> socket.socket:
    try:
        return socket.create_connection((address, port), timeout=timeout)
    except TimeoutError as exc:
        raise ConnectionProblem(
            f"connecting to {address}:{port} timed out", kind="timeout"
        ) from exc
    except ConnectionRefusedError as exc:
        raise ConnectionProblem(f"{address}:{port} refused the connection", kind="refused") from exc
    except ConnectionError as exc:
        # A reset can arrive before create_connection returns (the peer RSTs right after accept).
        raise ConnectionProblem(f"{address}:{port} reset the connection", kind="reset") from exc
    except OSError as exc:
        raise ConnectionProblem(
            f"cannot connect to {address}:{port}: {exc}", kind="connect"
        ) from exc


def guarded_addresses(
    name: str, resolve: Callable[[str], list[str]], config: NetConfig
) -> list[str]:
    """The addresses `resolve` gives for `name`, each passed through the SSRF guard.

    Raises ConnectionProblem(kind="dns") when there is none, ForbiddenAddress when the guard
    refuses one (a hostile answer should be reported, not silently skipped).
    """
    try:
        addresses = resolve(name)
    except Exception as exc:  # whatever the resolver raises, the name has no usable address
        raise ConnectionProblem(f"could not resolve {name}: {exc}", kind="dns") from exc
    if not addresses:
        raise ConnectionProblem(f"{name} has no address", kind="dns")
    for address in addresses:
        ensure_public(address, allow_private=config.allow_private_networks)
    return addresses

"""Single TLS handshakes with Python's ssl module: what a modern, verifying client gets.

`starttls`, `smtps_submission` and `dane` need one handshake and the certificate it shows (DANE
matches the chain the server sent). The full per-version, per-suite scan of `tls_web`/`tls_mail` is
sslyze's job (audits/net/tls_scan.py).

A handshake takes a `connect` callable that returns a socket ready for TLS (a plain TCP
connection for SMTPS, a connection after STARTTLS for SMTP), so one helper serves both.
"""

from __future__ import annotations

import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import certifi

from audits.net.config import NetConfig
from audits.net.guard import ensure_public

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


def _unverified_modern_context() -> ssl.SSLContext:
    """A modern client (TLS >= 1.2, OpenSSL's default suites) that accepts any certificate.

    Used after a verification failure, to still see the certificate and session the server gives.
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


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
        tls = handshake(
            connect(deadline.left(config.timeout)),
            name,
            _unverified_modern_context(),
            deadline.left(config.timeout),
        )
        with tls:
            return _session(tls, verified=False, error=error)
    with tls:
        return _session(tls, verified=True, error=None)


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


def has_route(address: str) -> bool:
    """Can this machine reach `address` at all? An IPv6 address from a worker without IPv6
    is not the server's fault, and must not turn into a failed or errored check.

    A UDP "connect" sends nothing; it only asks the kernel for a route.
    """
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    try:
        # Creating the socket fails too, on a kernel built without IPv6.
        with socket.socket(family, socket.SOCK_DGRAM) as probe:
            probe.connect((address, 9))
    except OSError:
        return False
    return True

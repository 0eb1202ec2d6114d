"""SMTP probing: banner, EHLO, STARTTLS (RFC 3207) and implicit TLS (RFC 8314).

Every read runs under a per-step timeout and a total deadline, so a tarpit (accepts, never speaks)
gives a ConnectionProblem within the bound, and a reset gives one at once. No mail is ever sent.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
from dataclasses import dataclass

from audits.net.config import NetConfig
from audits.net.tls import (
    Connect,
    ConnectionProblem,
    Deadline,
    TlsSession,
    open_tcp,
    verified_session,
)

HELO_NAME = "mailvet.invalid"  # RFC 2606 name: we identify ourselves without claiming a real host
_MAX_REPLY_BYTES = 64 * 1024


@dataclass(frozen=True)
class SmtpProbe:
    host: str
    address: str
    port: int
    banner: str
    extensions: tuple[str, ...]  # EHLO keywords, upper case (STARTTLS, SIZE, ...)
    implicit_tls: bool
    tls: TlsSession | None  # None: STARTTLS not offered, or no TLS >= 1.2 handshake possible
    tls_error: str | None = None

    @property
    def starttls_offered(self) -> bool:
        return "STARTTLS" in self.extensions


class _Reader:
    """Reads SMTP replies (RFC 5321 4.2) from a socket, with the probe's timeouts."""

    def __init__(self, sock: socket.socket, config: NetConfig, deadline: Deadline) -> None:
        self.sock = sock
        self.config = config
        self.deadline = deadline
        self.buffer = b""

    def reply(self) -> tuple[int, list[str]]:
        lines: list[str] = []
        while True:
            line = self._line()
            if len(line) < 3 or not line[:3].isdigit():
                raise ConnectionProblem(f"not an SMTP reply: {line[:80]!r}", kind="protocol")
            lines.append(line[4:])
            if len(line) == 3 or line[3] == " ":
                return int(line[:3]), lines

    def _line(self) -> str:
        while b"\n" not in self.buffer:
            if len(self.buffer) > _MAX_REPLY_BYTES:
                raise ConnectionProblem("SMTP reply line too long", kind="protocol")
            self.sock.settimeout(self.deadline.left(self.config.timeout))
            try:
                data = self.sock.recv(4096)
            except TimeoutError as exc:
                raise ConnectionProblem(
                    "the server did not answer in time", kind="timeout"
                ) from exc
            except ConnectionError as exc:  # reset, aborted, broken pipe
                raise ConnectionProblem("the server reset the connection", kind="reset") from exc
            except OSError as exc:
                raise ConnectionProblem(
                    f"reading from the server failed: {exc}", kind="connect"
                ) from exc
            if not data:
                raise ConnectionProblem("the server closed the connection", kind="reset")
            self.buffer += data
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line.rstrip(b"\r").decode("utf-8", errors="replace")

    def send(self, command: str) -> tuple[int, list[str]]:
        self.sock.settimeout(self.deadline.left(self.config.timeout))
        try:
            self.sock.sendall(command.encode("ascii") + b"\r\n")
        except TimeoutError as exc:
            raise ConnectionProblem("the server did not take our command", kind="timeout") from exc
        except OSError as exc:
            raise ConnectionProblem(f"sending to the server failed: {exc}", kind="reset") from exc
        return self.reply()


def _greet(reader: _Reader) -> tuple[str, tuple[str, ...]]:
    code, lines = reader.reply()
    if code != 220:
        raise ConnectionProblem(
            f"the server greeted with {code}: {' '.join(lines)}", kind="protocol"
        )
    banner = " ".join(lines)
    code, lines = reader.send(f"EHLO {HELO_NAME}")
    if code != 250:
        # An ESMTP-less server offers no extension, STARTTLS included.
        return banner, ()
    extensions = tuple(line.split(" ", 1)[0].upper() for line in lines[1:])
    return banner, extensions


def starttls_connector(address: str, port: int, config: NetConfig, deadline: Deadline) -> Connect:
    """A Connect that returns a socket on which the server has said "220, go ahead with TLS"."""

    def connect(timeout: float) -> socket.socket:
        sock = open_tcp(address, port, timeout)
        try:
            reader = _Reader(sock, config, deadline)
            _, extensions = _greet(reader)
            if "STARTTLS" not in extensions:
                raise ConnectionProblem("STARTTLS is not offered", kind="protocol")
            code, lines = reader.send("STARTTLS")
            if code != 220:
                raise ConnectionProblem(
                    f"STARTTLS refused: {code} {' '.join(lines)}", kind="protocol"
                )
        except BaseException:
            sock.close()
            raise
        return sock

    return connect


def probe_starttls(host: str, address: str, port: int, config: NetConfig) -> SmtpProbe:
    """Banner, EHLO and, if offered, a STARTTLS handshake as a modern verifying client.

    Raises ConnectionProblem if the server cannot be talked to.
    """
    deadline = Deadline(config.check_timeout)
    sock = open_tcp(address, port, deadline.left(config.timeout))
    with sock:
        reader = _Reader(sock, config, deadline)
        banner, extensions = _greet(reader)
        with contextlib.suppress(ConnectionProblem):
            reader.send("QUIT")  # polite; we have what we came for either way
    if "STARTTLS" not in extensions:
        return SmtpProbe(host, address, port, banner, extensions, False, None)
    try:
        session = verified_session(
            starttls_connector(address, port, config, deadline), host, config, deadline
        )
    except ssl.SSLError as exc:
        return SmtpProbe(host, address, port, banner, extensions, False, None, str(exc))
    return SmtpProbe(host, address, port, banner, extensions, False, session)


def probe_implicit_tls(host: str, address: str, port: int, config: NetConfig) -> SmtpProbe:
    """TLS from the first byte (port 465), then the banner and EHLO inside TLS."""
    deadline = Deadline(config.check_timeout)
    try:
        session = verified_session(
            lambda timeout: open_tcp(address, port, timeout), host, config, deadline
        )
    except ssl.SSLError as exc:
        return SmtpProbe(host, address, port, "", (), True, None, str(exc))
    # Read the banner over TLS too: a TLS endpoint that is not an SMTP server does not count.
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the certificate was judged above
    raw = open_tcp(address, port, deadline.left(config.timeout))
    try:
        raw.settimeout(deadline.left(config.timeout))
        tls = context.wrap_socket(raw, server_hostname=host)
    except TimeoutError as exc:
        raw.close()
        raise ConnectionProblem("TLS handshake timed out", kind="timeout") from exc
    except (ssl.SSLError, OSError) as exc:
        raw.close()
        raise ConnectionProblem(f"TLS handshake failed: {exc}", kind="reset") from exc
    with tls:
        reader = _Reader(tls, config, deadline)
        banner, extensions = _greet(reader)
        with contextlib.suppress(ConnectionProblem):
            reader.send("QUIT")
    return SmtpProbe(host, address, port, banner, extensions, True, session)

"""SMTP servers (aiosmtpd) and the two misbehaving TCP servers, all on one asyncio loop."""

from __future__ import annotations

import asyncio
import socket
import ssl
import struct

from aiosmtpd.smtp import SMTP, Envelope, Session

# A tarpit holds a connection this long at most, so a forgotten client cannot pin it forever.
TARPIT_HOLD_SECONDS = 300


class _Discard:
    """aiosmtpd handler: accept any message and drop it (the checks never send one)."""

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        return "250 2.0.0 Accepted and discarded"


async def start_smtp(
    address: str,
    port: int,
    hostname: str,
    tls: ssl.SSLContext,
    *,
    implicit_tls: bool,
    require_starttls: bool,
) -> asyncio.Server:
    loop = asyncio.get_running_loop()
    handler = _Discard()
    if implicit_tls:
        # RFC 8314: TLS from the first byte, so no STARTTLS on this port.
        return await loop.create_server(
            lambda: SMTP(handler, hostname=hostname, timeout=30), address, port, ssl=tls
        )
    return await loop.create_server(
        lambda: SMTP(
            handler,
            hostname=hostname,
            tls_context=tls,
            require_starttls=require_starttls,
            timeout=30,
        ),
        address,
        port,
    )


class _Tarpit(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        asyncio.get_running_loop().call_later(TARPIT_HOLD_SECONDS, transport.abort)

    def data_received(self, data: bytes) -> None:
        pass  # read and ignore: never a byte back


class _Reset(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        sock = transport.get_extra_info("socket")
        # Linger with a zero timeout turns close() into an RST: "connection reset by peer".
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()


async def start_tarpit(address: str, port: int) -> asyncio.Server:
    return await asyncio.get_running_loop().create_server(_Tarpit, address, port)


async def start_reset(address: str, port: int) -> asyncio.Server:
    return await asyncio.get_running_loop().create_server(_Reset, address, port)

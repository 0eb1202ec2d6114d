"""The servers process: every HTTP, HTTPS, SMTP, tarpit and reset server of the network.

Run as `python -m tests.testnet.servers STATE_DIR` by network.py, after the certificates and keys
exist. It binds everything, writes `servers.ready`, and serves until SIGTERM. It holds the subnet
lock (an inherited file descriptor) for as long as it lives.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

from tests.testnet import smtp, web
from tests.testnet.layout import Instance
from tests.testnet.tls import server_context
from tests.testnet.zones import Host, Http, Https, Page, Reset, Smtp, Tarpit, WkdKey, Zone


def _bodies(instance: Instance, pages: tuple[Page, ...]) -> dict[str, bytes]:
    bodies = {}
    for page in pages:
        if isinstance(page.body, WkdKey):
            bodies[page.path] = instance.wkd_key(page.body.address).read_bytes()
        else:
            bodies[page.path] = page.body.encode("utf-8")
    return bodies


async def _start_host(
    instance: Instance, zone: Zone, host: Host, closers: list[asyncio.Server | web.SiteServer]
) -> None:
    address = instance.address(zone, host.octet)
    names = [zone.fqdn(label) for label in host.names]
    cert, key = instance.cert_files(zone, host.octet)
    for service in host.services:
        if isinstance(service, Https):
            ctx = server_context(service.tls, cert, key)
            bodies = _bodies(instance, service.site.pages)
            closers.append(
                web.serve(
                    address, service.port, service.site, bodies, tls=ctx, default_host=names[0]
                )
            )
        elif isinstance(service, Http):
            pages = service.site.pages if service.site else ()
            bodies = _bodies(instance, pages)
            closers.append(
                web.serve(
                    address, service.port, service.site, bodies, tls=None, default_host=names[0]
                )
            )
        elif isinstance(service, Smtp):
            ctx = server_context(service.tls, cert, key)
            closers.append(
                await smtp.start_smtp(
                    address,
                    service.port,
                    names[0],
                    ctx,
                    implicit_tls=service.implicit_tls,
                    require_starttls=service.require_starttls,
                )
            )
        elif isinstance(service, Tarpit):
            for port in service.ports:
                closers.append(await smtp.start_tarpit(address, port))
        elif isinstance(service, Reset):
            for port in service.ports:
                closers.append(await smtp.start_reset(address, port))


async def _main(instance: Instance) -> None:
    closers: list[asyncio.Server | web.SiteServer] = []
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        for zone in instance.zones:
            for host in zone.hosts:
                await _start_host(instance, zone, host, closers)
        instance.ready_file.write_text("ready\n")
        print(f"serving {len(closers)} listeners", file=sys.stderr, flush=True)
        await stop.wait()
    finally:
        # The HTTP servers run in daemon threads and go with the process; shutting each down
        # would cost up to its 0.5 s poll interval, one after the other.
        for closer in closers:
            if isinstance(closer, asyncio.Server):
                closer.close()


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m tests.testnet.servers STATE_DIR", file=sys.stderr)
        return 2
    instance = Instance.load(Path(argv[0]))
    if instance is None:
        print(f"no instance.json in {argv[0]}", file=sys.stderr)
        return 2
    asyncio.run(_main(instance))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""HTTP and HTTPS servers for the sites of zones.py, one threaded server per address and port."""

from __future__ import annotations

import socket
import socketserver
import ssl
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from tests.testnet.zones import Page, Site


@dataclass(frozen=True)
class Resolved:
    page: Page
    body: bytes


class SiteServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        *,
        pages: Mapping[str, Resolved],
        headers: tuple[tuple[str, str], ...],
        tls: ssl.SSLContext | None,
        redirect_to_https: bool,
        default_host: str,
    ) -> None:
        self.pages = pages
        self.site_headers = headers
        self.tls = tls
        self.redirect_to_https = redirect_to_https
        self.default_host = default_host
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the address up in reverse DNS (socket.getfqdn) to fill in
        # server_name; that costs about 70 ms per address here and nothing reads the name.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def get_request(self) -> tuple[socket.socket, tuple[str, int]]:
        sock, peer = super().get_request()
        if self.tls is not None:
            # Handshake later, in the request thread: a client that never completes it (a scanner
            # probing versions, say) must not block the accept loop.
            sock = self.tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, peer

    def handle_error(self, request: object, client_address: tuple[str, int]) -> None:
        # TLS scanners abort handshakes all the time; one line, not a traceback, is enough.
        print(f"{client_address[0]}: {sys.exc_info()[1]!r}", file=sys.stderr, flush=True)


class _Handler(BaseHTTPRequestHandler):
    server: SiteServer
    server_version = "mailvet-testnet"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    timeout = 10

    def do_GET(self) -> None:
        self._respond(with_body=True)

    def do_HEAD(self) -> None:
        self._respond(with_body=False)

    def _host(self) -> str:
        host = self.headers.get("Host") or self.server.default_host
        return host.rsplit(":", 1)[0] if not host.endswith("]") else host

    def _respond(self, with_body: bool) -> None:
        if self.server.redirect_to_https:
            # The standard https URL: a client maps port 443 through its overrides itself.
            self._send(301, b"", "text/plain", location=f"https://{self._host()}{self.path}")
            return
        found = self.server.pages.get(urlsplit(self.path).path)
        if found is None:
            self._send(404, b"not found\n", "text/plain; charset=utf-8", with_body=with_body)
            return
        self._send(
            found.page.status,
            found.body,
            found.page.content_type,
            location=found.page.location,
            with_body=with_body,
        )

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str,
        *,
        location: str | None = None,
        with_body: bool = True,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if location:
            self.send_header("Location", location)
        for name, value in self.server.site_headers:
            self.send_header(name, value)
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        sys.stderr.write(f"{self.server.server_address[0]} {format % args}\n")


def serve(
    address: str,
    port: int,
    site: Site | None,
    bodies: Mapping[str, bytes],
    *,
    tls: ssl.SSLContext | None,
    default_host: str,
) -> SiteServer:
    """Bind and start one server in a daemon thread. `site=None`: redirect everything to https."""
    pages = {page.path: Resolved(page, bodies[page.path]) for page in (site.pages if site else ())}
    server = SiteServer(
        (address, port),
        pages=pages,
        # HSTS over plain HTTP means nothing (RFC 6797 8.1): send site headers over TLS only.
        headers=site.headers if (site and tls) else (),
        tls=tls,
        redirect_to_https=site is None,
        default_host=default_host,
    )
    threading.Thread(
        target=server.serve_forever, name=f"http-{address}:{port}", daemon=True
    ).start()
    return server

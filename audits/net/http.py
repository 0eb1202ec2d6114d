"""The one HTTP client of the checks.

It connects to the address OUR resolver returned (never letting httpx resolve names itself), sends
SNI and Host for the name, verifies TLS against certifi plus AUDIT_CA_BUNDLE, refuses non-public
addresses unless allowed, caps the body and the total time, and follows redirects only when asked
(each hop resolved and guarded again), so a check can judge a redirect instead of obeying it.
"""

from __future__ import annotations

import dataclasses
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import urljoin

import certifi
import httpx

from audits.net.config import NetConfig
from audits.net.guard import ensure_public

Resolve = Callable[[str], list[str]]
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_DEFAULT_PORTS = {"http": 80, "https": 443}
_USER_AGENT = "mailvet-audit/0.1"


class HttpError(Exception):
    """The request could not complete: resolution, connection, TLS, timeout or protocol error."""

    def __init__(self, message: str, *, kind: str = "network") -> None:
        super().__init__(message)
        # "dns" (the lookup failed), "no_address" (the name has none), "refused" (nothing
        # listens on the port), "connect" (any other connection failure), "tls",
        # "timeout", "network": lets checks tell "absent" from "broken" from "unknown".
        self.kind = kind


@dataclass(frozen=True)
class HttpResponse:
    url: str  # the URL as the check asked for it (names, standard ports)
    address: str  # the address actually connected to
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    truncated: bool  # the body was longer than the cap and was cut there
    history: tuple[str, ...] = field(default=())  # URLs of redirects followed before this one

    def header(self, name: str) -> str | None:
        """The first value of a header (case-insensitive), or None."""
        wanted = name.lower()
        for key, value in self.headers:
            if key.lower() == wanted:
                return value
        return None

    def header_values(self, name: str) -> list[str]:
        wanted = name.lower()
        return [value for key, value in self.headers if key.lower() == wanted]

    @property
    def location(self) -> str | None:
        """The absolute redirect target of a 3xx answer, or None."""
        if self.status not in REDIRECT_STATUSES:
            return None
        target = self.header("location")
        return urljoin(self.url, target) if target else None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


@cache
def _ssl_context(ca_bundle: str | None) -> ssl.SSLContext:
    # Public CAs plus the operator's (or the test network's) CA; hostname checked against SNI.
    context = ssl.create_default_context(cafile=certifi.where())
    if ca_bundle:
        context.load_verify_locations(cafile=ca_bundle)
    return context


def fetch(
    url: str,
    *,
    resolve: Resolve,
    config: NetConfig,
    follow_redirects: bool = False,
    max_redirects: int = 5,
    max_bytes: int | None = None,
    method: str = "GET",
) -> HttpResponse:
    """Fetch `url`, connecting to the address `resolve` gives for its host.

    Raises HttpError when no answer could be had, ForbiddenAddress (from the guard) when the
    name resolves to an address we must not connect to.
    """
    history: list[str] = []
    while True:
        response = _fetch_once(
            url, resolve=resolve, config=config, max_bytes=max_bytes, method=method
        )
        target = response.location
        if not follow_redirects or target is None:
            return dataclasses.replace(response, history=tuple(history))
        if len(history) >= max_redirects:
            raise HttpError(f"more than {max_redirects} redirects from {url}", kind="network")
        if httpx.URL(target).scheme not in _DEFAULT_PORTS:
            raise HttpError(f"redirect to an unsupported URL: {target}", kind="network")
        history.append(url)
        url = target


def _fetch_once(
    url: str, *, resolve: Resolve, config: NetConfig, max_bytes: int | None, method: str
) -> HttpResponse:
    parsed = httpx.URL(url)
    if parsed.scheme not in _DEFAULT_PORTS or not parsed.host:
        raise HttpError(f"not an http(s) URL: {url}", kind="network")
    # raw_host: the A-label form. `host` is decoded to U-labels, which no resolver should see.
    name = parsed.raw_host.decode("ascii")
    standard_port = parsed.port or _DEFAULT_PORTS[parsed.scheme]
    try:
        addresses = resolve(name)
    except Exception as exc:  # any resolver failure means "no address", whatever its type
        raise HttpError(f"could not resolve {name}: {exc}", kind="dns") from exc
    if not addresses:
        raise HttpError(f"{name} has no address", kind="no_address")
    address = addresses[0]
    # The guard sees the exact address we are about to connect to (no second lookup by httpx).
    ensure_public(address, allow_private=config.allow_private_networks)

    cap = config.max_http_bytes if max_bytes is None else max_bytes
    target = parsed.copy_with(host=address, port=config.port(standard_port))
    host_header = name if parsed.port is None else f"{name}:{parsed.port}"
    deadline = time.monotonic() + config.timeout * 2  # bound for the whole exchange, drip included
    verify: ssl.SSLContext | bool = (
        _ssl_context(config.ca_bundle) if parsed.scheme == "https" else False
    )
    try:
        with (
            httpx.Client(
                verify=verify,
                timeout=httpx.Timeout(config.timeout),
                follow_redirects=False,
                trust_env=False,  # no proxies from the environment: we connect where we resolved
            ) as client,
            client.stream(
                method,
                target,
                headers={
                    "Host": host_header,
                    "User-Agent": _USER_AGENT,
                    "Accept": "*/*",
                    # Uncompressed, so the cap counts the bytes we keep (no decompression bomb).
                    "Accept-Encoding": "identity",
                },
                extensions={"sni_hostname": name},
            ) as answer,
        ):
            encoding = answer.headers.get("content-encoding", "identity").strip().lower()
            if encoding not in ("", "identity"):
                raise HttpError(f"{url} sent a {encoding} body we did not ask for")
            body = bytearray()
            truncated = False
            for chunk in answer.iter_raw():
                body += chunk
                if len(body) > cap:
                    del body[cap:]
                    truncated = True
                    break
                if time.monotonic() > deadline:
                    raise HttpError(f"{url} answered too slowly", kind="timeout")
            return HttpResponse(
                url=str(parsed),
                address=address,
                status=answer.status_code,
                headers=tuple(answer.headers.multi_items()),
                body=bytes(body),
                truncated=truncated,
            )
    except httpx.TimeoutException as exc:
        raise HttpError(f"timed out fetching {url}", kind="timeout") from exc
    except httpx.ConnectError as exc:
        kind = "tls" if _is_tls_error(exc) else "refused" if _is_refused(exc) else "connect"
        raise HttpError(f"could not connect to {url} ({address}): {exc}", kind=kind) from exc
    except httpx.HTTPError as exc:
        raise HttpError(f"fetching {url} failed: {exc}", kind="network") from exc


def _is_refused(exc: BaseException) -> bool:
    """Nothing listens on the port: an answer about the host, unlike a silence or a reset."""
    while exc is not None:
        if isinstance(exc, ConnectionRefusedError) or "connection refused" in str(exc).lower():
            return True
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return False


def _is_tls_error(exc: BaseException) -> bool:
    while exc is not None:
        if isinstance(exc, ssl.SSLError) or "CERTIFICATE" in str(exc).upper():
            return True
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return False

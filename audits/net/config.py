"""Network settings for the checks, read from the environment (see the README's table).

Every AUDIT_* value is checked here, once, and a malformed one raises ConfigError naming the
variable and what it should look like: a typo must stop the audit with a clear message, not
surface later as a traceback inside a check, nor be read silently as a default.
"""

from __future__ import annotations

import ipaddress
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"", "0", "false", "no", "off"})


class ConfigError(ValueError):
    """An AUDIT_* variable is malformed; the message names it."""


def _nameserver(item: str) -> tuple[str, int]:
    """One `host[:port]`: 192.0.2.1, 192.0.2.1:5300, [2001:db8::1]:53 or a bare 2001:db8::1."""
    if item.startswith("["):
        host, sep, rest = item[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise ValueError(f"{item!r} is not [IPv6 address]:port")
        port = rest[1:] or "53"
    elif item.count(":") > 1:
        host, port = item, "53"  # a bare IPv6 address; give a port as [address]:port
    else:
        host, _sep, port = item.partition(":")
        port = port or "53"
    try:
        ipaddress.ip_address(host)
    except ValueError:
        # dnspython asks the address as given; a name would need a resolver to find the resolver.
        raise ValueError(f"{host!r} is not an IP address") from None
    return host, _port(port)


def _port(raw: str) -> int:
    if not raw.isdigit() or not 1 <= int(raw) <= 65535:
        raise ValueError(f"{raw!r} is not a port (1-65535)")
    return int(raw)


def _parse_nameservers(raw: str) -> tuple[tuple[str, int], ...]:
    return tuple(_nameserver(item) for item in _items(raw))


def _parse_port_overrides(raw: str) -> dict[int, int]:
    overrides: dict[int, int] = {}
    for item in _items(raw):
        standard, sep, actual = item.partition("=")
        if not sep:
            raise ValueError(f"entries look like 443=8443, not {item!r}")
        overrides[_port(standard.strip())] = _port(actual.strip())
    return overrides


def _parse_seconds(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{raw!r} is not a number of seconds") from None
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{raw!r} is not a positive number of seconds")
    return value


def _parse_bytes(raw: str) -> int:
    if not raw.strip().isdigit() or int(raw) <= 0:
        raise ValueError(f"{raw!r} is not a positive whole number of bytes")
    return int(raw)


def _parse_bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{raw!r} is not one of true/false, yes/no, on/off, 1/0")


def _parse_ca_bundle(raw: str) -> str | None:
    if not raw:
        return None
    if not os.path.isfile(raw) or not os.access(raw, os.R_OK):
        raise ValueError(f"{raw!r} is not a readable file")
    return raw


def _parse_selectors(raw: str) -> tuple[str, ...]:
    from providers.domains import InvalidDomain, normalise_selector

    try:
        return tuple(normalise_selector(item) for item in _items(raw))
    except InvalidDomain as exc:
        raise ValueError(str(exc)) from None


def _items(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


def _read(env: Mapping[str, str], name: str, default: str, parse: Callable[[str], T]) -> T:
    raw = env.get(name, default)
    try:
        return parse(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} is malformed: {exc}.") from None


@dataclass(frozen=True)
class NetConfig:
    # Empty: the system resolver configuration (/etc/resolv.conf). It must be validating for
    # the DNSSEC verdict to mean anything.
    nameservers: tuple[tuple[str, int], ...] = ()
    timeout: float = 5.0  # seconds per network operation
    check_timeout: float = 30.0  # total bound for one check
    # tls_web / tls_mail: a full sslyze scan is a few hundred handshakes per address, which over
    # the internet takes longer than any other check.
    tls_scan_timeout: float = 120.0
    allow_private_networks: bool = False
    port_overrides: dict[int, int] = field(default_factory=dict)
    ca_bundle: str | None = None
    dkim_selectors: tuple[str, ...] = ()
    max_http_bytes: int = 1024 * 1024

    def port(self, standard: int) -> int:
        return self.port_overrides.get(standard, standard)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> NetConfig:
        """The settings in `environ` (default: os.environ); ConfigError names a malformed one."""
        env = os.environ if environ is None else environ
        return cls(
            nameservers=_read(env, "AUDIT_NAMESERVERS", "", _parse_nameservers),
            timeout=_read(env, "AUDIT_TIMEOUT", "5", _parse_seconds),
            check_timeout=_read(env, "AUDIT_CHECK_TIMEOUT", "30", _parse_seconds),
            tls_scan_timeout=_read(env, "AUDIT_TLS_SCAN_TIMEOUT", "120", _parse_seconds),
            allow_private_networks=_read(env, "AUDIT_ALLOW_PRIVATE_NETWORKS", "", _parse_bool),
            port_overrides=_read(env, "AUDIT_PORT_OVERRIDES", "", _parse_port_overrides),
            ca_bundle=_read(env, "AUDIT_CA_BUNDLE", "", _parse_ca_bundle),
            dkim_selectors=_read(env, "AUDIT_DKIM_SELECTORS", "", _parse_selectors),
            max_http_bytes=_read(env, "AUDIT_MAX_HTTP_BYTES", str(1024 * 1024), _parse_bytes),
        )

"""Network settings for the checks, read from the environment (see the README's table)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field


class ConfigError(ValueError):
    """An AUDIT_* variable is malformed; the message names it."""


def _parse_nameservers(raw: str) -> tuple[tuple[str, int], ...]:
    servers = []
    for item in filter(None, (part.strip() for part in raw.split(","))):
        host, sep, port = item.rpartition(":")
        if not sep or not port.isdigit():
            host, port = item, "53"
        servers.append((host.strip("[]"), int(port)))
    return tuple(servers)


def _parse_port_overrides(raw: str) -> dict[int, int]:
    overrides: dict[int, int] = {}
    for item in filter(None, (part.strip() for part in raw.split(","))):
        standard, sep, actual = item.partition("=")
        if not sep or not standard.isdigit() or not actual.isdigit():
            raise ConfigError(f"AUDIT_PORT_OVERRIDES entries look like 443=8443, not {item!r}")
        overrides[int(standard)] = int(actual)
    return overrides


def _bool(raw: str) -> bool:
    return raw.strip().lower() in {"1", "true", "yes", "on"}


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
    def from_env(cls, environ: dict[str, str] | None = None) -> NetConfig:
        env = os.environ if environ is None else environ
        try:
            return cls(
                nameservers=_parse_nameservers(env.get("AUDIT_NAMESERVERS", "")),
                timeout=float(env.get("AUDIT_TIMEOUT", "5")),
                check_timeout=float(env.get("AUDIT_CHECK_TIMEOUT", "30")),
                tls_scan_timeout=float(env.get("AUDIT_TLS_SCAN_TIMEOUT", "120")),
                allow_private_networks=_bool(env.get("AUDIT_ALLOW_PRIVATE_NETWORKS", "")),
                port_overrides=_parse_port_overrides(env.get("AUDIT_PORT_OVERRIDES", "")),
                ca_bundle=env.get("AUDIT_CA_BUNDLE") or None,
                dkim_selectors=tuple(
                    s.strip() for s in env.get("AUDIT_DKIM_SELECTORS", "").split(",") if s.strip()
                ),
                max_http_bytes=int(env.get("AUDIT_MAX_HTTP_BYTES", str(1024 * 1024))),
            )
        except ValueError as exc:
            raise ConfigError(f"Invalid AUDIT_* setting: {exc}") from exc

"""SSRF guard: the checks connect only to public addresses unless explicitly allowed."""

from __future__ import annotations

import ipaddress


class ForbiddenAddress(PermissionError):
    """The target resolved to a private, loopback, link-local or otherwise non-public address."""


def ensure_public(address: str, *, allow_private: bool) -> None:
    """Raise ForbiddenAddress unless `address` is a global unicast address (or private is allowed).

    Called with the address OUR resolver returned, right before connecting, so a hostile DNS
    answer cannot point a check at the operator's own network.
    """
    ip = ipaddress.ip_address(address)
    if allow_private:
        return
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if not ip.is_global or ip.is_multicast:
        raise ForbiddenAddress(f"{address} is not a public address; refusing to connect.")

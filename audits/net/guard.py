"""SSRF guard: the checks connect only to globally reachable addresses unless explicitly allowed.

The rule, in one place (`may_connect`): an address is refused unless it is globally reachable
according to the IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890 and its
updates); an IPv4 address carried inside an IPv6 address is judged as that IPv4 address, and an
IPv6 form whose IPv4 destination we cannot decide (or whose translator or relay is not ours to
trust) is refused as a whole.

The ranges are stated here rather than taken from `ipaddress.is_global` alone, because Python
answers differently across versions (3.11 calls 192.0.0.8 and fec0::1 global and 2001:1::1 not
global; 3.12.4+/3.13 changed several of these). `is_global` is only the last word for addresses
that none of the tables below mention, so a newer Python can refuse more, never less.
"""

from __future__ import annotations

import ipaddress
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network


class ForbiddenAddress(PermissionError):
    """The target resolved to a private, loopback, link-local or otherwise non-public address."""


def _v4(*networks: str) -> tuple[IPv4Network, ...]:
    return tuple(IPv4Network(network) for network in networks)


def _v6(*networks: str) -> tuple[IPv6Network, ...]:
    return tuple(IPv6Network(network) for network in networks)


# IPv4 blocks that are not globally reachable: the registry's "Globally Reachable: False" rows,
# plus the two it leaves at N/A or does not list.
_IPV4_REFUSED = _v4(
    "0.0.0.0/8",  # "This network" (RFC 791), incl. 0.0.0.0/32 (RFC 1122)
    "10.0.0.0/8",  # Private-Use (RFC 1918)
    "100.64.0.0/10",  # Shared Address Space, carrier-grade NAT (RFC 6598)
    "127.0.0.0/8",  # Loopback (RFC 1122)
    "169.254.0.0/16",  # Link Local (RFC 3927), incl. cloud metadata 169.254.169.254
    "172.16.0.0/12",  # Private-Use (RFC 1918)
    "192.0.0.0/24",  # IETF Protocol Assignments (RFC 6890): /29, .8, .170, .171 (see exceptions)
    "192.0.2.0/24",  # Documentation TEST-NET-1 (RFC 5737)
    # Deprecated 6to4 Relay Anycast (RFC 7526): the registry leaves it at N/A. An anycast relay
    # is whichever instance the operator's network routes to, never a mail or web host.
    # Includes 192.88.99.2/32, 6a44-relay anycast (RFC 6751), "Globally Reachable: False".
    "192.88.99.0/24",
    "192.168.0.0/16",  # Private-Use (RFC 1918)
    "198.18.0.0/15",  # Benchmarking (RFC 2544)
    "198.51.100.0/24",  # Documentation TEST-NET-2 (RFC 5737)
    "203.0.113.0/24",  # Documentation TEST-NET-3 (RFC 5737)
    # Multicast (RFC 5771; its own registry): not a unicast host. Python calls it global.
    "224.0.0.0/4",
    "240.0.0.0/4",  # Reserved (RFC 1112), incl. Limited Broadcast 255.255.255.255/32 (RFC 919)
)

# "Globally Reachable: True" rows nested inside a refused block above.
_IPV4_GLOBAL_EXCEPTIONS = _v4(
    "192.0.0.9/32",  # Port Control Protocol Anycast (RFC 7723)
    "192.0.0.10/32",  # Traversal Using Relays around NAT Anycast (RFC 8155)
)

# --- IPv6 forms that carry an IPv4 address -----------------------------------------------------

# IPv4-mapped (RFC 4291 2.5.5.2): a dual-stack socket sends these as plain IPv4 packets to the
# embedded address, so the embedded address is exactly the destination: judge it.
_IPV4_MAPPED = IPv6Network("::ffff:0:0/96")

# NAT64 well-known prefix (RFC 6052), "Globally Reachable: True": a DNS64 resolver answers with
# these on IPv6-only networks, so refusing the prefix would break audits there. But the NAT64
# translator that turns them into IPv4 sits in the operator's network, not in our code, and it
# would happily translate 64:ff9b::10.0.0.1 into a connection to the operator's own 10.0.0.1.
# RFC 6052 section 3.1 forbids the well-known prefix for non-global IPv4 addresses; we cannot
# count on the translator enforcing that, so we do: allowed only if the embedded IPv4 (always
# the last 32 bits with this /96) is itself allowed.
_NAT64_WELL_KNOWN = IPv6Network("64:ff9b::/96")

# 6to4 (RFC 3056), registry "N/A": packets go IPv4-encapsulated to the IPv4 address in bits
# 16-47 (`IPv6Address.sixtofour`), so judge that address.
_SIX_TO_FOUR = IPv6Network("2002::/16")

# Refused as a whole, whatever IPv4 address they seem to carry.
_IPV6_REFUSED_WHOLE = _v6(
    # IPv4-compatible (RFC 4291 2.5.5.1, deprecated), incl. :: and ::1: nothing routes them, and
    # a host with an automatic tunnel (Linux sit0) sends them to the embedded IPv4 address.
    "::/96",
    # IPv4-translated (RFC 2765 SIIT, dropped by RFC 6145): delivered by whatever stateless
    # translator the operator's network runs.
    "::ffff:0:0:0/96",
    # Local-use NAT64 prefix (RFC 8215), "Globally Reachable: False": the translator is local by
    # definition, and the operator chooses the prefix length (RFC 6052 2.2: /48 to /96), so
    # where the IPv4 address sits, if anywhere, is not decidable from the address alone.
    "64:ff9b:1::/48",
    # Teredo (RFC 4380), registry "N/A", inside the non-global 2001::/23: reached through a
    # Teredo relay and the client's NAT, with the client IPv4 address obfuscated (XOR) and the
    # server address often private. No mail or web service is published on Teredo.
    "2001::/32",
)

# Global unicast (RFC 4291 2.4, IANA IPv6 Address Space): the only space IANA hands out for
# public hosts. Outside it (besides the forms above) everything is special or unallocated:
# ::/8 leftovers, 100::/64 Discard-Only (RFC 6666), 100:0:0:1::/64 Dummy (RFC 9780),
# 5f00::/16 SRv6 SIDs (RFC 9602), fc00::/7 Unique-Local (RFC 4193), fe80::/10 Link-Local,
# fec0::/10 Site-Local (deprecated by RFC 3879; Python 3.11 calls it global), ff00::/8 multicast.
_IPV6_GLOBAL_UNICAST = IPv6Network("2000::/3")

# Blocks inside 2000::/3 that are not globally reachable.
_IPV6_REFUSED = _v6(
    # IETF Protocol Assignments (RFC 2928), incl. 2001:2::/48 Benchmarking (RFC 5180) and
    # 2001:10::/28, the deprecated ORCHID (RFC 4843, registry "N/A"). Exceptions below.
    "2001::/23",
    "2001:db8::/32",  # Documentation (RFC 3849)
    "3fff::/20",  # Documentation (RFC 9637)
)

# "Globally Reachable: True" rows nested inside 2001::/23.
_IPV6_GLOBAL_EXCEPTIONS = _v6(
    "2001:1::1/128",  # Port Control Protocol Anycast (RFC 7723)
    "2001:1::2/128",  # Traversal Using Relays around NAT Anycast (RFC 8155)
    "2001:1::3/128",  # DNS-SD Service Registration Protocol Anycast (RFC 9665)
    "2001:3::/32",  # AMT (RFC 7450)
    "2001:4:112::/48",  # AS112-v6 (RFC 7535)
    "2001:20::/28",  # ORCHIDv2 (RFC 7343)
    "2001:30::/28",  # Drone Remote ID Protocol Entity Tags (RFC 9374)
)


def _ipv4_may_connect(ip: IPv4Address) -> bool:
    if any(ip in network for network in _IPV4_GLOBAL_EXCEPTIONS):
        return True
    if any(ip in network for network in _IPV4_REFUSED):
        return False
    return ip.is_global


def _ipv6_may_connect(ip: IPv6Address) -> bool:
    if ip.scope_id:  # "fe80::1%eth0": a zone only means something for non-global scopes
        return False
    if ip in _IPV4_MAPPED:
        return _ipv4_may_connect(IPv4Address(int(ip) & 0xFFFF_FFFF))  # = ip.ipv4_mapped
    if ip in _NAT64_WELL_KNOWN:
        return _ipv4_may_connect(IPv4Address(int(ip) & 0xFFFF_FFFF))
    if ip in _SIX_TO_FOUR:
        return _ipv4_may_connect(IPv4Address((int(ip) >> 80) & 0xFFFF_FFFF))  # = ip.sixtofour
    if any(ip in network for network in _IPV6_REFUSED_WHOLE):
        return False
    if ip not in _IPV6_GLOBAL_UNICAST:
        return False
    if any(ip in network for network in _IPV6_GLOBAL_EXCEPTIONS):
        return True
    if any(ip in network for network in _IPV6_REFUSED):
        return False
    return ip.is_global


def may_connect(address: str | IPv4Address | IPv6Address) -> bool:
    """May a check connect to `address`? True only for a globally reachable address.

    Raises ValueError when `address` is not an IP address at all.
    """
    ip = ipaddress.ip_address(address)
    if isinstance(ip, IPv4Address):
        return _ipv4_may_connect(ip)
    return _ipv6_may_connect(ip)


def ensure_public(address: str, *, allow_private: bool) -> None:
    """Raise ForbiddenAddress unless `address` is globally reachable (or private is allowed).

    Called with the address OUR resolver returned, right before connecting, so a hostile DNS
    answer cannot point a check at the operator's own network.
    """
    ip = ipaddress.ip_address(address)
    if allow_private:
        return
    if not may_connect(ip):
        raise ForbiddenAddress(f"{address} is not a public address; refusing to connect.")

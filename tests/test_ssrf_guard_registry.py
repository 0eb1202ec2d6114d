"""The SSRF guard against the IANA Special-Purpose Address Registries, row by row.

Sources, transcribed by hand (entry, name, RFC, "Globally Reachable" column):

- IANA IPv4 Special-Purpose Address Registry and IANA IPv6 Special-Purpose Address Registry,
  structured by RFC 6890 (Special-Purpose IP Address Registries, BCP 153) and updated by
  RFC 8190, with the later entries their own RFCs added (up to 100:0:0:1::/64, RFC 9780).
- For what the registries do not list: the IPv4 Multicast Address Space (RFC 5771), the IPv6
  Addressing Architecture (RFC 4291: IPv4-compatible and IPv4-mapped, 2.5.5; global unicast
  2000::/3, 2.4; multicast ff00::/8), IPv4-translated addresses (RFC 2765), site-local
  fec0::/10 (deprecated by RFC 3879), the NAT64 address format (RFC 6052), 6to4 (RFC 3056)
  and Teredo (RFC 4380).

Each registry row names its block, one sample address inside it (and outside any more specific
entry, which `test_every_sample_sits_in_its_own_block_only` checks), the registry's value, and
the verdict. A verdict that differs from a True/False registry value says why; so does every
"N/A" row. Each row asserts one verdict for one address, so each can fail: a refused row fails
if the guard lets its sample through, an allowed row fails if the guard refuses it.
"""

from __future__ import annotations

import ipaddress
from typing import NamedTuple

import pytest

from audits.net.guard import ForbiddenAddress, ensure_public, may_connect

NA = None  # the registry's "N/A"


class Entry(NamedTuple):
    block: str
    name: str
    rfc: str
    reachable: bool | None  # the registry's "Globally Reachable"
    sample: str
    allowed: bool  # our verdict for `sample`
    why: str = ""  # required when the verdict is not simply the registry's value


IPV4_REGISTRY = [
    Entry("0.0.0.0/8", "This network", "RFC 791", False, "0.1.2.3", False),
    Entry("0.0.0.0/32", "This host on this network", "RFC 1122", False, "0.0.0.0", False),
    Entry("10.0.0.0/8", "Private-Use", "RFC 1918", False, "10.1.2.3", False),
    Entry("100.64.0.0/10", "Shared Address Space", "RFC 6598", False, "100.64.0.1", False),
    Entry("127.0.0.0/8", "Loopback", "RFC 1122", False, "127.0.0.1", False),
    Entry("169.254.0.0/16", "Link Local", "RFC 3927", False, "169.254.169.254", False),
    Entry("172.16.0.0/12", "Private-Use", "RFC 1918", False, "172.31.255.254", False),
    Entry("192.0.0.0/24", "IETF Protocol Assignments", "RFC 6890", False, "192.0.0.100", False),
    Entry("192.0.0.0/29", "IPv4 Service Continuity Prefix", "RFC 7335", False, "192.0.0.1", False),
    Entry("192.0.0.8/32", "IPv4 dummy address", "RFC 7600", False, "192.0.0.8", False),
    Entry("192.0.0.9/32", "Port Control Protocol Anycast", "RFC 7723", True, "192.0.0.9", True),
    Entry("192.0.0.10/32", "Traversal Using Relays around NAT Anycast", "RFC 8155", True,
          "192.0.0.10", True),
    # One registry entry, two /32 blocks; the sample is the second.
    Entry("192.0.0.170/31", "NAT64/DNS64 Discovery", "RFC 8880, RFC 7050", False, "192.0.0.171",
          False),
    Entry("192.0.2.0/24", "Documentation (TEST-NET-1)", "RFC 5737", False, "192.0.2.1", False),
    Entry("192.31.196.0/24", "AS112-v4", "RFC 7535", True, "192.31.196.1", True),
    Entry("192.52.193.0/24", "AMT", "RFC 7450", True, "192.52.193.1", True),
    Entry("192.88.99.0/24", "Deprecated (6to4 Relay Anycast)", "RFC 7526", NA, "192.88.99.1",
          False, "deprecated anycast relay: whichever instance the local network routes to"),
    Entry("192.88.99.2/32", "6a44-relay anycast address", "RFC 6751", False, "192.88.99.2",
          False),
    Entry("192.168.0.0/16", "Private-Use", "RFC 1918", False, "192.168.0.1", False),
    Entry("192.175.48.0/24", "Direct Delegation AS112 Service", "RFC 7534", True,
          "192.175.48.6", True),
    Entry("198.18.0.0/15", "Benchmarking", "RFC 2544", False, "198.19.255.1", False),
    Entry("198.51.100.0/24", "Documentation (TEST-NET-2)", "RFC 5737", False, "198.51.100.7",
          False),
    Entry("203.0.113.0/24", "Documentation (TEST-NET-3)", "RFC 5737", False, "203.0.113.9",
          False),
    Entry("240.0.0.0/4", "Reserved", "RFC 1112", False, "240.0.0.1", False),
    Entry("255.255.255.255/32", "Limited Broadcast", "RFC 8190, RFC 919", False,
          "255.255.255.255", False),
]  # fmt: skip

IPV6_REGISTRY = [
    Entry("::1/128", "Loopback Address", "RFC 4291", False, "::1", False),
    Entry("::/128", "Unspecified Address", "RFC 4291", False, "::", False),
    Entry("::ffff:0:0/96", "IPv4-mapped Address", "RFC 4291", False, "::ffff:8.8.8.8", True,
          "sent as IPv4 to the embedded address, which is judged instead (see EMBEDDED)"),
    Entry("64:ff9b::/96", "IPv4-IPv6 Translat.", "RFC 6052", True, "64:ff9b::8.8.8.8", True),
    Entry("64:ff9b:1::/48", "IPv4-IPv6 Translat. (local-use)", "RFC 8215", False,
          "64:ff9b:1::808:808", False),
    Entry("100::/64", "Discard-Only Address Block", "RFC 6666", False, "100::1", False),
    Entry("100:0:0:1::/64", "Dummy IPv6 Prefix", "RFC 9780", False, "100:0:0:1::1", False),
    Entry("2001::/23", "IETF Protocol Assignments", "RFC 2928", False, "2001:5::1", False),
    Entry("2001::/32", "TEREDO", "RFC 4380, RFC 8190", NA, "2001:0:4136:e378:8000:63bf:3fff:fdd2",
          False, "tunnel through a relay and the client's NAT; inside the non-global /23"),
    Entry("2001:1::1/128", "Port Control Protocol Anycast", "RFC 7723", True, "2001:1::1", True),
    Entry("2001:1::2/128", "Traversal Using Relays around NAT Anycast", "RFC 8155", True,
          "2001:1::2", True),
    Entry("2001:1::3/128", "DNS-SD Service Registration Protocol Anycast", "RFC 9665", True,
          "2001:1::3", True),
    Entry("2001:2::/48", "Benchmarking", "RFC 5180", False, "2001:2::1", False),
    Entry("2001:3::/32", "AMT", "RFC 7450", True, "2001:3::1", True),
    Entry("2001:4:112::/48", "AS112-v6", "RFC 7535", True, "2001:4:112::1", True),
    Entry("2001:10::/28", "Deprecated (previously ORCHID)", "RFC 4843", NA, "2001:10::1", False,
          "identifiers, not locators; inside the non-global 2001::/23"),
    Entry("2001:20::/28", "ORCHIDv2", "RFC 7343", True, "2001:20::1", True),
    Entry("2001:30::/28", "Drone Remote ID Protocol Entity Tags (DETs) Prefix", "RFC 9374", True,
          "2001:30::1", True),
    Entry("2001:db8::/32", "Documentation", "RFC 3849", False, "2001:db8::1", False),
    Entry("2002::/16", "6to4", "RFC 3056", NA, "2002:808:808::1", True,
          "judged by the embedded IPv4 (here 8.8.8.8; see EMBEDDED)"),
    Entry("2620:4f:8000::/48", "Direct Delegation AS112 Service", "RFC 7534", True,
          "2620:4f:8000::1", True),
    Entry("3fff::/20", "Documentation", "RFC 9637", False, "3fff:fff:ffff::1", False),
    Entry("5f00::/16", "Segment Routing (SRv6) SIDs", "RFC 9602", False, "5f00::1", False),
    Entry("fc00::/7", "Unique-Local", "RFC 4193, RFC 8190", False, "fd12:3456:789a::1", False),
    Entry("fe80::/10", "Link-Local Unicast", "RFC 4291", False, "fe80::1", False),
]  # fmt: skip

REGISTRY = IPV4_REGISTRY + IPV6_REGISTRY


class Case(NamedTuple):
    address: str
    allowed: bool
    why: str


# IPv6 forms that carry an IPv4 address, each with a non-global and a global IPv4 inside.
EMBEDDED = [
    # IPv4-mapped (RFC 4291 2.5.5.2): the embedded IPv4 is the real destination.
    Case("::ffff:127.0.0.1", False, "mapped loopback"),
    Case("::ffff:10.0.0.1", False, "mapped private-use"),
    Case("::ffff:169.254.169.254", False, "mapped link-local (cloud metadata)"),
    Case("::ffff:100.64.0.1", False, "mapped shared address space"),
    Case("::ffff:192.0.0.8", False, "mapped IPv4 dummy address (global for Python 3.11)"),
    Case("::ffff:8.8.8.8", True, "mapped global IPv4"),
    # NAT64 well-known prefix (RFC 6052): allowed only with a global IPv4 inside, since the
    # translator would otherwise reach into the operator's IPv4 network.
    Case("64:ff9b::10.0.0.1", False, "NAT64 to private-use"),
    Case("64:ff9b::127.0.0.1", False, "NAT64 to loopback"),
    Case("64:ff9b::169.254.169.254", False, "NAT64 to link-local (cloud metadata)"),
    Case("64:ff9b::8.8.8.8", True, "NAT64 to a global IPv4"),
    # NAT64 local-use prefix (RFC 8215): refused whatever it carries, at any prefix length.
    Case("64:ff9b:1::10.0.0.1", False, "local NAT64 /96 to private-use"),
    Case("64:ff9b:1::8.8.8.8", False, "local NAT64 /96 to a global IPv4"),
    Case("64:ff9b:1:808:8:800::", False, "local NAT64 /48 to a global IPv4"),
    # 6to4 (RFC 3056): the IPv4 address in bits 16-47 is judged.
    Case("2002:0a00:0001::", False, "6to4 of 10.0.0.1"),
    Case("2002:7f00:1::1", False, "6to4 of 127.0.0.1"),
    Case("2002:a9fe:a9fe::1", False, "6to4 of 169.254.169.254"),
    Case("2002:c058:6301::1", False, "6to4 of 192.88.99.1, the deprecated relay anycast"),
    Case("2002:808:808::1", True, "6to4 of 8.8.8.8"),
    # IPv4-compatible (RFC 4291 2.5.5.1, deprecated): refused whatever it carries.
    Case("::127.0.0.1", False, "compatible loopback"),
    Case("::10.0.0.1", False, "compatible private-use"),
    Case("::8.8.8.8", False, "compatible global IPv4: the whole form is refused"),
    # IPv4-translated (RFC 2765): refused whatever it carries.
    Case("::ffff:0:10.0.0.1", False, "translated private-use"),
    Case("::ffff:0:127.0.0.1", False, "translated loopback"),
    Case("::ffff:0:8.8.8.8", False, "translated global IPv4: the whole form is refused"),
    # Teredo (RFC 4380): server IPv4 in bits 32-63, client IPv4 XOR-obfuscated in bits 96-127.
    Case("2001:0:a00:1::f5ff:fffe", False, "Teredo, server 10.0.0.1, client 10.0.0.1"),
    Case("2001:0:808:808::f7f7:f7f7", False, "Teredo, server and client 8.8.8.8"),
]

# Outside the special-purpose registries, and the edges just past some of its blocks.
BEYOND_REGISTRY = [
    Case("224.0.0.1", False, "IPv4 multicast, link-local (RFC 5771)"),
    Case("233.252.0.1", False, "IPv4 multicast, MCAST-TEST-NET (RFC 6676)"),
    Case("239.255.255.250", False, "IPv4 multicast, administratively scoped"),
    Case("ff02::1", False, "IPv6 multicast, link scope"),
    Case("ff0e::1", False, "IPv6 multicast, global scope: still not a unicast host"),
    Case("fec0::1", False, "site-local (RFC 3879)"),
    Case("feff:ffff::1", False, "site-local, top of fec0::/10"),
    Case("200::1", False, "outside 2000::/3: reserved by the IETF"),
    Case("4000::1", False, "outside 2000::/3: reserved by the IETF"),
    Case("fe80::1%eth0", False, "link-local with a zone"),
    Case("2a07:b0c0::1%eth0", False, "a zone on a global address pins a local interface"),
    Case("8.8.8.8", True, "global unicast IPv4"),
    Case("185.70.42.1", True, "global unicast IPv4"),
    Case("1.1.1.1", True, "global unicast IPv4"),
    Case("2a07:b0c0::1", True, "global unicast IPv6"),
    Case("2606:4700:4700::1111", True, "global unicast IPv6"),
    Case("100.63.255.255", True, "just below 100.64.0.0/10"),
    Case("100.128.0.0", True, "just above 100.64.0.0/10"),
    Case("172.32.0.1", True, "just above 172.16.0.0/12"),
    Case("192.0.1.1", True, "just above 192.0.0.0/24"),
    Case("198.20.0.1", True, "just above 198.18.0.0/15"),
    Case("223.255.255.254", True, "just below multicast"),
    Case("2001:200::1", True, "just above 2001::/23"),
    Case("3fff:1000::1", True, "just above 3fff::/20"),
    Case("3ffe::1", True, "just below 3fff::/20"),
    Case("2003::1", True, "just above 2002::/16"),
]

REFUSED = [e.sample for e in REGISTRY if not e.allowed] + [
    c.address for c in EMBEDDED + BEYOND_REGISTRY if not c.allowed
]


def _check(address: str, allowed: bool) -> None:
    assert may_connect(address) is allowed
    if allowed:
        ensure_public(address, allow_private=False)
    else:
        with pytest.raises(ForbiddenAddress, match="not a public address"):
            ensure_public(address, allow_private=False)


@pytest.mark.parametrize("entry", REGISTRY, ids=lambda e: f"{e.block} {e.name} {e.sample}")
def test_registry_entry_verdict(entry: Entry) -> None:
    _check(entry.sample, entry.allowed)


@pytest.mark.parametrize("case", EMBEDDED, ids=lambda c: f"{c.address} {c.why}")
def test_embedded_ipv4_verdict(case: Case) -> None:
    _check(case.address, case.allowed)


@pytest.mark.parametrize("case", BEYOND_REGISTRY, ids=lambda c: f"{c.address} {c.why}")
def test_verdict_beyond_the_registry(case: Case) -> None:
    _check(case.address, case.allowed)


@pytest.mark.parametrize("address", REFUSED)
def test_allow_private_networks_lets_every_refused_address_through(address: str) -> None:
    ensure_public(address, allow_private=True)


def test_every_sample_sits_in_its_own_block_only() -> None:
    """A sample inside a more specific entry would test that entry, not its own."""
    for entry in REGISTRY:
        block = ipaddress.ip_network(entry.block)
        sample = ipaddress.ip_address(entry.sample.split("%")[0])
        assert sample in block, entry
        for other in REGISTRY:
            inner = ipaddress.ip_network(other.block)
            if inner.version == block.version and inner != block and inner.subnet_of(block):
                assert sample not in inner, (entry, other)


def test_verdicts_follow_the_registry_or_say_why() -> None:
    for entry in REGISTRY:
        if entry.reachable is NA or entry.allowed != entry.reachable:
            assert entry.why, entry
        else:
            assert not entry.why, entry


def test_not_an_address_is_an_error_not_a_verdict() -> None:
    with pytest.raises(ValueError):
        ensure_public("localhost", allow_private=False)

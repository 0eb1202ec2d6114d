"""Any number of zones like good.test (gen01.test, gen02.test, ...), for benchmarks and their test.

Each is good.test renamed: every string of its Zone and Domain that names good.test (records,
host names, MTA-STS policy, pages, WKD address) names the new zone instead, and the zone gets its
own index, so its own addresses, certificates, DKIM keys and servers. Deriving them from GOOD,
rather than restating it, keeps them in step with whatever good.test becomes.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from functools import cache
from typing import TypeVar

from tests.testnet.zones import GOOD, ZONES, Domain, Zone, domain_named

T = TypeVar("T")

# Above the hand-written zones; addresses are 127.<subnet>.<index>.<octet>, so 254 at most.
FIRST_INDEX = 10
MAX_INDEX = 254


def _renamed(value: T, old: str, new: str) -> T:
    """`value` with `old` replaced by `new` in every string inside it, however deeply nested."""
    result: object
    if isinstance(value, enum.Enum):
        result = value  # before the str case: a StrEnum member must stay a member
    elif isinstance(value, str):
        result = value.replace(old, new)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: _renamed(getattr(value, f.name), old, new)
            for f in dataclasses.fields(value)
            if f.init
        }
        result = dataclasses.replace(value, **changes)
    elif isinstance(value, tuple):
        result = tuple(_renamed(item, old, new) for item in value)
    elif isinstance(value, Mapping):
        result = {_renamed(k, old, new): _renamed(v, old, new) for k, v in value.items()}
    else:
        result = value
    return result  # type: ignore[return-value]


def zone_name(index: int) -> str:
    return f"gen{index:02d}.test"


def good_like(name: str, index: int) -> tuple[Zone, Domain]:
    """good.test under another name and address block, with the expectations of good.test."""
    zone = dataclasses.replace(_renamed(GOOD, GOOD.name, name), index=index)
    domain = _renamed(domain_named(GOOD.name), GOOD.name, name)
    return zone, domain


@cache  # called for every lookup of Instance.zones; the zones are immutable
def generated_zones(
    count: int, first_index: int = FIRST_INDEX
) -> tuple[tuple[Zone, ...], tuple[Domain, ...]]:
    """`count` good.test-like zones with indexes first_index.., named gen01.test.., and their
    Domains. Raises ValueError when an index would collide with ZONES or pass 254."""
    indexes = range(first_index, first_index + count)
    taken = {zone.index for zone in ZONES}
    if count < 0 or (count and (indexes[-1] > MAX_INDEX or taken & set(indexes))):
        raise ValueError(f"indexes {first_index}..{first_index + count - 1} are not free")
    pairs = [good_like(zone_name(number), index) for number, index in enumerate(indexes, 1)]
    return tuple(z for z, _ in pairs), tuple(d for _, d in pairs)

"""SPF record syntax (RFC 7208 section 4.6 and 12, ABNF), without any DNS.

`parse_record` turns one record into terms or raises SpfSyntaxError; the whole record is checked
before evaluation starts, because RFC 7208 4.6 makes a syntax error anywhere a permerror even
if an earlier mechanism would have matched.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

VERSION = "v=spf1"
QUALIFIERS = {"+": "pass", "-": "fail", "~": "softfail", "?": "neutral"}
# Mechanisms and modifiers that cost a DNS lookup (RFC 7208 4.6.4).
LOOKUP_TERMS = frozenset({"include", "a", "mx", "ptr", "exists", "redirect"})

_MECHANISM = re.compile(r"^([+\-~?]?)(all|include|a|mx|ptr|ip4|ip6|exists)(?=$|[:/])(.*)$", re.I)
_MODIFIER = re.compile(r"^([A-Za-z][A-Za-z0-9\-_.]*)=(.*)$")
# macro-expand (RFC 7208 7.1): %{letter digits [r] delimiters}, %%, %_ or %-.
_MACRO_EXPAND = re.compile(r"%\{([A-Za-z])(\d*)([rR]?)([.\-+,/_=]*)\}|%[%_-]")
_DOMAIN_MACRO_LETTERS = set("slodipvh")
_EXP_MACRO_LETTERS = _DOMAIN_MACRO_LETTERS | set("crt")
_TOPLABEL = re.compile(
    r"^(?:[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*|[A-Za-z0-9]+-[A-Za-z0-9-]*[A-Za-z0-9])$"
)
_CIDR4 = r"(?:/(0|[1-9]\d?))?"
_CIDR6 = r"(?://(0|[1-9]\d{0,2}))?"
_DUAL_CIDR = re.compile(r"^(.*?)" + _CIDR4 + _CIDR6 + "$", re.S)


class SpfSyntaxError(ValueError):
    """The record breaks RFC 7208's grammar: a permerror."""


@dataclass(frozen=True)
class Mechanism:
    qualifier: str  # "+", "-", "~" or "?"
    name: str  # lower case: all, include, a, mx, ptr, ip4, ip6, exists
    domain: str | None = None  # domain-spec (macros unexpanded) or the ip4/ip6 network
    cidr4: int | None = None
    cidr6: int | None = None

    @property
    def result(self) -> str:
        return QUALIFIERS[self.qualifier]

    def __str__(self) -> str:
        text = ("" if self.qualifier == "+" else self.qualifier) + self.name
        if self.domain is not None:
            text += f":{self.domain}"
        if self.cidr4 is not None:
            text += f"/{self.cidr4}"
        if self.cidr6 is not None:
            text += f"//{self.cidr6}"
        return text


@dataclass(frozen=True)
class SpfRecord:
    mechanisms: tuple[Mechanism, ...]
    redirect: str | None = None
    exp: str | None = None
    unknown_modifiers: tuple[tuple[str, str], ...] = ()

    @property
    def lookup_terms(self) -> int:
        """DNS-querying terms in this record alone (not counting nested records)."""
        count = sum(1 for m in self.mechanisms if m.name in LOOKUP_TERMS)
        return count + (1 if self.redirect is not None else 0)

    @property
    def all_mechanism(self) -> Mechanism | None:
        return next((m for m in self.mechanisms if m.name == "all"), None)


def is_spf_record(text: str) -> bool:
    """RFC 7208 4.5: exactly "v=spf1" (any case) followed by a space or the end."""
    head = text[: len(VERSION) + 1]
    return head.lower() == VERSION or head.lower() == VERSION + " "


def check_macro_string(value: str, *, explanation: bool = False) -> None:
    """Raise SpfSyntaxError unless `value` is a valid macro-string (RFC 7208 7.1)."""
    allowed = _EXP_MACRO_LETTERS if explanation else _DOMAIN_MACRO_LETTERS
    pos = 0
    while pos < len(value):
        char = value[pos]
        if char == "%":
            match = _MACRO_EXPAND.match(value, pos)
            if match is None:
                raise SpfSyntaxError(f"Invalid macro at {value[pos : pos + 8]!r}")
            letter = match.group(1)
            if letter is not None and letter.lower() not in allowed:
                raise SpfSyntaxError(f"Macro letter {letter!r} is not allowed here")
            pos = match.end()
            continue
        # macro-literal is %x21-24 / %x26-7E; explanation text may contain spaces too.
        if not ("\x21" <= char <= "\x7e" or (explanation and char == " ")):
            raise SpfSyntaxError(f"Invalid character {char!r} in {value!r}")
        pos += 1


def check_domain_spec(spec: str) -> None:
    """domain-spec = macro-string domain-end; domain-end = "." toplabel ["."] / macro-expand."""
    if not spec:
        raise SpfSyntaxError("Empty domain-spec")
    check_macro_string(spec)
    expansions = list(_MACRO_EXPAND.finditer(spec))
    last = expansions[-1] if expansions else None
    if last is not None and last.end() == len(spec) and last.group(0).startswith("%{"):
        return
    body = spec[:-1] if spec.endswith(".") else spec
    head, dot, toplabel = body.rpartition(".")
    if not dot or not head or not _TOPLABEL.match(toplabel):
        raise SpfSyntaxError(f"{spec!r} does not end in a valid top-level label")


def parse_record(text: str) -> SpfRecord:
    if not is_spf_record(text):
        raise SpfSyntaxError("Not an SPF record (no v=spf1)")
    # RFC 7208 3.1 / 12: records are 7-bit ASCII, terms separated by SP only.
    for char in text:
        if not (" " <= char <= "~"):
            raise SpfSyntaxError(f"Character {char!r} is not allowed in an SPF record")
    mechanisms: list[Mechanism] = []
    modifiers: dict[str, str] = {}
    unknown: list[tuple[str, str]] = []
    for term in text[len(VERSION) :].split(" "):
        if not term:
            continue
        mech = _MECHANISM.match(term)
        if mech is not None:
            mechanisms.append(
                _parse_mechanism(mech.group(1) or "+", mech.group(2).lower(), mech.group(3))
            )
            continue
        mod = _MODIFIER.match(term)
        if mod is None:
            raise SpfSyntaxError(f"Unknown term {term!r}")
        name, value = mod.group(1).lower(), mod.group(2)
        if name in ("redirect", "exp"):
            if name in modifiers:
                raise SpfSyntaxError(f"{name}= appears more than once (RFC 7208 6)")
            check_domain_spec(value)
            modifiers[name] = value
        else:
            check_macro_string(value)
            unknown.append((name, value))
    return SpfRecord(
        tuple(mechanisms), modifiers.get("redirect"), modifiers.get("exp"), tuple(unknown)
    )


def _parse_mechanism(qualifier: str, name: str, rest: str) -> Mechanism:
    if name == "all":
        if rest:
            raise SpfSyntaxError(f"'all' takes no argument: {rest!r}")
        return Mechanism(qualifier, name)
    if name in ("include", "exists"):
        if not rest.startswith(":"):
            raise SpfSyntaxError(f"'{name}' needs a domain")
        check_domain_spec(rest[1:])
        return Mechanism(qualifier, name, rest[1:])
    if name == "ptr":
        if not rest:
            return Mechanism(qualifier, name)
        if not rest.startswith(":"):
            raise SpfSyntaxError(f"'ptr' takes no CIDR length: {rest!r}")
        check_domain_spec(rest[1:])
        return Mechanism(qualifier, name, rest[1:])
    if name in ("a", "mx"):
        match = _DUAL_CIDR.match(rest)
        assert match is not None  # the pattern matches any string
        spec, cidr4, cidr6 = match.groups()
        if spec and not spec.startswith(":"):
            raise SpfSyntaxError(f"Invalid '{name}' argument {rest!r}")
        domain = spec[1:] if spec else None
        if domain is not None:
            check_domain_spec(domain)
        c4 = _bounded(cidr4, 32)
        c6 = _bounded(cidr6, 128)
        return Mechanism(qualifier, name, domain, c4, c6)
    return _parse_ip(qualifier, name, rest)


def _parse_ip(qualifier: str, name: str, rest: str) -> Mechanism:
    if not rest.startswith(":"):
        raise SpfSyntaxError(f"'{name}' needs an address")
    address, slash, length = rest[1:].partition("/")
    limit = 32 if name == "ip4" else 128
    cidr = None
    if slash:
        if not re.fullmatch(r"0|[1-9]\d{0,2}", length):
            raise SpfSyntaxError(f"Invalid CIDR length in {rest!r}")
        cidr = _bounded(length, limit)
    try:
        ip = ipaddress.ip_address(address)
    except ValueError as exc:
        raise SpfSyntaxError(f"Invalid address {address!r}") from exc
    if ip.version != (4 if name == "ip4" else 6):
        raise SpfSyntaxError(f"{address!r} is not an {name} address")
    if name == "ip4":
        return Mechanism(qualifier, name, address, cidr4=cidr)
    return Mechanism(qualifier, name, address, cidr6=cidr)


def _bounded(length: str | None, limit: int) -> int | None:
    if length is None:
        return None
    value = int(length)
    if value > limit:
        raise SpfSyntaxError(f"CIDR length /{value} is over {limit}")
    return value

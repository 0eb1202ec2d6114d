"""Domain names, DKIM selectors and mail addresses as people type them, made into what is audited.

Shared by the admin (model validation), the `audit` command and the audit runner, so a name means
the same thing wherever it is typed. Names follow IDNA2008 (RFC 5890-5893) with UTS #46
non-transitional processing, through the `idna` package: "straße.de" stays straße.de
(xn--strae-oqa.de), as browsers and registries treat it today. Python's built-in "idna" codec is
IDNA2003 (transitional: it would audit strasse.de, another domain) and is never used.
"""

from __future__ import annotations

import ipaddress
import os
import unicodedata
from dataclasses import dataclass

import idna
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_NAME_OCTETS = 253  # RFC 1035 2.3.4: 255 octets on the wire, 253 in text without the root dot
MAX_LABEL_OCTETS = 63  # RFC 1035 2.3.4
MAX_LOCAL_PART_OCTETS = 64  # RFC 5321 4.5.3.1.1

# Names no provider can have on the Internet: RFC 6761 and the IANA Special-Use Domain Names
# registry, plus the ICANN-reserved ".internal". Keyed by their last labels.
SPECIAL_USE: dict[str, str] = {
    "home.arpa": "is for home networks (RFC 8375)",
    "arpa": "is the DNS's own infrastructure domain (RFC 3172), not a service",
    "localhost": "names this machine (RFC 6761 section 6.3)",
    "invalid": "is guaranteed never to exist (RFC 6761 section 6.4)",
    "example": "is reserved for documentation (RFC 6761 section 6.5)",
    "local": "is multicast DNS on the local link only (RFC 6762)",
    "onion": "is a Tor onion service, not reachable through the DNS (RFC 7686)",
    "alt": "is for names outside the DNS (RFC 9476)",
    "internal": "is reserved for private networks (ICANN, 2024)",
    "localdomain": "names this machine's local network, not a service on the Internet",
}
# RFC 6761 section 6.2: ".test" is for testing. Allowed only where the local test network is
# (AUDIT_ALLOW_PRIVATE_NETWORKS); the domains of real providers never end in it.
TEST_TLD = "test"
TEST_REASON = (
    "is reserved for testing (RFC 6761 section 6.2); it is accepted only with "
    "AUDIT_ALLOW_PRIVATE_NETWORKS set, for the local test network"
)


class InvalidDomain(ValueError):
    """A name that cannot be audited; the message says why in plain words."""


@dataclass(frozen=True)
class DomainName:
    """A name as typed, and the name audited in its two forms (RFC 5890 2.3.2.1)."""

    typed: str
    ascii: str  # A-labels, lower case, no root dot: what DNS and TLS see
    unicode: str  # U-labels: what people read
    changes: tuple[str, ...] = ()  # how the name audited differs from the name typed

    @property
    def display(self) -> str:
        """Both forms when they differ, so nobody has to decode xn-- by eye."""
        return self.ascii if self.unicode == self.ascii else f"{self.unicode} ({self.ascii})"


def private_networks_allowed() -> bool:
    """AUDIT_ALLOW_PRIVATE_NETWORKS, for validation outside the audit (the admin's forms).

    Only the values audits/net/config.py reads as true count; that module reports malformed ones.
    """
    raw = os.environ.get("AUDIT_ALLOW_PRIVATE_NETWORKS", "")
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def normalise_name(raw: str, *, allow_test: bool = False) -> DomainName:
    """The A-label and U-label forms of `raw`, or InvalidDomain saying what is wrong with it."""
    typed = (raw or "").strip()
    _refuse_what_is_not_a_name(raw, typed)
    try:
        # UTS #46 section 4 steps 1-2: map (case, width, compatibility), NFC. Non-transitional,
        # so ß, ς and the joiners are kept; STD3 rules, as for host names.
        mapped = idna.uts46_remap(typed, std3_rules=True, transitional=False)
    except idna.IDNAError as exc:
        raise InvalidDomain(f"{raw!r} {_explain(exc)}.") from exc
    if mapped.endswith("."):
        mapped = mapped[:-1]  # the root label of a fully qualified name
    if not mapped:
        raise InvalidDomain(f"{raw!r} is empty once UTS #46 removes its invisible characters.")
    labels = mapped.split(".")
    if any(label == "" for label in labels):
        raise InvalidDomain(f"{raw!r} has an empty label (two dots in a row).")
    a_labels = [_a_label(repr(raw), label) for label in labels]
    ascii_name = ".".join(a_labels)
    if len(ascii_name) > MAX_NAME_OCTETS:
        raise InvalidDomain(
            f"The domain is {len(ascii_name)} octets long as A-labels; the limit is "
            f"{MAX_NAME_OCTETS} (RFC 1035 section 2.3.4)."
        )
    _refuse_unroutable(raw, ascii_name, a_labels, allow_test)
    unicode_name = ".".join(idna.ulabel(label) for label in a_labels)
    return DomainName(typed, ascii_name, unicode_name, _changes(typed))


def to_unicode(ascii_name: str) -> str:
    """The U-label form of an A-label name for display; the name itself if it does not decode."""
    try:
        return ".".join(idna.ulabel(label) for label in ascii_name.split("."))
    except (idna.IDNAError, UnicodeError):
        return ascii_name


def display_name(ascii_name: str) -> str:
    """ "straße.de (xn--strae-oqa.de)" for an A-label name, the name itself when all ASCII."""
    unicode_name = to_unicode(ascii_name)
    return ascii_name if unicode_name == ascii_name else f"{unicode_name} ({ascii_name})"


def _refuse_what_is_not_a_name(raw: str, typed: str) -> None:
    if not typed:
        raise InvalidDomain("The domain is empty.")
    if any(mark in typed for mark in ("://", "/", "@", ":")):
        raise InvalidDomain(
            f"{raw!r} is not a bare domain name (no scheme, path, port or address)."
        )
    try:
        ipaddress.ip_address(typed)
    except ValueError:
        return
    raise InvalidDomain(f"{raw!r} is an IP address, not a domain name.")


def _a_label(subject: str, label: str) -> str:
    """The A-label of one mapped label; `subject` names what it belongs to in the message."""
    if label.isascii() and len(label) > MAX_LABEL_OCTETS:
        raise InvalidDomain(
            f"{subject} has a label of {len(label)} octets; the limit is {MAX_LABEL_OCTETS} "
            "(RFC 1035 section 2.3.4)."
        )
    try:
        # RFC 5891 section 4: the label's code points, hyphens, joiners (CONTEXTJ) and bidi rule.
        # An ASCII label that starts with "xn--" is decoded and checked as its U-label.
        return idna.alabel(label).decode("ascii")
    except idna.IDNAError as exc:
        reason = _explain(exc)
        raise InvalidDomain(f"{subject} has an invalid label {label!r}: it {reason}.") from exc


def _refuse_unroutable(raw: str, ascii_name: str, labels: list[str], allow_test: bool) -> None:
    if len(labels) < 2:
        raise InvalidDomain(f"{raw!r} has no parent domain; give a fully qualified name.")
    if labels[-1].isdigit():
        try:
            ipaddress.ip_address(ascii_name)
        except ValueError:
            # RFC 3696 section 2: a top-level domain is never all-numeric.
            raise InvalidDomain(f"{raw!r} ends in an all-numeric label.") from None
        raise InvalidDomain(f"{raw!r} is an IP address, not a domain name.")
    for suffix, reason in SPECIAL_USE.items():
        if ascii_name == suffix or ascii_name.endswith("." + suffix):
            raise InvalidDomain(f"{raw!r} is a special-use name: .{suffix} {reason}.")
    if labels[-1] == TEST_TLD and not allow_test:
        raise InvalidDomain(f"{raw!r} is a special-use name: .{TEST_TLD} {TEST_REASON}.")


def _explain(exc: idna.IDNAError) -> str:
    """The idna package's complaint as a phrase that names the character and the rule."""
    text = str(exc)
    for char in _named_code_points(text):
        if isinstance(exc, idna.InvalidCodepointContext):
            return (
                f"has {char} where IDNA2008 does not allow it (joiners only in the contexts "
                "of RFC 5892 appendix A.1 and A.2)"
            )
        return f"has a character that is not allowed in domain names: {char}"
    if isinstance(exc, idna.IDNABidiError):
        return "mixes right-to-left and left-to-right text in a way RFC 5893 does not allow"
    if "start or end with a hyphen" in text:
        return "starts or ends with a hyphen (RFC 5891 section 4.2.3.1)"
    if "hyphen" in text:
        return "has hyphens in its 3rd and 4th positions (RFC 5891 section 4.2.3.1)"
    if "too long" in text.lower():
        return f"is longer than {MAX_LABEL_OCTETS} octets as an A-label (RFC 1035 section 2.3.4)"
    return f"is not valid under IDNA2008 ({text})"


def _named_code_points(text: str) -> list[str]:
    """'U+200D ZERO WIDTH JOINER' for every U+XXXX the idna package names in its message."""
    found = []
    for word in text.replace("'", " ").split():
        if word.startswith("U+") and len(word) >= 6:
            try:
                char = chr(int(word[2:].rstrip(".,"), 16))
            except ValueError:
                continue
            found.append(_code_point(char))
    return found


def _code_point(char: str) -> str:
    return f"U+{ord(char):04X} {unicodedata.name(char, 'unnamed character')}"


def _changes(typed: str) -> tuple[str, ...]:
    """How UTS #46 turned what was typed into the name audited, one sentence per kind."""
    text = typed[:-1] if typed.endswith(".") else typed
    if idna.uts46_remap(text, std3_rules=True, transitional=False) == text:
        return ()  # typed as U-labels or A-labels, exactly as audited
    changes: list[str] = []
    cased = []
    for char in dict.fromkeys(text):
        mapped = idna.uts46_remap(char, std3_rules=False, transitional=False)
        if mapped == char:
            continue
        if mapped == "":
            changes.append(f"removed the invisible character {_code_point(char)} (UTS #46)")
        elif char.isupper() and mapped == char.lower():
            cased.append(char)
        else:
            changes.append(f"read {char!r} ({_code_point(char)}) as {mapped!r} (UTS #46)")
    if cased:
        changes.insert(0, f"lower-cased the upper-case letters {' '.join(cased)}")
    if not changes:
        changes.append("normalised to Unicode NFC")
    return tuple(changes)


# --- DKIM selectors ------------------------------------------------------------------------


def normalise_selector(raw: str) -> str:
    """A DKIM selector in A-label form, or InvalidDomain saying why it is not one.

    RFC 6376 section 3.1: `selector = sub-domain *( "." sub-domain )`, labels as in host names,
    queried at <selector>._domainkey.<domain>; RFC 8616 section 4 allows U-labels (sent as
    A-labels).
    """
    text = (raw or "").strip()
    if not text:
        raise InvalidDomain("The DKIM selector is empty.")
    if "_domainkey" in text.lower().split("."):
        raise InvalidDomain(f"Give the selector only, without ._domainkey: {raw!r}.")
    try:
        mapped = idna.uts46_remap(text, std3_rules=True, transitional=False)
    except idna.IDNAError as exc:
        raise InvalidDomain(f"The DKIM selector {raw!r} {_explain(exc)}.") from exc
    labels = mapped.split(".")
    if any(label == "" for label in labels):
        raise InvalidDomain(f"The DKIM selector {raw!r} has an empty label.")
    return ".".join(_a_label(f"The DKIM selector {raw!r}", label) for label in labels)


def dkim_name(selector: str, domain: str) -> str:
    """<selector>._domainkey.<domain>, refused when longer than DNS allows."""
    name = f"{selector}._domainkey.{domain}"
    if len(name) > MAX_NAME_OCTETS:
        raise InvalidDomain(
            f"The DKIM name {name} is {len(name)} octets long; the limit is {MAX_NAME_OCTETS}."
        )
    return name


# --- Mail addresses ------------------------------------------------------------------------


@dataclass(frozen=True)
class MailAddress:
    local: str  # as typed: local parts are case-sensitive (RFC 5321 2.4)
    domain: DomainName

    @property
    def ascii(self) -> str:
        return f"{self.local}@{self.domain.ascii}"

    @property
    def display(self) -> str:
        unicode_form = f"{self.local}@{self.domain.unicode}"
        return self.ascii if unicode_form == self.ascii else f"{unicode_form} ({self.ascii})"


def normalise_address(raw: str, *, allow_test: bool = False) -> MailAddress:
    """local@domain with the domain normalised (normalise_name), or InvalidDomain."""
    text = (raw or "").strip()
    local, at, domain = text.rpartition("@")
    if not at or not local:
        raise InvalidDomain(f"{raw!r} is not a mail address (local@domain).")
    if len(local.encode("utf-8")) > MAX_LOCAL_PART_OCTETS:
        raise InvalidDomain(
            f"The local part of {raw!r} is longer than {MAX_LOCAL_PART_OCTETS} octets "
            "(RFC 5321 section 4.5.3.1.1)."
        )
    if any(char.isspace() or unicodedata.category(char) == "Cc" for char in local):
        raise InvalidDomain(f"The local part of {raw!r} has spaces or control characters.")
    return MailAddress(local, normalise_name(domain, allow_test=allow_test))


# --- Model validation ----------------------------------------------------------------------


def validate_domain_name(value: str) -> None:
    try:
        normalise_name(value, allow_test=private_networks_allowed())
    except InvalidDomain as exc:
        raise ValidationError(
            _("%(reason)s"), params={"reason": str(exc)}, code="invalid_domain"
        ) from exc


def validate_dkim_selectors(value: str) -> None:
    """Comma-separated selectors, as ServiceDomain.dkim_selectors holds them."""
    for selector in filter(None, (part.strip() for part in (value or "").split(","))):
        try:
            normalise_selector(selector)
        except InvalidDomain as exc:
            raise ValidationError(
                _("%(reason)s"), params={"reason": str(exc)}, code="invalid_selector"
            ) from exc

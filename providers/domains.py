"""Domain-name normalisation and validation, shared by the admin, the seed and the audit command."""

from __future__ import annotations

import ipaddress
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# RFC 1035 / RFC 1123 host labels, after IDNA conversion to A-labels.
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_RESERVED_NAMES = {"localhost", "localhost.localdomain"}


class InvalidDomain(ValueError):
    """A domain name that cannot be audited; the message says why in plain words."""


def normalise_domain(raw: str) -> str:
    """Return the lowercase A-label form of `raw`, or raise InvalidDomain explaining the problem."""
    text = (raw or "").strip()
    if not text:
        raise InvalidDomain("The domain is empty.")
    if "://" in text or "/" in text or "@" in text or ":" in text:
        raise InvalidDomain(
            f"{raw!r} is not a bare domain name (no scheme, path, port or address)."
        )
    try:
        ipaddress.ip_address(text)
    except ValueError:
        pass
    else:
        raise InvalidDomain(f"{raw!r} is an IP address, not a domain name.")
    text = text.rstrip(".")
    if any(label == "" for label in text.split(".")):
        raise InvalidDomain(f"{raw!r} has an empty label (two dots in a row).")
    if text.isascii():
        ascii_name = text.lower()
    else:
        try:
            ascii_name = text.encode("idna").decode("ascii").lower()
        except UnicodeError as exc:
            raise InvalidDomain(f"{raw!r} is not a valid internationalised domain name.") from exc
    if len(ascii_name) > 253:
        raise InvalidDomain(f"The domain is {len(ascii_name)} characters long; the limit is 253.")
    labels = ascii_name.split(".")
    if len(labels) < 2:
        raise InvalidDomain(f"{raw!r} has no parent domain; give a fully qualified name.")
    for label in labels:
        if not _LABEL.match(label):
            raise InvalidDomain(f"{raw!r} has an invalid label {label!r}.")
    if ascii_name in _RESERVED_NAMES or labels[-1] == "localhost":
        raise InvalidDomain(f"{raw!r} names this machine, not a service on the Internet.")
    return ascii_name


def validate_domain_name(value: str) -> None:
    try:
        normalise_domain(value)
    except InvalidDomain as exc:
        raise ValidationError(
            _("%(reason)s"), params={"reason": str(exc)}, code="invalid_domain"
        ) from exc

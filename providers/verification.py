"""The providers app's extension point for automated verification.

The comparison's `verified` filter needs the audit results, which live in the audits app; providers
cannot import audits (audits depends on providers). So audits registers, at start-up, the checks a
visitor can filter on and how to filter on them (`audits.verification.register`). Until it has,
there is nothing to filter on, and `verified=...` is rejected as an unknown check.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet


@dataclass(frozen=True)
class VerifiedFilter:
    choices: Callable[[], Sequence[tuple[str, Any]]]
    apply: Callable[[QuerySet, list[str]], QuerySet]


_registered = VerifiedFilter(choices=lambda: (), apply=lambda queryset, _keys: queryset.none())


def register_verified_filter(
    choices: Callable[[], Sequence[tuple[str, Any]]],
    apply: Callable[[QuerySet, list[str]], QuerySet],
) -> None:
    global _registered
    _registered = VerifiedFilter(choices, apply)


def verified_choices() -> list[tuple[str, Any]]:
    return list(_registered.choices())


def filter_verified(queryset: QuerySet, keys: list[str]) -> QuerySet:
    """Services whose latest audit passes every check in `keys` on every audited domain."""
    return _registered.apply(queryset, keys)

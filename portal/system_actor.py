"""The named account that changes made by the software itself (the seed loader) are recorded under.

Without it such changes had no user: the history said "None" and the admin "Deleted user", which
reads like a gap in the record. The account can never sign in: it is inactive, has no usable
password, is not staff and is in no group, so nothing that lists or mails staff includes it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ImproperlyConfigured
from simple_history.models import HistoricalRecords

SYSTEM_USERNAME = "mailvet-system"


def system_user() -> AbstractUser:
    user, created = get_user_model().objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"first_name": "System", "last_name": "(seed loader)", "is_active": False},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    elif user.is_active or user.is_staff or user.is_superuser or user.has_usable_password():
        # Someone made the name a real account: attributing the software's changes to a person
        # (or letting anyone sign in as the software) would falsify the history. Stop instead.
        raise ImproperlyConfigured(
            f"The user {SYSTEM_USERNAME!r} can sign in; it is reserved for changes the software "
            "makes. Rename that account, then run the command again."
        )
    return user


@contextmanager
def recorded_as(user: AbstractUser) -> Iterator[None]:
    """Attribute every history record written inside the block to `user`.

    simple-history takes the user from the current request (its middleware stores it per
    thread); a command has none, so this stands in for one. Unlike setting `_history_user` on
    each object, it also covers the records no loader code holds the object of: cascaded
    deletes, many-to-many changes and `bulk_create_with_history` (via its default user).
    """
    context = HistoricalRecords.context
    previous = getattr(context, "request", None)
    context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        if previous is None:
            del context.request
        else:
            context.request = previous

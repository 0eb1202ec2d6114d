"""Create editors and publishers with both factors ready: password, TOTP device, backup codes."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .roles import EDITORS, PUBLISHERS, sync_roles
from .system_actor import SYSTEM_USERNAME

# Operators are superusers: they run the site and are in no editorial group.
ROLES = {"editor": EDITORS, "publisher": PUBLISHERS, "operator": None}
BACKUP_CODE_COUNT = 5


@dataclass(frozen=True)
class Credentials:
    username: str
    role: str
    password: str
    totp_uri: str
    backup_codes: tuple[str, ...]


class AccountExists(Exception):
    pass


@transaction.atomic
def create_staff_member(username: str, role: str, email: str = "") -> Credentials:
    """Create a staff user in the role's group and return secrets that are shown once only."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {sorted(ROLES)}, not {role!r}")
    if username == SYSTEM_USERNAME:
        # The software's own account (portal/system_actor.py) must never be able to sign in.
        raise ValueError(f"{username!r} is reserved for changes the software makes")
    user_model = get_user_model()
    if user_model.objects.filter(username=username).exists():
        raise AccountExists(username)
    sync_roles()
    password = secrets.token_urlsafe(18)
    user: AbstractUser = user_model.objects.create_user(
        username=username, email=email, password=password, is_staff=True
    )
    group_name = ROLES[role]
    if group_name is None:
        user.is_superuser = True
        user.save(update_fields=["is_superuser"])
    else:
        user.groups.add(Group.objects.get(name=group_name))
    totp = TOTPDevice.objects.create(user=user, name="authenticator app", confirmed=True)
    backup = StaticDevice.objects.create(user=user, name="backup codes", confirmed=True)
    codes = tuple(StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT))
    for code in codes:
        backup.token_set.create(token=code)
    return Credentials(username, role, password, totp.config_url, codes)


def format_credentials(credentials: Credentials) -> str:
    return "\n".join(
        [
            f"  {credentials.role}: {credentials.username}",
            f"    password:      {credentials.password}",
            f"    TOTP (add to an authenticator app): {credentials.totp_uri}",
            f"    backup codes (one use each): {' '.join(credentials.backup_codes)}",
        ]
    )

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from portal.accounts import AccountExists, create_staff_member, format_credentials

DEMO_ACCOUNTS = (("demo-editor", "editor"), ("demo-publisher", "publisher"))


class Command(BaseCommand):
    help = "Create the demo editor and publisher once, printing their secrets that one time."

    def handle(self, *args: Any, **options: Any) -> None:
        for username, role in DEMO_ACCOUNTS:
            try:
                credentials = create_staff_member(username, role)
            except AccountExists:
                self.stdout.write(
                    f"  {role}: {username} exists already (its secrets were printed when it was "
                    f"created; `manage.py changepassword {username}` sets a new password)."
                )
                continue
            self.stdout.write(format_credentials(credentials))

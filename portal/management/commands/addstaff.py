from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.accounts import ROLES, AccountExists, create_staff_member, format_credentials


class Command(BaseCommand):
    help = (
        "Create an editor or publisher with a generated password, a TOTP device and backup codes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", choices=sorted(ROLES), default="editor")
        parser.add_argument("--email", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            credentials = create_staff_member(
                options["username"], options["role"], options["email"]
            )
        except AccountExists as exc:
            raise CommandError(f"A user named {exc} already exists.") from exc
        except ValueError as exc:  # a reserved name
            raise CommandError(str(exc)) from exc
        self.stdout.write("Shown once; hand these over securely:")
        self.stdout.write(format_credentials(credentials))

"""`fengqiao unlock USERNAME`: release a locked account at once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fengqiao.accounts.services import do_release_lockout, is_username_locked


class Command(BaseCommand):
    help = "Release the lock-out of an account after too many failed logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--reason", default="released from the command line")

    def handle(self, *args: Any, username: str, reason: str, **options: Any) -> None:
        was_locked = is_username_locked(username)
        do_release_lockout(username, acting_user=None, reason=reason)
        self.stdout.write(f"{username}: {'released' if was_locked else 'was not locked; count reset'}")

"""`fengqiao token create|list|revoke`: API tokens for the 110 feed, sensors and departments."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from fengqiao.accounts.models import ApiToken
from fengqiao.accounts.services import do_create_token, do_revoke_token


class Command(BaseCommand):
    help = "Create, list or revoke API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token for USERNAME and print it once")
        create.add_argument("username")
        create.add_argument("--name", default="", help="what the token is for, e.g. '110 feed'")
        listing = sub.add_parser("list", help="list tokens (prefixes only)")
        listing.add_argument("username", nargs="?")
        revoke = sub.add_parser("revoke", help="revoke the token with this prefix")
        revoke.add_argument("prefix")
        revoke.add_argument("--reason", default="")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "create":
            self._create(options["username"], options["name"])
        elif action == "list":
            self._list(options.get("username"))
        else:
            self._revoke(options["prefix"], options["reason"])

    def _create(self, username: str, name: str) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"username: no user called {username!r}")
        if not user.is_active:
            raise CommandError(f"username: {username!r} is not active")
        _token, plain = do_create_token(user, name=name)
        self.stdout.write(plain)

    def _list(self, username: str | None) -> None:
        tokens = ApiToken.objects.select_related("user")
        if username:
            tokens = tokens.filter(user__username=username)
        for token in tokens:
            state = "revoked" if token.revoked_at else "active"
            used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never used"
            self.stdout.write(f"{token.prefix}  {token.user.username:<16} {state:<8} {used:<16} {token.name}")

    def _revoke(self, prefix: str, reason: str) -> None:
        token = ApiToken.objects.filter(prefix=prefix).first()
        if token is None:
            raise CommandError(f"prefix: no token starts with {prefix!r}")
        do_revoke_token(token, reason=reason)
        self.stdout.write(f"revoked {prefix}")

"""`manage.py api_token USERNAME [--name NAME] [--revoke]`: print a new API token for an account, or
revoke every token it has. The key is printed once, on standard output alone, so a script can capture it.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core import tokens


class Command(BaseCommand):
    help = "Print a new API token for USERNAME (only its hash is stored), or --revoke all of its tokens."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="command line", help="What the token is for.")
        parser.add_argument("--revoke", action="store_true", help="Revoke every token of USERNAME instead.")

    def handle(self, *args, **options) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(
                f"There is no account named {options['username']!r}; create it with createsuperuser or "
                "in the admin first."
            )
        if options["revoke"]:
            count = tokens.tokens_revoke_all(user=user)
            self.stderr.write(f"Revoked {count} token{'' if count == 1 else 's'} of {user.get_username()}.")
            return
        try:
            _, key = tokens.token_create(user=user, name=options["name"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(key)
        if options["verbosity"] >= 1:
            self.stderr.write(
                f"Token {options['name']!r} for {user.get_username()}: send it as "
                "`Authorization: Bearer <token>`. It is not stored and cannot be shown again."
            )

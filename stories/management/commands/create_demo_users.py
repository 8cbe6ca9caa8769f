"""Create the demo accounts admin, editor and reviewer, for local demos only.

Their password is public (DEMO_PASSWORD, default "fabula-demo"), so the command refuses to run unless
DEBUG is on. Re-running it is safe: it resets the three accounts and never duplicates them.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from stories import services

DEFAULT_PASSWORD = "fabula-demo"


class Command(BaseCommand):
    help = "Create or reset the demo accounts admin/editor/reviewer (password $DEMO_PASSWORD). DEBUG only."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "Refusing to create demo accounts with DEBUG off: their password is published, so anyone "
                "could log in to this server. Use `manage.py createsuperuser` and the admin for real "
                "accounts, or set DEBUG=1 for a local demo."
            )
        password = os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD
        created = services.demo_users_ensure(password=password)
        if options["verbosity"] >= 1:
            for username, is_new in created.items():
                verb = "Created" if is_new else "Reset"
                self.stdout.write(self.style.SUCCESS(f"{verb} demo account {username!r}."))
            # The password itself, not the variable's name: this is what the person types at the login page.
            self.stdout.write(f"Log in as admin, editor or reviewer; password: {password}")

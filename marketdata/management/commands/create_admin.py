"""Create the first admin user (or reset its password)."""

import os
import secrets

from django.core.management.base import BaseCommand

from marketdata.services import admin_user_ensure


class Command(BaseCommand):
    """create_admin [--username admin] [--password PW]; the password defaults to $DJANGO_SUPERUSER_PASSWORD."""

    help = "Create or reset a superuser that can log in to the admin."

    def add_arguments(self, parser):
        parser.add_argument("--username", default=os.environ.get("DJANGO_SUPERUSER_USERNAME", "admin"))
        parser.add_argument("--password", default=os.environ.get("DJANGO_SUPERUSER_PASSWORD", ""))
        parser.add_argument("--email", default=os.environ.get("DJANGO_SUPERUSER_EMAIL", ""))

    def handle(self, *args, username, password, email, **options):
        generated = not password
        password = password or secrets.token_urlsafe(12)
        _, created = admin_user_ensure(username, password, email)
        self.stdout.write(f"{'Created' if created else 'Updated'} admin user {username!r}.")
        if generated:
            self.stdout.write(f"Password: {password}")

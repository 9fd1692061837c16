"""Issue an API key to a user and print it once."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from marketdata.services import api_key_issue


class Command(BaseCommand):
    """create_api_key USER [--name N] [--days D]: prints the key once; only its hash is stored."""

    help = "Issue an API key to USER (username) and print it; it cannot be shown again."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="What the key is for.")
        parser.add_argument("--days", type=int, default=None, help="Expire after this many days (default: never).")

    def handle(self, *args, username, name, days, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}; create it first (e.g. manage.py create_admin).")
        expires_at = timezone.now() + timedelta(days=days) if days else None
        api_key, raw_key = api_key_issue(user=user, name=name, expires_at=expires_at)
        self.stderr.write(f"API key {api_key.prefix} issued to {username!r}; store it now, it is not shown again:")
        self.stdout.write(raw_key)

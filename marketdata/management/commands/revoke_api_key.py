"""Revoke an API key by its prefix."""

from django.core.management.base import BaseCommand, CommandError

from marketdata.models import ApiKey
from marketdata.services import api_key_revoke


class Command(BaseCommand):
    """revoke_api_key PREFIX: the key stops working at once (the row stays, for the record)."""

    help = "Revoke the API key whose prefix (the part before the dot) is PREFIX."

    def add_arguments(self, parser):
        parser.add_argument("prefix")

    def handle(self, *args, prefix, **options):
        try:
            api_key = api_key_revoke(prefix.split(".")[0])
        except ApiKey.DoesNotExist as error:
            raise CommandError(f"No API key with prefix {prefix!r}.") from error
        self.stdout.write(
            f"Revoked API key {api_key.prefix} of {api_key.user} at {api_key.revoked_at:%Y-%m-%d %H:%M:%S}."
        )

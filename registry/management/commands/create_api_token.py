"""Create a named API token for a user, and print it once (only its hash is stored)."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from registry.models import ApiToken


class Command(BaseCommand):
    help = "Maakt een API-token met een naam voor een gebruiker en toont het eenmalig."

    def add_arguments(self, parser):
        parser.add_argument("username", help="Gebruikersnaam; het token handelt als deze.")
        parser.add_argument("--name", required=True, help="Waarvoor het token dient.")
        parser.add_argument(
            "--days", type=int, default=365, help="Geldigheid in dagen (0: geen einddatum)."
        )

    def handle(self, *args, username, name, days, **options):
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"Gebruiker '{username}' bestaat niet.") from exc
        if days < 0:
            raise CommandError("--days is 0 of meer.")
        expiry = timedelta(days=days) if days else None
        instance, token = ApiToken.objects.create(user=user, expiry=expiry, name=name)
        self.stdout.write(token)
        self.stderr.write(
            f"Token '{name}' voor {user} aangemaakt"
            + (f", geldig tot {instance.expiry:%Y-%m-%d}." if instance.expiry else ".")
            + " Bewaar het nu: het wordt niet nog eens getoond."
        )

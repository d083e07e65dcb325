from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from houses.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo
from registry.audit import summarised_write_log


class Command(BaseCommand):
    help = "Laadt illustratieve demogegevens en demo-accounts (alleen met DEBUG aan)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "Demogegevens worden alleen geladen met DEBUG aan, nooit in productie."
            )
        with summarised_write_log("load_demo"):
            done = load_demo()
        for line in done:
            self.stdout.write(f"demo: {line}")
        self.stdout.write("\nDemo-accounts (wachtwoord voor alle: %s):" % DEMO_PASSWORD)
        for username, _kind, _unit, _house, description in DEMO_ACCOUNTS:
            self.stdout.write(f"  {username:<16} {description}")

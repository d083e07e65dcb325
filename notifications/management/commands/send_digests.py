from django.core.management.base import BaseCommand

from notifications.digest import send_due


class Command(BaseCommand):
    help = (
        "Verstuurt de e-mailsamenvattingen die nu aan de beurt zijn (hoogstens één per "
        "gebruiker per periode); draai dit bijvoorbeeld elk uur."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"{send_due()} samenvatting(en) verstuurd.")

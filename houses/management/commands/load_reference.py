from django.core.management.base import BaseCommand

from houses.reference import load_reference
from registry.audit import summarised_write_log


class Command(BaseCommand):
    help = (
        "Laadt of actualiseert de referentiegegevens (eenheden, veiligheidshuizen, standaard 1.0, "
        "soorten casusoverleg) zonder lokale wijzigingen te overschrijven."
    )

    def handle(self, *args, **options):
        with summarised_write_log("load_reference"):
            stats = load_reference()
        if not stats:
            self.stdout.write("Referentiegegevens zijn actueel; niets gewijzigd.")
        for key, count in sorted(stats.items()):
            self.stdout.write(f"{key}: {count}")

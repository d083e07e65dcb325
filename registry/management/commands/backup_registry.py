from pathlib import Path

from django.core.management.base import BaseCommand

from registry.backup import write_backup


class Command(BaseCommand):
    help = (
        "Schrijft het hele register (met historie en gebruikers, wachtwoorden alleen als hash) "
        "naar één JSON-bestand; gecomprimeerd als de naam op .gz eindigt."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="bijvoorbeeld register-2025-01-31.json.gz")

    def handle(self, *args, file: Path, **options):
        counts = write_backup(file)
        total = sum(counts.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Back-up geschreven naar {file}: {total} rijen uit {len(counts)} tabellen."
            )
        )

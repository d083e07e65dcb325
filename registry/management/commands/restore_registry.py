from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from registry.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Zet een back-up van backup_registry terug in een lege, gemigreerde database. "
        "Weigert als de database al gegevens bevat of een ander schema heeft."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            counts = restore_backup(file)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        total = sum(counts.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Back-up {file} teruggezet: {total} rijen in {len(counts)} tabellen."
            )
        )

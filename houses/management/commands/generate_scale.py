import datetime
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from houses.scale import generate_scale


class Command(BaseCommand):
    help = (
        "Maakt een synthetisch register van SCALE keer de referentieomvang (SCALE=1: de 25 "
        "echte huizen; SCALE=40: 1.000 huizen) met toewijzingen en afwijkingen, voor de "
        "benchmark. Vervangt alle toewijzingen en afwijkingen; alleen met DEBUG aan."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1, help="Veelvoud van 25 huizen.")
        parser.add_argument("--seed", type=int, default=1, help="Zelfde seed, zelfde register.")
        parser.add_argument(
            "--reference-date",
            type=datetime.date.fromisoformat,
            default=None,
            help="Datum waartegen data worden gekozen (JJJJ-MM-DD); standaard vandaag.",
        )

    def handle(self, *args, scale, seed, reference_date, **options):
        if not settings.DEBUG:
            raise CommandError(
                "Schaalgegevens vervangen alle toewijzingen en afwijkingen; "
                "alleen toegestaan met DEBUG aan."
            )
        if scale < 1:
            raise CommandError("--scale is 1 of meer.")
        started = time.monotonic()
        stats = generate_scale(scale, seed, reference_date or timezone.localdate())
        for key, count in stats.items():
            self.stdout.write(f"{key}: {count}")
        self.stdout.write(f"klaar in {time.monotonic() - started:.1f} s")

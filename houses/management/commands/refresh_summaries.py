import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from houses.models import House
from houses.summaries import refresh


class Command(BaseCommand):
    help = (
        "Berekent de opgeslagen samenvattingen van de takenpakketten opnieuw waar een wijziging "
        "ze verouderd heeft (na een wijziging van de standaard, een eenheid of een gebruiker: "
        "alle), zodat niet de eerste lezer van het overzicht daarop wacht. Veilig naast "
        "draaiende servers."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        computed = refresh(House.objects.all(), today=timezone.localdate())
        self.stdout.write(
            f"{computed} samenvattingen berekend in {time.monotonic() - started:.1f} s"
        )

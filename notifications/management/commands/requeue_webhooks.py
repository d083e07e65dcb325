from django.core.management.base import BaseCommand

from notifications.tasks import requeue_due


class Command(BaseCommand):
    help = "Zet webhook-afleveringen die over tijd zijn opnieuw in de wachtrij."

    def add_arguments(self, parser):
        parser.add_argument("--grace", type=int, default=300, help="Seconden over tijd.")

    def handle(self, *args, grace, **options):
        import datetime

        count = requeue_due(datetime.timedelta(seconds=grace))
        self.stdout.write(f"{count} aflevering(en) opnieuw in de wachtrij gezet.")

from django.core.management.base import BaseCommand

from registry.groups import setup_groups


class Command(BaseCommand):
    help = "Maakt of actualiseert de groepen per soort gebruiker en deelt elk account in."

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")

    def handle(self, *args, database="default", **options):
        for line in setup_groups(database):
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("Groepen en accounts zijn bijgewerkt."))

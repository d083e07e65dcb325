"""The background worker: django-tasks' ``db_worker`` plus, every minute, ``requeue_webhooks``.

Several workers on several machines share the queue safely: the database backend hands each
task to one worker (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL), and a delivery is
claimed with a lease before it is sent.
"""

import datetime
import logging
import threading

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection

from notifications.tasks import requeue_due

logger = logging.getLogger(__name__)


def _requeue_every(seconds: float, stop: threading.Event) -> None:
    while not stop.wait(seconds):
        try:
            requeue_due(datetime.timedelta(seconds=seconds))
        except Exception:
            logger.exception("Opnieuw in de wachtrij zetten mislukt")
        finally:
            connection.close()


class Command(BaseCommand):
    help = "Voert achtergrondtaken uit (webhooks) en zet vastgelopen afleveringen opnieuw klaar."

    def add_arguments(self, parser):
        parser.add_argument("--requeue-interval", type=float, default=60.0)
        parser.add_argument("--interval", type=float, default=1.0)

    def handle(self, *args, requeue_interval, interval, **options):
        stop = threading.Event()
        thread = threading.Thread(target=_requeue_every, args=(requeue_interval, stop), daemon=True)
        thread.start()
        try:
            # No autoreloader: it would run the worker in a child process that outlives a
            # stop signal sent to this one.
            call_command(
                "db_worker", interval=interval, reload=False, verbosity=options["verbosity"]
            )
        finally:
            stop.set()

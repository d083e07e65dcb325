"""The write log: every change that simple-history records, as one JSON line.

The receiver hangs on simple-history's ``post_create_historical_record`` signal, so every edit
path that writes history (admin, pages, API, imports, management commands) is logged the same
way: who, which model, which record, which action and why. Lines go to the
``registry.writes`` logger; the settings send it to its own handler, one JSON object per line.
"""

from __future__ import annotations

import json
import logging
from contextlib import contextmanager

from django.dispatch import receiver
from simple_history.signals import post_create_historical_record

logger = logging.getLogger("registry.writes")

ACTIONS = {"+": "create", "~": "update", "-": "delete"}


def write_record(instance, history_instance, history_user) -> dict:
    """The fields of one write-log line."""
    user = history_user if getattr(history_user, "pk", None) else None
    return {
        "event": "write",
        "time": history_instance.history_date.isoformat(),
        "action": ACTIONS.get(history_instance.history_type, history_instance.history_type),
        "model": instance._meta.label_lower,
        "objectId": instance.pk,
        "revision": getattr(instance, "revision", None),
        "user": user.get_username() if user else None,
        "userId": user.pk if user else None,
        "reason": history_instance.history_change_reason or None,
        "historyId": history_instance.pk,
    }


@receiver(post_create_historical_record, dispatch_uid="registry.audit.log_write")
def log_write(sender, instance, history_instance, history_user=None, **kwargs):
    logger.info(json.dumps(write_record(instance, history_instance, history_user), default=str))


class _CountWrites(logging.Filter):
    def __init__(self):
        super().__init__()
        self.count = 0

    def filter(self, record):
        self.count += 1
        return False


@contextmanager
def summarised_write_log(command: str):
    """For bulk loads (reference and demo data): count the write-log lines instead of printing
    each, then log one summary line. The history records themselves are stored as always."""
    counter = _CountWrites()
    logger.addFilter(counter)
    try:
        yield counter
    finally:
        logger.removeFilter(counter)
        if counter.count:
            logger.info(
                json.dumps({"event": "bulk-write", "command": command, "writes": counter.count})
            )

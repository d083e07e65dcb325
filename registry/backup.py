"""Backup and restore of the whole registry, history included.

A backup is one JSON document (gzip-compressed when the file name ends in ``.gz``)::

    {"format": "registry-backup", "formatVersion": 1, "createdAt": "...",
     "migrations": {"houses": ["0001_initial", ...], ...},
     "counts": {"houses.house": 25, ...},
     "objects": [ ...Django serializer "python" records... ]}

It holds every model of every installed app except what ``migrate`` recreates (content types,
permissions) and what is transient (sessions, login-throttling records). Users keep their
*hashed* passwords, so they can log in after a restore; a backup file is therefore as
confidential as the database itself. References to content types, permissions and groups are
written as natural keys, so a restore into a freshly migrated database matches them by name.

A restore goes into an empty, migrated database of the same schema only: it refuses otherwise.
Rows are written as they are (``raw``), so revision counters, timestamps and history records
come back exactly as they were and no new history is written.
"""

from __future__ import annotations

import datetime
import gzip
import json
from collections.abc import Iterable
from pathlib import Path

from django.apps import apps
from django.core import serializers
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = "registry-backup"
FORMAT_VERSION = 1

#: Apps and models left out: recreated by ``migrate``, or transient.
EXCLUDED_APPS = {"contenttypes", "sessions", "axes"}
EXCLUDED_MODELS = {
    "auth.permission",
    # The read cache's change counter only ever goes up: a restore bumps it rather than
    # winding it back, so no server process keeps serving what it cached before.
    "registry.changecounter",
}
#: Models that ``migrate`` fills (the groups per kind of user): matched by natural key on
#: restore, so a migrated database still counts as empty and its rows are updated, not doubled.
NATURAL_KEY_MODELS = {"auth.group"}


class BackupError(Exception):
    """A backup that cannot be restored here; the message says why, in Dutch."""


def backed_up_models() -> list:
    """The models in a backup, in an order where referenced rows come first."""
    models = [
        model
        for model in apps.get_models()
        if model._meta.app_label not in EXCLUDED_APPS
        and model._meta.label_lower not in EXCLUDED_MODELS
        and model._meta.managed
        and not model._meta.proxy
    ]
    app_list = {}
    for model in models:
        app_list.setdefault(apps.get_app_config(model._meta.app_label), []).append(model)
    return serializers.sort_dependencies(app_list.items(), allow_cycles=True)


def applied_migrations(using=DEFAULT_DB_ALIAS) -> dict[str, list[str]]:
    labels = {model._meta.app_label for model in backed_up_models()}
    applied: dict[str, list[str]] = {}
    for app, name in MigrationRecorder(connections[using]).applied_migrations():
        if app in labels:
            applied.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(applied.items())}


def serialize_model(model, using=DEFAULT_DB_ALIAS) -> list[dict]:
    return serializers.serialize(
        "python",
        model._base_manager.using(using).order_by("pk").iterator(),
        use_natural_foreign_keys=True,
        use_natural_primary_keys=model._meta.label_lower in NATURAL_KEY_MODELS,
    )


def build_backup(using=DEFAULT_DB_ALIAS) -> dict:
    with transaction.atomic(using=using):  # one consistent snapshot on PostgreSQL
        objects = []
        counts = {}
        for model in backed_up_models():
            records = serialize_model(model, using)
            counts[model._meta.label_lower] = len(records)
            objects.extend(records)
        return {
            "format": FORMAT,
            "formatVersion": FORMAT_VERSION,
            "createdAt": timezone.now().isoformat(),
            "migrations": applied_migrations(using),
            "counts": counts,
            "objects": objects,
        }


class BackupJSONEncoder(serializers.json.DjangoJSONEncoder):
    """Django's encoder, but keeping the microseconds that it rounds off timestamps."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


def _open(path: Path, mode: str):
    if path.suffix == ".gz":
        return gzip.open(path, mode + "t", encoding="utf-8")
    return open(path, mode, encoding="utf-8")  # noqa: SIM115 (returned to a with-block)


def write_backup(path: Path, using=DEFAULT_DB_ALIAS) -> dict:
    """Write the backup to ``path``; returns the row counts per model."""
    document = build_backup(using)
    with _open(path, "w") as handle:
        json.dump(document, handle, cls=BackupJSONEncoder, ensure_ascii=False)
    return document["counts"]


def read_backup(path: Path) -> dict:
    try:
        with _open(path, "r") as handle:
            document = json.load(handle)
    except FileNotFoundError as exc:
        raise BackupError(f"Het bestand {path} bestaat niet.") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupError(f"{path} is geen leesbare back-up van het register: {exc}") from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BackupError(f"{path} is geen back-up van het register.")
    if document.get("formatVersion") != FORMAT_VERSION:
        raise BackupError(
            f"Deze back-up heeft formaatversie {document.get('formatVersion')}; "
            f"dit programma leest versie {FORMAT_VERSION}."
        )
    return document


def non_empty_models(using=DEFAULT_DB_ALIAS) -> list[str]:
    return [
        model._meta.label_lower
        for model in backed_up_models()
        if model._meta.label_lower not in NATURAL_KEY_MODELS
        and model._base_manager.using(using).exists()
    ]


def restore_backup(path: Path, using=DEFAULT_DB_ALIAS) -> dict:
    """Restore ``path`` into the (empty, migrated) database; returns the row counts."""
    document = read_backup(path)
    here = applied_migrations(using)
    if document["migrations"] != here:
        raise BackupError(
            "De back-up hoort bij een ander databaseschema dan deze installatie. Herstel haar "
            "in een installatie van dezelfde versie (migraties: "
            f"{_describe(document['migrations'])}; hier: {_describe(here)})."
        )
    filled = non_empty_models(using)
    if filled:
        raise BackupError(
            "Herstellen kan alleen in een lege database; deze bevat al gegevens in: "
            + ", ".join(filled)
            + ". Maak een nieuwe database aan, voer 'manage.py migrate' uit en probeer het opnieuw."
        )
    connection = connections[using]
    models = set()
    with transaction.atomic(using=using):
        with connection.constraint_checks_disabled():
            for item in serializers.deserialize("python", document["objects"], using=using):
                item.save(using=using)
                models.add(type(item.object))
        connection.check_constraints(table_names=[m._meta.db_table for m in models])
        _reset_sequences(connection, models)
        counts = {
            model._meta.label_lower: model._base_manager.using(using).count()
            for model in backed_up_models()
        }
        if any(counts.get(label) != n for label, n in document["counts"].items()):
            raise BackupError("Na het herstellen kloppen de aantallen niet met de back-up.")
    return counts


def _reset_sequences(connection, models: Iterable) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def _describe(migrations: dict[str, list[str]]) -> str:
    return ", ".join(f"{app} {names[-1]}" for app, names in migrations.items()) or "geen"

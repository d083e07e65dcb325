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

A backup reads every table in one snapshot: on PostgreSQL a REPEATABLE READ, READ ONLY
transaction, so writes running meanwhile are either wholly in it or wholly out of it.

A restore goes into an empty, migrated database of the same schema only: it refuses otherwise.
Before it writes anything it checks the backup for consistency: every table present, the
counts matching the records, every reference pointing at a record in the backup, every
record's revision equal to that of its latest history record, and every field value readable.
Rows are written as they are (``raw``), so revision counters, timestamps and history records
come back exactly as they were and no new history is written.
"""

from __future__ import annotations

import datetime
import gzip
import json
import zlib
from collections.abc import Iterable
from pathlib import Path

from django.apps import apps
from django.core import serializers
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction
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
    "registry.scopecounter",
    # Derived from the rest and stamped with those counters: computed again after a restore.
    "houses.housesummary",
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


def start_snapshot(using=DEFAULT_DB_ALIAS) -> None:
    """Make the transaction just opened one read-only snapshot (PostgreSQL). SQLite reads in
    one transaction see one state anyway (a writer waits for the whole file)."""
    connection = connections[using]
    if connection.vendor == "postgresql" and not connection.savepoint_ids:
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")


def build_backup(using=DEFAULT_DB_ALIAS) -> dict:
    outermost = not connections[using].in_atomic_block
    with transaction.atomic(using=using):
        if outermost:  # the first statement of the transaction
            start_snapshot(using)
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
    except (OSError, EOFError, zlib.error, UnicodeDecodeError, json.JSONDecodeError) as exc:
        # A truncated .gz ends with EOFError; a damaged one with a gzip or zlib error.
        raise BackupError(
            f"{path} is geen leesbare back-up van het register (onvolledig of beschadigd?): {exc}"
        ) from exc
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
    check_backup(document)
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
            try:
                for item in serializers.deserialize("python", document["objects"], using=using):
                    item.save(using=using)
                    models.add(type(item.object))
            except Exception as exc:  # noqa: BLE001 - rolled back: nothing is written
                raise BackupError(
                    f"De back-up bevat een ongeldige waarde; er is niets teruggezet: "
                    f"{_first_line(exc)}"
                ) from exc
        try:
            connection.check_constraints(table_names=[m._meta.db_table for m in models])
        except IntegrityError as exc:
            raise BackupError(
                f"De back-up verwijst naar gegevens die er niet in staan: {_first_line(exc)}"
            ) from exc
        _reset_sequences(connection, models)
        counts = {
            model._meta.label_lower: model._base_manager.using(using).count()
            for model in backed_up_models()
        }
        if any(counts.get(label) != n for label, n in document["counts"].items()):
            raise BackupError("Na het herstellen kloppen de aantallen niet met de back-up.")
    return counts


def check_backup(document: dict) -> None:
    """Check the backup's records for consistency, before anything is written.

    Raises ``BackupError`` naming the first problem: a table missing, counts that do not match
    the records, a reference to a record that is not in the backup, a record whose revision
    differs from its latest history record, or a key or date that cannot be read. Other field
    values are read while restoring, in the one transaction that then writes nothing.
    """
    objects, counts = document.get("objects"), document.get("counts")
    if not isinstance(objects, list) or not isinstance(counts, dict):
        raise BackupError("De back-up mist de records of de aantallen per tabel.")
    if not all(isinstance(o, dict) and isinstance(o.get("fields"), dict) for o in objects):
        raise BackupError("De back-up bevat records zonder model of velden.")
    models = {model._meta.label_lower: model for model in backed_up_models()}
    missing = sorted(set(models) - set(counts))
    if missing:
        raise BackupError("De back-up mist tabellen: " + ", ".join(missing) + ".")
    found: dict[str, int] = {}
    for record in objects:
        found[record.get("model")] = found.get(record.get("model"), 0) + 1
    for label, count in counts.items():
        if found.get(label, 0) != count:
            raise BackupError(
                f"De back-up is niet consistent: {label} heeft {found.get(label, 0)} records, "
                f"maar de back-up noemt er {count}."
            )
    unknown = sorted(set(found) - set(models))
    if unknown:
        raise BackupError("De back-up bevat onbekende tabellen: " + ", ".join(unknown) + ".")

    def typed(field, value, record, name=None):
        try:
            return field.to_python(value)
        except Exception as exc:  # noqa: BLE001 - any unreadable value: name the record
            raise BackupError(
                f"Record {record['model']} {record.get('pk')} in de back-up heeft een ongeldige "
                f"waarde in {name or field.name}: {_first_line(exc)}"
            ) from exc

    present = {label: set() for label in models}
    for record in objects:
        model = models[record["model"]]
        if model._meta.label_lower not in NATURAL_KEY_MODELS:
            present[record["model"]].add(typed(model._meta.pk, record.get("pk"), record))

    # References: every foreign key (with a database constraint) points into the backup.
    for record in objects:
        model = models[record["model"]]
        for field in model._meta.concrete_fields:
            if not (field.many_to_one and field.db_constraint):
                continue
            target = field.related_model._meta.label_lower
            value = record["fields"].get(field.name)
            if value is None or isinstance(value, list) or target not in present:
                continue  # empty, or by natural key (matched by name when restored)
            if target in NATURAL_KEY_MODELS:
                continue
            value = typed(field.related_model._meta.pk, value, record, field.name)
            if value not in present[target]:
                raise BackupError(
                    f"De back-up is niet consistent: {record['model']} {record.get('pk')} "
                    f"verwijst via {field.name} naar {target} {value}, dat niet in de back-up "
                    "staat."
                )

    # Revisions: every record's revision is that of its latest history record, and the
    # history of a record not in the backup ends with its deletion.
    latest: dict[tuple[str, object], tuple] = {}
    for record in objects:
        history_model = models[record["model"]]
        instance_type = getattr(history_model, "instance_type", None)
        fields = record["fields"]
        if instance_type is None or "revision" not in fields:
            continue
        label = instance_type._meta.label_lower
        pk_field = instance_type._meta.pk
        pk = typed(pk_field, fields.get(pk_field.attname, fields.get(pk_field.name)), record)
        date_field = history_model._meta.get_field("history_date")
        moment = typed(date_field, fields["history_date"], record)
        order = (moment, typed(history_model._meta.pk, record.get("pk"), record))
        if (label, pk) not in latest or order > latest[(label, pk)][0]:
            latest[(label, pk)] = (order, fields["revision"], fields.get("history_type"))
    for record in objects:
        if "revision" not in record["fields"] or hasattr(models[record["model"]], "instance_type"):
            continue
        model = models[record["model"]]
        entry = latest.pop((record["model"], typed(model._meta.pk, record.get("pk"), record)), None)
        if entry is None:
            continue  # written before its history was kept
        if entry[1] != record["fields"]["revision"] or entry[2] == "-":
            raise BackupError(
                f"De back-up is niet consistent: {record['model']} {record.get('pk')} heeft "
                f"revisie {record['fields']['revision']}, maar de laatste wijziging in de "
                f"historie revisie {entry[1]}."
            )
    for (label, pk), (_order, _revision, kind) in sorted(latest.items(), key=str):
        if kind != "-":
            raise BackupError(
                f"De back-up is niet consistent: de historie van {label} {pk} eindigt niet met "
                "een verwijdering, maar het record staat niet in de back-up."
            )


def _first_line(exc) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _reset_sequences(connection, models: Iterable) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def _describe(migrations: dict[str, list[str]]) -> str:
    return ", ".join(f"{app} {names[-1]}" for app, names in migrations.items()) or "geen"

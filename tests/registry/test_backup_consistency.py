"""Backups are consistent under load, and a restore checks a backup before it writes."""

import gzip
import json
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections

from houses.models import Assignment, House
from registry.backup import BackupJSONEncoder, build_backup, check_backup
from tests.factories import AssignmentFactory, HouseFactory


@pytest.fixture
def backup(db, tmp_path, house_a):
    assignment = AssignmentFactory(house=house_a)
    assignment.notes = "gewijzigd"
    assignment.save()
    path = tmp_path / "register.json"
    call_command("backup_registry", str(path))
    return path


def rewrite(path, change):
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document))


def records(document, label):
    return [record for record in document["objects"] if record["model"] == label]


def restore_refused(path, message):
    houses_before = House.objects.count()
    with pytest.raises(CommandError, match=message):
        call_command("restore_registry", str(path))
    assert House.objects.count() == houses_before


def test_a_truncated_gz_is_refused_with_a_clear_message(db, tmp_path, house_a):
    path = tmp_path / "register.json.gz"
    call_command("backup_registry", str(path))
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    restore_refused(path, "onvolledig of beschadigd")


def test_a_backup_missing_a_table_is_refused(backup):
    def drop_houses(document):
        document["objects"] = [o for o in document["objects"] if o["model"] != "houses.house"]
        del document["counts"]["houses.house"]

    rewrite(backup, drop_houses)
    restore_refused(backup, "mist tabellen: houses.house")


def test_counts_that_do_not_match_the_records_are_refused(backup):
    rewrite(backup, lambda document: document["counts"].update({"houses.assignment": 7}))
    restore_refused(backup, "houses.assignment heeft 1 records, maar de back-up noemt er 7")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("hours_per_week", "veel", "ongeldige waarde.*houses.assignment"),
        ("start_date", "31-02-2025", "ongeldige waarde.*houses.assignment"),
        ("house", "geen-nummer", "houses.assignment .* ongeldige waarde in house"),
    ],
)
def test_a_bad_field_value_is_refused_and_nothing_is_restored(
    transactional_db, tmp_path, field, value, message
):
    house = HouseFactory()
    AssignmentFactory(house=house)
    path = tmp_path / "register.json"
    call_command("backup_registry", str(path))

    def spoil(document):
        records(document, "houses.assignment")[0]["fields"][field] = value

    rewrite(path, spoil)
    call_command("flush", interactive=False)
    restore_refused(path, message)
    assert not House.objects.exists()


def test_a_reference_to_a_record_not_in_the_backup_is_refused(backup):
    def orphan(document):
        house = records(document, "houses.house")[0]
        other = dict(house, pk=house["pk"] + 1000)
        other["fields"] = dict(house["fields"], code="ander-huis")
        document["objects"].append(other)
        document["counts"]["houses.house"] += 1
        records(document, "houses.assignment")[0]["fields"]["house"] = house["pk"] + 2000

    rewrite(backup, orphan)
    restore_refused(backup, "verwijst via house naar houses.house")


def test_a_record_whose_revision_is_not_its_latest_history_is_refused(backup):
    def ahead(document):
        records(document, "houses.assignment")[0]["fields"]["revision"] += 1

    rewrite(backup, ahead)
    restore_refused(backup, "revisie 3, maar de laatste wijziging in de historie revisie 2")


def test_history_of_a_record_missing_from_the_backup_is_refused(backup):
    def lose_record(document):
        assignment = records(document, "houses.assignment")[0]
        document["objects"].remove(assignment)
        document["counts"]["houses.assignment"] -= 1

    rewrite(backup, lose_record)
    restore_refused(backup, "eindigt niet met een verwijdering")


def test_a_valid_backup_passes_the_check(backup):
    check_backup(json.loads(backup.read_text()))


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: concurrent writers during the backup's snapshot",
)
def test_a_backup_taken_while_writes_run_is_consistent_and_restores(transactional_db, tmp_path):
    houses = [HouseFactory() for _ in range(4)]
    assignments = [AssignmentFactory(house=house) for house in houses]
    stop = threading.Event()
    writes = []
    failures = []

    def writer(assignment, number):
        try:
            while not stop.is_set():
                fresh = Assignment.objects.get(pk=assignment.pk)
                fresh.notes = f"schrijver {number}: {len(writes)}"
                fresh.save()
                AssignmentFactory(house=fresh.house).delete()
                writes.append(1)
        except Exception as exc:  # noqa: BLE001 (reported below)
            failures.append(repr(exc))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=writer, args=(assignment, number))
        for number, assignment in enumerate(assignments)
    ]
    for thread in threads:
        thread.start()
    try:
        documents = []
        for _ in range(3):
            documents.append(build_backup())
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert not failures, failures
    assert len(writes) > 10  # the backups really ran beside the writes
    for document in documents:
        check_backup(document)  # consistent: counts, references, revisions and history agree

    path = tmp_path / "register.json.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        json.dump(documents[-1], handle, cls=BackupJSONEncoder)
    call_command("flush", interactive=False)
    call_command("restore_registry", str(path))
    assert Assignment.objects.count() == documents[-1]["counts"]["houses.assignment"]

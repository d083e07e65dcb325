"""Backup and restore: a round trip gives back every row and all history."""

import gzip
import json

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from houses.demo import DEMO_PASSWORD, load_demo
from houses.models import Assignment, House, HouseSummary, Variation
from houses.package import task_packages
from houses.reference import load_reference
from houses.summaries import refresh as refresh_summaries
from registry.backup import backed_up_models, serialize_model
from registry.models import User
from tests.factories import HouseFactory


def every_row():
    """Every row of every model in the backup, with references by natural key."""
    return {model._meta.label_lower: serialize_model(model) for model in backed_up_models()}


def every_history():
    """Who changed what, when and why, for every model with history."""
    history = {}
    for model in backed_up_models():
        if model._meta.label_lower.split(".")[1].startswith("historical"):
            history[model._meta.label_lower] = list(
                model.objects.order_by("history_id").values_list(
                    "history_id",
                    "id",
                    "history_type",
                    "history_date",
                    "history_user__username",
                    "history_change_reason",
                )
            )
    return history


def every_task_package():
    """What the pages show of each house."""
    packages = task_packages(House.objects.order_by("pk"))
    return {
        house_id: (
            [(line.code, line.status, line.norm) for rp in p.roles for line in rp.tasks],
            [line.title for line in p.additions],
            [(line.code, line.deadline) for line in p.phase_outs],
            p.summary,
        )
        for house_id, p in packages.items()
    }


API_RESOURCES = [
    "veiligheidshuizen",
    "eenheden",
    "standaarden",
    "rollen",
    "taken",
    "casusoverleggen",
    "toewijzingen",
    "afwijkingen",
]


def every_api_resource():
    """What API clients get: every list (all pages), every record, its history, every package."""
    client = APIClient()
    client.force_authenticate(User.objects.get(username="landelijk"))

    def get(path):
        response = client.get(path)
        assert response.status_code == 200, (path, response.content)
        return response.json()

    seen = {}
    for resource in API_RESOURCES:
        path, records = f"/api/v1/{resource}?paginaGrootte=100", []
        while path:
            page = get(path)
            seen[path] = page
            records += page["resultaten"]
            path = page["volgende"]
        assert records, resource
        for record in records:
            detail = record["url"]
            seen[detail] = get(detail)
            seen[f"{detail}/historie"] = get(f"{detail}/historie")
            if resource == "veiligheidshuizen":
                seen[record["takenpakket"]] = get(record["takenpakket"])
    return seen


#: The views compared before and after a round trip. Each is a function of no arguments that
#: returns something comparable with ==; add one to compare another view.
VIEWS = [every_row, every_history, every_task_package, every_api_resource]


def make_registry():
    load_reference()
    load_demo()
    variation = Variation.objects.filter(status=Variation.Status.AGREED).first()
    variation.rationale = "Herzien na evaluatie <b>stuurgroep</b>"
    variation._change_reason = "Evaluatie 2025"
    variation._history_user = User.objects.get(username="landelijk")
    variation.save()
    group = Group.objects.create(name="Redactie")
    group.permissions.add(Permission.objects.get(codename="change_house"))
    User.objects.get(username="landelijk").groups.add(group)
    LogEntry.objects.log_actions(
        user_id=User.objects.get(username="landelijk").pk,
        queryset=[variation],
        action_flag=CHANGE,
        change_message="Onderbouwing aangepast",
    )


BACKUP_NAMES = ["register.json", "register.json.gz"]


@pytest.fixture(scope="module")
def demo_backups(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo registry with history, what every view shows of it, and its backup in each
    format: made once for the round trips below (loading the data and reading every view are
    most of their cost), then emptied again before any test runs."""
    from django.core.cache import cache

    directory = tmp_path_factory.mktemp("backup")
    with django_db_blocker.unblock():
        cache.clear()
        try:
            make_registry()
            before = {view.__name__: view() for view in VIEWS}
            variation_type_id = ContentType.objects.get_for_model(Variation).pk
            for name in BACKUP_NAMES:
                call_command("backup_registry", str(directory / name))
        finally:
            call_command("flush", interactive=False, verbosity=0)
            cache.clear()
    return directory, before, variation_type_id


@pytest.mark.parametrize("name", BACKUP_NAMES)
def test_a_backup_restores_every_row_and_all_history_into_an_empty_database(
    demo_backups, transactional_db, name
):
    directory, before, variation_type_id = demo_backups
    assert before["every_row"]["houses.historicalvariation"]
    path = directory / name

    call_command("flush", interactive=False)
    # A new installation numbers its content types differently; the backup must not care.
    ContentType.objects.all().delete()
    call_command("migrate", verbosity=0)  # recreates content types and permissions
    assert ContentType.objects.get_for_model(Variation).pk != variation_type_id
    assert not House.objects.exists()

    call_command("restore_registry", str(path))

    after = {view.__name__: view() for view in VIEWS}
    for view in VIEWS:
        assert after[view.__name__] == before[view.__name__], view.__name__
    # Passwords come back as hashes, so people can log in again.
    assert Client().login(username="landelijk", password=DEMO_PASSWORD)
    # New rows get fresh ids (sequences follow the restored rows).
    house = HouseFactory()
    assert house.pk > max(before["every_task_package"])
    # Saving a restored object keeps counting revisions from where it was.
    assignment = Assignment.objects.first()
    revision = assignment.revision
    assignment.notes = "na herstel"
    assignment.save()
    assert assignment.revision == revision + 1


def test_the_backup_file_is_plain_json_with_counts(db, tmp_path, standard, house_a):
    path = tmp_path / "register.json.gz"
    call_command("backup_registry", str(path))
    document = json.loads(gzip.decompress(path.read_bytes()))
    assert document["format"] == "registry-backup"
    assert document["counts"]["houses.house"] == 1
    assert document["counts"]["roles.task"] == 5
    assert "sessions.session" not in document["counts"]
    assert "axes.accessattempt" not in document["counts"]


def test_a_backup_leaves_the_stored_summaries_out(db, tmp_path, standard, house_a):
    # Derived from the rest and stamped with the change counters, which a backup leaves out:
    # a restore computes them again.
    refresh_summaries(House.objects.all(), today=timezone.localdate())
    assert HouseSummary.objects.exists()
    path = tmp_path / "register.json.gz"
    call_command("backup_registry", str(path))
    document = json.loads(gzip.decompress(path.read_bytes()))
    assert "houses.housesummary" not in document["counts"]
    assert not [o for o in document["objects"] if o["model"] == "houses.housesummary"]


def test_restoring_into_a_database_with_data_is_refused_and_changes_nothing(db, tmp_path, house_a):
    path = tmp_path / "register.json"
    call_command("backup_registry", str(path))
    house_a.name = "Gewijzigd"
    house_a.save()
    with pytest.raises(CommandError, match="alleen in een lege database.*houses.house"):
        call_command("restore_registry", str(path))
    house_a.refresh_from_db()
    assert house_a.name == "Gewijzigd"
    assert House.objects.count() == 1


def test_a_backup_of_another_schema_is_refused(transactional_db, tmp_path):
    path = tmp_path / "register.json"
    call_command("backup_registry", str(path))
    document = json.loads(path.read_text())
    document["migrations"]["houses"].append("0099_toekomst")
    path.write_text(json.dumps(document))
    with pytest.raises(CommandError, match="ander databaseschema"):
        call_command("restore_registry", str(path))


@pytest.mark.parametrize(
    "content", ["", "niet json", '{"format": "iets anders"}', "[1, 2]"], ids=repr
)
def test_a_file_that_is_not_a_backup_is_refused_with_a_clear_message(db, tmp_path, content):
    path = tmp_path / "register.json"
    path.write_text(content)
    with pytest.raises(CommandError, match="back-up"):
        call_command("restore_registry", str(path))


def test_a_missing_file_is_refused_with_a_clear_message(db, tmp_path):
    with pytest.raises(CommandError, match="bestaat niet"):
        call_command("restore_registry", str(tmp_path / "weg.json"))

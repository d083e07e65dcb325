"""Every write that history records also appears as one JSON line in the write log."""

import json

import pytest
from django.urls import reverse

from houses.models import Assignment, House
from tests.admin_forms import page_data
from tests.factories import AssignmentFactory, DistrictFactory, VariationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def write_log(caplog):
    caplog.set_level("INFO", logger="registry.writes")

    def lines():
        return [json.loads(r.getMessage()) for r in caplog.records if r.name == "registry.writes"]

    caplog.clear()
    return lines


def test_a_create_update_and_delete_are_each_logged_with_who_what_and_why(
    write_log, standard, house_a, unit_a_user
):
    role = standard.roles.get(code="liaison")
    assignment = AssignmentFactory.build(house=house_a, role=role)
    assignment._history_user = unit_a_user
    assignment.save()

    assignment.hours_per_week = 8
    assignment._history_user = unit_a_user
    assignment._change_reason = "Minder uren afgesproken"
    assignment.save()

    pk = assignment.pk
    assignment._history_user = unit_a_user
    assignment.delete()

    lines = write_log()
    assert [(line["action"], line["model"], line["objectId"]) for line in lines] == [
        ("create", "houses.assignment", pk),
        ("update", "houses.assignment", pk),
        ("delete", "houses.assignment", pk),
    ]
    assert {line["user"] for line in lines} == {"eenheid-a"}
    assert {line["userId"] for line in lines} == {unit_a_user.pk}
    assert lines[1]["reason"] == "Minder uren afgesproken"
    assert lines[1]["revision"] == 2
    history_ids = set(Assignment.history.filter(id=pk).values_list("history_id", flat=True))
    assert {line["historyId"] for line in lines} == history_ids


def test_an_admin_edit_is_logged_with_the_logged_in_user(write_log, client, superuser, unit_a):
    district = DistrictFactory(police_unit=unit_a, code="noord", name="Noord")
    client.force_login(superuser)
    url = reverse("admin:houses_district_change", args=[district.pk])
    data = page_data(client.get(url))
    data["name"] = "Noord-Oost"
    before = len(write_log())
    response = client.post(url, data)
    assert response.status_code == 302
    lines = [line for line in write_log()[before:] if line["model"] == "houses.district"]
    assert len(lines) == 1
    assert lines[0]["action"] == "update"
    assert lines[0]["objectId"] == district.pk
    assert lines[0]["user"] == superuser.username


def test_writes_without_a_user_are_logged_as_such(write_log, standard):
    variation = VariationFactory(task=standard.roles.get(code="liaison").tasks.first())
    line = write_log()[-1]
    assert line["model"] == "houses.variation"
    assert line["objectId"] == variation.pk
    assert line["user"] is None
    assert House.history.count() == 1  # the factory's house is history too, logged before
    assert [entry["model"] for entry in write_log()].count("houses.house") == 1


def test_loading_reference_and_demo_data_logs_one_summary_line_not_one_per_write(
    write_log, settings, capsys
):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("load_reference")
    call_command("load_demo")
    lines = write_log()
    assert [line["event"] for line in lines] == ["bulk-write", "bulk-write"]
    assert [line["command"] for line in lines] == ["load_reference", "load_demo"]
    assert all(line["writes"] > 10 for line in lines)
    assert "Demo-accounts" in capsys.readouterr().out
    # Writes after the load are logged one by one again.
    house = House.objects.first()
    house.notes = "Na het laden"
    house.save()
    assert write_log()[-1]["event"] == "write"

"""Synthetic scale data: deterministic, valid, and with every kind and status."""

import datetime

import pytest
from django.core.management import CommandError, call_command

from houses.models import Assignment, House, Variation
from houses.scale import SCALE_REASON, generate_scale
from registry.lib.cache import current_revision
from roles.models import Role

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 6, 1)


def fingerprint():
    houses = list(House.objects.order_by("code").values_list("code", "police_unit__code"))
    assignments = list(
        Assignment.objects.order_by(
            "house__code", "role__code", "status", "start_date"
        ).values_list("house__code", "role__code", "status", "presence", "hours_per_week")
    )
    variations = list(
        Variation.objects.order_by("house__code", "pk").values_list(
            "house__code",
            "role__code",
            "task__code",
            "kind",
            "status",
            "agreed_on",
            "phase_out_by",
            "ended_on",
            "local_norm",
        )
    )
    return houses, assignments, variations


def test_scale_one_is_the_real_houses_and_scale_two_doubles_them():
    generate_scale(1, seed=1, today=DAY)
    assert House.objects.count() == 29
    generate_scale(2, seed=1, today=DAY)
    assert House.objects.count() == 58
    real_units = House.objects.exclude(code__contains="-kopie-").values_list(
        "police_unit__code", flat=True
    )
    copy_units = House.objects.filter(code__contains="-kopie-").values_list(
        "police_unit__code", flat=True
    )
    assert sorted(real_units) == sorted(copy_units)


def test_the_same_seed_gives_the_same_registry_and_another_seed_another():
    generate_scale(2, seed=7, today=DAY)
    first = fingerprint()
    generate_scale(2, seed=7, today=DAY)
    assert fingerprint() == first
    generate_scale(2, seed=8, today=DAY)
    assert fingerprint() != first


def test_every_generated_row_passes_validation_and_the_database_constraints():
    generate_scale(2, seed=3, today=DAY)
    for obj in [*Assignment.objects.all(), *Variation.objects.all(), *House.objects.all()]:
        obj.full_clean()


def test_every_house_has_assignments_for_every_role_and_every_kind_and_status_occurs():
    generate_scale(1, seed=5, today=DAY)
    roles = Role.objects.count()
    for house in House.objects.all():
        assert house.assignments.values("role").distinct().count() == roles
    combinations = set(Variation.objects.values_list("kind", "status"))
    assert combinations == {(k, s) for k in Variation.Kind.values for s in Variation.Status.values}


def test_an_open_variation_never_doubles_another_on_the_same_task():
    generate_scale(2, seed=11, today=DAY)
    keys = list(
        Variation.objects.filter(
            status__in=[Variation.Status.PROPOSED, Variation.Status.AGREED], task__isnull=False
        ).values_list("house_id", "task_id")
    )
    assert len(keys) == len(set(keys))


def test_generated_rows_have_a_creation_record_in_their_history():
    generate_scale(1, seed=1, today=DAY)
    variation = Variation.objects.first()
    record = variation.history.get()
    assert record.history_type == "+"
    assert record.history_change_reason == SCALE_REASON


def test_generating_counts_as_a_write_for_the_read_cache():
    before = current_revision()
    generate_scale(1, seed=1, today=DAY)
    assert current_revision() > before


def test_the_command_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("generate_scale", "--scale", "1")
    assert not Variation.objects.exists()

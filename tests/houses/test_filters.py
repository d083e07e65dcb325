import datetime

import pytest
from django.utils import timezone

from houses.filters import AssignmentFilter, HouseFilter, VariationFilter
from houses.models import Assignment, House, Variation
from roles.filters import RoleFilter, TaskFilter
from roles.models import Role, Task
from tests.factories import AssignmentFactory, HouseFactory, VariationFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def codes(filterset):
    assert filterset.is_valid(), filterset.errors
    return sorted(obj.code for obj in filterset.qs)


def test_houses_filter_on_unit_region_status_and_search(house_a, house_b):
    house_a.framework_status = House.FrameworkStatus.CONFORM
    house_a.safety_region = "Drenthe"
    house_a.save()
    qs = House.objects.all()
    assert codes(HouseFilter({"eenheid": "eenheid-a"}, qs)) == ["huis-a"]
    assert codes(HouseFilter({"veiligheidsregio": "drenthe"}, qs)) == ["huis-a"]
    assert codes(HouseFilter({"kaderStatus": House.FrameworkStatus.CONFORM}, qs)) == ["huis-a"]
    assert codes(HouseFilter({"zoek": "nergens"}, qs)) == []
    assert codes(HouseFilter({"zoek": "Veiligheidshuis B"}, qs)) == ["huis-b"]


def test_unknown_filter_values_are_errors_not_empty_lists(house_a):
    qs = House.objects.all()
    for params in ({"eenheid": "bestaat-niet"}, {"kaderStatus": "onbekend"}, {"sorteer": "x"}):
        assert not HouseFilter(params, qs).is_valid(), params
    assert not VariationFilter({"soort": "anders"}, Variation.objects.all()).is_valid()
    assert not HouseFilter({"gewijzigdSinds": "gisteren"}, qs).is_valid()


def test_houses_with_open_variations_and_overdue_phase_outs(standard, house_a, house_b, unit_a):
    core = Task.objects.get(code="schakel")
    excluded = Task.objects.get(code="verslag")
    VariationFactory(house=house_a, task=core)
    VariationFactory(
        house=house_b,
        task=excluded,
        kind=Variation.Kind.PHASE_OUT,
        phase_out_by=TODAY - datetime.timedelta(days=1),
    )
    quiet = HouseFactory(code="huis-c", police_unit=unit_a)
    VariationFactory(
        house=quiet, task=core, status=Variation.Status.REJECTED, agreed_on=None, agreed_with=""
    )
    qs = House.objects.all()
    assert codes(HouseFilter({"heeftAfwijkingen": "true"}, qs)) == ["huis-a", "huis-b"]
    assert codes(HouseFilter({"heeftAfwijkingen": "false"}, qs)) == ["huis-c"]
    assert codes(HouseFilter({"verlopen": "true"}, qs)) == ["huis-b"]
    overdue = VariationFilter({"verlopen": "true"}, Variation.objects.all())
    assert [v.house.code for v in overdue.qs] == ["huis-b"]


def test_changed_since_returns_only_recent_changes(house_a, house_b):
    House.objects.filter(pk=house_a.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=10)
    )
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    assert codes(HouseFilter({"gewijzigdSinds": since}, House.objects.all())) == ["huis-b"]


def test_ordering_uses_one_dutch_key(house_a, house_b):
    qs = House.objects.all()
    assert codes(HouseFilter({"sorteer": "-naam"}, qs)) == ["huis-a", "huis-b"]
    fs = HouseFilter({"sorteer": "-naam"}, qs)
    assert [h.code for h in fs.qs] == ["huis-b", "huis-a"]


def test_assignments_filter_on_house_role_and_status(standard, house_a, house_b):
    liaison = Role.objects.get(code="liaison")
    AssignmentFactory(house=house_a, role=liaison)
    AssignmentFactory(house=house_b, role=liaison, status=Assignment.Status.VACANT)
    qs = Assignment.objects.all()
    fs = AssignmentFilter(
        {"veiligheidshuis": "huis-b", "rol": "liaison", "status": Assignment.Status.VACANT}, qs
    )
    assert [a.house.code for a in fs.qs] == ["huis-b"]
    assert AssignmentFilter({"status": Assignment.Status.ACTIVE}, qs).qs.get().house == house_a


def test_variations_needing_review(standard, house_a):
    VariationFactory(house=house_a, task=Task.objects.get(code="schakel"))
    standard.make_draft("1.1").publish(changes="Nieuwe versie.")
    fs = VariationFilter({"teHerbeoordelen": "true"}, Variation.objects.all())
    assert fs.qs.count() == 1


def test_roles_and_tasks_of_the_published_standard(standard):
    standard.make_draft("1.1")
    assert RoleFilter({"gepubliceerd": "true"}, Role.objects.all()).qs.count() == 2
    assert RoleFilter({"standaard": "1.1"}, Role.objects.all()).qs.count() == 2
    fs = TaskFilter({"gepubliceerd": "true", "soort": Task.Kind.EXCLUDED}, Task.objects.all())
    assert [t.code for t in fs.qs] == ["verslag"]

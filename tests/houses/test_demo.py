import pytest
from django.core.management import CommandError, call_command

from houses.demo import DEMO_PASSWORD, load_demo
from houses.models import Assignment, House, PoliceUnit, Variation
from houses.package import OMITTED, task_packages
from houses.reference import load_reference
from registry.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    load_reference()
    load_demo()


def test_demo_has_one_account_per_kind_that_can_log_in(demo, client):
    assert set(User.objects.values_list("kind", flat=True)) == set(User.Kind.values)
    for user in User.objects.all():
        assert client.login(username=user.username, password=DEMO_PASSWORD)
    assert User.objects.get(username="eenheid-noord").police_unit.code == "noord-nederland"


def test_demo_shows_every_variation_kind_and_status(demo):
    assert set(Variation.objects.values_list("kind", flat=True)) == set(Variation.Kind.values)
    assert set(Variation.objects.values_list("status", flat=True)) == set(Variation.Status.values)
    assert Variation.objects.overdue().exists()


def test_demo_contacts_are_fictitious(demo):
    mailboxes = Assignment.objects.exclude(contact_mailbox="").values_list(
        "contact_mailbox", flat=True
    )
    assert mailboxes
    assert all(m.endswith("@politie.example") for m in mailboxes)
    officers = Assignment.objects.exclude(officer_name="").values_list("officer_name", flat=True)
    assert all(name.startswith("Voorbeeld:") for name in officers)
    units = PoliceUnit.objects.exclude(contact_mailbox="")
    assert units and all(u.contact_mailbox.endswith("@politie.example") for u in units)


def test_demo_packages_show_vacancies_and_deviations(demo):
    packages = task_packages(House.objects.all())
    assert any(p.summary.vacant_roles for p in packages.values())
    assert any(p.summary.overdue_phase_outs for p in packages.values())
    assert any(p.summary.counts[OMITTED] for p in packages.values())


def test_loading_the_demo_twice_adds_nothing(demo):
    counts = (Assignment.objects.count(), Variation.objects.count(), User.objects.count())
    load_demo()
    assert (Assignment.objects.count(), Variation.objects.count(), User.objects.count()) == counts


def test_demo_is_refused_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("load_demo")
    assert not User.objects.exists()

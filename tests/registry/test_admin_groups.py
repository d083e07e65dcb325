"""Groups per kind of user, the demo accounts in the admin, and constant-query changelists."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import RequestFactory

from houses.demo import load_demo
from houses.models import Assignment, House, Variation
from houses.reference import load_reference
from registry.groups import GROUPS
from registry.models import User
from roles.models import StandardVersion, Task
from tests.admin_forms import admin_url
from tests.conftest import client_for
from tests.factories import AssignmentFactory, HouseFactory, UserFactory, VariationFactory

pytestmark = pytest.mark.django_db


def group_names(user):
    return set(user.groups.values_list("name", flat=True))


def test_an_account_needs_only_a_kind_to_land_in_its_group(unit_a):
    user = User.objects.create_user("nieuw", kind="unit", police_unit=unit_a)
    assert group_names(user) == {"Eenheid"}
    assert user.is_staff
    user.kind = "national"
    user.save()
    assert group_names(user) == {"Landelijk beheer"}


def test_setup_groups_is_idempotent_and_resyncs_accounts(unit_a):
    user = UserFactory(kind="reader")
    user.groups.clear()
    call_command("setup_groups")
    call_command("setup_groups")
    assert group_names(user) == {"Lezer"}
    for _kind, (name, _spec) in GROUPS.items():
        assert Group.objects.filter(name=name).count() == 1
    unit_perms = set(
        Group.objects.get(name="Eenheid").permissions.values_list("codename", flat=True)
    )
    assert {"change_house", "add_variation", "view_standardversion"} <= unit_perms
    assert not {"add_house", "change_standardversion", "change_policeunit"} & unit_perms


def test_the_demo_accounts_work_in_the_admin_as_section_5_says():
    load_reference()
    load_demo()
    groningen = House.objects.get(code="avz-groningen")  # eenheid Noord-Nederland
    limburg = House.objects.get(code="zvh-noord-limburg")
    # Who may edit the standard, asked of a draft (the published version is read-only for all).
    standard = StandardVersion.objects.current().make_draft("1.1")
    expectations = {
        "landelijk": (True, True, True),
        "eenheid-noord": (True, False, False),
        "eenheid-limburg": (False, True, False),
        "ketenmanager": (False, False, False),
        "lezer": (False, False, False),
    }
    for username, wanted in expectations.items():
        user = User.objects.get(username=username)
        request = RequestFactory().get("/admin/")
        request.user = user
        house_admin = admin.site._registry[House]
        standard_admin = admin.site._registry[StandardVersion]
        actual = (
            house_admin.has_change_permission(request, groningen),
            house_admin.has_change_permission(request, limburg),
            standard_admin.has_change_permission(request, standard),
        )
        assert actual == wanted, username
        response = client_for(user).get(admin_url(Variation, "changelist"))
        # Ketenmanagers stay out of the admin (sent to its login); the others read it.
        assert response.status_code == (302 if user.kind == User.Kind.KETENMANAGER else 200)


def changelist_queries(client, model, django_assert_num_queries, expected):
    with django_assert_num_queries(expected):
        response = client.get(admin_url(model, "changelist"))
        assert response.status_code == 200


@pytest.mark.parametrize("size", [2, 12])
def test_the_variation_changelist_runs_a_constant_number_of_queries(
    national_client, standard, size, django_assert_num_queries
):
    task = Task.objects.filter(role__standard_version=standard, code="schakel").get()
    for _ in range(size):
        VariationFactory(house=HouseFactory(), task=task)
    changelist_queries(national_client, Variation, django_assert_num_queries, 9)


@pytest.mark.parametrize("size", [2, 12])
def test_the_assignment_changelist_runs_a_constant_number_of_queries(
    national_client, standard, size, django_assert_num_queries
):
    role = standard.roles.get(code="liaison")
    for _ in range(size):
        AssignmentFactory(house=HouseFactory(), role=role)
    changelist_queries(national_client, Assignment, django_assert_num_queries, 9)


@pytest.mark.parametrize("size", [2, 12])
def test_the_house_changelist_runs_a_constant_number_of_queries(
    national_client, size, django_assert_num_queries
):
    for _ in range(size):
        HouseFactory()
    changelist_queries(national_client, House, django_assert_num_queries, 8)

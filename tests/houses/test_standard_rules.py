"""What houses record against the standard: only the published version for new records,
vacancy-aware conformance in every view, what police does not do, and the date and length rules."""

import csv
import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from houses.models import Assignment, Variation
from roles import differences
from roles.models import Presence, Task
from tests.admin_forms import admin_url, page_data
from tests.api_helpers import assert_problem, token_client
from tests.conftest import client_for
from tests.factories import AssignmentFactory, VariationFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def newer(standard):
    """Standard 1.1 published; 1.0 superseded."""
    draft = standard.make_draft("1.1")
    draft.publish(changes="Nieuwe versie.")
    return draft


def task_of(version, code):
    return Task.objects.get(role__standard_version=version, code=code)


# Only the published version for new records ---------------------------------------------------


def test_a_new_variation_against_a_superseded_version_is_refused(standard, newer, house_a):
    old_task = task_of(standard, "schakel")
    variation = Variation(
        house=house_a,
        role=old_task.role,
        task=old_task,
        kind=Variation.Kind.OMISSION,
        rationale="Gemeente doet dit",
        standard_version=standard,
    )
    with pytest.raises(ValidationError) as excinfo:
        variation.full_clean()
    assert "standaard 1.0" in excinfo.value.message_dict["role"][0]


def test_an_existing_variation_against_an_older_version_keeps_working(standard, house_a):
    variation = VariationFactory(house=house_a, task=task_of(standard, "schakel"))
    draft = standard.make_draft("1.1")
    draft.publish(changes="Nieuwe versie.")
    variation.refresh_from_db()
    assert variation.needs_review
    variation.review_by = TODAY
    variation.full_clean()  # unchanged role and task: still valid
    variation.save()
    variation.mark_reviewed()
    assert variation.standard_version == draft


def test_api_refuses_new_records_against_a_superseded_version(
    national_user, standard, newer, house_a
):
    client = token_client(national_user)
    old_role = standard.roles.get(code="liaison")
    old_task = task_of(standard, "schakel")
    response = client.post(
        "/api/v1/afwijkingen",
        {
            "veiligheidshuis": "huis-a",
            "rol": old_role.pk,
            "taak": old_task.pk,
            "soort": Variation.Kind.OMISSION,
            "onderbouwing": "x",
        },
        format="json",
    )
    body = assert_problem(response, 400)
    assert "rol" in [p["name"] for p in body["invalidParams"]]
    response = client.post(
        "/api/v1/toewijzingen",
        {"veiligheidshuis": "huis-a", "rol": old_role.pk, "aanwezigheid": Presence.PART_TIME},
        format="json",
    )
    assert_problem(response, 400)
    assert not Variation.objects.exists() and not Assignment.objects.exists()
    current_role = newer.roles.get(code="liaison")
    response = client.post(
        "/api/v1/toewijzingen",
        {"veiligheidshuis": "huis-a", "rol": current_role.pk, "aanwezigheid": Presence.PART_TIME},
        format="json",
    )
    assert response.status_code == 201, response.content


def test_import_refuses_rows_against_a_superseded_version(unit_a_user, standard, newer, house_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = (
        "veiligheidshuis,standaard,rol,taak,soort,onderbouwing,status\n"
        "huis-a,1.0,liaison,schakel,omission,Gemeente doet dit,proposed\n"
    )
    upload = SimpleUploadedFile("a.csv", text.encode(), content_type="text/csv")
    response = client_for(unit_a_user).post(
        admin_url(Variation, "import"), {"import_file": upload, "format": "0"}
    )
    assert response.context.get("confirm_form") is None
    assert "standaard 1.0" in response.content.decode()
    assert not Variation.objects.exists()


def test_admin_offers_only_roles_and_tasks_of_the_published_version(
    national_user, standard, newer, house_a
):
    old = VariationFactory(house=house_a, task=task_of(standard, "schakel"))
    client = client_for(national_user)
    form = client.get(admin_url(Variation, "add")).context["adminform"].form
    assert {r.standard_version_id for r in form.fields["role"].queryset} == {newer.pk}
    assert {t.role.standard_version_id for t in form.fields["task"].queryset} == {newer.pk}
    # An existing variation against 1.0 keeps its own role and task among the choices.
    url = admin_url(Variation, "change", old.pk)
    form = client.get(url).context["adminform"].form
    assert old.role in form.fields["role"].queryset
    assert old.task in form.fields["task"].queryset
    data = page_data(client.get(url))
    data["review_by"] = TODAY.isoformat()
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors


# Conformance in every view -------------------------------------------------------------------


def test_a_house_with_every_role_vacant_delivers_nothing_everywhere(reader, standard, house_a):
    client = client_for(reader)
    house_page = client.get(reverse("house-detail", args=["huis-a"])).content.decode()
    assert "<strong>0 / 4</strong>" in house_page
    assert "4 worden niet geleverd omdat hun rol hier vacant is" in house_page
    assert "niet geleverd: rol vacant" in house_page
    unit_page = client.get(reverse("unit-detail", args=["eenheid-a"])).content.decode()
    assert ">0 / 4<" in unit_page
    dashboard = client.get(reverse("home")).content.decode()
    assert "Eenheid A: 0%." in dashboard
    units = client.get(reverse("unit-list")).content.decode()
    assert ">0%<" in units
    api = token_client(reader).get("/api/v1/veiligheidshuizen/huis-a/takenpakket").json()
    summary = api["samenvatting"]
    assert (summary["conformStandaard"], summary["nietGeleverdVacant"]) == (0, 4)
    assert summary["aandeelConform"] == 0
    matrix = client.get(reverse("matrix-export", args=["csv"])).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(matrix), delimiter=";"))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["Standaardtaken conform"], row["Niet geleverd (rol vacant)"]) == ("0", "4")


def test_filling_a_role_makes_its_tasks_count_on_every_page(reader, standard, house_a, house_b):
    AssignmentFactory(house=house_a, role=standard.roles.get(code="liaison"))
    client = client_for(reader)
    house_page = client.get(reverse("house-detail", args=["huis-a"])).content.decode()
    assert "<strong>3 / 4</strong>" in house_page
    compare = client.get(reverse("compare"), {"huis": ["huis-a", "huis-b"]})
    assert compare.status_code == 200
    api = token_client(reader).get("/api/v1/veiligheidshuizen/huis-a/takenpakket").json()
    assert api["samenvatting"]["conformStandaard"] == 3
    assert api["samenvatting"]["aandeelConform"] == 0.75


# What police does not do -------------------------------------------------------------------


def test_excluded_tasks_are_on_the_house_page_api_and_export_with_a_phase_out(
    reader, standard, house_a, house_b
):
    deadline = TODAY + datetime.timedelta(days=100)
    VariationFactory(
        house=house_a,
        task=task_of(standard, "verslag"),
        kind=Variation.Kind.PHASE_OUT,
        local_norm="",
        phase_out_by=deadline,
    )
    client = client_for(reader)
    page = client.get(reverse("house-detail", args=["huis-a"])).content.decode()
    section = page.split("Wat de politie hier niet doet", 1)[1]
    assert "Verslaglegging" in section and "afbouw uiterlijk" in section
    other = client.get(reverse("house-detail", args=["huis-b"])).content.decode()
    assert "De politie doet dit hier niet." in other.split("Wat de politie hier niet doet", 1)[1]

    api = token_client(reader).get("/api/v1/veiligheidshuizen/huis-a/takenpakket").json()
    (excluded,) = api["uitgesloten"]
    assert excluded["taak"]["code"] == "verslag"
    assert excluded["afgebouwdUiterlijk"] == deadline.isoformat()
    assert excluded["afbouw"].startswith("http")
    api_b = token_client(reader).get("/api/v1/veiligheidshuizen/huis-b/takenpakket").json()
    assert api_b["uitgesloten"][0]["afbouw"] is None

    export = client.get(reverse("house-package-export", args=["huis-b", "csv"]))
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    excluded_rows = [row for row in rows if row[1] == "Verslaglegging"]
    assert excluded_rows and "de politie doet dit hier niet" in excluded_rows[0][3]


# Dates and lengths ---------------------------------------------------------------------------


def test_a_phase_out_ending_before_its_agreement_is_refused(national_user, standard, house_a):
    task = task_of(standard, "verslag")
    variation = Variation(
        house=house_a,
        role=task.role,
        task=task,
        kind=Variation.Kind.PHASE_OUT,
        rationale="Afspraak",
        status=Variation.Status.PROPOSED,
        agreed_on=datetime.date(2026, 11, 15),
        phase_out_by=datetime.date(2026, 1, 1),
        standard_version=standard,
    )
    with pytest.raises(ValidationError) as excinfo:
        variation.full_clean()
    assert "15-11-2026" in excinfo.value.message_dict["phase_out_by"][0]
    # The maximum term counts from the agreement.
    variation.phase_out_by = datetime.date(2029, 11, 16)
    with pytest.raises(ValidationError) as excinfo:
        variation.full_clean()
    assert "hoogstens" in excinfo.value.message_dict["phase_out_by"][0]
    variation.phase_out_by = datetime.date(2029, 11, 15)
    variation.full_clean()


def test_api_refuses_an_overlong_text_and_a_wrong_phone_number(national_user, standard, house_a):
    role = standard.roles.get(code="liaison")
    client = token_client(national_user)
    data = {"veiligheidshuis": "huis-a", "rol": role.pk, "aanwezigheid": Presence.PART_TIME}
    response = client.post(
        "/api/v1/toewijzingen", {**data, "opmerkingen": "x" * 2_000_001}, format="json"
    )
    body = assert_problem(response, 400)
    assert [p["name"] for p in body["invalidParams"]] == ["opmerkingen"]
    response = client.post("/api/v1/toewijzingen", {**data, "telefoon": "bel maar"}, format="json")
    body = assert_problem(response, 400)
    assert [p["name"] for p in body["invalidParams"]] == ["telefoon"]
    response = client.post("/api/v1/toewijzingen", {**data, "telefoon": "0900-8844"}, format="json")
    assert response.status_code == 201
    assert not Assignment.objects.exclude(contact_phone="0900-8844").exists()


def test_model_validation_limits_free_text(standard, house_a):
    assignment = AssignmentFactory.build(
        house=house_a, role=standard.roles.get(code="liaison"), notes="x" * 2001
    )
    with pytest.raises(ValidationError) as excinfo:
        assignment.full_clean()
    assert "notes" in excinfo.value.message_dict


# The API's version differences ---------------------------------------------------------------


def test_api_serves_the_differences_between_versions(reader, standard, newer):
    draft = newer.make_draft("1.2")
    task = task_of(draft, "extra")
    task.kind = Task.Kind.EXCLUDED
    task.save()
    task_of(draft, "schakel").delete()
    client = token_client(reader)
    body = client.get("/api/v1/standaarden/1.2/verschillen").json()
    assert body["standaard"] == "1.2" and body["tenOpzichteVan"] == "1.1"
    kinds = {(d["soort"], d["taak"]) for d in body["verschillen"]}
    assert kinds == {(differences.KIND_CHANGED, "extra"), (differences.TASK_REMOVED, "schakel")}
    changed = next(d for d in body["verschillen"] if d["soort"] == differences.KIND_CHANGED)
    assert (changed["oud"], changed["nieuw"]) == (
        "Optionele taak",
        "Uitgesloten (geen politietaak)",
    )
    assert changed["raaktTakenpakket"] is True
    body = client.get("/api/v1/standaarden/1.1/verschillen", {"tenOpzichteVan": "1.0"}).json()
    assert body["verschillen"] == []
    assert client.get("/api/v1/standaarden/1.0/verschillen").json()["tenOpzichteVan"] is None
    response = client.get("/api/v1/standaarden/1.1/verschillen", {"tenOpzichteVan": "7.7"})
    body = assert_problem(response, 400)
    assert body["invalidParams"][0]["name"] == "tenOpzichteVan"

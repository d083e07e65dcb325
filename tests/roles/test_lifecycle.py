"""The standard's lifecycle: draft → published → superseded only by publishing; a published or
superseded version, with its roles and tasks, is read-only in the model, API and admin."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from registry.lib.editable import ReadOnlyRecordError
from roles.models import Presence, Role, StandardVersion, Task
from tests.admin_forms import admin_url, page_data
from tests.api_helpers import assert_problem, current_etag, token_client
from tests.conftest import client_for
from tests.factories import RoleFactory, StandardVersionFactory, TaskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superseded(standard):
    """1.0 superseded by a published 1.1."""
    newer = standard.make_draft("1.1")
    newer.publish(on=datetime.date(2026, 1, 1), changes="Taken verduidelijkt.")
    standard.refresh_from_db()
    return standard


def task_of(version, code="aanspreekpunt"):
    return Task.objects.get(role__standard_version=version, code=code)


# The model -----------------------------------------------------------------------------------


def test_a_task_of_the_published_version_cannot_be_saved_or_deleted(standard):
    task = task_of(standard)
    task.title = "Anders"
    with pytest.raises(ReadOnlyRecordError, match="Standaard 1.0 is gepubliceerd"):
        task.save()
    with pytest.raises(ReadOnlyRecordError):
        task.delete()
    assert task_of(standard).title == "Aanspreekpunt"


def test_a_superseded_version_and_its_roles_are_read_only(superseded):
    role = superseded.roles.get(code="liaison")
    role.name = "Anders"
    with pytest.raises(ReadOnlyRecordError, match="Standaard 1.0 is vervangen"):
        role.save()
    superseded.title = "Anders"
    with pytest.raises(ReadOnlyRecordError):
        superseded.save()
    with pytest.raises(ValidationError):
        Role(standard_version=superseded, code="nieuw", name="Nieuw").full_clean()


def test_the_status_changes_only_by_publishing(standard):
    draft = standard.make_draft("1.1")
    draft.status = StandardVersion.Status.PUBLISHED
    draft.published_on = datetime.date(2026, 1, 1)
    with pytest.raises(ValidationError) as excinfo:
        draft.save()
    assert "status" in excinfo.value.message_dict
    assert StandardVersion.objects.get(version="1.1").status == StandardVersion.Status.DRAFT


def test_a_draft_remains_editable(standard):
    draft = standard.make_draft("1.1")
    task = task_of(draft)
    task.title = "Aanspreekpunt voor partners"
    task.full_clean()
    task.save()
    assert task_of(draft).title == "Aanspreekpunt voor partners"


def test_publishing_asks_for_change_notes_and_refuses_an_incomplete_draft(standard):
    empty = StandardVersionFactory(version="2.0")
    with pytest.raises(ValidationError) as excinfo:
        empty.publish(changes="")
    messages = excinfo.value.message_dict
    assert "changes" in messages
    assert any("geen rollen" in m for m in messages["__all__"])

    draft = standard.make_draft("1.1")
    RoleFactory(standard_version=draft, code="nieuw", name="Nieuwe rol")
    with pytest.raises(ValidationError, match="'Nieuwe rol' heeft geen kerntaak"):
        draft.publish(changes="Een rol erbij.")
    # All or nothing: the published version did not change.
    assert StandardVersion.objects.current() == standard
    assert StandardVersion.objects.get(version="1.1").status == StandardVersion.Status.DRAFT


# The API -------------------------------------------------------------------------------------


def test_api_refuses_to_put_a_published_version_back_to_draft(national_user, standard):
    client = token_client(national_user)
    response = client.patch(
        "/api/v1/standaarden/1.0",
        {"status": StandardVersion.Status.DRAFT, "titel": "Anders"},
        format="json",
        HTTP_IF_MATCH=current_etag("/api/v1/standaarden/1.0"),
    )
    title = standard.title
    body = assert_problem(response, 409)
    assert "1.0" in body["detail"]
    standard.refresh_from_db()
    assert (standard.status, standard.title) == (StandardVersion.Status.PUBLISHED, title)


def test_api_creates_a_version_only_as_draft(national_user, standard):
    client = token_client(national_user)
    response = client.post(
        "/api/v1/standaarden",
        {"versie": "2.0", "titel": "Nieuw", "status": StandardVersion.Status.PUBLISHED},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == StandardVersion.Status.DRAFT
    assert StandardVersion.objects.current() == standard


@pytest.mark.parametrize("method", ["patch", "delete"])
def test_api_refuses_changes_to_tasks_and_roles_of_a_superseded_version(
    national_user, superseded, method
):
    client = token_client(national_user)
    task = task_of(superseded)
    role = task.role
    for url, data in [
        (f"/api/v1/taken/{task.pk}", {"titel": "Anders"}),
        (f"/api/v1/rollen/{role.pk}", {"naam": "Anders"}),
    ]:
        call = getattr(client, method)
        response = call(url, data, format="json", HTTP_IF_MATCH=current_etag(url))
        body = assert_problem(response, 409)
        assert "Standaard 1.0 is vervangen" in body["detail"]
    assert task_of(superseded).title == "Aanspreekpunt"
    assert Role.objects.filter(pk=role.pk, name="Liaison").exists()


def test_api_refuses_a_new_role_in_the_published_version(national_user, standard):
    response = token_client(national_user).post(
        "/api/v1/rollen",
        {
            "standaard": "1.0",
            "code": "nieuw",
            "naam": "Nieuw",
            "verwachteAanwezigheid": Presence.PART_TIME,
        },
        format="json",
    )
    assert_problem(response, 409)
    assert not Role.objects.filter(code="nieuw").exists()


def test_api_still_refuses_other_users_with_403_first(reader, standard):
    response = token_client(reader).patch(
        "/api/v1/standaarden/1.0",
        {"titel": "x"},
        format="json",
        HTTP_IF_MATCH=current_etag("/api/v1/standaarden/1.0"),
    )
    assert_problem(response, 403)


def test_api_edits_a_task_of_a_draft(national_user, standard):
    draft = standard.make_draft("1.1")
    task = task_of(draft)
    response = token_client(national_user).patch(
        f"/api/v1/taken/{task.pk}",
        {"titel": "Nieuw"},
        format="json",
        HTTP_IF_MATCH=current_etag(f"/api/v1/taken/{task.pk}"),
    )
    assert response.status_code == 200, response.content
    assert task_of(draft).title == "Nieuw"


def test_api_publishes_a_draft_with_change_notes(national_user, reader, standard):
    draft = standard.make_draft("1.1")
    client = token_client(national_user)
    url = "/api/v1/standaarden/1.1/publiceren"
    body = assert_problem(client.post(url, {}, format="json", HTTP_IF_MATCH=current_etag(url)), 400)
    assert [p["name"] for p in body["invalidParams"]] == ["wijzigingen"]
    assert_problem(
        token_client(reader).post(
            url, {"wijzigingen": "x"}, format="json", HTTP_IF_MATCH=current_etag(url)
        ),
        403,
    )
    response = client.post(
        url, {"wijzigingen": "Taken verduidelijkt."}, format="json", HTTP_IF_MATCH=current_etag(url)
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == StandardVersion.Status.PUBLISHED
    assert StandardVersion.objects.current() == draft
    standard.refresh_from_db()
    assert standard.status == StandardVersion.Status.SUPERSEDED
    # Publishing again: the version is no longer a draft.
    again = client.post(url, {"wijzigingen": "x"}, format="json", HTTP_IF_MATCH=current_etag(url))
    assert_problem(again, 409)


def test_api_refuses_to_publish_a_role_without_core_tasks(national_user, standard):
    draft = standard.make_draft("1.1")
    RoleFactory(standard_version=draft, code="nieuw", name="Nieuwe rol")
    response = token_client(national_user).post(
        "/api/v1/standaarden/1.1/publiceren",
        {"wijzigingen": "Rol erbij."},
        format="json",
        HTTP_IF_MATCH=current_etag("/api/v1/standaarden/1.1/publiceren"),
    )
    body = assert_problem(response, 400)
    assert "'Nieuwe rol' heeft geen kerntaak" in str(body["invalidParams"])
    assert StandardVersion.objects.current() == standard


# The admin -----------------------------------------------------------------------------------


def test_admin_shows_a_task_of_a_published_version_read_only_and_refuses_a_post(
    national_user, standard
):
    client = client_for(national_user)
    task = task_of(standard)
    url = admin_url(Task, "change", task.pk)
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert "Standaard 1.0 is gepubliceerd" in response.content.decode()
    response = client.post(url, {"title": "Anders", "code": task.code, "kind": task.kind})
    assert response.status_code == 403
    assert task_of(standard).title == "Aanspreekpunt"


def test_admin_edits_a_task_of_a_draft(national_user, standard):
    draft = standard.make_draft("1.1")
    client = client_for(national_user)
    task = task_of(draft)
    url = admin_url(Task, "change", task.pk)
    data = page_data(client.get(url))
    data["title"] = "Nieuw"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert task_of(draft).title == "Nieuw"


def test_admin_offers_only_draft_roles_for_a_new_task(national_user, standard):
    draft = standard.make_draft("1.1")
    form = client_for(national_user).get(admin_url(Task, "add")).context["adminform"].form
    versions = {role.standard_version_id for role in form.fields["role"].queryset}
    assert versions == {draft.pk}


def test_admin_publish_action_asks_what_changes(national_user, standard):
    draft = standard.make_draft("1.1")
    client = client_for(national_user)
    url = admin_url(StandardVersion, "changelist")
    post = {"action": "publish", "_selected_action": [draft.pk], "apply": "1"}
    response = client.post(url, {**post, "published_on": "2026-02-01"})
    assert response.status_code == 200  # the form again: "Wat verandert er" is required
    assert "Wat verandert er" in response.content.decode()
    assert StandardVersion.objects.current() == standard
    response = client.post(
        url, {**post, "published_on": "2026-02-01", "changes": "Taken verduidelijkt."}
    )
    assert response.status_code == 302
    assert StandardVersion.objects.current() == draft
    assert StandardVersion.objects.get(pk=draft.pk).changes == "Taken verduidelijkt."


def test_admin_never_offers_status_as_a_field(national_user, standard):
    form = client_for(national_user).get(admin_url(StandardVersion, "add")).context["adminform"]
    assert "status" not in form.form.fields


# Pages ---------------------------------------------------------------------------------------


def test_every_version_has_its_page_with_its_differences(reader, superseded):
    newer = StandardVersion.objects.get(version="1.1")
    draft = newer.make_draft("1.2")
    task = task_of(draft, "verslag")
    task.title = "Verslag van het overleg"
    task.save()
    extra = task_of(draft, "extra")
    extra.kind = Task.Kind.EXCLUDED
    extra.save()
    client = client_for(reader)
    assert client.get(reverse("standard-version", args=["1.0"])).status_code == 200
    body = client.get(reverse("standard-version", args=["1.2"])).content.decode()
    assert "Titel gewijzigd" in body and "Verslag van het overleg" in body
    assert "Soort gewijzigd" in body and "Uitgesloten (geen politietaak)" in body
    assert "verandert wat huizen leveren" in body
    assert client.get(reverse("standard-version", args=["9.9"])).status_code == 404
    overview = client.get(reverse("standard")).content.decode()
    assert "2 verschillen met versie 1.1" in overview
    assert "Wat veranderde" in overview


def test_task_factories_of_a_draft_are_not_read_only(standard):
    draft = StandardVersionFactory(version="3.0")
    task = TaskFactory(role__standard_version=draft)
    task.title = "Anders"
    task.save()
    assert Task.objects.get(pk=task.pk).title == "Anders"

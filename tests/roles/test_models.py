import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from registry.lib.editable import StaleEditError
from roles.models import Role, StandardVersion, Task
from tests.factories import (
    PublishedStandardFactory,
    RoleFactory,
    StandardVersionFactory,
    TaskFactory,
)

pytestmark = pytest.mark.django_db


def test_database_refuses_a_second_published_version():
    PublishedStandardFactory(version="1.0")
    with pytest.raises(IntegrityError), transaction.atomic():
        PublishedStandardFactory(version="2.0")


def test_published_version_needs_a_publication_date():
    version = StandardVersionFactory.build(status=StandardVersion.Status.PUBLISHED)
    with pytest.raises(ValidationError) as excinfo:
        version.full_clean()
    assert "published_on" in excinfo.value.message_dict
    # A new version starts as a draft: it cannot be created as published.
    assert "status" in excinfo.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        version.save()


def test_version_label_must_look_like_a_version_number():
    version = StandardVersionFactory.build(version="versie een", title="x")
    with pytest.raises(ValidationError) as excinfo:
        version.full_clean()
    assert "version" in excinfo.value.message_dict


def test_role_codes_are_unique_within_a_version_only(standard):
    RoleFactory(standard_version=StandardVersionFactory(version="2.0"), code="liaison")
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleFactory(standard_version=standard, code="liaison")


def test_make_draft_copies_roles_and_tasks(standard):
    draft = standard.make_draft("1.1")
    assert draft.status == StandardVersion.Status.DRAFT
    assert list(draft.roles.values_list("code", flat=True)) == ["liaison", "deelnemer"]
    assert Task.objects.filter(role__standard_version=draft).count() == 5
    # The original is untouched.
    assert Task.objects.filter(role__standard_version=standard).count() == 5
    assert StandardVersion.objects.current() == standard


def test_publishing_a_draft_supersedes_the_published_version(standard):
    draft = standard.make_draft("1.1")
    draft.publish(on=datetime.date(2026, 1, 1), changes="Taken verduidelijkt.")
    standard.refresh_from_db()
    assert standard.status == StandardVersion.Status.SUPERSEDED
    assert StandardVersion.objects.current() == draft
    assert draft.published_on == datetime.date(2026, 1, 1)


def test_only_a_draft_can_be_published(standard):
    with pytest.raises(ValidationError):
        standard.publish()


def test_saving_a_stale_copy_is_refused_and_changes_nothing(standard):
    draft = standard.make_draft("1.1")
    role = Role.objects.get(standard_version=draft, code="liaison")
    first = Role.objects.get(pk=role.pk)
    second = Role.objects.get(pk=role.pk)
    first.name = "Eerste"
    first.save()
    second.name = "Tweede"
    with pytest.raises(StaleEditError):
        second.save()
    role.refresh_from_db()
    assert role.name == "Eerste"
    assert role.revision == 2
    assert role.history.count() == 2  # creation and the one accepted change


def test_a_fresh_copy_saves_after_a_refused_stale_one():
    task = TaskFactory(role__standard_version=StandardVersionFactory())
    stale = Task.objects.get(pk=task.pk)
    task.title = "Nieuw"
    task.save()
    stale.refresh_from_db()
    stale.norm = "maandelijks"
    stale.save()
    task.refresh_from_db()
    assert (task.title, task.norm, task.revision) == ("Nieuw", "maandelijks", 3)


def test_changes_are_recorded_in_history_with_reason():
    task = TaskFactory(title="Oud", role__standard_version=StandardVersionFactory())
    task.title = "Nieuw"
    task._change_reason = "Tekst verduidelijkt"
    task.save()
    latest = task.history.first()
    assert latest.title == "Nieuw"
    assert latest.history_change_reason == "Tekst verduidelijkt"
    assert latest.diff_against(latest.prev_record).changed_fields == ["title"]


def test_the_stale_edit_message_is_translated_like_every_other_message():
    from django.utils import translation

    from houses.models import House

    assert str(StaleEditError(House())).startswith("Veiligheidshuis is intussen")
    with translation.override("en"):
        assert str(StaleEditError(House())).startswith("Safety house has been changed")

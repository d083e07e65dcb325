"""Stored per-house summaries (houses.summaries) and the dashboard built on them.

The conformance per eenheid summed from the stored rows equals the reference definition
(each house's task package added up per eenheid); ``refresh`` computes a row again only after a
write to its house, a shared write, or the day its overdue count changes; ``store`` never puts
an older row over a newer one. The dashboard shows one page of its matrix (the page number
validated before it goes into the cache key) while its conformance counts every house its
filters select, and the first few items of each national list with a link to the full list.
A house whose code changes (a new house counter, which may start lower) keeps following its
writes, and a house deleted while its row is computed leaves the others stored. Runs on SQLite
and on PostgreSQL.
"""

import datetime
import io
import re
import types

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import transaction
from django.db.models import F
from django.urls import reverse

from houses import summaries
from houses.models import Assignment, House, HouseSummary, PoliceUnit, Variation
from houses.overview import UnitConformance, conformance_from_totals
from houses.package import ADDED, PHASE_OUT, task_packages
from houses.pieces import listed_houses
from houses.summaries import COLUMNS, FIGURES, refresh, row_of, stale_houses, store, unit_totals
from registry import views
from registry.lib import cache as cache_module
from registry.lib.cache import bump
from roles.models import Presence, Role, StandardVersion, Task
from tests.factories import (
    AssignmentFactory,
    HouseFactory,
    PoliceUnitFactory,
    RoleFactory,
    StandardVersionFactory,
    TaskFactory,
    VariationFactory,
)
from tests.pages import TODAY, populate, without_csrf_tokens

pytestmark = pytest.mark.django_db

TOMORROW = TODAY + datetime.timedelta(days=1)
#: What ``UnitConformance`` counts per eenheid, as the dashboard's table shows it.
COUNTED = [
    "houses",
    "standard_tasks",
    "as_standard",
    "varied",
    "vacant_tasks",
    "deviations",
    "vacant_roles",
    "overdue",
]


def active_houses():
    return House.objects.filter(active=True)


def stored(house) -> HouseSummary:
    return HouseSummary.objects.get(house_id=house.pk)


def figures_of(summary) -> dict:
    """The figures of a ``houses.package.Summary`` under the names of a stored row."""
    listed = {name: getattr(summary, name) for name in summaries.SUMMARY_FIELDS}
    return {**listed, "additions": summary.counts[ADDED], "phase_outs": summary.counts[PHASE_OUT]}


def stored_figures(house) -> dict:
    row = stored(house)
    return {name: getattr(row, name) for name in FIGURES}


def fresh_figures(house, today=TODAY) -> dict:
    return figures_of(task_packages([house], today=today)[house.pk].summary)


def reference_by_unit(queryset, today=TODAY) -> dict:
    """The reference: each house's task package computed now, added up per eenheid."""
    houses = list(queryset)
    packages = task_packages(houses, today=today)
    entries = {unit.pk: UnitConformance(unit=unit) for unit in PoliceUnit.objects.all()}
    for house in houses:
        entries[house.police_unit_id].add(packages[house.pk].summary)
    return {entry.unit.code: counted(entry) for entry in entries.values() if entry.houses}


def summed_by_unit(queryset, today=TODAY) -> dict:
    """What the dashboard shows: the stored rows, refreshed and summed per eenheid (the
    eenheden with houses among them)."""
    refresh(queryset, today=today)
    entries = conformance_from_totals(PoliceUnit.objects.all(), unit_totals(queryset))
    return {entry.unit.code: counted(entry) for entry in entries if entry.houses}


def counted(entry) -> dict:
    return {name: getattr(entry, name) for name in COUNTED}


def standard_task(standard, role_code, task_code) -> Task:
    return Task.objects.get(role__standard_version=standard, role__code=role_code, code=task_code)


def agreed_phase_out(house, standard, deadline):
    return VariationFactory(
        house=house,
        task=standard_task(standard, "deelnemer", "verslag"),
        kind=Variation.Kind.PHASE_OUT,
        local_norm="",
        phase_out_by=deadline,
    )


def house_with_phase_out(unit, standard, deadline):
    """A house whose only variation is an agreed phase-out due on ``deadline``."""
    house = HouseFactory(police_unit=unit)
    agreed_phase_out(house, standard, deadline)
    return house


# --- the figures -----------------------------------------------------------------------------


def test_the_summed_rows_per_eenheid_equal_the_conformance_computed_from_task_packages(
    standard, unit_a, unit_b
):
    populate(standard, unit_a, houses=3)
    populate(standard, unit_b, houses=2)
    PoliceUnitFactory(code="eenheid-zonder-huizen")
    liaison = Role.objects.get(standard_version=standard, code="liaison")
    participant = Role.objects.get(standard_version=standard, code="deelnemer")
    # Every role vacant, nothing recorded.
    HouseFactory(police_unit=unit_b)
    # Both roles filled, an adjusted task, a proposed addition, a phase-out due today and one
    # in a month, an ended variation and an ended assignment (neither counts).
    varied = HouseFactory(police_unit=unit_a)
    AssignmentFactory(house=varied, role=liaison, presence=Presence.PART_TIME)
    AssignmentFactory(house=varied, role=participant)
    AssignmentFactory(
        house=varied,
        role=participant,
        status=Assignment.Status.ENDED,
        end_date=TODAY - datetime.timedelta(days=10),
    )
    VariationFactory(house=varied, task=standard_task(standard, "liaison", "aanspreekpunt"))
    VariationFactory(
        house=varied,
        task=None,
        role=liaison,
        kind=Variation.Kind.ADDITION,
        title="Wijkspreekuur",
        status=Variation.Status.PROPOSED,
        agreed_on=None,
        agreed_with="",
    )
    agreed_phase_out(varied, standard, TODAY)
    VariationFactory(
        house=varied,
        task=standard_task(standard, "liaison", "schakel"),
        kind=Variation.Kind.OMISSION,
        status=Variation.Status.ENDED,
        ended_on=TODAY - datetime.timedelta(days=1),
    )
    # An agreed variation recorded against a superseded standard (to review, unmatched).
    old = StandardVersionFactory(version="0.9", status=StandardVersion.Status.SUPERSEDED)
    old_task = TaskFactory(role=RoleFactory(standard_version=old, code="liaison"), code="oud")
    VariationFactory(house=varied, task=old_task)
    # An inactive house is not among the dashboard's houses.
    (inactive,) = populate(standard, unit_b, houses=1)
    inactive.active = False
    inactive.save()

    expected = reference_by_unit(active_houses())
    assert set(expected) == {"eenheid-a", "eenheid-b"}
    assert expected["eenheid-a"]["houses"] == 4 and expected["eenheid-b"]["houses"] == 3
    assert expected["eenheid-a"]["overdue"] == 3  # populate's; the one due today is not yet
    assert summed_by_unit(active_houses()) == expected
    # Each stored row holds its house's own summary, the figures no eenheid table shows too.
    for house in active_houses():
        assert stored_figures(house) == fresh_figures(house), house.name
    assert stored(varied).needs_review == 1 and stored(varied).proposed == 1
    # A filtered queryset sums its own houses only.
    only_a = active_houses().filter(police_unit=unit_a)
    assert summed_by_unit(only_a) == {"eenheid-a": expected["eenheid-a"]}


def test_refresh_computes_every_house_once_then_only_what_a_write_made_stale(
    standard, unit_a, unit_b
):
    houses = populate(standard, unit_a, houses=3) + populate(standard, unit_b, houses=2)
    assert refresh(active_houses(), today=TODAY) == 5
    assert refresh(active_houses(), today=TODAY) == 0

    changed = houses[1]
    assert stored(changed).vacant_roles == 1
    participant = Assignment.objects.get(house=changed, status=Assignment.Status.VACANT)
    participant.status = Assignment.Status.ACTIVE
    participant.start_date = TODAY
    participant.save()
    assert refresh(active_houses(), today=TODAY) == 1
    assert stored(changed).vacant_roles == 0
    assert stored_figures(changed) == fresh_figures(changed)
    assert stored_figures(houses[0]) != stored_figures(changed)
    assert refresh(active_houses(), today=TODAY) == 0

    unit_b.refresh_from_db()
    unit_b.name = "Eenheid B, hernoemd"
    unit_b.save()  # a shared write: every row is stale
    assert refresh(active_houses(), today=TODAY) == 5
    assert refresh(active_houses(), today=TODAY) == 0


def test_a_phase_out_due_today_is_overdue_tomorrow_and_only_its_house_is_computed_again(
    standard, unit_a
):
    populate(standard, unit_a, houses=2)  # overdue for three days: stays so
    due_today = house_with_phase_out(unit_a, standard, TODAY)
    due_later = house_with_phase_out(unit_a, standard, TODAY + datetime.timedelta(days=10))
    assert refresh(active_houses(), today=TODAY) == 4
    assert stored(due_today).overdue_phase_outs == 0
    assert stored(due_today).valid_until == TOMORROW
    assert summed_by_unit(active_houses(), today=TODAY)["eenheid-a"]["overdue"] == 2

    assert [house.pk for house in stale_houses(active_houses(), today=TOMORROW)] == [due_today.pk]
    assert refresh(active_houses(), today=TOMORROW) == 1
    assert stored(due_today).overdue_phase_outs == 1
    assert stored(due_today).computed_on == TOMORROW
    assert stored(due_later).overdue_phase_outs == 0
    assert summed_by_unit(active_houses(), today=TOMORROW)["eenheid-a"]["overdue"] == 3
    assert summed_by_unit(active_houses(), today=TOMORROW) == reference_by_unit(
        active_houses(), today=TOMORROW
    )

    # Not again until the later deadline has passed.
    assert refresh(active_houses(), today=TODAY + datetime.timedelta(days=10)) == 0
    assert refresh(active_houses(), today=TODAY + datetime.timedelta(days=11)) == 1
    assert stored(due_later).overdue_phase_outs == 1

    # A row computed on a later day does not hold for an earlier one.
    assert {house.pk for house in stale_houses(active_houses(), today=TODAY)} == {
        due_today.pk,
        due_later.pk,
    }
    assert [house.pk for house in stale_houses(active_houses(), today=TOMORROW)] == [due_later.pk]


def computed_row(house, today=TODAY) -> list:
    (listed,) = listed_houses(House.objects.filter(pk=house.pk))
    return row_of(listed, task_packages([listed.as_house()], today=today)[house.pk], today)


def with_values(row, **values) -> list:
    changed = list(row)
    for name, value in values.items():
        changed[COLUMNS.index(name)] = value
    return changed


def test_store_never_replaces_a_row_by_one_computed_at_older_revisions(standard, unit_a):
    first, second = populate(standard, unit_a, houses=2)
    current = {house.pk: computed_row(house) for house in (first, second)}
    store(list(current.values()))  # inserted
    assert stored_figures(first) == fresh_figures(first)
    marked = 999  # figures no real house has: shows which row was kept

    def revision(house, name):
        return current[house.pk][COLUMNS.index(name)]

    older = [
        # an older registry-wide revision, even computed on a later day
        with_values(
            current[first.pk],
            revision=revision(first, "revision") - 1,
            computed_on=TOMORROW,
            standard_tasks=marked,
        ),
        # an older registry-wide revision, even with newer house and shared revisions (a
        # house's counter restarts when its code changes: only the registry-wide one orders)
        with_values(
            current[second.pk],
            revision=revision(second, "revision") - 1,
            shared_revision=revision(second, "shared_revision") + 5,
            house_revision=revision(second, "house_revision") + 5,
            standard_tasks=marked,
        ),
    ]
    store(older)
    assert stored(first).standard_tasks != marked
    assert stored(second).standard_tasks != marked
    assert stored(first).computed_on == TODAY
    assert stored(second).house_revision == revision(second, "house_revision")

    # The same revision on an earlier day is older too.
    store(
        [with_values(current[first.pk], computed_on=TODAY - datetime.timedelta(1), varied=marked)]
    )
    assert stored(first).varied != marked

    # The same revision on a later day replaces the row; a newer revision replaces it, even
    # with a lower house revision; in one statement each row is decided on its own.
    bump()  # a write elsewhere: the registry-wide counter reaches the newer revision
    store(
        [
            with_values(current[first.pk], computed_on=TOMORROW, varied=marked),
            with_values(
                current[second.pk],
                revision=revision(second, "revision") + 1,
                house_revision=revision(second, "house_revision") - 5,
                vacant_roles=marked,
            ),
        ]
    )
    assert stored(first).varied == marked and stored(first).computed_on == TOMORROW
    assert stored(second).vacant_roles == marked
    store([with_values(current[second.pk], vacant_roles=0)])  # back to the older revision
    assert stored(second).vacant_roles == marked


# --- the dashboard: one page of the matrix, every house in the conformance --------------------


def page_body(client, url, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def matrix_codes(body) -> list[str]:
    """The codes of the houses in the matrix's rows, in their order."""
    prefix = re.escape(reverse("house-detail", args=["x"])[: -len("x/")])
    return re.findall(rf'<tr><th scope="row"><a href="{prefix}([^/"]+)/">', body)


def conformance_cells(body, unit) -> tuple[int, int, int]:
    """The houses and "conform / standard tasks" cells of ``unit``'s row."""
    url = re.escape(reverse("unit-detail", args=[unit.code]))
    found = re.search(
        rf'<a href="{url}">[^<]*</a></th><td class="num" data-label="Huizen">(\d+)</td>'
        r'<td class="num" data-label="Standaardtaken conform">(\d+) / (\d+)</td>',
        body,
    )
    assert found, f"no conformance row for {unit.code}"
    return tuple(int(value) for value in found.groups())


def many_houses(unit, count, prefix):
    """``count`` houses without records, named so that they sort first, as a bulk load."""
    House.objects.bulk_create(
        HouseFactory.build(police_unit=unit, code=f"{prefix}-{n:03}", name=f"Huis {prefix} {n:03}")
        for n in range(1, count + 1)
    )
    bump()  # a bulk load counts as a shared write (registry.lib.cache)


@pytest.fixture
def big_registry(standard, unit_a, unit_b):
    """105 houses in eenheid A (two with records), 3 in eenheid B."""
    many_houses(unit_a, 103, "a")
    populate(standard, unit_a, houses=2)
    many_houses(unit_b, 2, "b")
    populate(standard, unit_b, houses=1)


def expected_order(**filters) -> list[str]:
    return list(
        active_houses().filter(**filters).order_by("name", "pk").values_list("code", flat=True)
    )


def expected_cells(queryset, unit) -> tuple[int, int, int]:
    entry = reference_by_unit(queryset)[unit.code]
    return entry["houses"], entry["as_standard"], entry["standard_tasks"]


def test_the_dashboard_shows_the_matrix_in_pages_of_100_and_counts_every_house(
    reader_client, big_registry, unit_a, unit_b
):
    assert views.MATRIX_PAGE_SIZE == 100
    order = expected_order()
    assert len(order) == 108
    first = page_body(reader_client, reverse("home"))
    second = page_body(reader_client, reverse("home"), pagina=2)
    assert matrix_codes(first) == order[:100]
    assert matrix_codes(second) == order[100:]
    assert "Bezetting van de rollen in 108 veiligheidshuizen (huis 1 tot en met 100)" in first
    assert "Bezetting van de rollen in 108 veiligheidshuizen (huis 101 tot en met 108)" in second
    assert 'href="?pagina=2#matrix-titel" rel="next"' in first
    assert 'href="?pagina=1#matrix-titel" rel="prev"' in second
    assert 'href="?pagina=2#matrix-titel" aria-current="page">2</a>' in second
    # The conformance per eenheid covers all 108 houses on either page, not the page's.
    for body in (first, second):
        assert conformance_cells(body, unit_a) == expected_cells(active_houses(), unit_a)
        assert conformance_cells(body, unit_b) == expected_cells(active_houses(), unit_b)
    assert conformance_cells(first, unit_a)[0] == 105
    assert conformance_cells(first, unit_a)[2] == 105 * 4


def test_the_pages_of_a_filtered_dashboard_keep_the_filters(reader_client, big_registry, unit_a):
    order = expected_order(police_unit=unit_a)
    assert len(order) == 105
    first = page_body(reader_client, reverse("home"), eenheid="eenheid-a")
    second = page_body(reader_client, reverse("home"), eenheid="eenheid-a", pagina=2)
    assert matrix_codes(first) == order[:100]
    assert matrix_codes(second) == order[100:]
    assert 'href="?eenheid=eenheid-a&amp;pagina=2#matrix-titel" rel="next"' in first
    assert 'href="?eenheid=eenheid-a&amp;pagina=1#matrix-titel" rel="prev"' in second
    assert "?pagina=" not in first + second  # no link drops the filter
    queryset = active_houses().filter(police_unit=unit_a)
    assert conformance_cells(second, unit_a) == expected_cells(queryset, unit_a)
    assert conformance_cells(second, unit_a)[0] == 105
    assert 'data-label="Huizen">3<' not in second  # eenheid B is filtered out


def test_with_an_invalid_filter_the_page_links_keep_what_was_asked(
    reader_client, big_registry, unit_a
):
    body = page_body(
        reader_client, reverse("home"), eenheid="bestaat-niet", sorteer="-naam", pagina=1
    )
    assert "Selecteer een geldige keuze" in body  # the error is shown
    assert 'href="?eenheid=bestaat-niet&amp;sorteer=-naam&amp;pagina=2#matrix-titel"' in body
    assert "?pagina=" not in body


def test_an_invalid_or_too_high_page_number_shows_a_valid_page_from_the_same_cache_entry(
    reader_client, big_registry, monkeypatch
):
    keys = []
    original = cache_module.cache_key

    def spy(key_parts, revision):
        key = original(key_parts, revision)
        if list(key_parts)[:2] == ["fragment-bytes", "registry/includes/dashboard_content.html"]:
            keys.append(key)
        return key

    monkeypatch.setattr(cache_module, "cache_key", spy)
    responses = {
        label: reader_client.get(reverse("home"), params)
        for label, params in [
            ("first", {}),
            ("abc", {"pagina": "abc"}),
            ("second", {"pagina": "2"}),
            ("999", {"pagina": "999"}),
            ("-1", {"pagina": "-1"}),
        ]
    }
    assert {response.status_code for response in responses.values()} == {200}
    by_label = dict(zip(responses, keys, strict=True))
    assert by_label["abc"] == by_label["first"]
    assert by_label["999"] == by_label["second"] == by_label["-1"]
    assert len(set(keys)) == 2  # two entries for two pages, whatever was asked
    # The dashboard's own body (the page around it carries the path, for the language switch).
    body = {
        label: without_csrf_tokens(response).decode().split("<h1>Landelijk overzicht</h1>")[1]
        for label, response in responses.items()
    }
    assert body["abc"] == body["first"]
    assert body["999"] == body["second"] == body["-1"]
    assert matrix_codes(body["999"]) == expected_order()[100:]
    assert 'href="?pagina=2#matrix-titel" aria-current="page">2</a>' in body["999"]


# --- the national lists: the first ten, and the full lists --------------------------------------


def test_the_dashboard_shows_ten_of_each_list_with_the_total_and_links_to_the_full_lists(
    reader_client, standard, unit_a
):
    populate(standard, unit_a, houses=12)  # each a proposal and an overdue phase-out
    body = page_body(reader_client, reverse("home"))
    assert views.ATTENTION_LIMIT == 10
    assert body.count('#afwijkingen">') == 10
    assert body.count('#afbouw">') == 10
    assert 'Afwijkingen om te beoordelen <span class="count">(12)</span>' in body
    assert 'Verlopen afbouw <span class="count">(12)</span>' in body
    review_list = reverse("review-list")
    assert review_list == "/te-beoordelen/"
    assert f'<a href="{review_list}">Alle 12 afwijkingen om te beoordelen</a>' in body
    phase_outs = reverse("phase-out-list")
    assert f'<a href="{phase_outs}">Alle afbouw, ook de 12 verlopen</a>' in body

    everything = page_body(reader_client, review_list)
    assert "<h1>Afwijkingen om te beoordelen</h1>" in everything
    assert everything.count('#afwijkingen">') == 12
    assert everything.count("voorgesteld, wacht op een besluit") == 12
    assert "12 lopende afbouwtrajecten, " in page_body(reader_client, phase_outs)
    assert "12 verlopen" in page_body(reader_client, phase_outs)


def test_with_at_most_ten_items_the_dashboard_shows_them_all_without_a_link(
    reader_client, standard, unit_a
):
    populate(standard, unit_a, houses=10)
    body = page_body(reader_client, reverse("home"))
    assert body.count('#afwijkingen">') == 10
    assert body.count('#afbouw">') == 10
    assert 'Afwijkingen om te beoordelen <span class="count">(10)</span>' in body
    assert reverse("review-list") not in body
    assert "Alle afbouw, ook de" not in body
    assert "afwijkingen om te beoordelen</a>" not in body


def test_the_review_list_without_anything_to_review_says_so(reader_client, standard, house_a):
    body = page_body(reader_client, reverse("review-list"))
    assert "Er liggen geen afwijkingen ter beoordeling." in body


# --- a house's code changes, a house is deleted meanwhile ---------------------------------------


def test_a_row_computed_by_other_rules_is_stale_and_replaced(standard, unit_a, monkeypatch):
    first, second = populate(standard, unit_a, houses=2)
    assert refresh(active_houses(), today=TODAY) == 2
    # A release that changes what a summary counts raises the rules' version.
    monkeypatch.setattr(summaries, "SUMMARY_RULES", summaries.SUMMARY_RULES + 1)
    assert [house.pk for house in stale_houses(active_houses(), today=TODAY)] == sorted(
        [first.pk, second.pk]
    )
    assert refresh(active_houses(), today=TODAY) == 2
    assert stored(first).rules == summaries.SUMMARY_RULES
    assert refresh(active_houses(), today=TODAY) == 0
    # A process still running the old release (or a rollback) stores its own rows, which the
    # new release then finds stale: neither version keeps the other's figures.
    newer_rules = summaries.SUMMARY_RULES
    monkeypatch.setattr(summaries, "SUMMARY_RULES", newer_rules - 1)
    store([with_values(computed_row(first), varied=999)])
    assert stored(first).varied == 999
    monkeypatch.setattr(summaries, "SUMMARY_RULES", newer_rules)
    assert refresh(active_houses(), today=TODAY) == 1
    assert stored_figures(first) == fresh_figures(first)
    assert stored(first).rules == newer_rules


def test_a_row_stamped_beyond_the_registry_counter_comes_from_elsewhere_and_is_replaced(
    standard, unit_a
):
    (house,) = populate(standard, unit_a, houses=1)
    refresh(active_houses(), today=TODAY)
    # Copied in from another database whose counter had gone further than this one's.
    HouseSummary.objects.filter(house=house).update(
        revision=F("revision") + 10**12, delivered_as_standard=999
    )
    assert refresh(active_houses(), today=TODAY) == 1
    assert stored_figures(house) == fresh_figures(house)
    assert refresh(active_houses(), today=TODAY) == 0


def test_after_a_house_gets_another_code_its_row_still_follows_its_writes(
    standard, unit_a, monkeypatch
):
    (house,) = populate(standard, unit_a, houses=1)
    assert refresh(active_houses(), today=TODAY) == 1
    # A new scope counter starts at a random value (registry.lib.cache._bump_row); here at its
    # lowest, below the old code's count, as it is for about half of all new codes.
    monkeypatch.setattr(cache_module, "secrets", types.SimpleNamespace(randbelow=lambda n: 0))
    house.refresh_from_db()
    house.code = "nieuwe-code"
    house.save()
    monkeypatch.undo()
    participant = Assignment.objects.get(house=house, status=Assignment.Status.VACANT)
    participant.status = Assignment.Status.ACTIVE
    participant.start_date = TODAY
    participant.save()

    assert refresh(active_houses(), today=TODAY) == 1
    assert stored(house).vacant_roles == 0
    assert refresh(active_houses(), today=TODAY) == 0


def test_a_house_deleted_while_its_summary_is_computed_does_not_fail_the_refresh(
    transactional_db, standard, unit_a, monkeypatch
):
    first, second = populate(standard, unit_a, houses=2)
    original = summaries.task_packages

    def deleted_meanwhile(houses, *, today):
        # Another request deletes a house (and, by cascade, its row) after this refresh listed
        # the stale houses and before it stores their rows.
        House.objects.get(pk=second.pk).delete()
        return original(houses, today=today)

    monkeypatch.setattr(summaries, "task_packages", deleted_meanwhile)
    refresh(active_houses(), today=TODAY)
    monkeypatch.undo()
    assert stored_figures(first) == fresh_figures(first)
    # The row stored for the deleted house belongs to no house: never listed, never summed.
    assert refresh(active_houses(), today=TODAY) == 0
    assert summed_by_unit(active_houses()) == reference_by_unit(active_houses())
    assert unit_totals(House.objects.all())[unit_a.pk][0] == 1


def test_a_house_deleted_after_a_reader_stored_its_row_is_deleted_all_the_same(
    transactional_db, standard, unit_a
):
    # The other order: the delete has already removed the house's rows (Django's cascade)
    # when a reader stores a new one; the delete of the house itself must still commit. A raw
    # delete of the house, with its row in place, is that moment.
    house = HouseFactory(police_unit=unit_a)  # no records that would hold on to it
    refresh(active_houses(), today=TODAY)
    assert HouseSummary.objects.filter(house_id=house.pk).exists()
    with transaction.atomic():
        doomed = House.objects.filter(pk=house.pk)
        doomed._raw_delete(doomed.db)
    assert not House.objects.filter(pk=house.pk).exists()
    assert unit_totals(House.objects.all()) == {}


def test_the_refresh_command_computes_what_is_stale_and_says_how_many(standard, unit_a):
    (house,) = populate(standard, unit_a, houses=1)
    out = io.StringIO()
    call_command("refresh_summaries", stdout=out)
    assert out.getvalue().startswith("1 samenvattingen berekend in ")
    assert stored_figures(house) == fresh_figures(house)
    out = io.StringIO()
    call_command("refresh_summaries", stdout=out)
    assert out.getvalue().startswith("0 samenvattingen berekend in ")


def test_a_refresh_runs_one_query_then_four_per_batch_of_stale_houses(
    standard, unit_a, monkeypatch, django_assert_num_queries
):
    populate(standard, unit_a, houses=5)
    monkeypatch.setattr(summaries, "BATCH", 2)
    # The stale houses; then per batch of two: tasks, assignments, variations, the store.
    with django_assert_num_queries(1 + 4 * 3):
        assert refresh(active_houses(), today=TODAY) == 5
    with django_assert_num_queries(1):
        assert refresh(active_houses(), today=TODAY) == 0


def test_a_cold_dashboard_with_current_summaries_runs_the_same_queries_at_any_size(
    reader_client, standard, unit_a, django_assert_num_queries
):
    # A freshly started server: nothing cached, every stored summary current. Session, user,
    # counters; the matrix's page: count, houses, three for their pieces; the stale summaries
    # (none), the sums per eenheid, the eenheden; the lists: two, and two counts; the eenheden
    # of the filter form.
    for size in (2, 12):
        populate(standard, unit_a, houses=size - active_houses().count())
        refresh(active_houses(), today=TODAY)
        caches["default"].clear()
        with django_assert_num_queries(16):
            assert reader_client.get(reverse("home")).status_code == 200

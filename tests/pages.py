"""Helpers for the page tests: a registry of a given size, and a query-count check."""

import datetime
import re

from django.utils import timezone

from houses.models import Assignment, Variation
from roles.models import Presence, Role, Task
from tests.factories import AssignmentFactory, HouseFactory, VariationFactory

TODAY = timezone.localdate()


def populate(standard, unit, houses=2):
    """``houses`` houses of ``unit``, each with assignments and one variation of every kind."""
    liaison = Role.objects.get(standard_version=standard, code="liaison")
    participant = Role.objects.get(standard_version=standard, code="deelnemer")
    schakel = Task.objects.get(role=liaison, code="schakel")
    deelname = Task.objects.get(role=participant, code="deelname")
    verslag = Task.objects.get(role=participant, code="verslag")
    created = []
    for _ in range(houses):
        house = HouseFactory(police_unit=unit)
        AssignmentFactory(house=house, role=liaison, presence=Presence.FULL_TIME)
        AssignmentFactory(
            house=house, role=participant, status=Assignment.Status.VACANT, start_date=None
        )
        VariationFactory(house=house, task=schakel, kind=Variation.Kind.OMISSION)
        VariationFactory(
            house=house,
            task=deelname,
            status=Variation.Status.PROPOSED,
            agreed_on=None,
            agreed_with="",
            rationale="Voorstel tweewekelijks",
        )
        VariationFactory(
            house=house,
            task=None,
            role=liaison,
            kind=Variation.Kind.ADDITION,
            title="Spreekuur",
            local_norm="",
        )
        VariationFactory(
            house=house,
            task=verslag,
            kind=Variation.Kind.PHASE_OUT,
            local_norm="",
            phase_out_by=TODAY - datetime.timedelta(days=3),
        )
        created.append(house)
    return created


def assert_same_queries(django_assert_num_queries, count, fetch, grow, *, repeated=None):
    """``fetch()`` runs ``count`` queries, and still ``count`` after ``grow()``.

    With ``repeated``: fetching again before the next write (an answer from the read cache)
    runs ``repeated`` queries, at both sizes too."""
    with django_assert_num_queries(count):
        first = fetch()
    if repeated is not None:
        with django_assert_num_queries(repeated):
            assert without_csrf_tokens(fetch()) == without_csrf_tokens(first)
    grow()
    with django_assert_num_queries(count):
        second = fetch()
    if repeated is not None:
        with django_assert_num_queries(repeated):
            assert without_csrf_tokens(fetch()) == without_csrf_tokens(second)
    return first, second


def without_csrf_tokens(response) -> bytes:
    """The body, with the CSRF tokens (masked anew for every response) left out."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", response.content)

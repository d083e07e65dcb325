"""Synthetic registries at scale, for the benchmark: ``scale`` times the reference size.

SCALE=1 is the 29 real houses of the reference data; every further step adds a numbered copy
of each real house (same eenheid, safety region and seat), so SCALE=40 holds 1,160 houses
spread over the real eenheden as the real ones are. Every house gets assignments for every
role of the published standard and a spread of variations of every kind and status, all valid
by ``clean()``. The same seed and reference date give the same registry.

The rows are written with ``bulk_create_with_history``: each gets one history record
("aangemaakt", change reason ``SCALE_REASON``), as a normal create would write; the
intermediate history of a variation that went through the workflow (proposed, then agreed,
then ended) is not replayed. Generating replaces all assignments and variations and any
earlier synthetic houses, so it is for benchmark and development databases only.
"""

from __future__ import annotations

import datetime
import itertools
import random
from collections import Counter
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from houses.consent import Side
from houses.models import (
    Assignment,
    House,
    HouseCaseMeeting,
    HouseSummary,
    Variation,
    add_years,
)
from houses.reference import load_reference
from houses.summaries import refresh as refresh_summaries
from registry.lib.cache import bump
from roles.models import CaseMeetingType, Presence, Role, StandardVersion, Task

SCALE_REASON = "Synthetische schaalgegevens"
COPY_MARK = "-kopie-"
BATCH = 500

AGREED_WITH = [
    "Stuurgroep van het veiligheidshuis",
    "Ketenmanager en districtschef",
    "Driehoek (burgemeester, OM, politie)",
    "Bestuurlijk overleg van de regio",
]
RATIONALES = [
    "Capaciteit van het basisteam laat dit tijdelijk niet toe.",
    "Afgestemd op de werkwijze van de partners in het huis.",
    "Het huis heeft meerdere locaties; de inzet is verdeeld.",
    "Taak is belegd bij het district.",
    "Lokale prioriteit van de driehoek.",
]
ADDITIONS = [
    ("Spreekuur voor wijkagenten in het huis", "1 dagdeel per week"),
    ("Coördinatie van de politie-inbreng in een persoonsgerichte aanpak", ""),
    ("Deelname aan het regionale netwerk verward gedrag", "maandelijks"),
    ("Advies bij bestuurlijke maatregelen", "op verzoek"),
]
LOCAL_NORMS = [
    "Tweewekelijks in plaats van wekelijks",
    "Alleen op de hoofdlocatie; andere locaties via video",
    "Op afroep binnen twee werkdagen",
    "Maandelijks",
]
KIND_WEIGHTS = {
    Variation.Kind.ADDITION: 25,
    Variation.Kind.OMISSION: 20,
    Variation.Kind.ADJUSTMENT: 30,
    Variation.Kind.PHASE_OUT: 25,
}
STATUS_WEIGHTS = {
    Variation.Status.PROPOSED: 20,
    Variation.Status.AGREED: 55,
    Variation.Status.REJECTED: 10,
    Variation.Status.ENDED: 15,
}


def is_synthetic(code: str) -> bool:
    return COPY_MARK in code


class ScaleGenerator:
    def __init__(self, scale: int, seed: int, today: datetime.date):
        if scale < 1:
            raise ValueError("scale must be 1 or more")
        self.scale = scale
        self.rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
        self.today = today
        self.stats = Counter()
        self.combinations = list(itertools.product(KIND_WEIGHTS, STATUS_WEIGHTS))
        self.variation_count = 0

    def pick(self, weights: dict):
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def days_ago(self, low: int, high: int) -> datetime.date:
        return self.today - datetime.timedelta(days=self.rng.randint(low, high))

    @transaction.atomic
    def run(self) -> Counter:
        self.clear()
        standard = StandardVersion.objects.current()
        roles = list(Role.objects.filter(standard_version=standard).order_by("position", "code"))
        tasks = list(
            Task.objects.filter(role__in=roles)
            .select_related("role")
            .order_by("role__position", "position", "code")
        )
        houses = self.create_houses()
        self.create_meetings(houses)
        self.create_assignments(houses, roles)
        self.create_variations(houses, roles, tasks, standard)
        bump()
        return self.stats

    def clear(self):
        """Remove assignments, variations and earlier synthetic houses, with their history and
        the stored summaries (computed again at the end)."""
        synthetic = House.objects.filter(code__contains=COPY_MARK)
        # Ketenmanagers' links to synthetic houses go with the houses (many-to-many rows).
        for queryset in [
            HouseSummary.objects.all(),
            Variation.history.all(),
            Variation.objects.all(),
            Assignment.history.all(),
            Assignment.objects.all(),
            HouseCaseMeeting.history.filter(house_id__in=synthetic.values("pk")),
            HouseCaseMeeting.objects.filter(house__in=synthetic),
            House.history.filter(code__contains=COPY_MARK),
            synthetic,
        ]:
            # A raw delete: no per-row signals; the counter is bumped once at the end.
            queryset._raw_delete(queryset.db)

    def create_houses(self) -> list[House]:
        real = list(House.objects.exclude(code__contains=COPY_MARK).order_by("code"))
        copies = []
        for number, house in itertools.product(range(2, self.scale + 1), real):
            suffix = f"{COPY_MARK}{number:02d}"
            copies.append(
                House(
                    code=house.code[: 60 - len(suffix)] + suffix,
                    name=f"{house.name} ({number})",
                    seat=house.seat,
                    locations=house.locations,
                    safety_region=house.safety_region,
                    police_unit_id=house.police_unit_id,
                    municipalities=house.municipalities,
                    framework_status=self.rng.choice([""] + list(House.FrameworkStatus.values)),
                    confidence=house.confidence,
                    notes=SCALE_REASON,
                )
            )
        bulk_create_with_history(
            copies, House, batch_size=BATCH, default_change_reason=SCALE_REASON
        )
        self.stats["huizen"] = len(real) + len(copies)
        return list(House.objects.order_by("code"))

    def create_meetings(self, houses: list[House]):
        types = list(CaseMeetingType.objects.order_by("code"))
        meetings = []
        for house in houses:
            if not is_synthetic(house.code) or not types:
                continue
            for meeting_type in self.rng.sample(types, self.rng.randint(0, min(4, len(types)))):
                meetings.append(
                    HouseCaseMeeting(
                        house=house,
                        meeting_type=meeting_type,
                        police_participates=meeting_type.police_involvement
                        != CaseMeetingType.Involvement.NONE,
                    )
                )
        bulk_create_with_history(
            meetings, HouseCaseMeeting, batch_size=BATCH, default_change_reason=SCALE_REASON
        )
        self.stats["casusoverleggen"] = len(meetings)

    def create_assignments(self, houses: list[House], roles: list[Role]):
        assignments = []
        for house, role in itertools.product(houses, roles):
            status = self.pick(
                {
                    Assignment.Status.ACTIVE: 68,
                    Assignment.Status.PLANNED: 12,
                    Assignment.Status.VACANT: 20,
                }
            )
            presence = self.pick(
                {
                    role.expected_presence: 70,
                    Presence.CASE_MEETINGS: 10,
                    Presence.PART_TIME: 15,
                    Presence.FULL_TIME: 5,
                }
            )
            assignments.append(self.assignment(house, role, status, presence))
            if self.rng.random() < 0.15:  # an earlier holder of the role
                earlier = self.assignment(house, role, Assignment.Status.ENDED, presence)
                earlier.start_date = self.days_ago(1500, 2500)
                earlier.end_date = self.days_ago(400, 1400)
                assignments.append(earlier)
        bulk_create_with_history(
            assignments, Assignment, batch_size=BATCH, default_change_reason=SCALE_REASON
        )
        self.stats["toewijzingen"] = len(assignments)

    def assignment(self, house, role, status, presence) -> Assignment:
        hours = {
            Presence.FULL_TIME: self.rng.choice([32, 36]),
            Presence.PART_TIME: self.rng.choice([8, 12, 16, 20, 24]),
            Presence.CASE_MEETINGS: self.rng.choice([None, 2, 4, 6]),
        }[presence]
        return Assignment(
            house=house,
            role=role,
            police_unit_id=house.police_unit_id,
            presence=presence,
            hours_per_week=Decimal(hours) if hours is not None else None,
            contact_mailbox=(
                ""
                if status == Assignment.Status.VACANT
                else f"{role.code}.{house.code}@politie.example"
            ),
            status=status,
            start_date=self.days_ago(30, 1400) if status == Assignment.Status.ACTIVE else None,
            single_holder=not role.allows_multiple,
        )

    def create_variations(self, houses, roles, tasks, standard):
        by_kind = {
            Variation.Kind.OMISSION: [t for t in tasks if not t.is_excluded],
            Variation.Kind.ADJUSTMENT: [t for t in tasks if not t.is_excluded],
            Variation.Kind.PHASE_OUT: [t for t in tasks if t.is_excluded],
        }
        variations = []
        for house in houses:
            open_tasks = set()
            for _ in range(self.rng.choices(range(7), weights=[20, 20, 20, 15, 12, 8, 5])[0]):
                kind, status = self.next_kind_and_status()
                task = None
                if kind != Variation.Kind.ADDITION:
                    free = [t for t in by_kind[kind] if t.pk not in open_tasks]
                    if not free:
                        kind = Variation.Kind.ADDITION
                    else:
                        task = self.rng.choice(free)
                        if status in Variation.OPEN_STATUSES:
                            open_tasks.add(task.pk)
                variation = self.variation(house, roles, task, kind, status, standard)
                variation.clean()  # raises if the generator ever makes an invalid one
                variations.append(variation)
        bulk_create_with_history(
            variations, Variation, batch_size=BATCH, default_change_reason=SCALE_REASON
        )
        self.stats["afwijkingen"] = len(variations)

    def next_kind_and_status(self):
        """Every combination of kind and status first, then a realistic spread."""
        index = self.variation_count
        self.variation_count += 1
        if index < len(self.combinations):
            return self.combinations[index]
        return self.pick(KIND_WEIGHTS), self.pick(STATUS_WEIGHTS)

    def variation(self, house, roles, task, kind, status, standard) -> Variation:
        rng = self.rng
        variation = Variation(
            house=house,
            role=task.role if task else rng.choice(roles),
            task=task,
            kind=kind,
            rationale=rng.choice(RATIONALES),
            status=status,
            standard_version=standard,
        )
        if kind == Variation.Kind.ADDITION:
            variation.title, variation.local_norm = rng.choice(ADDITIONS)
        elif kind == Variation.Kind.ADJUSTMENT:
            variation.local_norm = rng.choice(LOCAL_NORMS)
        variation.proposed_side = Side.UNIT
        variation.proposed_at = datetime.datetime.combine(
            self.today, datetime.time(9), tzinfo=datetime.UTC
        )
        if status in {Variation.Status.AGREED, Variation.Status.ENDED}:
            variation.agreed_on = self.days_ago(30, 1000)
            variation.agreed_with = rng.choice(AGREED_WITH)
            variation.decided_at = datetime.datetime.combine(
                variation.agreed_on, datetime.time(12), tzinfo=datetime.UTC
            )
            variation.proposed_at = variation.decided_at - datetime.timedelta(days=14)
        if status == Variation.Status.ENDED:
            span = (self.today - variation.agreed_on).days
            variation.ended_on = variation.agreed_on + datetime.timedelta(days=rng.randint(1, span))
        if status == Variation.Status.AGREED and rng.random() < 0.2:
            variation.review_by = self.today + datetime.timedelta(days=rng.randint(-60, 365))
        if kind == Variation.Kind.PHASE_OUT:
            if variation.agreed_on:
                latest = add_years(variation.agreed_on, settings.PHASE_OUT_MAX_YEARS)
                room = (latest - variation.agreed_on).days
                variation.phase_out_by = variation.agreed_on + datetime.timedelta(
                    days=rng.randint(90, room)
                )
            else:
                variation.phase_out_by = self.today + datetime.timedelta(days=rng.randint(60, 700))
        return variation


def generate_scale(scale: int, seed: int, today: datetime.date) -> Counter:
    """Load the reference data, then build the synthetic registry of ``scale``."""
    load_reference()
    stats = ScaleGenerator(scale, seed, today).run()
    # The stored summaries the national views sum (houses.summaries), for the real date the
    # pages read them on, after the registry's counters have counted the generation.
    stats["samenvattingen"] = refresh_summaries(House.objects.all(), today=timezone.localdate())
    return stats

"""Illustrative demo data: assignments, variations and one account per kind of user.

Loaded only by ``make run`` (``manage.py load_demo``), and refused when DEBUG is off. Contact
details are function mailboxes on the reserved ``.example`` domain and made-up phone numbers;
the one officer's name is marked as an example.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from houses.consent import Side
from houses.models import Assignment, House, HouseCaseMeeting, PoliceUnit, Variation
from roles.models import CaseMeetingType, Presence, Role, StandardVersion, Task

DEMO_PASSWORD = "demo-veiligheidshuis"
DEMO_REASON = "Demogegevens geladen"

DEMO_ACCOUNTS = [
    # username, kind, eenheid, houses (ketenmanagers), description
    ("landelijk", "national", None, None, "landelijk beheer: wijzigt alles"),
    ("eenheid-noord", "unit", "noord-nederland", None, "eenheid Noord-Nederland"),
    ("eenheid-limburg", "unit", "limburg", None, "eenheid Limburg"),
    (
        "ketenmanager",
        "ketenmanager",
        None,
        ["avz-groningen", "zvh-noord-limburg", "acvz-amsterdam"],
        "ketenmanager van drie huizen: stelt voor en stemt in",
    ),
    ("lezer", "reader", None, None, "lezer, leest alles"),
]

# house, role, presence, hours, status
DEMO_ASSIGNMENTS = [
    ("avz-groningen", "liaison", Presence.FULL_TIME, 36, Assignment.Status.ACTIVE),
    (
        "avz-groningen",
        "casusoverleg-deelnemer",
        Presence.CASE_MEETINGS,
        8,
        Assignment.Status.ACTIVE,
    ),
    ("vh-drenthe", "liaison", Presence.PART_TIME, 16, Assignment.Status.ACTIVE),
    (
        "vh-drenthe",
        "casusoverleg-deelnemer",
        Presence.CASE_MEETINGS,
        None,
        Assignment.Status.VACANT,
    ),
    ("zvh-fryslan", "liaison", Presence.PART_TIME, 12, Assignment.Status.PLANNED),
    ("zvh-noord-limburg", "liaison", Presence.PART_TIME, 20, Assignment.Status.ACTIVE),
    (
        "zvh-noord-limburg",
        "casusoverleg-deelnemer",
        Presence.CASE_MEETINGS,
        6,
        Assignment.Status.ACTIVE,
    ),
    ("zvh-parkstad", "liaison", Presence.CASE_MEETINGS, 4, Assignment.Status.ACTIVE),
    ("acvz-amsterdam", "liaison", Presence.FULL_TIME, 36, Assignment.Status.ACTIVE),
    ("acvz-amsterdam", "casusoverleg-deelnemer", Presence.PART_TIME, 24, Assignment.Status.ACTIVE),
    ("vh-haaglanden", "liaison", Presence.PART_TIME, 16, Assignment.Status.ACTIVE),
]

# The eenheid-level contact shown for vacant roles (label, mailbox, phone).
DEMO_UNIT_CONTACTS = {
    "noord-nederland": ("Coördinator Veiligheidshuizen", "vhuizen.noord-nederland@politie.example"),
    "limburg": ("Programmaleider Zorg en Veiligheid", "zorgenveiligheid.limburg@politie.example"),
}

#: House and role whose assignment names its officer (an example, not a real person).
DEMO_OFFICER = ("avz-groningen", "liaison", "Voorbeeld: A. Jansen")

DEMO_FRAMEWORK_STATUS = {
    "avz-groningen": House.FrameworkStatus.CONFORM,
    "vh-drenthe": House.FrameworkStatus.IN_TRANSITION,
    "zvh-noord-limburg": House.FrameworkStatus.PIONEER,
    "acvz-amsterdam": House.FrameworkStatus.CONFORM,
    "vh-haaglanden": House.FrameworkStatus.IN_TRANSITION,
}

DEMO_MEETINGS = {
    "avz-groningen": ["top-x", "huiselijk-geweld", "nazorg", "zorgoverleg"],
    "vh-drenthe": ["jeugd", "complexe-casuistiek", "triage"],
    "zvh-noord-limburg": ["verward-gedrag", "radicalisering", "zsm-aansluiting"],
    "acvz-amsterdam": ["top-x", "jeugd", "mensenhandel"],
}


def _variations(today: datetime.date):
    year = datetime.timedelta(days=365)
    return [
        dict(
            house="avz-groningen",
            role="liaison",
            kind=Variation.Kind.ADDITION,
            title="Voorbeeld: wekelijks spreekuur voor wijkagenten in het huis",
            local_norm="1 dagdeel per week",
            rationale="Voorbeeld: het huis vroeg om een vast inloopmoment voor basisteams.",
            status=Variation.Status.AGREED,
            agreed_on=today - year,
            agreed_with="Voorbeeld: stuurgroep van het huis",
            proposer="eenheid-noord",
            consenter="ketenmanager",
        ),
        dict(
            house="avz-groningen",
            role="casusoverleg-deelnemer",
            task="administratieve-verwerking",
            kind=Variation.Kind.PHASE_OUT,
            rationale="Voorbeeld: het huis neemt de verslaglegging over zodra er capaciteit is.",
            status=Variation.Status.AGREED,
            agreed_on=today - 2 * year,
            agreed_with="Voorbeeld: districtschef",
            phase_out_by=today - datetime.timedelta(days=30),
            proposer="ketenmanager",
            consenter="eenheid-noord",
        ),
        dict(
            house="vh-drenthe",
            role="casusoverleg-deelnemer",
            task="complexe-casussen",
            kind=Variation.Kind.ADJUSTMENT,
            local_norm="Alleen op de locatie Assen; Emmen en Hoogeveen via videoverbinding",
            rationale="Voorbeeld: drie locaties, één deelnemer.",
            status=Variation.Status.AGREED,
            agreed_on=today - year // 2,
            agreed_with="Voorbeeld: stuurgroep Veiligheidshuis Drenthe",
        ),
        dict(
            house="vh-drenthe",
            role="casusoverleg-deelnemer",
            task="begeleiden-casusoverleg",
            kind=Variation.Kind.PHASE_OUT,
            rationale="Voorbeeld: de voorzitter van het huis neemt het begeleiden over.",
            status=Variation.Status.AGREED,
            agreed_on=today - year // 4,
            agreed_with="Voorbeeld: stuurgroep Veiligheidshuis Drenthe",
            phase_out_by=today + year,
        ),
        dict(
            house="zvh-noord-limburg",
            role="liaison",
            task="inzet-borgen",
            kind=Variation.Kind.OMISSION,
            rationale="Voorbeeld: tijdelijk belegd bij de districtsleiding.",
            status=Variation.Status.AGREED,
            agreed_on=today - year // 3,
            agreed_with="Voorbeeld: districtsleiding Noord-Limburg",
            review_by=today + year // 2,
            proposer="eenheid-limburg",
            consenter="ketenmanager",
        ),
        dict(
            house="zvh-noord-limburg",
            role="casusoverleg-deelnemer",
            task="deelname-casusoverleg",
            kind=Variation.Kind.ADJUSTMENT,
            local_norm="Tweewekelijks in plaats van wekelijks",
            rationale="Voorbeeld: voorstel van de eenheid, nog niet besproken.",
            status=Variation.Status.PROPOSED,
            proposer="eenheid-limburg",
        ),
        dict(
            house="zvh-parkstad",
            role="liaison",
            task="aanspreekpunt",
            kind=Variation.Kind.OMISSION,
            rationale="Voorbeeld: voorgesteld en afgewezen door het huis.",
            status=Variation.Status.REJECTED,
        ),
        dict(
            house="acvz-amsterdam",
            role="liaison",
            kind=Variation.Kind.ADDITION,
            title="Voorbeeld: coördinatie van de politie-inbreng in de Top600-aanpak",
            rationale="Voorbeeld: afgesproken voor de looptijd van het programma.",
            status=Variation.Status.ENDED,
            agreed_on=today - 3 * year,
            agreed_with="Voorbeeld: driehoek Amsterdam-Amstelland",
            ended_on=today - year,
        ),
        dict(
            house="acvz-amsterdam",
            role="casusoverleg-deelnemer",
            task="zorgoverleg-zonder-raakvlak",
            kind=Variation.Kind.PHASE_OUT,
            rationale="Voorbeeld: voorstel om deelname aan zorgoverleg af te bouwen.",
            status=Variation.Status.PROPOSED,
            phase_out_by=today + 2 * year,
            proposer="landelijk",
        ),
        dict(
            house="avz-groningen",
            role="liaison",
            task="schakel-politieorganisatie",
            kind=Variation.Kind.ADJUSTMENT,
            local_norm="Ook op donderdagavond bereikbaar voor het nazorgoverleg",
            rationale="Voorbeeld: het huis vraagt de liaison ook bij het avondoverleg.",
            status=Variation.Status.PROPOSED,
            proposer="ketenmanager",
        ),
    ]


@transaction.atomic
def load_demo(today: datetime.date | None = None) -> list[str]:
    """Create the demo accounts and, in a registry without any, the demo records."""
    today = today or timezone.localdate()
    done = []
    user_model = get_user_model()
    units = {unit.code: unit for unit in PoliceUnit.objects.all()}
    houses = {house.code: house for house in House.objects.all()}
    for username, kind, unit, own_houses, _desc in DEMO_ACCOUNTS:
        user, created = user_model.objects.get_or_create(
            username=username,
            defaults={
                "kind": kind,
                "police_unit": units.get(unit),
                "is_staff": kind in {"national", "unit", "reader"},
                "email": f"{username}@registry.example",
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
            done.append(f"account {username}")
        if own_houses and not user.houses.exists():
            user.houses.set([houses[code] for code in own_houses if code in houses])
    if Assignment.objects.exists() or Variation.objects.exists():
        return done

    standard = StandardVersion.objects.current()
    roles = {role.code: role for role in Role.objects.filter(standard_version=standard)}
    tasks = {
        (task.role.code, task.code): task
        for task in Task.objects.filter(role__standard_version=standard).select_related("role")
    }
    for index, (code, role, presence, hours, status) in enumerate(DEMO_ASSIGNMENTS, start=1):
        house = houses[code]
        assignment = Assignment(
            house=house,
            role=roles[role],
            police_unit=house.police_unit,
            presence=presence,
            hours_per_week=hours,
            contact_mailbox=f"{role}.{code}@politie.example"
            if status != Assignment.Status.VACANT
            else "",
            contact_phone="088 000 00%02d" % index if status != Assignment.Status.VACANT else "",
            officer_name=DEMO_OFFICER[2] if (code, role) == DEMO_OFFICER[:2] else "",
            status=status,
            start_date=today - datetime.timedelta(days=400)
            if status == Assignment.Status.ACTIVE
            else None,
        )
        assignment.full_clean()
        assignment._change_reason = DEMO_REASON
        assignment.save()
    done.append(f"{len(DEMO_ASSIGNMENTS)} toewijzingen")

    for code, (label, mailbox) in DEMO_UNIT_CONTACTS.items():
        unit = units[code]
        unit.contact_label, unit.contact_mailbox = label, mailbox
        unit.contact_phone = "088 000 0100"
        unit._change_reason = DEMO_REASON
        unit.save()

    for code, status in DEMO_FRAMEWORK_STATUS.items():
        house = houses[code]
        house.framework_status = status
        if status != House.FrameworkStatus.CONFORM:
            house.framework_target_date = today.replace(month=1, day=1) + datetime.timedelta(
                days=2 * 365
            )
        house._change_reason = DEMO_REASON
        house.save()

    meeting_types = {m.code: m for m in CaseMeetingType.objects.all()}
    for code, meetings in DEMO_MEETINGS.items():
        for meeting in meetings:
            meeting_type = meeting_types[meeting]
            HouseCaseMeeting.objects.create(
                house=houses[code],
                meeting_type=meeting_type,
                police_participates=meeting_type.police_involvement
                == CaseMeetingType.Involvement.PARTICIPATES,
            )

    variations = _variations(today)
    for spec in variations:
        house = houses[spec.pop("house")]
        role = roles[spec.pop("role")]
        task_code = spec.pop("task", None)
        proposer = user_model.objects.get(username=spec.pop("proposer", "landelijk"))
        consenter = spec.pop("consenter", None)
        settled = spec["status"] in {Variation.Status.AGREED, Variation.Status.ENDED}
        variation = Variation(
            house=house,
            role=role,
            task=tasks[(role.code, task_code)] if task_code else None,
            standard_version=standard,
            recorded_by=proposer,
            proposed_by=proposer,
            proposed_side=Side.HOUSE if proposer.kind == "ketenmanager" else Side.UNIT,
            proposed_at=timezone.now() - datetime.timedelta(days=400 if settled else 7),
            **spec,
        )
        if consenter:
            variation.agreed_by = user_model.objects.get(username=consenter)
            variation.decided_at = timezone.now() - (today - variation.agreed_on)
        elif settled:
            # Demonstrates the records agreed before two-sided consent existed.
            variation.agreed_before_consent = True
        variation.full_clean()
        variation._change_reason = DEMO_REASON
        variation.save()
    done.append(f"{len(variations)} afwijkingen")
    return done

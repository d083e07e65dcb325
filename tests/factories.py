"""Factories for every model (factory_boy)."""

import datetime

import factory
from django.utils import timezone

from houses.consent import Side
from houses.models import Assignment, District, House, HouseCaseMeeting, PoliceUnit, Variation
from registry.models import User
from roles.models import CaseMeetingType, Presence, Role, StandardVersion, Task


class StandardVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StandardVersion

    version = factory.Sequence(lambda n: f"{n + 1}.0")
    title = factory.Sequence(lambda n: f"Standaard {n + 1}")
    status = StandardVersion.Status.DRAFT


class PublishedStandardFactory(StandardVersionFactory):
    status = StandardVersion.Status.PUBLISHED
    published_on = datetime.date(2024, 1, 1)


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Role

    standard_version = factory.LazyFunction(
        lambda: StandardVersion.objects.current() or PublishedStandardFactory()
    )
    code = factory.Sequence(lambda n: f"rol-{n}")
    name = factory.Sequence(lambda n: f"Rol {n}")
    expected_presence = Presence.PART_TIME
    position = factory.Sequence(lambda n: n)


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    role = factory.SubFactory(RoleFactory)
    code = factory.Sequence(lambda n: f"taak-{n}")
    title = factory.Sequence(lambda n: f"Taak {n}")
    kind = Task.Kind.CORE
    norm = "wekelijks"
    position = factory.Sequence(lambda n: n)


class CaseMeetingTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseMeetingType

    code = factory.Sequence(lambda n: f"overleg-{n}")
    name = factory.Sequence(lambda n: f"Casusoverleg {n}")
    police_involvement = CaseMeetingType.Involvement.PARTICIPATES


class PoliceUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PoliceUnit

    code = factory.Sequence(lambda n: f"eenheid-{n}")
    name = factory.Sequence(lambda n: f"Eenheid {n}")
    kind = PoliceUnit.Kind.REGIONAL


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District

    police_unit = factory.SubFactory(PoliceUnitFactory)
    code = factory.Sequence(lambda n: f"district-{n}")
    name = factory.Sequence(lambda n: f"District {n}")


class HouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = House

    code = factory.Sequence(lambda n: f"huis-{n}")
    name = factory.Sequence(lambda n: f"Veiligheidshuis {n}")
    seat = "Ergens"
    safety_region = "Regio"
    police_unit = factory.SubFactory(PoliceUnitFactory)


class HouseCaseMeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HouseCaseMeeting

    house = factory.SubFactory(HouseFactory)
    meeting_type = factory.SubFactory(CaseMeetingTypeFactory)


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    house = factory.SubFactory(HouseFactory)
    role = factory.SubFactory(RoleFactory)
    police_unit = factory.SelfAttribute("house.police_unit")
    presence = Presence.PART_TIME
    hours_per_week = 16
    contact_mailbox = factory.Sequence(lambda n: f"liaison-{n}@politie.example")
    status = Assignment.Status.ACTIVE
    start_date = datetime.date(2024, 1, 1)


class VariationFactory(factory.django.DjangoModelFactory):
    """An agreed adjustment of a core task, unless told otherwise."""

    class Meta:
        model = Variation

    house = factory.SubFactory(HouseFactory)
    task = factory.SubFactory(TaskFactory)
    role = factory.SelfAttribute("task.role")
    standard_version = factory.SelfAttribute("role.standard_version")
    kind = Variation.Kind.ADJUSTMENT
    local_norm = "tweewekelijks"
    rationale = "Lokale afspraak"
    status = Variation.Status.AGREED
    agreed_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    agreed_with = "Stuurgroep"
    proposed_side = Side.UNIT
    proposed_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=40))
    decided_at = factory.LazyAttribute(
        lambda v: (
            timezone.now() - datetime.timedelta(days=30)
            if v.status in {Variation.Status.AGREED, Variation.Status.ENDED}
            else None
        )
    )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"gebruiker{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@registry.example")
    kind = User.Kind.READER
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", "geheim-wachtwoord-123")

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create and results:
            instance.save()

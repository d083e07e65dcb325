"""One FilterSet per model, shared by the API and the list pages.

Query keys are Dutch lowerCamelCase; ``sorteer`` orders (``-`` for descending) and
``gewijzigdSinds`` returns what changed since a moment, for incremental sync. An unknown value
(a code that does not exist, a choice that is not offered) makes the form invalid: the API
answers 400, the pages show the error.
"""

import django_filters as filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from houses.models import Assignment, District, House, PoliceUnit, Variation
from registry.lib.filters import ChangedSinceFilter
from roles.models import Presence


class ChangedSinceFilterSet(filters.FilterSet):
    gewijzigdSinds = ChangedSinceFilter(
        field_name="updated_at",
        lookup_expr="gte",
        label=_(
            "Gewijzigd op of na dit moment (inclusief; ISO 8601 datum en tijd). Een huis geldt "
            "ook als gewijzigd wanneer een toewijzing, afwijking of casusoverleg ervan wijzigt."
        ),
    )


class PoliceUnitFilter(ChangedSinceFilterSet):
    soort = filters.ChoiceFilter(
        field_name="kind", choices=PoliceUnit.Kind.choices, label=_("Soort")
    )
    sorteer = filters.OrderingFilter(
        fields=(("code", "code"), ("name", "naam")), label=_("Sorteer op")
    )

    class Meta:
        model = PoliceUnit
        fields = []


class DistrictFilter(ChangedSinceFilterSet):
    eenheid = filters.ModelChoiceFilter(
        field_name="police_unit",
        to_field_name="code",
        queryset=PoliceUnit.objects.all(),
        label=_("Eenheid"),
    )

    class Meta:
        model = District
        fields = []


class HouseFilter(ChangedSinceFilterSet):
    zoek = filters.CharFilter(method="filter_search", label=_("Zoek op naam, plaats of regio"))
    eenheid = filters.ModelChoiceFilter(
        field_name="police_unit",
        to_field_name="code",
        queryset=PoliceUnit.objects.all(),
        label=_("Eenheid"),
    )
    veiligheidsregio = filters.CharFilter(
        field_name="safety_region", lookup_expr="iexact", label=_("Veiligheidsregio")
    )
    kaderStatus = filters.ChoiceFilter(
        field_name="framework_status",
        choices=House.FrameworkStatus.choices,
        label=_("Status Landelijk kader"),
    )
    zekerheid = filters.ChoiceFilter(
        field_name="confidence", choices=House.Confidence.choices, label=_("Zekerheid")
    )
    actief = filters.BooleanFilter(field_name="active", label=_("Actief"))
    heeftAfwijkingen = filters.BooleanFilter(
        method="filter_has_variations", label=_("Met lopende afwijkingen")
    )
    verlopen = filters.BooleanFilter(method="filter_overdue", label=_("Met verlopen afbouw"))
    afwijkingSoort = filters.ChoiceFilter(
        choices=Variation.Kind.choices,
        method="filter_variation_kind",
        label=_("Met lopende afwijking van soort"),
    )
    sorteer = filters.OrderingFilter(
        fields=(
            ("name", "naam"),
            ("code", "code"),
            ("safety_region", "veiligheidsregio"),
            ("police_unit__name", "eenheid"),
            ("updated_at", "gewijzigd"),
        ),
        label=_("Sorteer op"),
    )

    class Meta:
        model = House
        fields = []

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value)
            | Q(code__icontains=value)
            | Q(seat__icontains=value)
            | Q(safety_region__icontains=value)
        )

    def filter_has_variations(self, queryset, name, value):
        if value is None:
            return queryset
        open_variations = Variation.objects.filter(
            house=OuterRef("pk"), status__in=Variation.OPEN_STATUSES
        )
        return queryset.filter(Exists(open_variations) if value else ~Exists(open_variations))

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = Variation.objects.overdue().filter(house=OuterRef("pk"))
        return queryset.filter(Exists(overdue) if value else ~Exists(overdue))

    def filter_variation_kind(self, queryset, name, value):
        if not value:
            return queryset
        of_kind = Variation.objects.open().filter(house=OuterRef("pk"), kind=value)
        return queryset.filter(Exists(of_kind))


class AssignmentFilter(ChangedSinceFilterSet):
    veiligheidshuis = filters.ModelChoiceFilter(
        field_name="house", to_field_name="code", queryset=House.objects.all(), label=_("Huis")
    )
    eenheid = filters.ModelChoiceFilter(
        field_name="house__police_unit",
        to_field_name="code",
        queryset=PoliceUnit.objects.all(),
        label=_("Eenheid van het huis"),
    )
    leverendeEenheid = filters.ModelChoiceFilter(
        field_name="police_unit",
        to_field_name="code",
        queryset=PoliceUnit.objects.all(),
        label=_("Leverende eenheid"),
    )
    rol = filters.CharFilter(field_name="role__code", label=_("Rol (code)"))
    status = filters.ChoiceFilter(choices=Assignment.Status.choices, label=_("Status"))
    aanwezigheid = filters.ChoiceFilter(
        field_name="presence", choices=Presence.choices, label=_("Aanwezigheid")
    )
    sorteer = filters.OrderingFilter(
        fields=(
            ("house__name", "veiligheidshuis"),
            ("role__position", "rol"),
            ("status", "status"),
            ("start_date", "startdatum"),
            ("updated_at", "gewijzigd"),
        ),
        label=_("Sorteer op"),
    )

    class Meta:
        model = Assignment
        fields = []


class VariationFilter(ChangedSinceFilterSet):
    veiligheidshuis = filters.ModelChoiceFilter(
        field_name="house", to_field_name="code", queryset=House.objects.all(), label=_("Huis")
    )
    eenheid = filters.ModelChoiceFilter(
        field_name="house__police_unit",
        to_field_name="code",
        queryset=PoliceUnit.objects.all(),
        label=_("Eenheid"),
    )
    rol = filters.CharFilter(field_name="role__code", label=_("Rol (code)"))
    taak = filters.CharFilter(field_name="task__code", label=_("Taak (code)"))
    soort = filters.ChoiceFilter(
        field_name="kind", choices=Variation.Kind.choices, label=_("Soort")
    )
    status = filters.ChoiceFilter(choices=Variation.Status.choices, label=_("Status"))
    verlopen = filters.BooleanFilter(method="filter_overdue", label=_("Verlopen afbouw"))
    teHerbeoordelen = filters.BooleanFilter(
        method="filter_needs_review", label=_("Te herbeoordelen")
    )
    sorteer = filters.OrderingFilter(
        fields=(
            ("house__name", "veiligheidshuis"),
            ("kind", "soort"),
            ("status", "status"),
            ("phase_out_by", "afgebouwdUiterlijk"),
            ("updated_at", "gewijzigd"),
        ),
        label=_("Sorteer op"),
    )

    class Meta:
        model = Variation
        fields = []

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = Variation.overdue_condition()
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_needs_review(self, queryset, name, value):
        if value is None:
            return queryset
        review = Variation.review_condition()
        return queryset.filter(review) if value else queryset.exclude(review)

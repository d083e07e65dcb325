"""One FilterSet per model of the standard, shared by the API and the pages."""

import datetime

import django_filters as filters
from django.utils.translation import gettext_lazy as _

from roles.models import CaseMeetingType, Role, StandardVersion, Task


class ChangedSinceFilter(filters.IsoDateTimeFilter):
    """A moment with any UTC offset, compared in UTC (databases limit the offsets they take)."""

    def filter(self, qs, value):
        if value is not None:
            try:
                value = value.astimezone(datetime.UTC)
            except OverflowError:
                # Before the first or after the last representable moment.
                return qs if value.year == 1 else qs.none()
        return super().filter(qs, value)


class ChangedSinceFilterSet(filters.FilterSet):
    gewijzigdSinds = ChangedSinceFilter(
        field_name="updated_at",
        lookup_expr="gte",
        label=_("Gewijzigd op of na dit moment (inclusief; ISO 8601 datum en tijd)"),
    )


class StandardVersionFilter(ChangedSinceFilterSet):
    status = filters.ChoiceFilter(choices=StandardVersion.Status.choices, label=_("Status"))
    sorteer = filters.OrderingFilter(
        fields=(("version", "versie"), ("published_on", "gepubliceerdOp")), label=_("Sorteer op")
    )

    class Meta:
        model = StandardVersion
        fields = []


class RoleFilter(ChangedSinceFilterSet):
    standaard = filters.CharFilter(
        field_name="standard_version__version", label=_("Standaardversie (bijv. 1.0)")
    )
    gepubliceerd = filters.BooleanFilter(
        method="filter_published", label=_("Alleen de gepubliceerde standaard")
    )
    code = filters.CharFilter(field_name="code", label=_("Code"))
    sorteer = filters.OrderingFilter(
        fields=(("position", "volgorde"), ("code", "code"), ("name", "naam")),
        label=_("Sorteer op"),
    )

    class Meta:
        model = Role
        fields = []

    def filter_published(self, queryset, name, value):
        if value is None:
            return queryset
        published = {"standard_version__status": StandardVersion.Status.PUBLISHED}
        return queryset.filter(**published) if value else queryset.exclude(**published)


class TaskFilter(ChangedSinceFilterSet):
    standaard = filters.CharFilter(
        field_name="role__standard_version__version", label=_("Standaardversie")
    )
    gepubliceerd = filters.BooleanFilter(
        method="filter_published", label=_("Alleen de gepubliceerde standaard")
    )
    rol = filters.CharFilter(field_name="role__code", label=_("Rol (code)"))
    soort = filters.ChoiceFilter(field_name="kind", choices=Task.Kind.choices, label=_("Soort"))
    sorteer = filters.OrderingFilter(
        fields=(("position", "volgorde"), ("code", "code"), ("title", "titel")),
        label=_("Sorteer op"),
    )

    class Meta:
        model = Task
        fields = []

    def filter_published(self, queryset, name, value):
        if value is None:
            return queryset
        published = {"role__standard_version__status": StandardVersion.Status.PUBLISHED}
        return queryset.filter(**published) if value else queryset.exclude(**published)


class CaseMeetingTypeFilter(ChangedSinceFilterSet):
    betrokkenheid = filters.ChoiceFilter(
        field_name="police_involvement",
        choices=CaseMeetingType.Involvement.choices,
        label=_("Betrokkenheid politie"),
    )
    sorteer = filters.OrderingFilter(
        fields=(("code", "code"), ("name", "naam")), label=_("Sorteer op")
    )

    class Meta:
        model = CaseMeetingType
        fields = []

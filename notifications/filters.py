"""Filters of the change feed."""

import django_filters as filters
from django.utils.translation import gettext_lazy as _

from notifications.models import Event
from registry.lib.filters import ChangedSinceFilter


class EventFilter(filters.FilterSet):
    bron = filters.MultipleChoiceFilter(
        field_name="resource",
        choices=Event.Resource.choices,
        label=_("Soort bron (herhaal de parameter voor meer soorten)"),
    )
    soort = filters.ChoiceFilter(field_name="kind", choices=Event.Kind.choices, label=_("Soort"))
    veiligheidshuis = filters.CharFilter(
        field_name="house_code", max_length=64, label=_("Veiligheidshuis (code)")
    )
    eenheid = filters.CharFilter(field_name="unit_code", max_length=64, label=_("Eenheid (code)"))
    tijdstipVanaf = ChangedSinceFilter(
        field_name="occurred_at",
        lookup_expr="gte",
        label=_("Vanaf dit moment, inclusief (ISO 8601 datum en tijd)"),
    )
    tijdstipTot = ChangedSinceFilter(
        field_name="occurred_at",
        lookup_expr="lt",
        label=_("Tot dit moment, exclusief (ISO 8601 datum en tijd)"),
    )

    class Meta:
        model = Event
        fields = []

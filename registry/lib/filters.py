"""What every FilterSet of the registry shares: the ``gewijzigdSinds`` filter."""

import datetime

import django_filters as filters
from django.utils.translation import gettext_lazy as _


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

"""Recent history of a house: who changed what, when, from simple-history.

``recent_changes(house)`` reads the history of the house, its assignments and its variations
in a bounded number of queries (at most three per model: the latest records with the id of
the record before each, those earlier records to compare against, and the role or task the
record names), whatever the length of the history.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from houses.models import Assignment, House, Variation
from registry.lib.editable import BOOKKEEPING_FIELDS

ACTIONS = {"+": _("aangemaakt"), "~": _("gewijzigd"), "-": _("verwijderd")}


@dataclass
class Change:
    when: object
    who: str
    subject: str
    action: str
    fields: list[str]
    reason: str


@functools.cache
def _history_model(model):
    """The history model of ``model`` (simple-history builds a new manager on every access of
    ``model.history``, a noticeable cost on a page that asks a dozen times)."""
    return model.history.model


def _latest(model, limit, **filters):
    history = _history_model(model)
    previous = (
        history.objects.filter(id=OuterRef("id"), history_date__lt=OuterRef("history_date"))
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    return list(
        history.objects.filter(**filters)
        .select_related("history_user")
        .annotate(previous_history_id=Subquery(previous))
        .order_by("-history_date", "-history_id")[:limit]
    )


def _subject(record) -> str:
    if isinstance(record, _history_model(House)):
        return str(_("Huisgegevens"))
    if isinstance(record, _history_model(Assignment)):
        return str(_("Toewijzing %(role)s") % {"role": record.role.name})
    kind = Variation.Kind(record.kind).label
    what = record.title if record.kind == Variation.Kind.ADDITION else record.task.title
    return f"{_('Afwijking')} ({kind}): {what}"


def _sources(house):
    return [
        (House, {"id": house.pk}, None),
        (Assignment, {"house_id": house.pk}, "role"),
        (Variation, {"house_id": house.pk}, "task"),
    ]


def change_count(house: House) -> int:
    """How many history records the house, its assignments and its variations have."""
    return sum(
        _history_model(model).objects.filter(**filters).count()
        for model, filters, _related in _sources(house)
    )


def recent_changes(house: House, limit: int = 10, offset: int = 0) -> list[Change]:
    """The changes to a house, newest first: ``limit`` of them, after skipping ``offset``."""
    previous = {}
    records = []
    for model, filters, related in _sources(house):
        items = _latest(model, offset + limit, **filters)
        if not items:
            continue
        # The earlier records to compare against, and the subject's role or task: one query each.
        ids = [r.previous_history_id for r in items if r.previous_history_id]
        for earlier in _history_model(model).objects.filter(history_id__in=ids):
            previous[(_history_model(model), earlier.history_id)] = earlier
        if related:
            _attach(items, related)
        records.extend(items)
    records.sort(key=lambda r: (r.history_date, r.history_id), reverse=True)
    records = records[offset : offset + limit]
    changes = []
    for record in records:
        earlier = previous.get((type(record), record.previous_history_id))
        fields = []
        if record.history_type == "~" and earlier is not None:
            delta = record.diff_against(earlier)
            names = [c.field for c in delta.changes if c.field not in BOOKKEEPING_FIELDS]
            meta = record.instance_type._meta
            fields = [str(meta.get_field(name).verbose_name) for name in names]
        user = record.history_user
        changes.append(
            Change(
                when=record.history_date,
                who=(user.get_full_name() or user.username) if user else str(_("systeem")),
                subject=_subject(record),
                action=str(ACTIONS.get(record.history_type, record.history_type)),
                fields=fields,
                reason=record.history_change_reason or "",
            )
        )
    return changes


def _attach(records, name):
    """Load the ``name`` foreign key of historical records in one query."""
    field = records[0]._meta.get_field(name)
    ids = {getattr(r, f"{name}_id") for r in records if getattr(r, f"{name}_id")}
    objects = field.related_model._base_manager.in_bulk(ids)
    for record in records:
        target = objects.get(getattr(record, f"{name}_id"))
        if target is not None:
            setattr(record, name, target)

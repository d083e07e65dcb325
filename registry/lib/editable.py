"""What every model that people edit shares: timestamps, a revision counter, and edit scope.

The scope of a user's edit rights is computed here (``registry.lib.rights`` adds the model
permissions and is what admin, pages and API ask):

- ``EditableQuerySet.editable_by(user)`` narrows a queryset to the rows a user may change;
- ``EditableModel.is_editable_by(user)`` answers the same question for one object.

Both read only two properties of the user model, ``may_edit_everything`` and
``editable_unit_id``, so this module depends on no app. A model opens itself to unit
staff by naming, in ``unit_field``, the path from the model to its eenheid; models without
one (the national standard, the eenheden) are for national staff only.

Lost updates are refused with a revision counter: saving a copy whose ``revision`` is no longer
the one in the database raises ``StaleEditError`` and writes nothing.

A model can also declare records that nobody may change any more, whoever they are (a published
version of the standard and everything in it): ``read_only_reason()`` says why, in Dutch, and
``save()`` and ``delete()`` of such a record raise ``ReadOnlyRecordError`` and write nothing.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import OperationalError, connections, models, router, transaction
from django.dispatch import Signal
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

#: Fields every editable model keeps for its own bookkeeping: left out of forms' change
#: detection, history differences, stale-edit messages and exports' change detection.
BOOKKEEPING_FIELDS = frozenset({"revision", "created_at", "updated_at", "single_holder"})


#: Sent inside the writing transaction before a save takes any row lock (``sender``: the model,
#: ``instance``, ``using``). ``registry.lib.cache`` counts the write here, so that every writer
#: locks the change counter first and locks are always taken in the same order.
write_starting = Signal()


def start_write(model, using=None, instance=None) -> None:
    """Call inside the writing transaction before locking rows of ``model`` by hand; with the
    ``instance`` about to be written when there is one (else the write counts everywhere)."""
    using = using or router.db_for_write(model)
    if transaction.get_connection(using).in_atomic_block:
        write_starting.send(sender=model, instance=instance, using=using)


class StaleEditError(Exception):
    """The object was changed by someone else since this copy was read."""

    def __init__(self, obj):
        self.obj = obj
        super().__init__(
            gettext(
                "%(name)s is intussen door iemand anders gewijzigd; laad de actuele versie en "
                "breng uw wijziging opnieuw aan."
            )
            % {"name": capfirst(obj._meta.verbose_name)}
        )


class ReadOnlyRecordError(Exception):
    """Nobody may change or delete this record any more; the message says why."""


class EditableQuerySet(models.QuerySet):
    def select_for_update(self, *args, **kwargs):
        # Rows locked for a write: count the write first (see ``write_starting``).
        start_write(self.model, self.db)
        return super().select_for_update(*args, **kwargs)

    def editable_by(self, user):
        """The rows ``user`` may change."""
        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        if getattr(user, "may_edit_everything", False):
            return self
        unit_field = self.model.unit_field
        unit_id = getattr(user, "editable_unit_id", None)
        if unit_field and unit_id:
            return self.filter(**{unit_field: unit_id})
        return self.none()


def resolve_unit_id(obj, unit_field: str):
    """Follow ``unit_field`` (``"house__police_unit"``) on an object to an eenheid id."""
    *path, last = unit_field.split("__")
    target = obj
    for step in path:
        target = getattr(target, step, None)
        if target is None:
            return None
    return getattr(target, f"{last}_id", None)


class EditableModel(models.Model):
    """Abstract base: timestamps, optimistic locking and the edit-rights check."""

    #: Path from this model to its eenheid (``PoliceUnit``) for unit staff; None: national only.
    unit_field: str | None = None
    #: A foreign key to the eenheid that delivers this record (an assignment's "leverende
    #: eenheid"), if any. Unit staff cannot hand a record to another eenheid: they may set it
    #: to their own eenheid only, or leave it as it was stored.
    supplier_field: str | None = None

    created_at = models.DateTimeField(_("aangemaakt op"), auto_now_add=True)
    updated_at = models.DateTimeField(_("gewijzigd op"), auto_now=True, db_index=True)
    revision = models.PositiveIntegerField(
        _("revisie"),
        default=1,
        editable=False,
        help_text=_("Telt elke wijziging; een wijziging op een verouderde kopie wordt geweigerd."),
    )

    objects = EditableQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            # Before any row lock of this save (see ``write_starting``).
            write_starting.send(sender=type(self), instance=self, using=using)
            self._write_counted = True
            try:
                self._save_checked(*args, **kwargs)
            finally:
                self._write_counted = False

    def validate_constraints(self, exclude=None):
        """Django's check of a conditional unique constraint reads "violated" when its query
        fails (``Q.check`` swallows the database error): a connection lost in the middle of
        the check (a database restart) must answer as the transient error it is, not as bad
        input."""
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError:
            connection = connections[router.db_for_write(type(self))]
            if connection.connection is not None and not connection.is_usable():
                raise OperationalError(
                    "De databaseverbinding viel weg tijdens de controle van de gegevens."
                ) from None
            raise

    def _save_checked(self, *args, **kwargs):
        if self._state.adding or self.pk is None:
            super().save(*args, **kwargs)
            return
        self.check_writable()
        expected = self.revision
        # The conditional update locks the row and checks the version in one statement,
        # so of two concurrent saves of the same version exactly one passes.
        claimed = (
            type(self)
            ._base_manager.filter(pk=self.pk, revision=expected)
            .update(revision=expected + 1)
        )
        if not claimed:
            raise StaleEditError(self)
        self.revision = expected + 1
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "revision", "updated_at"}
        super().save(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        if cls.supplier_field:
            instance._stored_supplier_id = getattr(instance, f"{cls.supplier_field}_id", None)
        return instance

    def delete(self, *args, **kwargs):
        self.check_writable()
        return super().delete(*args, **kwargs)

    def read_only_reason(self) -> str | None:
        """Why nobody may change this record (as it is in the database), or None."""
        return None

    def check_writable(self):
        """Raise ``ReadOnlyRecordError`` when nobody may change this record."""
        reason = self.read_only_reason()
        if reason:
            raise ReadOnlyRecordError(reason)

    def is_editable_by(self, user) -> bool:
        """May ``user`` change this object, as it is now (in memory)?"""
        if user is None or not getattr(user, "is_authenticated", False):
            return False
        if getattr(user, "may_edit_everything", False):
            return True
        unit_id = getattr(user, "editable_unit_id", None)
        if not (self.unit_field and unit_id):
            return False
        if resolve_unit_id(self, self.unit_field) != unit_id:
            return False
        if self.supplier_field:
            supplier_id = getattr(self, f"{self.supplier_field}_id", None)
            stored_id = None if self._state.adding else getattr(self, "_stored_supplier_id", None)
            if supplier_id not in {None, unit_id, stored_id}:
                return False
        return True

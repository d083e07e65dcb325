"""Who may do what: the one rule set that the admin, the pages, the API and imports ask.

Reading is open to every signed-in user. A user may add, change or delete an object when

1. the account is active and signed in,
2. the account holds Django's model permission for that action (from the group of its kind,
   see ``registry.groups``; superusers hold every permission), and
3. the object lies within the user's scope (``EditableModel.is_editable_by``: national staff
   everything, unit staff what belongs to their own eenheid, others nothing).

``may(user, action, obj)`` answers for one object (for "add": the new, unsaved object),
``may_some(user, action, model)`` whether the user may do it to any object of a model at all,
and ``editable(queryset, user)`` narrows a queryset to what the user may change.

Some records change by consent rather than by edit rights: a local variation is proposed by
one side of a house and agreed or rejected by the other (``houses/consent.py`` holds those
rules). ``consent_refusal(user, step, obj)`` asks the object's own consent rules
(``obj.consent_refusal``) why ``user`` may not take ``step`` ("propose", "agree", "reject",
"end", "change_deadline"); ``may_consent`` is its yes or no. Ketenmanagers hold no model
permission to change records: consent is the only way they act.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_permission_codename
from django.utils.translation import gettext as _t

ACTIONS = ("add", "change", "delete")
CONSENT_STEPS = ("propose", "agree", "reject", "end", "change_deadline")


@dataclass(frozen=True)
class Refusal:
    """Why a step is refused, in Dutch; ``conflict``: because of the record's state (HTTP 409),
    not because of who the user is (403)."""

    message: str
    conflict: bool = False


class Refused(Exception):
    """A step refused by the rules; carries the ``Refusal``."""

    def __init__(self, refusal: Refusal):
        self.refusal = refusal
        super().__init__(refusal.message)


def is_signed_in(user) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
    )


def has_model_permission(user, model, action: str) -> bool:
    """Does the account hold Django's ``action`` permission on ``model``?"""
    if not is_signed_in(user):
        return False
    opts = model._meta
    return user.has_perm(f"{opts.app_label}.{get_permission_codename(action, opts)}")


def may(user, action: str, obj) -> bool:
    """May ``user`` ``action`` ("add", "change", "delete") ``obj``, as it is in memory?"""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    # The scope first: it needs no query, and settles most refusals.
    if not (obj.is_editable_by(user) and has_model_permission(user, type(obj), action)):
        return False
    # A record that changes by consent is deleted only as its consent rules allow.
    if action == "delete" and hasattr(obj, "consent_refusal"):
        return obj.consent_refusal(user, "delete") is None
    return True


def may_some(user, action: str, model) -> bool:
    """May ``user`` ``action`` some object of ``model`` (the question before a form opens)?"""
    in_scope = getattr(user, "may_edit_everything", False) or bool(
        getattr(model, "unit_field", None) and getattr(user, "editable_unit_id", None)
    )
    return in_scope and has_model_permission(user, model, action)


def editable(queryset, user, action: str = "change"):
    """The rows of ``queryset`` that ``user`` may ``action``."""
    if not has_model_permission(user, queryset.model, action):
        return queryset.none()
    return queryset.editable_by(user)


def consent_refusal(user, step: str, obj, **options) -> Refusal | None:
    """Why ``user`` may not take consent ``step`` on ``obj`` (None: allowed)."""
    if step not in CONSENT_STEPS:
        raise ValueError(f"unknown consent step {step!r}")
    if not is_signed_in(user):
        return Refusal(_t("Meld u aan."))
    return obj.consent_refusal(user, step, **options)


def may_consent(user, step: str, obj, **options) -> bool:
    return consent_refusal(user, step, obj, **options) is None

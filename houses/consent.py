"""Two-sided consent on local variations: the one place that holds its rules.

A local variation is agreed between two sides of a house:

- the **eenheid**: unit staff of the house's own eenheid;
- the **huis**: the ketenmanagers linked to the house (``User.houses``).

The rules, each a named function below:

1. ``may_propose``: a variation starts as a proposal by one side: unit staff for a house of
   their eenheid, a ketenmanager for a house of theirs. National staff propose as the
   eenheid's side (they are the police). Nobody else proposes; a ketenmanager without houses
   acts nowhere. A new variation is always a proposal, never recorded as agreed at once.
2. ``may_decide``: the other side agrees or rejects. Nobody decides their own side's proposal,
   and nobody decides a proposal they made themselves. National staff may decide in the
   waiting side's place only with a stated reason, recorded as a decision on that side's behalf.
   A rejection always states its reason.
3. ``may_request_change`` (and ``may_delete``): ending an agreed variation, and another
   deadline for an agreed phase-out, are proposed by one side and agreed (or rejected) by the
   other under rule 2; until then the agreement stands unchanged. The agreed terms (kind,
   house, described task, local norm, phase-out deadline) change in no other way, and only
   national staff delete an agreement (to correct a mistake).

``registry.lib.rights.consent_refusal`` asks ``refusal`` (who may), the model's
``VARIATION_RULES`` include the data rules at the end of this module (what a valid record
holds), and ``propose`` / ``agree`` / ``reject`` / ``request_change`` / ``record_edit`` are the
steps every write path (pages, API, admin, import) takes. A refusal is a ``Refusal``: its
``conflict`` flag tells the state of the record (HTTP 409) from the user's position (403).
"""

from __future__ import annotations

import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from registry.lib.rights import Refusal, is_signed_in
from registry.lib.rights import Refused as ConsentRefused


class Side(models.TextChoices):
    UNIT = "eenheid", _("de eenheid")
    HOUSE = "huis", _("het huis")


class Change(models.TextChoices):
    END = "beeindigen", _("beëindigen")
    DEADLINE = "afbouwdatum", _("andere afbouwdatum")


#: The agreed terms: they change only by a consent step (rule 3).
TERMS = ("house_id", "kind", "title", "local_norm", "phase_out_by")

#: Stored history reasons are read by everyone: in the registry's language, not the editor's.
SIDE_NAMES = {Side.UNIT: "de eenheid", Side.HOUSE: "het huis"}
CHANGE_NAMES = {Change.END: "beëindiging", Change.DEADLINE: "andere afbouwdatum"}

STEPS = ("propose", "agree", "reject", "end", "change_deadline")


def other(side):
    return Side.HOUSE if side == Side.UNIT else Side.UNIT


def side_label(side) -> str:
    return str(Side(side).label) if side else ""


# --- who is on which side -----------------------------------------------------------------------


def acts_everywhere(user) -> bool:
    """National staff and superusers: may act in a side's place (with a reason)."""
    return bool(is_signed_in(user) and getattr(user, "may_edit_everything", False))


def own_sides(user, house) -> set:
    """The sides ``user`` belongs to for ``house`` by who they are (not by acting for one)."""
    sides = set()
    if not is_signed_in(user) or house is None:
        return sides
    unit_id = getattr(user, "editable_unit_id", None)
    if unit_id and house.police_unit_id == unit_id:
        sides.add(Side.UNIT)
    if house.pk in getattr(user, "ketenmanager_house_ids", ()):
        sides.add(Side.HOUSE)
    return sides


def awaiting_side(v) -> str:
    """The side whose decision ``v`` awaits: on a proposal, or on a proposed change."""
    Status = type(v).Status
    if v.status == Status.PROPOSED:
        return other(v.proposed_side or Side.UNIT)
    if v.status == Status.AGREED and v.change_kind:
        return other(v.change_side or Side.UNIT)
    return ""


def awaiting_proposer_id(v):
    return v.proposed_by_id if v.status == type(v).Status.PROPOSED else v.change_by_id


# --- the rules of who may (asked through registry.lib.rights) ----------------------------------


def may_propose(user, v) -> Refusal | None:
    Status = type(v).Status
    if v.pk is not None:
        return Refusal(_t("Deze afwijking is al voorgesteld."), conflict=True)
    if v.status and v.status != Status.PROPOSED:
        return Refusal(
            _t(
                "Een nieuwe afwijking is altijd eerst een voorstel; de andere kant stemt ermee "
                "in of wijst haar af."
            ),
            conflict=True,
        )
    if acts_everywhere(user) or own_sides(user, v.house if v.house_id else None):
        return None
    return Refusal(
        _t(
            "U kunt alleen afwijkingen voorstellen voor de huizen van uw eigen eenheid of de "
            "huizen waarvan u ketenmanager bent."
        )
    )


PROPOSE_NOWHERE = _(
    "U kunt alleen afwijkingen voorstellen voor de huizen van uw eigen eenheid of de huizen "
    "waarvan u ketenmanager bent."
)


def may_propose_somewhere(user) -> bool:
    """Is there any house ``user`` may propose a variation for (before the body is read)?"""
    return bool(
        acts_everywhere(user)
        or (is_signed_in(user) and getattr(user, "editable_unit_id", None))
        or getattr(user, "ketenmanager_house_ids", ())
    )


def may_decide(user, v, reason: str = "") -> Refusal | None:
    waiting = awaiting_side(v)
    if not waiting:
        return Refusal(
            _t("Deze afwijking wacht niet op een besluit (status: %(status)s).")
            % {"status": v.get_status_display().lower()},
            conflict=True,
        )
    proposer = awaiting_proposer_id(v)
    if proposer is not None and proposer == getattr(user, "pk", None):
        return Refusal(_t("U kunt niet besluiten over uw eigen voorstel; de andere kant beslist."))
    sides = own_sides(user, v.house)
    if waiting in sides:
        return None
    if acts_everywhere(user):
        if not (reason or "").strip():
            return Refusal(
                _t(
                    "Landelijk beheer besluit alleen met een vermelde reden in de plaats van "
                    "%(side)s; vul de reden in."
                )
                % {"side": side_label(waiting)}
            )
        return None
    if other(waiting) in sides:
        return Refusal(
            _t(
                "Dit voorstel komt van uw eigen kant (%(own)s); alleen %(other)s kan ermee "
                "instemmen of het afwijzen."
            )
            % {"own": side_label(other(waiting)), "other": side_label(waiting)}
        )
    return Refusal(
        _t(
            "U hoort niet bij de eenheid van dit huis en bent er geen ketenmanager van; u kunt "
            "hier niet besluiten."
        )
    )


def may_request_change(user, v, kind) -> Refusal | None:
    Status = type(v).Status
    if v.status != Status.AGREED:
        return Refusal(
            _t("Alleen een overeengekomen afwijking kan worden beëindigd of gewijzigd."),
            conflict=True,
        )
    if v.change_kind:
        return Refusal(
            _t(
                "Er wacht al een voorgestelde wijziging (%(change)s) op een besluit; besluit "
                "daar eerst over."
            )
            % {"change": Change(v.change_kind).label},
            conflict=True,
        )
    if kind == Change.DEADLINE and v.kind != type(v).Kind.PHASE_OUT:
        return Refusal(_t("Alleen een afbouw heeft een afbouwdatum."), conflict=True)
    if acts_everywhere(user) or own_sides(user, v.house):
        return None
    return Refusal(
        _t(
            "U hoort niet bij de eenheid van dit huis en bent er geen ketenmanager van; u kunt "
            "deze afwijking niet beëindigen of wijzigen."
        )
    )


def may_delete(user, v) -> Refusal | None:
    """An agreement (agreed or ended) is not deleted behind the other side's back: it is ended
    by consent. Only national staff delete one, to correct a mistake."""
    Status = type(v).Status
    if v.status in {Status.AGREED, Status.ENDED} and not acts_everywhere(user):
        return Refusal(
            _t(
                "Een overeengekomen afwijking verwijdert u niet; stel voor haar te beëindigen "
                "en de andere kant stemt in."
            ),
            conflict=True,
        )
    return None


def refusal(user, step, v, *, reason: str = "") -> Refusal | None:
    """Why ``user`` may not take consent ``step`` on ``v`` now; None when allowed."""
    if not is_signed_in(user):
        return Refusal(_t("Meld u aan."))
    if step == "propose":
        return may_propose(user, v)
    if step == "agree":
        return may_decide(user, v, reason)
    if step == "reject":
        return may_decide(user, v, reason)
    if step == "end":
        return may_request_change(user, v, Change.END)
    if step == "change_deadline":
        return may_request_change(user, v, Change.DEADLINE)
    if step == "delete":
        return may_delete(user, v)
    raise ValueError(f"unknown consent step {step!r}")


# --- the steps ------------------------------------------------------------------------------------


#: simple-history stores a change reason of at most 100 characters; the full reason of a
#: decision is kept in ``decision_reason`` / ``change_reason``.
HISTORY_REASON_LENGTH = 100


def history_reason(text: str) -> str:
    if len(text) <= HISTORY_REASON_LENGTH:
        return text
    return text[: HISTORY_REASON_LENGTH - 1] + "…"


def _check(user, step, v, reason=""):
    refused = refusal(user, step, v, reason=reason)
    if refused is not None:
        raise ConsentRefused(refused)


def _acting_side(user, v, preferred=Side.UNIT):
    sides = own_sides(user, v.house)
    if preferred in sides or not sides:
        return preferred
    return next(iter(sides))


def propose(v, user, now=None):
    """Record ``v`` (new) as proposed by ``user``'s side."""
    _check(user, "propose", v)
    v.status = type(v).Status.PROPOSED
    v.proposed_side = _acting_side(user, v)
    v.proposed_by = user
    v.proposed_at = now or timezone.now()
    v._consent_step = "propose"
    v._change_reason = history_reason(f"Voorgesteld door {SIDE_NAMES[v.proposed_side]}")


def _decided(verb, user, v, waiting, reason):
    """The history reason of a decision: who decided (which side, or national staff in its
    place) and why."""
    if waiting in own_sides(user, v.house):
        return f"{verb} door {SIDE_NAMES[waiting]}" + (f": {reason}" if reason else "")
    return f"{verb} door landelijk beheer namens {SIDE_NAMES[waiting]}: {reason}"


def agree(v, user, *, reason: str = "", note: str = "", now=None):
    """``user`` agrees what ``v`` awaits: the proposal, or the proposed change."""
    _check(user, "agree", v, reason)
    now = now or timezone.now()
    waiting = awaiting_side(v)
    on_behalf = waiting not in own_sides(user, v.house)
    Status = type(v).Status
    v._consent_step = "agree"
    if v.status == Status.PROPOSED:
        v.status = Status.AGREED
        v.agreed_by = user
        v.decided_at = now
        v.agreed_on = timezone.localdate(now)
        v.decision_reason = reason or ""
        v.decided_on_behalf = on_behalf
        if note:
            v.agreed_with = note
        v._change_reason = history_reason(_decided("Ingestemd", user, v, waiting, reason))
        return
    kind = v.change_kind
    if kind == Change.END:
        v.status = Status.ENDED
        v.ended_on = v.change_date or timezone.localdate(now)
    else:
        v.phase_out_by = v.change_date
    v._change_reason = history_reason(
        _decided(f"Ingestemd met {CHANGE_NAMES[Change(kind)]}", user, v, waiting, reason)
    )
    _clear_change(v)


def reject(v, user, *, reason: str, now=None):
    """``user`` rejects what ``v`` awaits, with ``reason``."""
    if not (reason or "").strip():
        raise ConsentRefused(Refusal(_t("Vermeld waarom u afwijst."), conflict=True))
    _check(user, "reject", v, reason)
    now = now or timezone.now()
    waiting = awaiting_side(v)
    Status = type(v).Status
    v._consent_step = "reject"
    if v.status == Status.PROPOSED:
        v.status = Status.REJECTED
        v.rejected_by = user
        v.decided_at = now
        v.decision_reason = reason
        v.decided_on_behalf = waiting not in own_sides(user, v.house)
        v._change_reason = history_reason(_decided("Afgewezen", user, v, waiting, reason))
        return
    change = CHANGE_NAMES[Change(v.change_kind)]
    v._change_reason = history_reason(
        _decided(f"Voorgestelde {change} afgewezen", user, v, waiting, reason)
    )
    _clear_change(v)


def request_change(v, user, kind, *, date: datetime.date | None = None, reason: str = "", now=None):
    """``user``'s side proposes to end agreed ``v`` (on ``date``, default the day of consent),
    or (``Change.DEADLINE``) another phase-out deadline ``date``."""
    step = "end" if kind == Change.END else "change_deadline"
    _check(user, step, v)
    if kind == Change.DEADLINE and date is None:
        raise ConsentRefused(Refusal(_t("Vul de nieuwe afbouwdatum in."), conflict=True))
    if kind == Change.END and date is not None and v.agreed_on and date < v.agreed_on:
        raise ConsentRefused(
            Refusal(_t("De einddatum ligt vóór de datum van de afspraak."), conflict=True)
        )
    v.change_kind = kind
    v.change_date = date
    v.change_reason = reason or ""
    v.change_by = user
    v.change_side = _acting_side(user, v)
    v.change_at = now or timezone.now()
    v._consent_step = step
    v._change_reason = history_reason(
        f"{CHANGE_NAMES[Change(kind)].capitalize()} voorgesteld door "
        + (f"{SIDE_NAMES[v.change_side]}" + (f": {reason}" if reason else ""))
    )


def _clear_change(v):
    v.change_kind = ""
    v.change_date = None
    v.change_reason = ""
    v.change_by = None
    v.change_side = ""
    v.change_at = None


def terms_changed(v) -> list[str]:
    loaded = v.loaded_terms or {}
    return [name for name in TERMS if name in loaded and getattr(v, name) != loaded[name]]


def record_edit(v, user, *, allow_decisions: bool = True):
    """An edit through a form or an import row (or the API's create/update), as consent sees it.

    A new variation is proposed (``propose``). A status change is the matching consent step
    (``agree`` / ``reject``, or agreeing a proposed end), with ``v.decision_reason`` as its
    reason; with ``allow_decisions`` off (the API, which has its own actions) it is refused.
    Changed terms of an agreed variation are refused (rule 3); changed terms of a proposal
    make it a counter-proposal of the editor's side.
    """
    Status = type(v).Status
    if v.pk is None:
        propose(v, user)
        return
    previous = v.previous_status
    if v.status != previous:
        target = v.status
        v.status = previous
        if not allow_decisions:
            raise ConsentRefused(
                Refusal(
                    _t(
                        "De status verandert alleen door een besluit: gebruik instemmen, "
                        "afwijzen of beëindigen."
                    ),
                    conflict=True,
                )
            )
        reason = v.decision_reason or ""
        if previous == Status.PROPOSED and target == Status.AGREED:
            agree(v, user, reason=reason)
        elif previous == Status.PROPOSED and target == Status.REJECTED:
            reject(v, user, reason=reason)
        elif previous == Status.AGREED and target == Status.ENDED:
            if v.change_kind != Change.END:
                raise ConsentRefused(
                    Refusal(
                        _t(
                            "Beëindigen gaat in twee stappen: de ene kant stelt het voor, de "
                            "andere stemt ermee in. Stel de beëindiging voor via de API "
                            "(beeindigen)."
                        ),
                        conflict=True,
                    )
                )
            agree(v, user, reason=reason)
        else:
            v.status = target  # the workflow rule of the model names the impossible move
        return
    changed = terms_changed(v)
    if previous in {Status.AGREED, Status.ENDED} and changed:
        raise ConsentRefused(
            Refusal(
                _t(
                    "De afspraak verandert alleen met instemming van beide kanten; stel een "
                    "wijziging voor (beëindigen, of een andere afbouwdatum) of een nieuwe "
                    "afwijking."
                ),
                conflict=True,
            )
        )
    if previous == Status.PROPOSED and changed:
        sides = own_sides(user, v.house)
        if sides and v.proposed_side not in sides:
            # The other side changed the terms: now it is their proposal.
            v.proposed_side = _acting_side(user, v)
            v.proposed_by = user
            v.proposed_at = timezone.now()
            v._change_reason = history_reason(f"Tegenvoorstel van {SIDE_NAMES[v.proposed_side]}")


# --- what awaits whom -----------------------------------------------------------------------------

DUE_WITHIN_DAYS = 90


def house_ids_of(user):
    """The houses where ``user`` acts by who they are; None: every house (national staff)."""
    from houses.models import House

    if acts_everywhere(user):
        return None
    ids = set(getattr(user, "ketenmanager_house_ids", ()))
    unit_id = getattr(user, "editable_unit_id", None)
    if unit_id:
        ids |= set(House.objects.filter(police_unit_id=unit_id).values_list("pk", flat=True))
    return ids


def inbox(user, today=None):
    """What awaits ``user``: decisions to take, their own proposals awaiting the other side, and
    agreed phase-outs at their houses due within 90 days or overdue. Three queries."""
    from houses.models import Variation

    today = today or timezone.localdate()
    house_ids = house_ids_of(user)
    variations = Variation.objects.select_related(
        "house", "role", "task", "proposed_by", "change_by", "standard_version"
    ).order_by("house__name", "role__position", "pk")
    if house_ids is not None:
        variations = variations.filter(house_id__in=house_ids)
    waiting = models.Q(status=Variation.Status.PROPOSED) | models.Q(
        status=Variation.Status.AGREED, change_kind__gt=""
    )
    to_decide, own = [], []
    for v in variations.filter(waiting):
        if awaiting_proposer_id(v) == user.pk:
            own.append(v)
        # National staff see what they could decide in a side's place (the form asks the reason).
        elif may_decide(user, v, reason="-") is None:
            to_decide.append(v)
    due = list(
        variations.filter(
            status=Variation.Status.AGREED,
            kind=Variation.Kind.PHASE_OUT,
            phase_out_by__lte=today + datetime.timedelta(days=DUE_WITHIN_DAYS),
        ).order_by("phase_out_by", "house__name")
    )
    return {"to_decide": to_decide, "own": own, "due": due}


# --- the data rules (in houses.models.VARIATION_RULES) --------------------------------------------


def agreement_names_both_sides(v):
    """Agreed (or ended) names the proposing side and when, and when the other side agreed;
    unless it was agreed before two-sided consent existed."""
    Status = type(v).Status
    if v.status not in {Status.AGREED, Status.ENDED} or v.agreed_before_consent:
        return
    if not (v.proposed_side and v.proposed_at):
        yield "status", _t("Een overeengekomen afwijking vermeldt wie haar voorstelde en wanneer.")
    elif not v.decided_at:
        yield "status", _t("Een overeengekomen afwijking vermeldt wie ermee instemde en wanneer.")


def nobody_agrees_their_own_proposal(v):
    if v.agreed_by_id and v.agreed_by_id == v.proposed_by_id:
        yield "status", _t("Niemand stemt in met een eigen voorstel.")


def decision_in_a_sides_place_has_a_reason(v):
    if v.decided_on_behalf and not (v.decision_reason or "").strip():
        yield (
            "decision_reason",
            _t("Vermeld waarom landelijk beheer in de plaats van een kant besluit."),
        )


def rejection_has_a_reason(v):
    Status = type(v).Status
    moving = v.previous_status is not None and v.previous_status != v.status
    if v.status == Status.REJECTED and moving and not (v.decision_reason or "").strip():
        yield "decision_reason", _t("Vermeld waarom de afwijking wordt afgewezen.")


def agreed_terms_change_only_by_consent(v):
    Status = type(v).Status
    if v.previous_status not in {Status.AGREED, Status.ENDED}:
        return
    if getattr(v, "_consent_step", None) in {"agree"}:
        return
    for name in terms_changed(v):
        yield (
            name.removesuffix("_id"),
            _t("De afspraak verandert alleen met instemming van beide kanten."),
        )

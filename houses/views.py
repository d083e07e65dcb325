"""Pages about houses and eenheden: list, house page, comparison, eenheid pages, exports."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView, View

from houses import consent
from houses.exports import (
    consent_cells,
    csv_response,
    matrix_header,
    package_table,
    phase_out_table,
    xlsx_response,
)
from houses.filters import HouseFilter, VariationFilter
from houses.history import change_count, recent_changes
from houses.models import House, HouseCaseMeeting, PoliceUnit, Variation
from houses.overview import conformance_from_totals, matrix
from houses.package import ADDED, AS_STANDARD, PHASE_OUT, task_package, task_packages
from houses.pieces import filter_query, house_pieces, listed_houses
from houses.regions import COLOUR_BY, LEGENDS, map_size, region_tiles
from houses.summaries import refresh as refresh_summaries
from houses.summaries import unit_totals
from registry.lib import rights
from registry.lib.admin import stale_message
from registry.lib.cache import (
    cached,
    cached_fragment,
    current_revision,
    house_scope,
    scoped_revision,
)
from registry.lib.editable import StaleEditError

#: The filters of the house list and the matrix (the API offers the rest of HouseFilter).
PAGE_FILTERS = [
    "zoek",
    "eenheid",
    "veiligheidsregio",
    "kaderStatus",
    "heeftAfwijkingen",
    "verlopen",
    "afwijkingSoort",
]


def house_filterset(data):
    """The shared HouseFilter with the page filters only, on ``data`` (a query dict or None)."""
    filterset = HouseFilter(
        data or None,
        queryset=House.objects.filter(active=True).select_related("police_unit"),
    )
    for name in list(filterset.form.fields):
        if name not in PAGE_FILTERS and name != "sorteer":
            del filterset.form.fields[name]
    return filterset


def filtered_houses(request):
    """The shared HouseFilter on the request's query string; invalid values are reported."""
    filterset = house_filterset(request.GET)
    houses = list(filterset.qs)
    return filterset, houses


def export_query(request) -> str:
    """The current query string, to carry filters over to the export links."""
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("pagina", None)
    return query.urlencode()


class HouseListView(TemplateView):
    """All houses, filtered with the shared HouseFilter, with their conformance."""

    template_name = "houses/house_list.html"

    def get_context_data(self, **kwargs):
        filterset, houses = filtered_houses(self.request)
        packages = task_packages(houses)
        return super().get_context_data(
            filterset=filterset,
            rows=matrix(houses, packages),
            export_query=export_query(self.request),
            **kwargs,
        )


def get_house(code):
    return get_object_or_404(House.objects.select_related("police_unit"), code=code)


class HouseDetailView(TemplateView):
    """The task package of one house, its assignments, variations and recent history.

    The page body is a cached fragment (``registry.lib.cache``) per house, day (overdue flags),
    language and edit right (the edit and history links), until the next write to the registry.
    """

    template_name = "houses/house_detail.html"

    def get_context_data(self, **kwargs):
        code = self.kwargs["code"]
        # Keyed on this house's writes and the shared ones only: a write to another house
        # leaves this page cached.
        revision = scoped_revision(house_scope(code))
        house = cached(
            ["house", code],
            lambda: House.objects.select_related("police_unit").filter(code=code).first(),
            revision=revision,
        )
        if house is None:
            raise Http404
        # The edit right changes only with this house, the user or the user's permissions
        # (counted as shared writes): asked once per user and revision, not on every view of
        # the page. The user as this request loaded it is part of the key, so an answer about
        # a user saved between that load and the counters' read is never stored under the
        # newer revision.
        user = self.request.user
        can_edit = cached(
            [
                "may-change-house",
                code,
                user.pk,
                user.kind,
                user.police_unit_id,
                user.is_active,
                user.is_superuser,
            ],
            lambda: rights.may(user, "change", house),
            revision=revision,
        )
        today = timezone.localdate()

        def make_context():
            return {
                "house": house,
                "package": task_package(house, today=today),
                "meetings": list(
                    HouseCaseMeeting.objects.filter(house=house).select_related("meeting_type")
                ),
                "changes": recent_changes(house),
                "can_edit": can_edit,
            }

        content = cached_fragment(
            ["house-page", house.pk, can_edit, today],
            "houses/includes/house_content.html",
            make_context,
            revision=revision,
        )
        return super().get_context_data(house=house, content=content, **kwargs)


class PackageExportView(View):
    """The task package of a house as CSV or XLSX; ``?rol=<code>`` limits it to one role.
    Cached like the house page, per house (below)."""

    def get(self, request, code, fmt):
        today = timezone.localdate()
        role_code = request.GET.get("rol") or None

        def build():
            house = get_house(code)
            header, rows = package_table(task_package(house, today=today), role_code)
            filename = f"takenpakket-{house.code}"
            if fmt == "xlsx":
                return xlsx_response(filename, str(_("Takenpakket")), header, rows)
            return csv_response(filename, header, rows)

        key = ["package-export", code, fmt, role_code, translation.get_language(), today]
        return cached_response(key, build, revision=scoped_revision(house_scope(code)))


class MatrixExportView(View):
    """The national matrix (houses × roles) as CSV or XLSX, honouring the house filters.

    The file is cached (``registry.lib.cache``) per format, validated filters, language and day
    until the next write to the registry, and built from per-house pieces (``houses.pieces``);
    it holds nothing that depends on the user. Filters with an invalid value are not cached.
    """

    def get(self, request, fmt):
        today = timezone.localdate()
        revision = current_revision()
        filterset = house_filterset(request.GET)
        query = filter_query(filterset, PAGE_FILTERS + ["sorteer"])
        if query is not None:
            filterset = house_filterset(query)

        def build():
            pieces = house_pieces(listed_houses(filterset.qs), today=today)
            header = matrix_header([name for _code, name in pieces[0].roles] if pieces else [])
            rows = [piece.table_row for piece in pieces]
            if fmt == "xlsx":
                return xlsx_response("matrix", str(_("Matrix")), header, rows)
            return csv_response("matrix", header, rows)

        if query is None:
            return build()
        key = ["matrix-export", fmt, query.urlencode(), translation.get_language(), today]
        return cached_response(key, build, revision=revision)


def cached_response(key_parts, build, *, revision=None):
    """The response ``build()`` makes, from the read cache (body and the headers that matter)."""
    content, headers = cached(key_parts, lambda: _stored(build()), revision=revision)
    return HttpResponse(content, headers=headers)


def _stored(response):
    kept = ("Content-Type", "Content-Disposition")
    return response.content, {name: response[name] for name in kept if response.has_header(name)}


class CompareForm(forms.Form):
    huis = forms.ModelMultipleChoiceField(
        label=_("Veiligheidshuizen"),
        queryset=House.objects.filter(active=True).select_related("police_unit"),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Kies ten minste twee veiligheidshuizen om te vergelijken."),
            "invalid_choice": _("%(value)s is geen bekend veiligheidshuis."),
            "invalid_pk_value": _("%(pk)s is geen geldige code."),
        },
    )
    verschillen = forms.BooleanField(label=_("Alleen verschillen tonen"), required=False)

    def clean_huis(self):
        houses = self.cleaned_data["huis"]
        if len(houses) < 2:
            raise forms.ValidationError(
                _("Kies ten minste twee veiligheidshuizen om te vergelijken.")
            )
        return houses


class CompareView(TemplateView):
    """Two or more houses side by side, task by task, differences marked."""

    template_name = "houses/compare.html"

    def get_context_data(self, **kwargs):
        form = CompareForm(self.request.GET or None)
        context = {"form": form}
        if form.is_bound and form.is_valid():
            houses = sorted(form.cleaned_data["huis"], key=lambda h: h.name)
            packages = task_packages(houses)
            rows = comparison_rows(houses, packages)
            if form.cleaned_data["verschillen"]:
                rows = [row for row in rows if row["differs"] or row["heading"]]
            context.update(houses=houses, rows=rows, matrix=matrix(houses, packages))
            context["difference_count"] = sum(1 for row in rows if row["differs"])
        return super().get_context_data(**context, **kwargs)


def comparison_rows(houses, packages):
    """Rows of the comparison table: per role its tasks and filling, then additions, phase-outs."""
    first = packages[houses[0].pk]
    rows = []

    def add(label, cells, *, note="", heading=False):
        keys = {(c["status"], c["text"]) for c in cells} if cells else set()
        rows.append(
            {
                "label": label,
                "note": note,
                "cells": cells,
                "heading": heading,
                "differs": not heading and len(keys) > 1,
            }
        )

    index = {
        house.pk: {
            (rp.role.code, line.code): line for rp in packages[house.pk].roles for line in rp.tasks
        }
        for house in houses
    }
    for rp in first.roles:
        add(rp.role.name, [], heading=True)
        fill = {}
        for house in houses:
            role_package = next(r for r in packages[house.pk].roles if r.role.code == rp.role.code)
            labels = sorted({a.get_presence_display() for a in role_package.filling})
            fill[house.pk] = {
                "status": "filled" if labels else "vacant",
                "label": _("Bezet") if labels else _("Vacant"),
                "text": ", ".join(str(label) for label in labels),
            }
        add(_("Bezetting"), [fill[h.pk] for h in houses])
        for line in rp.tasks:
            cells = []
            for house in houses:
                own = index[house.pk][(rp.role.code, line.code)]
                cells.append(
                    {
                        "status": own.status,
                        "label": own.status_label,
                        "text": own.norm if own.status != AS_STANDARD else "",
                        "variation": own.variation,
                    }
                )
            add(line.title, cells)
    extra = [(ADDED, _("Aanvullingen"), "additions"), (PHASE_OUT, _("Afbouw"), "phase_outs")]
    for status, heading, attribute in extra:
        keyed = {}
        for house in houses:
            for line in getattr(packages[house.pk], attribute):
                key = (line.role.code, line.code or line.title)
                keyed.setdefault(key, {"title": line.title, "role": line.role.name, "lines": {}})
                keyed[key]["lines"][house.pk] = line
        if not keyed:
            continue
        add(heading, [], heading=True)
        for entry in keyed.values():
            cells = []
            for house in houses:
                line = entry["lines"].get(house.pk)
                if line is None:
                    cells.append({"status": "none", "label": _("Niet van toepassing"), "text": ""})
                else:
                    text = line.norm
                    if line.deadline:
                        text = _("uiterlijk %(date)s") % {
                            "date": line.deadline.strftime("%d-%m-%Y")
                        }
                    cells.append(
                        {
                            "status": status,
                            "label": line.status_label,
                            "text": text,
                            "variation": line.variation,
                            "overdue": line.overdue,
                        }
                    )
            add(entry["title"], cells, note=entry["role"])
    return rows


class UnitListView(TemplateView):
    template_name = "houses/unit_list.html"

    def get_context_data(self, **kwargs):
        active = House.objects.filter(active=True)
        refresh_summaries(active, today=timezone.localdate())
        conformance = conformance_from_totals(
            PoliceUnit.objects.all(),
            unit_totals(active),
            active.only("code", "name", "police_unit_id").order_by("name"),
        )
        return super().get_context_data(conformance=conformance, **kwargs)


class UnitDetailView(TemplateView):
    """An eenheid: its houses, its variations and its overdue phase-outs."""

    template_name = "houses/unit_detail.html"

    def get_context_data(self, **kwargs):
        unit = get_object_or_404(PoliceUnit, code=self.kwargs["code"])
        houses = list(
            House.objects.filter(police_unit=unit, active=True).select_related("police_unit")
        )
        packages = task_packages(houses)
        variations = list(
            Variation.objects.open()
            .filter(house__police_unit=unit)
            .select_related("house", "role", "task", "standard_version")
            .order_by("house__name", "role__position", "kind")
        )
        overdue = [v for v in variations if v.is_overdue]
        return super().get_context_data(
            unit=unit,
            rows=matrix(houses, packages),
            variations=variations,
            overdue=overdue,
            **kwargs,
        )


#: The filters of the phase-out overview (the API offers the rest of VariationFilter).
PHASE_OUT_FILTERS = ["eenheid", "veiligheidshuis", "verlopen"]


def running_phase_outs(request, today):
    """Agreed phase-outs, soonest deadline first, narrowed by the shared VariationFilter."""
    queryset = (
        Variation.objects.agreed()
        .filter(kind=Variation.Kind.PHASE_OUT)
        .select_related("house", "house__police_unit", "role", "task", "proposed_by", "agreed_by")
        .order_by("phase_out_by", "house__name", "pk")
    )
    filterset = VariationFilter(request.GET or None, queryset=queryset, request=request)
    for name in list(filterset.form.fields):
        if name not in PHASE_OUT_FILTERS:
            del filterset.form.fields[name]
    house_field = filterset.form.fields["veiligheidshuis"]
    house_field.queryset = House.objects.filter(active=True).order_by("name")
    house_field.label = _("Veiligheidshuis")
    variations = list(filterset.qs)
    for variation in variations:
        variation.is_overdue_on = variation.overdue_on(today)
        # Who agreed on both sides and when, as the export says it.
        proposer, proposed_on, consenter, agreed_on, others = consent_cells(variation)
        variation.agreement = {
            "proposer": proposer,
            "proposed_on": proposed_on,
            "consenter": consenter,
            "agreed_on": agreed_on,
            "others": others,
        }
    return filterset, variations


class PhaseOutListView(TemplateView):
    """Every running phase-out in the country, soonest deadline first, overdue ones marked."""

    template_name = "houses/phase_out_list.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        filterset, variations = running_phase_outs(self.request, today)
        return super().get_context_data(
            filterset=filterset,
            variations=variations,
            overdue_count=sum(1 for v in variations if v.is_overdue_on),
            export_query=export_query(self.request),
            clear_url=self.request.path,
            today=today,
            **kwargs,
        )


class PhaseOutExportView(View):
    """The phase-out overview as CSV or XLSX, with the same filters."""

    def get(self, request, fmt):
        today = timezone.localdate()
        filterset, variations = running_phase_outs(request, today)
        header, rows = phase_out_table(variations)
        if fmt == "xlsx":
            return xlsx_response("afbouw", str(_("Afbouw")), header, rows)
        return csv_response("afbouw", header, rows)


HISTORY_PAGE_SIZE = 25


class HouseHistoryView(TemplateView):
    """The full history of a house, its assignments and variations, newest first, paged."""

    template_name = "houses/house_history.html"

    def get_context_data(self, **kwargs):
        house = get_house(self.kwargs["code"])
        paginator = Paginator(range(change_count(house)), HISTORY_PAGE_SIZE)
        page = paginator.get_page(self.request.GET.get("pagina"))
        offset = (page.number - 1) * HISTORY_PAGE_SIZE
        return super().get_context_data(
            house=house,
            page=page,
            changes=recent_changes(house, limit=HISTORY_PAGE_SIZE, offset=offset),
            **kwargs,
        )


class RegionMapView(TemplateView):
    """The 25 safety regions as tiles, coloured by conformance or by open points."""

    template_name = "houses/region_map.html"

    def get_context_data(self, **kwargs):
        colour_by = self.request.GET.get("kleur")
        if colour_by not in COLOUR_BY:
            colour_by = "conformiteit"
        houses = list(House.objects.filter(active=True).select_related("police_unit"))
        tiles, elsewhere = region_tiles(houses, task_packages(houses))
        for tile in tiles:
            tile.fill = tile.shade(colour_by)
        width, height = map_size()
        return super().get_context_data(
            tiles=tiles,
            elsewhere=elsewhere,
            colour_by=colour_by,
            colourings=COLOUR_BY.items(),
            legend=LEGENDS[colour_by],
            width=width,
            height=height,
            **kwargs,
        )


# --- "Wat wacht op mij": decisions on local variations (houses/consent.py) ----------------------


class DecisionForm(forms.Form):
    afwijking = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    revisie = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    besluit = forms.ChoiceField(
        label=_("Besluit"),
        choices=[("instemmen", _("Instemmen")), ("afwijzen", _("Afwijzen"))],
    )
    reden = forms.CharField(
        label=_("Reden"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Verplicht bij afwijzen, en voor landelijk beheer dat namens een kant besluit."
        ),
    )


class InboxView(TemplateView):
    """What awaits the signed-in user: decisions, their own proposals, phase-outs due."""

    template_name = "houses/inbox.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        today = timezone.localdate()
        return super().get_context_data(
            inbox=consent.inbox(user, today=today),
            acts_everywhere=consent.acts_everywhere(user),
            today=today,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        form = DecisionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Het besluit is onvolledig; probeer het opnieuw."))
            return redirect("inbox")
        data = form.cleaned_data
        variation = (
            Variation.objects.select_related("house", "role", "task")
            .filter(pk=data["afwijking"])
            .first()
        )
        if variation is None:
            messages.error(request, _("Deze afwijking bestaat niet meer."))
            return redirect("inbox")
        if variation.revision != data["revisie"]:
            messages.error(request, stale_message(Variation, variation.pk, data["revisie"]))
            return redirect("inbox")
        step = "agree" if data["besluit"] == "instemmen" else "reject"
        reason = data["reden"].strip()
        try:
            with transaction.atomic():
                refusal = rights.consent_refusal(request.user, step, variation, reason=reason)
                if refusal is not None:
                    raise rights.Refused(refusal)
                if step == "agree":
                    consent.agree(variation, request.user, reason=reason)
                else:
                    consent.reject(variation, request.user, reason=reason)
                variation.full_clean()
                variation._history_user = request.user
                variation.save()
        except rights.Refused as exc:
            messages.error(request, exc.refusal.message)
            return redirect("inbox")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("inbox")
        except StaleEditError:
            messages.error(request, stale_message(Variation, variation.pk, data["revisie"]))
            return redirect("inbox")
        done = _("Ingestemd: %(variation)s.") if step == "agree" else _("Afgewezen: %(variation)s.")
        messages.success(request, done % {"variation": variation})
        return redirect("inbox")


class ChangeForm(forms.Form):
    """A side proposes to end an agreed variation, or another phase-out deadline; the other
    side agrees or rejects it on "Wat wacht op mij" (houses/consent.py, rule 3)."""

    revisie = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    wijziging = forms.ChoiceField(
        widget=forms.HiddenInput,
        choices=[("beeindigen", _("Beëindigen")), ("afbouwdatum", _("Andere afbouwdatum"))],
    )
    datum = forms.DateField(
        label=_("Datum"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reden = forms.CharField(
        label=_("Reden"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        data = super().clean()
        if data.get("wijziging") == "afbouwdatum" and not data.get("datum"):
            self.add_error("datum", _("Vul de nieuwe afbouwdatum in."))
        return data


#: form value -> (consent step, kind of change)
CHANGES = {
    "beeindigen": ("end", consent.Change.END),
    "afbouwdatum": ("change_deadline", consent.Change.DEADLINE),
}


class AgreementView(TemplateView):
    """One agreed variation: who agreed on both sides and when, and the forms to propose ending
    it or another phase-out deadline. What the other side decides waits on their
    "Wat wacht op mij"; a change awaiting the user's own decision is decided here too."""

    template_name = "houses/agreement.html"

    def get_variation(self):
        return get_object_or_404(
            Variation.objects.select_related(
                "house", "role", "task", "standard_version", "proposed_by", "agreed_by", "change_by"
            ),
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, forms_with_errors=None, **kwargs):
        user = self.request.user
        variation = kwargs.pop("variation", None) or self.get_variation()
        forms_with_errors = forms_with_errors or {}
        offered = {}
        refusal = None
        for value, (step, _kind) in CHANGES.items():
            if step == "change_deadline" and variation.kind != Variation.Kind.PHASE_OUT:
                continue
            refused = rights.consent_refusal(user, step, variation)
            if refused is None:
                offered[value] = forms_with_errors.get(value) or ChangeForm(
                    initial={"revisie": variation.revision, "wijziging": value},
                    auto_id=f"{value}-%s",
                )
            elif refusal is None:
                refusal = refused.message
        decide = bool(variation.change_kind) and (
            rights.consent_refusal(user, "agree", variation, reason="-") is None
        )
        waiting = consent.awaiting_side(variation)
        return super().get_context_data(
            v=variation,
            offered=offered,
            refusal=None if offered else refusal,
            decide=decide,
            waiting_side=consent.side_label(waiting),
            on_behalf=decide and waiting not in consent.own_sides(user, variation.house),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        variation = self.get_variation()
        form = ChangeForm(request.POST, auto_id=f"{request.POST.get('wijziging')}-%s")
        if not form.is_valid():
            if form.data.get("wijziging") not in CHANGES:
                messages.error(request, _("Het voorstel is onvolledig; probeer het opnieuw."))
                return redirect("variation-agreement", pk=variation.pk)
            context = self.get_context_data(
                variation=variation, forms_with_errors={form.data["wijziging"]: form}
            )
            return self.render_to_response(context)
        data = form.cleaned_data
        if variation.revision != data["revisie"]:
            messages.error(request, stale_message(Variation, variation.pk, data["revisie"]))
            return redirect("variation-agreement", pk=variation.pk)
        step, kind = CHANGES[data["wijziging"]]
        try:
            with transaction.atomic():
                refusal = rights.consent_refusal(request.user, step, variation)
                if refusal is not None:
                    raise rights.Refused(refusal)
                consent.request_change(
                    variation, request.user, kind, date=data["datum"], reason=data["reden"].strip()
                )
                variation.full_clean()
                variation._history_user = request.user
                variation.save()
        except rights.Refused as exc:
            messages.error(request, exc.refusal.message)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except StaleEditError:
            messages.error(request, stale_message(Variation, variation.pk, data["revisie"]))
        else:
            done = (
                _("Beëindiging voorgesteld; %(side)s beslist erover.")
                if kind == consent.Change.END
                else _("Andere afbouwdatum voorgesteld; %(side)s beslist erover.")
            )
            side = consent.side_label(consent.awaiting_side(variation))
            messages.success(request, done % {"side": side})
        return redirect("variation-agreement", pk=variation.pk)

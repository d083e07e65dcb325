"""Pages that cut across the apps (the national dashboard, role pages, search), the health
check and the lockout page."""

from __future__ import annotations

import logging
import sys

from axes.helpers import get_cool_off, get_failure_limit
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.db.models import Prefetch, Q
from django.http import (
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseServerError,
    JsonResponse,
    QueryDict,
)
from django.shortcuts import get_object_or_404, render
from django.template import loader
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView

from houses.filters import HouseFilter
from houses.models import Assignment, House, PoliceUnit, Variation
from houses.overview import conformance_from_totals
from houses.pieces import filter_query, house_pieces, listed_houses
from houses.summaries import refresh as refresh_summaries
from houses.summaries import unit_totals
from houses.views import PAGE_FILTERS, export_query, house_filterset
from registry.lib.cache import (
    SHARED,
    VARIATIONS,
    FragmentPageMixin,
    cached_fragment,
    cached_fragment_bytes,
    revisions,
)
from registry.lib.faults import is_transient, retry_after
from roles.models import Role, StandardVersion, Task

#: The bar chart: each eenheid's name on its own line above its bar, so the chart stays narrow
#: (about 380 units wide) and its labels keep their size on a phone instead of shrinking.
CHART_ROW_HEIGHT = 46
CHART_BAR_WIDTH = 300
CHART_LABEL_SIZE = 15


#: Houses per page of the dashboard's matrix: its cost then stays the same at any size (the
#: conformance per eenheid still covers every house the filters select, ``houses.summaries``).
MATRIX_PAGE_SIZE = 100
#: Items shown of each national list on the dashboard; the full lists have pages of their own.
ATTENTION_LIMIT = 10


class DashboardView(FragmentPageMixin, TemplateView):
    """The national picture: houses × roles, conformance per eenheid, what needs attention."""

    template_name = "registry/dashboard.html"

    def get_context_data(self, **kwargs):
        # Nothing on the dashboard depends on the user: the body is one cached fragment per
        # validated filters, page, day (overdue, review dates) and language (registry.lib.cache).
        # Its matrix shows one page of houses, built from per-house pieces (houses.pieces), and
        # its conformance per eenheid sums the houses' stored summaries (houses.summaries), so
        # that after a write to a house only that house is computed again, and a cold read with
        # current summaries costs the same whatever the number of houses (after a shared write
        # every summary is computed again). Filters with an invalid value are shown with their
        # errors, not cached.
        today = timezone.localdate()
        counters = revisions(VARIATIONS)  # one query, as current_revision() would be
        revision = counters[""]
        self.attention_revision = f"s{counters[SHARED]}.v{counters[VARIATIONS]}"
        # Without a query string there is nothing to validate: a cached read builds no filters.
        filterset = house_filterset(self.request.GET) if self.request.GET else None
        query = (
            QueryDict()
            if filterset is None
            else filter_query(filterset, PAGE_FILTERS + ["sorteer"])
        )
        # A page number is validated against the number of pages (one count), so that no
        # made-up number makes another cache entry.
        number = (
            matrix_paginator(filterset.qs).get_page(self.request.GET["pagina"]).number
            if filterset is not None and "pagina" in self.request.GET
            else 1
        )

        if query is None:
            content = mark_safe(  # noqa: S308 - rendered from our own template, autoescaped
                render_to_string(
                    "registry/includes/dashboard_content.html",
                    self.content_context(today, filterset, query, number),
                )
            )
        else:
            # Rendered from the validated filters only, so the body depends on its key alone.
            content = self.fragment_slot(
                cached_fragment_bytes(
                    ["dashboard", query.urlencode(), number, today],
                    "registry/includes/dashboard_content.html",
                    lambda: self.content_context(today, house_filterset(query), query, number),
                    revision=revision,
                )
            )
        return super().get_context_data(content=content, **kwargs)

    def content_context(self, today, filterset, query, number):
        paginator = matrix_paginator(filterset.qs)
        page = paginator.get_page(number)
        houses = listed_houses(
            paginator.object_list, start=max(page.start_index() - 1, 0), end=page.end_index()
        )
        pieces = house_pieces(houses, today=today)
        refresh_summaries(filterset.qs, today=today)
        conformance = [
            entry
            for entry in conformance_from_totals(
                PoliceUnit.objects.all(), unit_totals(filterset.qs)
            )
            if entry.houses
        ]
        # National, whatever the filters; recomputed only after a write to a variation or a
        # house, or a shared one (not after a change of an assignment, say).
        attention = cached_fragment(
            ["dashboard-attention", ATTENTION_LIMIT, today],
            "registry/includes/dashboard_attention.html",
            lambda: {
                **overdue_context(today, limit=ATTENTION_LIMIT),
                **review_context(today, limit=ATTENTION_LIMIT),
            },
            revision=self.attention_revision,
        )
        roles = (
            [{"role_code": code, "role_name": name} for code, name in pieces[0].roles]
            if pieces
            else []
        )
        # The page links keep the filters: the validated ones, or as given when one is invalid
        # (the page shows its error; it is not cached).
        if query is None:
            given = self.request.GET.copy()
            given.pop("pagina", None)
            page_query = given.urlencode()
        else:
            page_query = query.urlencode()
        return {
            "filterset": filterset,
            "filters_open": bool(filterset.form.errors or query),
            "clear_url": self.request.path,
            "rows": pieces,
            "page": page,
            "page_numbers": list(paginator.get_elided_page_range(page.number, on_ends=1)),
            "page_query": page_query,
            "roles": roles,
            "conformance": conformance,
            "chart": chart(conformance),
            "attention": attention,
            "export_query": export_query(self.request) if query is None else page_query,
        }


def matrix_paginator(queryset) -> Paginator:
    """The dashboard's houses in pages, in a fixed order (ties broken by id)."""
    ordering = [*(queryset.query.order_by or House._meta.ordering), "pk"]
    return Paginator(queryset.order_by(*ordering), MATRIX_PAGE_SIZE)


def overdue_context(today, *, limit=None):
    """The overdue phase-outs in the country, the first ``limit`` (all without a limit), and
    how many there are."""
    overdue = Variation.objects.overdue(today)
    shown = list(
        overdue.select_related("house", "role", "task").order_by(
            "phase_out_by", "house__name", "pk"
        )[:limit]
    )
    return {
        "overdue": shown,
        "overdue_count": overdue.count() if limit is not None else len(shown),
    }


def review_context(today, *, limit=None):
    """The variations to review in the country (proposed, past their review date, or recorded
    against an earlier standard), the first ``limit`` (all without a limit), and how many."""
    review = Variation.objects.filter(
        Q(status=Variation.Status.PROPOSED)
        | Q(status=Variation.Status.AGREED, review_by__lte=today)
        | Variation.review_condition()
    )
    shown = list(
        review.select_related("house", "role", "task", "standard_version").order_by(
            "house__name", "kind", "pk"
        )[:limit]
    )
    for variation in shown:
        variation.review_reasons = review_reasons(variation, today)
    return {
        "review": shown,
        "review_count": review.count() if limit is not None else len(shown),
    }


class ReviewListView(TemplateView):
    """Every variation to review, nationally: the dashboard shows the first few."""

    template_name = "registry/review_list.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        counters = revisions(VARIATIONS)
        content = cached_fragment(
            ["review-list", today],
            "registry/includes/review_list.html",
            lambda: review_context(today),
            revision=f"s{counters[SHARED]}.v{counters[VARIATIONS]}",
        )
        return super().get_context_data(content=content, **kwargs)


def review_reasons(variation, today):
    reasons = []
    if variation.status == Variation.Status.PROPOSED:
        reasons.append(_("voorgesteld, wacht op een besluit"))
    if variation.review_by and variation.review_by <= today:
        reasons.append(_("herbeoordelingsdatum bereikt"))
    if variation.needs_review:
        reasons.append(_("vastgelegd tegen een eerdere versie van de standaard"))
    return reasons


def chart(conformance):
    """Geometry of the horizontal bar chart (SVG, drawn by the template)."""
    bars = []
    for index, entry in enumerate(conformance):
        percent = entry.percent or 0
        top = index * CHART_ROW_HEIGHT
        width = round(CHART_BAR_WIDTH * percent / 100)
        bars.append(
            {
                "entry": entry,
                "label_y": top + CHART_LABEL_SIZE,
                "y": top + CHART_LABEL_SIZE + 5,
                "text_y": top + CHART_LABEL_SIZE + 19,
                "width": width,
                "value_x": width + 6,
            }
        )
    rows = max(len(bars), 1) * CHART_ROW_HEIGHT
    return {
        "bars": bars,
        "label_width": 0,
        "bar_width": CHART_BAR_WIDTH,
        "bar_height": 18,
        "height": rows + 22,
        "width": CHART_BAR_WIDTH + 60,
        "axis_y": rows,
        "half_x": CHART_BAR_WIDTH // 2,
        "full_x": CHART_BAR_WIDTH,
    }


class RoleDetailView(TemplateView):
    """A role of the published standard, and where it is filled and varied."""

    template_name = "roles/role_detail.html"

    def get_context_data(self, **kwargs):
        role = get_object_or_404(
            Role.objects.filter(
                standard_version__status=StandardVersion.Status.PUBLISHED
            ).prefetch_related(
                Prefetch("tasks", queryset=Task.objects.order_by("position", "code"))
            ),
            code=self.kwargs["code"],
        )
        tasks = list(role.tasks.all())
        assignments = list(
            Assignment.objects.filter(role__code=role.code)
            .exclude(status=Assignment.Status.ENDED)
            .select_related("house", "police_unit", "district")
            .order_by("house__name", "status")
        )
        houses = list(House.objects.filter(active=True).select_related("police_unit"))
        filled = {a.house_id for a in assignments if a.status == Assignment.Status.ACTIVE}
        variations = list(
            Variation.objects.filter(role__code=role.code, status__in=Variation.OPEN_STATUSES)
            .select_related("house", "task")
            .order_by("house__name", "kind")
        )
        return super().get_context_data(
            role=role,
            core=[t for t in tasks if t.kind == Task.Kind.CORE],
            optional=[t for t in tasks if t.kind == Task.Kind.OPTIONAL],
            excluded=[t for t in tasks if t.kind == Task.Kind.EXCLUDED],
            assignments=assignments,
            vacant=[h for h in houses if h.pk not in filled],
            variations=variations,
            **kwargs,
        )


SEARCH_LIMIT = 50


def variation_kinds_matching(query):
    """The kinds of variation whose name (Dutch, or in the page's language) contains ``query``:
    searching "afbouw" finds every phase-out."""
    needle = query.lower()
    names = {kind: {str(label).lower()} for kind, label in Variation.Kind.choices}
    with translation.override("nl"):
        for kind, label in Variation.Kind.choices:
            names[kind].add(str(label).lower())
    return [kind for kind, labels in names.items() if any(needle in label for label in labels)]


class SearchView(TemplateView):
    """Search houses, roles, tasks and variations for a word."""

    template_name = "registry/search.html"

    def get_context_data(self, **kwargs):
        query = (self.request.GET.get("q") or "").strip()[:100]
        context = {"query": query, "too_short": 0 < len(query) < 2}
        if len(query) >= 2:
            houses = HouseFilter(
                {"zoek": query}, queryset=House.objects.select_related("police_unit")
            ).qs
            published = {"standard_version__status": StandardVersion.Status.PUBLISHED}
            roles = Role.objects.filter(**published).filter(
                Q(name__icontains=query) | Q(purpose__icontains=query) | Q(code__icontains=query)
            )
            tasks = (
                Task.objects.filter(role__standard_version__status=StandardVersion.Status.PUBLISHED)
                .filter(
                    Q(title__icontains=query)
                    | Q(description__icontains=query)
                    | Q(norm__icontains=query)
                    | Q(note__icontains=query)
                    | Q(code__icontains=query)
                )
                .select_related("role")
            )
            kinds = variation_kinds_matching(query)
            variations = (
                Variation.objects.filter(
                    Q(kind__in=kinds)
                    | Q(title__icontains=query)
                    | Q(rationale__icontains=query)
                    | Q(local_norm__icontains=query)
                    | Q(agreed_with__icontains=query)
                    | Q(task__title__icontains=query)
                    | Q(house__name__icontains=query)
                )
                .select_related("house", "role", "task")
                .order_by("house__name", "kind")
            )
            groups = {
                "houses": list(houses[: SEARCH_LIMIT + 1]),
                "roles": list(roles[: SEARCH_LIMIT + 1]),
                "tasks": list(tasks[: SEARCH_LIMIT + 1]),
                "variations": list(variations[: SEARCH_LIMIT + 1]),
            }
            context["more"] = [name for name, items in groups.items() if len(items) > SEARCH_LIMIT]
            context.update({name: items[:SEARCH_LIMIT] for name, items in groups.items()})
            context["total"] = sum(len(items[:SEARCH_LIMIT]) for items in groups.values())
        return super().get_context_data(**context, **kwargs)


logger = logging.getLogger(__name__)


@login_not_required
@never_cache
@require_safe
def health(request):
    """For load balancers: 200 when the app can reach its database, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.error("Health check: database unreachable: %s", exc)
        return JsonResponse(
            {"status": "error", "problem": "De database is niet bereikbaar."}, status=503
        )
    return JsonResponse({"status": "ok"})


def locked_out(request, original_response=None, credentials=None):
    """The page django-axes shows instead of the login form while an account is locked."""
    cool_off = get_cool_off(request)
    return render(
        request,
        "registration/locked_out.html",
        {
            "failure_limit": get_failure_limit(request, credentials),
            "cooloff_minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
        },
        status=429,
    )


def bad_request(request, exception=None):
    """A Dutch 400 page; 413 when the post was over the upload limit. Django answers these
    for oversized or malformed posts (too many fields, too large a body) before any view."""
    if isinstance(exception, RequestDataTooBig):
        body = loader.get_template("413.html").render()
        return HttpResponse(body, status=413)
    return HttpResponseBadRequest(loader.get_template("400.html").render())


def server_error(request):
    """500, or 503 with Retry-After when a passing database error was the cause (a deadlock, a
    restart): nothing was changed and the same request may be sent again. Rendered without the
    request, like Django's own 500 page (the database may be unreachable)."""
    if is_transient(sys.exc_info()[1]):
        body = loader.get_template("503.html").render()
        return HttpResponse(body, status=503, headers={"Retry-After": retry_after()})
    return HttpResponseServerError(loader.get_template("500.html").render())

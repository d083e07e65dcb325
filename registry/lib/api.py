"""The behaviour every API viewset of the registry shares.

- Reads are open to every authenticated user; a write needs the edit rights of
  ``registry.lib.rights``: 403 for a visible object the user may not change.
- Reads carry an ``ETag`` of the representation (``record_etag``: the record's revision and a
  digest of everything the representation shows, related names included); updates and deletes
  need ``If-Match`` with it: 428 without one, 412 when the representation changed since (also
  when the record changes mid-save).
- Writes are validated by the model (``full_clean``) and recorded in its history with the user.
- A record nobody may change any more (``EditableModel.read_only_reason``) is refused with 409.
"""

import hashlib

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import timezone, translation
from django.utils.cache import parse_etags, quote_etag
from django.utils.translation import gettext_lazy as _
from django_filters import BooleanFilter
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, parsers, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from registry.lib import rights
from registry.lib.cache import cached, current_revision, etag, if_none_match, scoped_revision
from registry.lib.editable import BOOKKEEPING_FIELDS, StaleEditError, start_write
from registry.lib.serializers import HistoryPageSerializer, HistorySerializer


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = _(
        "Stuur de header If-Match mee met de ETag van de versie die u wijzigt, "
        "zodat geen wijziging van een ander verloren gaat."
    )
    default_code = "precondition_required"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _(
        "Dit object is intussen door iemand anders gewijzigd; "
        "haal de actuele versie op en breng uw wijziging opnieuw aan."
    )
    default_code = "precondition_failed"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("Het verzoek is te groot.")
    default_code = "payload_too_large"


def check_body_size(request) -> None:
    """413 for a body over the upload limit, before anything reads it (also for readers)."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if limit is not None and length > limit:
        raise PayloadTooLarge(
            _("Het verzoek is te groot: hoogstens %(limit)s bytes.") % {"limit": limit}
        )


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("Dit kan niet in de huidige toestand van het object.")
    default_code = "conflict"


def refused(refusal: rights.Refusal) -> exceptions.APIException:
    """The API error for a refusal of the rules: 409 for the record's state, else 403."""
    if refusal.conflict:
        return Conflict(refusal.message)
    return exceptions.PermissionDenied(refusal.message)


def has_unstorable_text(data) -> bool:
    """NUL characters and lone surrogates cannot be stored (PostgreSQL refuses them)."""
    if isinstance(data, str):
        if "\x00" in data:
            return True
        try:
            data.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(data, dict):
        return any(has_unstorable_text(k) or has_unstorable_text(v) for k, v in data.items())
    if isinstance(data, list):
        return any(has_unstorable_text(item) for item in data)
    return False


class JSONParser(parsers.JSONParser):
    """JSON, refusing text that no database can store (400 instead of a database error)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
            unstorable = has_unstorable_text(data)
        except RecursionError as exc:
            raise exceptions.ParseError(_("De JSON is te diep genest.")) from exc
        if unstorable:
            raise exceptions.ParseError(_("De JSON bevat tekens die niet zijn toegestaan."))
        return data


#: The action of ``registry.lib.rights`` that each writing method asks for.
METHOD_ACTIONS = {"POST": "add", "PUT": "change", "PATCH": "change", "DELETE": "delete"}


class EditRights(permissions.BasePermission):
    """Reading: any authenticated user. Writing: ``registry.lib.rights.may``."""

    message = _("U mag dit object niet wijzigen.")

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method == "POST" and getattr(view, "action", None) == "create":
            # Before the body is read: who may not add any record gets 403, not field errors.
            refusal = view.creation_refusal(request.user)
            if refusal:
                self.message = refusal
                return False
        return True

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        return rights.may(request.user, METHOD_ACTIONS.get(request.method, "change"), obj)


class Pagination(PageNumberPagination):
    page_query_param = "pagina"
    page_size_query_param = "paginaGrootte"
    page_size = 20
    max_page_size = 100
    page_size_query_description = _(
        "Aantal resultaten per pagina: een geheel getal vanaf 1, hoogstens 100 (een groter "
        "getal geeft 100)."
    )
    page_query_description = _("Paginanummer, vanaf 1.")

    def get_paginated_response(self, data):
        return Response(
            {
                "aantal": self.page.paginator.count,
                "volgende": self.get_next_link(),
                "vorige": self.get_previous_link(),
                "resultaten": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["aantal", "volgende", "vorige", "resultaten"],
            "properties": {
                "aantal": {"type": "integer", "description": "Totaal aantal resultaten."},
                "volgende": {"type": "string", "format": "uri", "nullable": True},
                "vorige": {"type": "string", "format": "uri", "nullable": True},
                "resultaten": schema,
            },
        }


def representation_etag(data, revision: int) -> str:
    """The strong ETag of a writable record's JSON representation ``data``: its revision and a
    digest of the rendered representation. The representation shows related records (a house's
    or a role's name, the users of a consent step, links), which change without the record's own
    revision, so the revision alone would let ``If-None-Match`` answer 304 with an old body."""
    digest = hashlib.sha256(JSONRenderer().render(data)).hexdigest()[:20]
    return quote_etag(f"{revision}-{digest}")


class ReadMixin:
    """Detail reads with an ETag, and the change history of a record."""

    lookup_value_regex = "[^/]+"
    permission_classes = [EditRights]
    pagination_class = Pagination
    parser_classes = [JSONParser]

    def initial(self, request, *args, **kwargs):
        check_body_size(request)
        super().initial(request, *args, **kwargs)
        if has_unstorable_text([str(value) for value in kwargs.values()]):
            raise exceptions.NotFound()
        refused = _("Bevat tekens die niet zijn toegestaan.")
        for key, values in request.query_params.lists():
            if has_unstorable_text([key, *values]):
                raise exceptions.ValidationError({key: [refused]})
        self.check_query(request)

    #: Query parameters an action reads itself (``@action(..., extra_query_params=[...])``).
    extra_query_params = ()

    def check_query(self, request):
        """Query parameters are strict: an unknown, empty, repeated or ill-typed one answers
        400 naming it, instead of being ignored (which would return the whole list). The
        filters themselves check their values (dates, choices, codes) the same way."""
        filters_by_name = {}
        if self.filter_backends and getattr(self, "filterset_class", None):
            filters_by_name = self.filterset_class.base_filters
        paginator = self.paginator
        paging = (
            {paginator.page_query_param, paginator.page_size_query_param} if paginator else set()
        )
        extra = set(self.extra_query_params)
        errors = {}
        for key, values in request.query_params.lists():
            if key not in filters_by_name and key not in paging | extra and key != "format":
                errors[key] = [_("Onbekende parameter.")]
            elif len(values) > 1:
                errors[key] = [_("Geef deze parameter hoogstens één keer.")]
            elif values[0] == "":
                errors[key] = [_("Geef een waarde, of laat de parameter weg.")]
            elif isinstance(filters_by_name.get(key), BooleanFilter):
                if values[0] not in {"true", "false"}:
                    errors[key] = [_("Geef true of false.")]
            elif key in paging and not (values[0].isdigit() and values[0].strip("0")):
                # A whole number from 1; a larger page size than the maximum is capped, a page
                # past the last one is a 404.
                errors[key] = [_("Geef een geheel getal vanaf 1.")]
        if errors:
            raise exceptions.ValidationError(errors)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        # An empty ``sorteer`` clears the ordering; pages need a stable one.
        return queryset if queryset.ordered else queryset.order_by("pk")

    # --- cached reads (registry/lib/cache.py) ------------------------------------------------
    def read_key(self, request, name: str) -> list:
        """What a cached read depends on besides the registry's data: the full path (lookup,
        filters, page), the host (links are absolute), the language (labels) and today's date
        (overdue flags). No answer depends on the user: every signed-in user reads everything,
        and authentication and permissions are checked before any cached answer is given."""
        return [
            "api",
            name,
            request.get_full_path(),
            request.build_absolute_uri("/"),
            translation.get_language(),
            timezone.localdate(),
        ]

    def cached_read(self, request, name: str, compute, *, scope: str | None = None):
        """The JSON of ``compute()`` (the response data) from the read cache, with an ETag
        derived from the change counter: ``If-None-Match`` with a current ETag is answered 304
        without computing anything. The browsable API's HTML holds the user's name and a CSRF
        token: it is neither cached nor given this ETag (it keeps the ETag of its body).

        With ``scope`` (``house_scope(code)``), the answer depends on that house and the
        shared part of the registry only: cache and ETag follow their counters, so a write to
        another house leaves them current."""
        if request.accepted_renderer.format != "json":
            return Response(compute())
        revision = current_revision() if scope is None else scoped_revision(scope)
        key = [*self.read_key(request, name), request.accepted_media_type]
        tag = etag(key, revision=revision)
        if if_none_match(request, tag):
            return HttpResponseNotModified(headers={"ETag": tag})
        renderer = request.accepted_renderer
        # The rendered bytes are cached, not the data: DRF's data holds model instances
        # (hyperlinks keep their object), which would be pickled along.
        body = cached(
            key,
            lambda: renderer.render(
                compute(), request.accepted_media_type, self.get_renderer_context()
            ),
            revision=revision,
        )
        return HttpResponse(body, content_type=renderer.media_type, headers={"ETag": tag})

    def list(self, request, *args, **kwargs):
        uncached = super().list
        return self.cached_read(request, "list", lambda: uncached(request, *args, **kwargs).data)

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        serializer = self.get_serializer(instance)
        if request.accepted_renderer.format != "json":
            # HTML (browsable API) gets the ETag of its own bytes, never the JSON's.
            return Response(serializer.data)
        return Response(serializer.data, headers={"ETag": self.record_etag(instance)})

    def record_etag(self, instance, data=None) -> str:
        """The ETag of ``instance``'s JSON representation (``data`` when already serialized)."""
        if data is None:
            data = self.get_serializer(instance).data
        return representation_etag(data, instance.revision)

    @extend_schema(
        responses=HistoryPageSerializer,
        summary="Wijzigingsgeschiedenis",
        description="Wie wat wanneer heeft gewijzigd, nieuwste eerst, in pagina's zoals elke "
        "lijst.",
        parameters=[
            OpenApiParameter("pagina", int, description=str(Pagination.page_query_description)),
            OpenApiParameter(
                "paginaGrootte", int, description=str(Pagination.page_size_query_description)
            ),
        ],
    )
    @action(detail=True, url_path="historie", filter_backends=[])
    def historie(self, request, *args, **kwargs):
        instance = self.get_object()
        records = instance.history.select_related("history_user").order_by(
            "-history_date", "-history_id"
        )
        page = self.paginate_queryset(records)
        return self.get_paginated_response(
            history_entries(page, records, self.get_serializer_class()())
        )


class ReadOnlyRegistryViewSet(ReadMixin, viewsets.ReadOnlyModelViewSet):
    """Te lezen voor iedereen die is aangemeld."""

    def retrieve(self, request, *args, **kwargs):
        # Not written through the API, so no If-Match: the ETag follows the registry's change
        # counter (registry.lib.cache), and changes with anything the representation shows
        # (an eenheid's name, a house's case meetings), its language and its media type.
        uncached = super().retrieve
        return self.cached_read(request, "detail", lambda: uncached(request, *args, **kwargs).data)


class RegistryViewSet(ReadMixin, viewsets.ModelViewSet):
    """Te lezen voor iedereen die is aangemeld.

    Te wijzigen binnen de eigen rechten, zonder verloren wijzigingen.
    """

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        instance = serializer.build()
        self.check_may_add(request, instance)
        self.write(serializer, instance)
        data = self.get_serializer(instance).data
        return Response(
            data,
            status=status.HTTP_201_CREATED,
            # A plain str: DRF's hyperlinks are a str subclass, which WSGI servers refuse.
            headers={"ETag": self.record_etag(instance, data), "Location": str(data["url"])},
        )

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        self.check_if_match(request, instance)
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        instance = serializer.build()
        if not rights.may(request.user, "change", instance):
            self.permission_denied(request, message=EditRights.message)
        self.write(serializer, instance)
        data = self.get_serializer(instance).data
        return Response(data, headers={"ETag": self.record_etag(instance, data)})

    def destroy(self, request, *args, **kwargs):
        instance = self.get_object()
        self.check_if_match(request, instance)
        instance.check_writable()
        instance._history_user = request.user
        with transaction.atomic():
            # The change counter before the row (one lock order).
            start_write(type(instance), instance=instance)
            # Lock the row and re-check the revision, so a concurrent edit is not deleted.
            current = type(instance)._base_manager.select_for_update().filter(pk=instance.pk)
            if not current.filter(revision=instance.revision).exists():
                raise PreconditionFailed()
            instance.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)

    def creation_refusal(self, user):
        """Why ``user`` may add no object here at all (asked before the body is read), or
        None."""
        if rights.may_some(user, "add", self.get_queryset().model):
            return None
        return EditRights.message

    def check_may_add(self, request, instance):
        """Refuse (403) a new object the user may not add."""
        if not rights.may(request.user, "add", instance):
            self.permission_denied(request, message=EditRights.message)

    def before_save(self, instance, created):
        """Hook for workflow steps of a model (who recorded, who agreed)."""

    def write(self, serializer, instance):
        instance.check_writable()
        created = instance.pk is None
        # Workflow steps first (they may fill fields the model's rules check), then the rules.
        try:
            self.before_save(instance, created)
        except rights.Refused as exc:
            raise refused(exc.refusal) from exc
        serializer.clean(instance)
        instance._history_user = self.request.user
        try:
            instance.save()
        except StaleEditError as exc:
            raise PreconditionFailed() from exc
        serializer.instance = instance

    def check_if_match(self, request, instance):
        """RFC 9110 13.1.1: strong comparison, so a weak tag (``W/"…"``) never matches; a list
        matches when any member is the current tag; ``*`` matches any current version (it
        only says that the record must exist, so it gives no protection against lost
        updates). The current tag is that of the representation as it is now, so a tag read
        before a related record changed (a renamed house or role) is stale too."""
        header = request.headers.get("If-Match")
        if not header:
            raise PreconditionRequired()
        if header.strip() == "*":
            return
        current = self.record_etag(instance)
        if current not in parse_etags(header):  # weak tags keep their W/ and never equal it
            raise PreconditionFailed()


def history_entries(page, records, serializer) -> list[dict]:
    """``page`` (history records of ``records``, newest first) with per-field changes in API
    names; the record just before the page's oldest is fetched to tell its changes."""
    names = {field.source: name for name, field in serializer.fields.items()}
    page = list(page)
    older_than_page = None
    if page:
        last = page[-1]
        older_than_page = records.filter(
            Q(history_date__lt=last.history_date)
            | Q(history_date=last.history_date, history_id__lt=last.history_id)
        ).first()
    kinds = {"+": "aangemaakt", "~": "gewijzigd", "-": "verwijderd"}
    entries = []
    for index, record in enumerate(page):
        older = page[index + 1] if index + 1 < len(page) else older_than_page
        changes = []
        if older is not None:
            delta = record.diff_against(older, excluded_fields=BOOKKEEPING_FIELDS)
            for change in delta.changes:
                changes.append(
                    {
                        "veld": names.get(change.field, change.field),
                        "oud": _plain(change.old),
                        "nieuw": _plain(change.new),
                    }
                )
        user = record.history_user
        entries.append(
            {
                "tijdstip": record.history_date,
                "soort": kinds.get(record.history_type, "gewijzigd"),
                "gebruiker": user.get_username() if user else None,
                "reden": record.history_change_reason,
                "revisie": record.revision,
                "wijzigingen": changes,
            }
        )
    return HistorySerializer(entries, many=True).data


def _plain(value):
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    return str(value)

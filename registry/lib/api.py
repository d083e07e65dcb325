"""The behaviour every API viewset of the registry shares.

- Reads are open to every authenticated user; a write needs the edit rights of
  ``registry.lib.rights``: 403 for a visible object the user may not change.
- Reads carry an ``ETag`` (the record's revision); updates and deletes need ``If-Match`` with
  it: 428 without one, 412 when the record changed since (also when it changes mid-save).
- Writes are validated by the model (``full_clean``) and recorded in its history with the user.
"""

from django.db import transaction
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import timezone, translation
from django.utils.cache import parse_etags, quote_etag
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, parsers, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from registry.lib import rights
from registry.lib.cache import cached, current_revision, etag, if_none_match
from registry.lib.editable import BOOKKEEPING_FIELDS, StaleEditError
from registry.lib.serializers import HistorySerializer


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
        data = super().parse(stream, media_type, parser_context)
        if has_unstorable_text(data):
            raise exceptions.ParseError(_("De JSON bevat tekens die niet zijn toegestaan."))
        return data


#: The action of ``registry.lib.rights`` that each writing method asks for.
METHOD_ACTIONS = {"POST": "add", "PUT": "change", "PATCH": "change", "DELETE": "delete"}


class EditRights(permissions.BasePermission):
    """Reading: any authenticated user. Writing: ``registry.lib.rights.may``."""

    message = _("U mag dit object niet wijzigen.")

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        return rights.may(request.user, METHOD_ACTIONS.get(request.method, "change"), obj)


class Pagination(PageNumberPagination):
    page_query_param = "pagina"
    page_size_query_param = "paginaGrootte"
    page_size = 20
    max_page_size = 100
    page_size_query_description = _("Aantal resultaten per pagina (hoogstens 100).")
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


def revision_etag(obj) -> str:
    return quote_etag(str(obj.revision))


class ReadMixin:
    """Detail reads with an ETag, and the change history of a record."""

    lookup_value_regex = "[^/]+"
    permission_classes = [EditRights]
    pagination_class = Pagination
    parser_classes = [JSONParser]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if has_unstorable_text([str(value) for value in kwargs.values()]):
            raise exceptions.NotFound()
        refused = _("Bevat tekens die niet zijn toegestaan.")
        for key, values in request.query_params.lists():
            if has_unstorable_text([key, *values]):
                raise exceptions.ValidationError({key: [refused]})

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

    def cached_read(self, request, name: str, compute):
        """The JSON of ``compute()`` (the response data) from the read cache, with an ETag
        derived from the change counter: ``If-None-Match`` with a current ETag is answered 304
        without computing anything. The browsable API's HTML holds the user's name and a CSRF
        token: it is neither cached nor given this ETag (it keeps the ETag of its body)."""
        if request.accepted_renderer.format != "json":
            return Response(compute())
        revision = current_revision()
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
        return Response(serializer.data, headers={"ETag": revision_etag(instance)})

    @extend_schema(
        responses=HistorySerializer(many=True),
        summary="Wijzigingsgeschiedenis",
        description="Wie wat wanneer heeft gewijzigd, nieuwste eerst.",
    )
    @action(detail=True, url_path="historie", filter_backends=[], pagination_class=None)
    def historie(self, request, *args, **kwargs):
        instance = self.get_object()
        return Response(history_of(instance, self.get_serializer_class()()))


class ReadOnlyRegistryViewSet(ReadMixin, viewsets.ReadOnlyModelViewSet):
    """Te lezen voor iedereen die is aangemeld."""


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
            headers={"ETag": revision_etag(instance), "Location": data["url"]},
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
        return Response(
            self.get_serializer(instance).data, headers={"ETag": revision_etag(instance)}
        )

    def destroy(self, request, *args, **kwargs):
        instance = self.get_object()
        self.check_if_match(request, instance)
        instance._history_user = request.user
        with transaction.atomic():
            # Lock the row and re-check the revision, so a concurrent edit is not deleted.
            current = type(instance)._base_manager.select_for_update().filter(pk=instance.pk)
            if not current.filter(revision=instance.revision).exists():
                raise PreconditionFailed()
            instance.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)

    def check_may_add(self, request, instance):
        """Refuse (403) a new object the user may not add."""
        if not rights.may(request.user, "add", instance):
            self.permission_denied(request, message=EditRights.message)

    def before_save(self, instance, created):
        """Hook for workflow steps of a model (who recorded, who agreed)."""

    def write(self, serializer, instance):
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
        header = request.headers.get("If-Match")
        if not header:
            raise PreconditionRequired()
        etags = parse_etags(header)
        if etags == ["*"]:
            return
        current = revision_etag(instance)
        weak_current = "W/" + current
        if current not in etags and weak_current not in etags:
            raise PreconditionFailed()


def history_of(instance, serializer) -> list[dict]:
    """The change history of one record, newest first, with per-field changes in API names."""
    names = {field.source: name for name, field in serializer.fields.items()}
    records = list(
        instance.history.select_related("history_user").order_by("-history_date", "-history_id")
    )
    kinds = {"+": "aangemaakt", "~": "gewijzigd", "-": "verwijderd"}
    entries = []
    for index, record in enumerate(records):
        older = records[index + 1] if index + 1 < len(records) else None
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

"""The change feed: ``GET /api/v1/gebeurtenissen``."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, pagination, viewsets
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from notifications.feed import page, parse_cursor
from notifications.filters import EventFilter
from notifications.models import Event
from notifications.serializers import EventSerializer
from registry.lib.api import EditRights, JSONParser, has_unstorable_text

DEFAULT_SIZE = 100
MAX_SIZE = 1000


class FeedPagination(pagination.BasePagination):
    """Documents the page of the feed; the paging itself is ``EventViewSet.list``."""

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["resultaten", "cursor", "volgende", "meer"],
            "properties": {
                "resultaten": schema,
                "cursor": {
                    "type": "string",
                    "nullable": True,
                    "description": "Cursor van de laatste gebeurtenis op deze pagina (of de "
                    "gevraagde als er niets nieuws is). Bewaar hem en vraag later verder met "
                    "?cursor=.",
                },
                "volgende": {
                    "type": "string",
                    "format": "uri",
                    "description": "Adres van de volgende pagina (altijd gegeven: daar "
                    "verschijnen nieuwe gebeurtenissen).",
                },
                "meer": {
                    "type": "boolean",
                    "description": "Of er na deze pagina al meer gebeurtenissen klaarstaan. "
                    "Onwaar: u bent bij; vraag volgende later opnieuw.",
                },
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "cursor",
                "required": False,
                "in": "query",
                "description": "Cursor van de laatst verwerkte gebeurtenis; leeg: vanaf het begin.",
                "schema": {"type": "string"},
            },
            {
                "name": "paginaGrootte",
                "required": False,
                "in": "query",
                "description": f"Aantal gebeurtenissen per pagina (hoogstens {MAX_SIZE}).",
                "schema": {"type": "integer"},
            },
        ]


class EventViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Gebeurtenissen: elke aanmaak, wijziging en verwijdering in het register.

    Op volgorde van vastleggen; een client bewaart de laatste cursor en vraagt later verder met
    ``?cursor=``: zo ziet hij elke gebeurtenis precies één keer, ook verwijderingen. Een
    gebeurtenis verschijnt pas als de transactie waarin zij ontstond en alle oudere lopende
    transacties zijn afgerond.
    """

    queryset = Event.objects.all()
    serializer_class = EventSerializer
    filterset_class = EventFilter
    permission_classes = [EditRights]
    parser_classes = [JSONParser]
    pagination_class = FeedPagination

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        refused = _("Bevat tekens die niet zijn toegestaan.")
        for key, values in request.query_params.lists():
            if has_unstorable_text([key, *values]):
                raise exceptions.ValidationError({key: [refused]})

    @extend_schema(summary="Gebeurtenissen (wijzigingsfeed)")
    def list(self, request, *args, **kwargs):
        raw_cursor = request.query_params.get("cursor", "")
        cursor = parse_cursor(raw_cursor) if raw_cursor else None
        errors = {}
        if raw_cursor and cursor is None:
            errors["cursor"] = [_("Ongeldige cursor.")]
        size = DEFAULT_SIZE
        raw_size = request.query_params.get("paginaGrootte")
        if raw_size is not None:
            if raw_size.isdigit() and 1 <= int(raw_size) <= MAX_SIZE:
                size = int(raw_size)
            else:
                errors["paginaGrootte"] = [_("Geef een getal van 1 tot en met %d.") % MAX_SIZE]
        if errors:
            raise exceptions.ValidationError(errors)
        events = page(self.filter_queryset(self.get_queryset()), cursor, size + 1)
        more = len(events) > size
        events = events[:size]
        next_cursor = events[-1].cursor if events else (raw_cursor or None)
        url = request.build_absolute_uri()
        next_url = replace_query_param(url, "cursor", next_cursor) if next_cursor else url
        return Response(
            {
                "resultaten": self.get_serializer(events, many=True).data,
                "cursor": next_cursor,
                "volgende": next_url,
                "meer": more,
            }
        )

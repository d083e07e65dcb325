"""API viewsets of the national standard."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.decorators import action
from rest_framework.response import Response

from registry.lib.api import ReadOnlyRegistryViewSet, RegistryViewSet
from registry.lib.serializers import NON_FIELD_NAME
from roles.differences import differences
from roles.filters import CaseMeetingTypeFilter, RoleFilter, StandardVersionFilter, TaskFilter
from roles.models import CaseMeetingType, Role, StandardVersion, Task
from roles.serializers import (
    CaseMeetingTypeSerializer,
    DifferencesSerializer,
    PublishSerializer,
    RoleSerializer,
    StandardVersionSerializer,
    TaskSerializer,
)


class StandardVersionViewSet(RegistryViewSet):
    """Versies van de landelijke standaard. Alleen landelijk beheer wijzigt ze.

    Een nieuwe versie begint als concept. Publiceren (``POST .../publiceren``) maakt haar de
    geldende standaard en de vorige vervangen; daarna kunnen de versie, haar rollen en haar taken
    niet meer worden gewijzigd (409).
    """

    queryset = StandardVersion.objects.all()
    serializer_class = StandardVersionSerializer
    filterset_class = StandardVersionFilter
    lookup_field = "version"
    lookup_url_kwarg = "versie"

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "tenOpzichteVan",
                OpenApiTypes.STR,
                description="Versie om mee te vergelijken (bijv. 1.0); standaard de vorige "
                "versie (voor een concept: de gepubliceerde).",
            )
        ],
        responses=DifferencesSerializer,
        summary="Verschillen met een andere versie",
        description="Wat deze versie verandert, taak voor taak: rollen en taken toegevoegd of "
        "vervallen, titel, omschrijving, soort of norm gewijzigd. Rollen worden op code "
        "vergeleken, taken op rolcode en taakcode.",
    )
    @action(
        detail=True,
        url_path="verschillen",
        filter_backends=[],
        pagination_class=None,
        extra_query_params=["tenOpzichteVan"],
    )
    def verschillen(self, request, *args, **kwargs):
        version = self.get_object()
        label = request.query_params.get("tenOpzichteVan")
        if label is None:
            other = version.previous()
        else:
            other = StandardVersion.objects.filter(version=label).first()
            if other is None or other.pk == version.pk:
                raise exceptions.ValidationError(
                    {"tenOpzichteVan": [f"'{label}' is geen andere versie van de standaard."]}
                )
        data = {
            "standaard": version.version,
            "tenOpzichteVan": other.version if other else None,
            "verschillen": differences(version, other),
        }
        return Response(DifferencesSerializer(data).data)

    @extend_schema(
        request=PublishSerializer,
        responses=StandardVersionSerializer,
        summary="Een conceptversie publiceren",
        description="Maakt dit concept de geldende standaard; de versie die tot nu toe gold, "
        "wordt vervangen. Vraagt wat er verandert (wijzigingen). Geweigerd (400) als de versie "
        "geen rollen heeft of een rol zonder kerntaak; 409 als de versie geen concept is. Alles "
        "of niets.",
        parameters=[
            OpenApiParameter(
                "If-Match",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=True,
                description="ETag van de conceptversie die u publiceert.",
            )
        ],
    )
    @action(detail=True, methods=["post"], url_path="publiceren", filter_backends=[])
    def publiceren(self, request, *args, **kwargs):
        version = self.get_object()
        self.check_if_match(request, version)
        version.check_writable()
        serializer = PublishSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            version.publish(
                on=serializer.validated_data.get("gepubliceerdOp"),
                changes=serializer.validated_data["wijzigingen"],
                user=request.user,
            )
        except DjangoValidationError as exc:
            names = {"changes": "wijzigingen", NON_FIELD_ERRORS: NON_FIELD_NAME}
            errors = (
                {names.get(k, k): v for k, v in exc.message_dict.items()}
                if hasattr(exc, "error_dict")
                else {NON_FIELD_NAME: exc.messages}
            )
            raise exceptions.ValidationError(errors) from exc
        data = self.get_serializer(version).data
        return Response(data, headers={"ETag": self.record_etag(version, data)})


class RoleViewSet(RegistryViewSet):
    """Politiefuncties (rollen) van de standaard. Alleen landelijk beheer wijzigt ze, en alleen
    in een conceptversie (anders 409)."""

    queryset = Role.objects.select_related("standard_version")
    serializer_class = RoleSerializer
    filterset_class = RoleFilter


class TaskViewSet(RegistryViewSet):
    """Taken van de rollen van de standaard. Alleen landelijk beheer wijzigt ze, en alleen in
    een conceptversie (anders 409)."""

    queryset = Task.objects.select_related("role")
    serializer_class = TaskSerializer
    filterset_class = TaskFilter


class CaseMeetingTypeViewSet(ReadOnlyRegistryViewSet):
    """Soorten casusoverleg en of de politie eraan deelneemt."""

    queryset = CaseMeetingType.objects.all()
    serializer_class = CaseMeetingTypeSerializer
    filterset_class = CaseMeetingTypeFilter
    lookup_field = "code"

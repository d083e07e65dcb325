"""API viewsets of the national standard."""

from registry.lib.api import ReadOnlyRegistryViewSet, RegistryViewSet
from roles.filters import CaseMeetingTypeFilter, RoleFilter, StandardVersionFilter, TaskFilter
from roles.models import CaseMeetingType, Role, StandardVersion, Task
from roles.serializers import (
    CaseMeetingTypeSerializer,
    RoleSerializer,
    StandardVersionSerializer,
    TaskSerializer,
)


class StandardVersionViewSet(RegistryViewSet):
    """Versies van de landelijke standaard. Alleen landelijk beheer wijzigt ze."""

    queryset = StandardVersion.objects.all()
    serializer_class = StandardVersionSerializer
    filterset_class = StandardVersionFilter
    lookup_field = "version"
    lookup_url_kwarg = "versie"


class RoleViewSet(RegistryViewSet):
    """Politiefuncties (rollen) van de standaard. Alleen landelijk beheer wijzigt ze."""

    queryset = Role.objects.select_related("standard_version")
    serializer_class = RoleSerializer
    filterset_class = RoleFilter


class TaskViewSet(RegistryViewSet):
    """Taken van de rollen van de standaard. Alleen landelijk beheer wijzigt ze."""

    queryset = Task.objects.select_related("role")
    serializer_class = TaskSerializer
    filterset_class = TaskFilter


class CaseMeetingTypeViewSet(ReadOnlyRegistryViewSet):
    """Soorten casusoverleg en of de politie eraan deelneemt."""

    queryset = CaseMeetingType.objects.all()
    serializer_class = CaseMeetingTypeSerializer
    filterset_class = CaseMeetingTypeFilter
    lookup_field = "code"

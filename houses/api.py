"""API viewsets of eenheden, houses (with their task package), assignments and variations."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action

from houses.filters import AssignmentFilter, HouseFilter, PoliceUnitFilter, VariationFilter
from houses.models import Assignment, House, HouseCaseMeeting, PoliceUnit, Variation
from houses.package import task_package
from houses.serializers import (
    AssignmentSerializer,
    HouseSerializer,
    PoliceUnitSerializer,
    TaskPackageSerializer,
    VariationSerializer,
)
from registry.lib.api import ReadOnlyRegistryViewSet, RegistryViewSet


class PoliceUnitViewSet(ReadOnlyRegistryViewSet):
    """De eenheden van de politie: tien regionale eenheden en de Landelijke Eenheid."""

    queryset = PoliceUnit.objects.all()
    serializer_class = PoliceUnitSerializer
    filterset_class = PoliceUnitFilter
    lookup_field = "code"


class HouseViewSet(ReadOnlyRegistryViewSet):
    """De (Zorg- en) Veiligheidshuizen, elk met het takenpakket van de politie daar."""

    queryset = House.objects.select_related("police_unit").prefetch_related(
        Prefetch(
            "meetings",
            queryset=HouseCaseMeeting.objects.select_related("meeting_type").order_by(
                "meeting_type__name"
            ),
        )
    )
    serializer_class = HouseSerializer
    filterset_class = HouseFilter
    lookup_field = "code"

    @extend_schema(
        responses=TaskPackageSerializer,
        summary="Takenpakket van een huis",
        description=(
            "Wat de politie in dit huis moet leveren: per rol van de gepubliceerde standaard de "
            "taken (conform, aangepast of weggelaten), de aanvullingen, de af te bouwen taken, "
            "de toewijzingen en een samenvatting. Alleen overeengekomen afwijkingen tellen mee; "
            "voorgestelde staan ernaast."
        ),
    )
    @action(detail=True, url_path="takenpakket", filter_backends=[], pagination_class=None)
    def takenpakket(self, request, *args, **kwargs):
        def compute():
            package = task_package(self.get_object())
            return TaskPackageSerializer(package, context=self.get_serializer_context()).data

        return self.cached_read(request, "takenpakket", compute)


class AssignmentViewSet(RegistryViewSet):
    """Politiefuncties die in een huis zijn bezet.

    Medewerkers van een eenheid wijzigen die van de huizen van hun eigen eenheid.
    """

    queryset = Assignment.objects.select_related(
        "house", "role", "police_unit", "district"
    ).order_by("house__name", "role__position", "pk")
    serializer_class = AssignmentSerializer
    filterset_class = AssignmentFilter


class VariationViewSet(RegistryViewSet):
    """Lokale afwijkingen van de standaard.

    Medewerkers van een eenheid wijzigen die van de huizen van hun eigen eenheid.
    """

    queryset = Variation.objects.select_related(
        "house", "role", "task", "standard_version", "agreed_by", "recorded_by"
    ).order_by("house__name", "role__position", "kind", "pk")
    serializer_class = VariationSerializer
    filterset_class = VariationFilter

    def before_save(self, instance, created):
        if created:
            instance.recorded_by = self.request.user
        instance.record_transition(self.request.user)

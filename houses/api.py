"""API viewsets of eenheden, houses (with their task package), assignments and variations."""

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from houses import consent
from houses.filters import AssignmentFilter, HouseFilter, PoliceUnitFilter, VariationFilter
from houses.models import Assignment, House, HouseCaseMeeting, PoliceUnit, Variation
from houses.package import task_package
from houses.serializers import (
    AssignmentSerializer,
    DeadlineSerializer,
    DecisionSerializer,
    EndSerializer,
    HouseSerializer,
    PoliceUnitSerializer,
    TaskPackageSerializer,
    VariationSerializer,
)
from registry.lib import rights
from registry.lib.api import (
    PreconditionFailed,
    ReadOnlyRegistryViewSet,
    RegistryViewSet,
    refused,
)
from registry.lib.cache import house_scope
from registry.lib.editable import StaleEditError


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

        scope = house_scope(kwargs[self.lookup_url_kwarg or self.lookup_field])
        return self.cached_read(request, "takenpakket", compute, scope=scope)


class AssignmentViewSet(RegistryViewSet):
    """Politiefuncties die in een huis zijn bezet.

    Medewerkers van een eenheid wijzigen die van de huizen van hun eigen eenheid.
    """

    queryset = Assignment.objects.select_related(
        "house", "role", "police_unit", "district"
    ).order_by("house__name", "role__position", "pk")
    serializer_class = AssignmentSerializer
    filterset_class = AssignmentFilter


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description="ETag van de versie waarover u besluit (voorkomt een besluit op een verouderde "
    "versie).",
)


def consent_schema(summary, description, request):
    return extend_schema(
        summary=summary,
        description=description,
        request=request,
        responses=VariationSerializer,
        parameters=[IF_MATCH],
    )


class VariationViewSet(RegistryViewSet):
    """Lokale afwijkingen van de standaard.

    Een afwijking komt tweezijdig tot stand: de ene kant stelt haar voor (de eenheid van het
    huis, of een ketenmanager van het huis), de andere kant stemt in of wijst af. Niemand stemt
    in met een voorstel van de eigen kant; landelijk beheer besluit alleen met een reden in de
    plaats van een kant. Beëindigen en een andere afbouwdatum gaan net zo. Medewerkers van een
    eenheid wijzigen de inhoud van voorstellen van de huizen van hun eigen eenheid.
    """

    queryset = Variation.objects.select_related(
        "house",
        "role",
        "task",
        "standard_version",
        "agreed_by",
        "recorded_by",
        "proposed_by",
        "rejected_by",
        "change_by",
    ).order_by("house__name", "role__position", "kind", "pk")
    serializer_class = VariationSerializer
    filterset_class = VariationFilter

    def creation_refusal(self, user):
        # Ketenmanagers propose for their houses without a model permission of their own.
        if consent.may_propose_somewhere(user):
            return None
        return str(consent.PROPOSE_NOWHERE)

    def check_may_add(self, request, instance):
        refusal = rights.consent_refusal(request.user, "propose", instance)
        if refusal is not None:
            raise refused(refusal)

    def before_save(self, instance, created):
        if created:
            instance.recorded_by = self.request.user
        consent.record_edit(instance, self.request.user, allow_decisions=False)

    def consent_step(self, request, step, body_serializer, apply):
        instance = self.get_object()
        self.check_if_match(request, instance)
        body = body_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        reason = data.get("reden", "")
        refusal = rights.consent_refusal(request.user, step, instance, reason=reason)
        if refusal is not None:
            raise refused(refusal)
        try:
            apply(instance, data)
        except rights.Refused as exc:
            raise refused(exc.refusal) from exc
        serializer = self.get_serializer(instance)
        serializer.clean(instance)
        instance._history_user = request.user
        try:
            instance.save()
        except StaleEditError as exc:
            raise PreconditionFailed() from exc
        data = self.get_serializer(instance).data
        return Response(data, headers={"ETag": self.record_etag(instance, data)})

    @consent_schema(
        "Instemmen",
        "De andere kant stemt in met het voorstel, of met de voorgestelde beëindiging of "
        "afbouwdatum. Niet met een voorstel van de eigen kant (403); landelijk beheer alleen met "
        "een reden. 409 als er niets op een besluit wacht.",
        DecisionSerializer,
    )
    @action(
        detail=True, methods=["post"], url_path="instemmen", permission_classes=[IsAuthenticated]
    )
    def instemmen(self, request, *args, **kwargs):
        def apply(instance, data):
            consent.agree(
                instance,
                request.user,
                reason=data.get("reden", ""),
                note=data.get("overigeBetrokkenen", ""),
            )

        return self.consent_step(request, "agree", DecisionSerializer, apply)

    @consent_schema(
        "Afwijzen",
        "De andere kant wijst het voorstel af, of de voorgestelde beëindiging of afbouwdatum "
        "(dan blijft de afspraak staan). De reden is verplicht.",
        DecisionSerializer,
    )
    @action(
        detail=True, methods=["post"], url_path="afwijzen", permission_classes=[IsAuthenticated]
    )
    def afwijzen(self, request, *args, **kwargs):
        def apply(instance, data):
            consent.reject(instance, request.user, reason=data.get("reden", ""))

        return self.consent_step(request, "reject", DecisionSerializer, apply)

    @consent_schema(
        "Beëindigen voorstellen",
        "Een kant stelt voor een overeengekomen afwijking te beëindigen; de afwijking eindigt "
        "zodra de andere kant instemt (instemmen).",
        EndSerializer,
    )
    @action(
        detail=True, methods=["post"], url_path="beeindigen", permission_classes=[IsAuthenticated]
    )
    def beeindigen(self, request, *args, **kwargs):
        def apply(instance, data):
            consent.request_change(
                instance,
                request.user,
                consent.Change.END,
                date=data.get("einddatum"),
                reason=data["reden"],
            )

        return self.consent_step(request, "end", EndSerializer, apply)

    @consent_schema(
        "Andere afbouwdatum voorstellen",
        "Een kant stelt een andere afbouwdatum voor een overeengekomen afbouw voor; de datum "
        "verandert zodra de andere kant instemt (instemmen).",
        DeadlineSerializer,
    )
    @action(
        detail=True, methods=["post"], url_path="afbouwdatum", permission_classes=[IsAuthenticated]
    )
    def afbouwdatum(self, request, *args, **kwargs):
        def apply(instance, data):
            consent.request_change(
                instance,
                request.user,
                consent.Change.DEADLINE,
                date=data["afgebouwdUiterlijk"],
                reason=data["reden"],
            )

        return self.consent_step(request, "change_deadline", DeadlineSerializer, apply)

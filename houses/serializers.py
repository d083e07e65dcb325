"""API representation of eenheden, houses, assignments, variations and the task package."""

from rest_framework import serializers

from houses.consent import Change, Side
from houses.models import Assignment, House, HouseCaseMeeting, PoliceUnit, Variation
from houses.package import STATUS_LABELS
from registry.lib.serializers import CleanedModelSerializer, LinkField, UtcDateTimeField
from roles.models import Presence, Role, Task


def house_link(**kwargs):
    return LinkField("api:veiligheidshuis-detail", lookup_field="code", **kwargs)


def unit_link(**kwargs):
    return LinkField("api:eenheid-detail", lookup_field="code", **kwargs)


def role_link(**kwargs):
    return LinkField("api:rol-detail", lookup_field="pk", **kwargs)


def task_link(**kwargs):
    return LinkField("api:taak-detail", lookup_field="pk", name_attr="title", **kwargs)


def standard_link(**kwargs):
    return LinkField(
        "api:standaard-detail",
        lookup_field="version",
        url_kwarg="versie",
        code_attr="version",
        name_attr="title",
        **kwargs,
    )


class PoliceUnitSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:eenheid-detail", lookup_field="code")
    code = serializers.SlugField(read_only=True)
    naam = serializers.CharField(source="name", read_only=True)
    soort = serializers.ChoiceField(source="kind", choices=PoliceUnit.Kind.choices, read_only=True)
    veiligheidsregios = serializers.ListField(
        source="safety_regions", child=serializers.CharField(), read_only=True
    )
    gewijzigdOp = UtcDateTimeField(source="updated_at", read_only=True)

    class Meta:
        model = PoliceUnit
        fields = ["url", "code", "naam", "soort", "veiligheidsregios", "gewijzigdOp"]


class DistrictSerializer(serializers.Serializer):
    code = serializers.SlugField(read_only=True)
    naam = serializers.CharField(source="name", read_only=True)


class HouseCaseMeetingSerializer(serializers.ModelSerializer):
    casusoverleg = LinkField("api:casusoverleg-detail", source="meeting_type", read_only=True)
    lokaleNaam = serializers.CharField(source="local_name", read_only=True)
    politieNeemtDeel = serializers.BooleanField(source="police_participates", read_only=True)

    class Meta:
        model = HouseCaseMeeting
        fields = ["casusoverleg", "lokaleNaam", "politieNeemtDeel"]


class HouseSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:veiligheidshuis-detail", lookup_field="code"
    )
    takenpakket = serializers.HyperlinkedIdentityField(
        view_name="api:veiligheidshuis-takenpakket", lookup_field="code"
    )
    code = serializers.SlugField(read_only=True)
    naam = serializers.CharField(source="name", read_only=True)
    vroegereNamen = serializers.ListField(
        source="former_names", child=serializers.CharField(), read_only=True
    )
    vestigingsplaats = serializers.CharField(source="seat", read_only=True)
    locaties = serializers.ListField(
        source="locations", child=serializers.CharField(), read_only=True
    )
    veiligheidsregio = serializers.CharField(source="safety_region", read_only=True)
    eenheid = unit_link(source="police_unit", read_only=True)
    gemeenten = serializers.ListField(
        source="municipalities", child=serializers.CharField(), read_only=True
    )
    website = serializers.CharField(
        read_only=True, help_text="Adres van de website; kan leeg zijn."
    )
    statusLandelijkKader = serializers.ChoiceField(
        source="framework_status",
        choices=House.FrameworkStatus.choices,
        allow_blank=True,
        read_only=True,
        help_text="Leeg: nog niet vastgesteld.",
    )
    streefdatumLandelijkKader = serializers.DateField(
        source="framework_target_date", read_only=True, allow_null=True
    )
    casusoverleggen = HouseCaseMeetingSerializer(source="meetings", many=True, read_only=True)
    zekerheid = serializers.ChoiceField(
        source="confidence", choices=House.Confidence.choices, read_only=True
    )
    geopendOp = serializers.DateField(source="opened_on", read_only=True, allow_null=True)
    bron = serializers.CharField(source="source", read_only=True, help_text="Adres van de bron.")
    opmerkingen = serializers.CharField(source="notes", read_only=True)
    actief = serializers.BooleanField(source="active", read_only=True)
    revisie = serializers.IntegerField(source="revision", read_only=True)
    gewijzigdOp = UtcDateTimeField(source="updated_at", read_only=True)

    class Meta:
        model = House
        fields = [
            "url",
            "takenpakket",
            "code",
            "naam",
            "vroegereNamen",
            "vestigingsplaats",
            "locaties",
            "veiligheidsregio",
            "eenheid",
            "gemeenten",
            "website",
            "statusLandelijkKader",
            "streefdatumLandelijkKader",
            "casusoverleggen",
            "zekerheid",
            "geopendOp",
            "bron",
            "opmerkingen",
            "actief",
            "revisie",
            "gewijzigdOp",
        ]


class AssignmentSerializer(CleanedModelSerializer):
    """Een politiefunctie die in een huis is bezet (toewijzing)."""

    url = serializers.HyperlinkedIdentityField(view_name="api:toewijzing-detail")
    id = serializers.IntegerField(read_only=True)
    veiligheidshuis = house_link(source="house", queryset=House.objects.all())
    rol = role_link(source="role", queryset=Role.objects.all())
    leverendeEenheid = unit_link(
        source="police_unit",
        queryset=PoliceUnit.objects.all(),
        required=False,
        help_text="De eenheid die de functie levert; standaard de eenheid van het huis.",
    )
    district = DistrictSerializer(read_only=True, allow_null=True)
    aanwezigheid = serializers.ChoiceField(source="presence", choices=Presence.choices)
    urenPerWeek = serializers.DecimalField(
        source="hours_per_week",
        max_digits=4,
        decimal_places=1,
        min_value=0,
        max_value=40,
        required=False,
        allow_null=True,
    )
    functioneleMailbox = serializers.EmailField(
        source="contact_mailbox", max_length=254, required=False, allow_blank=True
    )
    telefoon = serializers.CharField(
        source="contact_phone",
        max_length=30,
        required=False,
        allow_blank=True,
        help_text="Telefoonnummer: cijfers met spaties, streepjes of haakjes, eventueel met + "
        "ervoor (8 tot 15 cijfers), bijvoorbeeld 0900-8844.",
    )
    naamFunctionaris = serializers.CharField(
        source="officer_name",
        max_length=120,
        required=False,
        allow_blank=True,
        help_text="Optioneel; persoonsgegeven. Gebruik bij voorkeur de functionele mailbox.",
    )
    status = serializers.ChoiceField(choices=Assignment.Status.choices, required=False)
    startdatum = serializers.DateField(source="start_date", required=False, allow_null=True)
    einddatum = serializers.DateField(source="end_date", required=False, allow_null=True)
    opmerkingen = serializers.CharField(
        source="notes", required=False, allow_blank=True, max_length=2000
    )
    revisie = serializers.IntegerField(source="revision", read_only=True)
    aangemaaktOp = UtcDateTimeField(source="created_at", read_only=True)
    gewijzigdOp = UtcDateTimeField(source="updated_at", read_only=True)

    class Meta:
        model = Assignment
        fields = [
            "url",
            "id",
            "veiligheidshuis",
            "rol",
            "leverendeEenheid",
            "district",
            "aanwezigheid",
            "urenPerWeek",
            "functioneleMailbox",
            "telefoon",
            "naamFunctionaris",
            "status",
            "startdatum",
            "einddatum",
            "opmerkingen",
            "revisie",
            "aangemaaktOp",
            "gewijzigdOp",
        ]
        validators = []

    def build(self):
        instance = super().build()
        if instance.police_unit_id is None and instance.house_id:
            instance.police_unit = instance.house.police_unit
        return instance


class PendingChangeSerializer(serializers.Serializer):
    soort = serializers.ChoiceField(source="change_kind", choices=Change.choices, allow_blank=True)
    datum = serializers.DateField(
        source="change_date",
        allow_null=True,
        help_text="Bij beëindigen: de einddatum (leeg: de dag van instemming); anders de nieuwe "
        "afbouwdatum.",
    )
    reden = serializers.CharField(source="change_reason")
    voorgesteldDoor = serializers.CharField(
        source="change_by.username", read_only=True, allow_null=True, default=None
    )
    voorgesteldNamens = serializers.ChoiceField(
        source="change_side", choices=Side.choices, allow_blank=True
    )
    voorgesteldOp = UtcDateTimeField(source="change_at", allow_null=True)


class DecisionSerializer(serializers.Serializer):
    """Een besluit over wat op de andere kant wacht: een voorstel of een voorgestelde wijziging."""

    reden = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="Verplicht bij afwijzen, en voor landelijk beheer dat in de plaats van een kant "
        "besluit.",
    )
    overigeBetrokkenen = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="Alleen bij instemmen: wie verder bij de afspraak betrokken was.",
    )


class EndSerializer(serializers.Serializer):
    """Een voorstel om een overeengekomen afwijking te beëindigen."""

    reden = serializers.CharField(max_length=2000, help_text="Waarom de wijziging nodig is.")
    einddatum = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="Bij beëindigen: per wanneer (leeg: de dag waarop de andere kant instemt).",
    )


class DeadlineSerializer(serializers.Serializer):
    """Een voorstel voor een andere afbouwdatum van een overeengekomen afbouw."""

    reden = serializers.CharField(max_length=2000, help_text="Waarom de datum verandert.")
    afgebouwdUiterlijk = serializers.DateField(help_text="De voorgestelde nieuwe afbouwdatum.")


class VariationSerializer(CleanedModelSerializer):
    """Een lokale afwijking van de standaard in een huis."""

    url = serializers.HyperlinkedIdentityField(view_name="api:afwijking-detail")
    id = serializers.IntegerField(read_only=True)
    veiligheidshuis = house_link(source="house", queryset=House.objects.all())
    rol = role_link(source="role", queryset=Role.objects.all())
    taak = task_link(
        source="task",
        queryset=Task.objects.all(),
        required=False,
        allow_null=True,
        help_text="De standaardtaak waarop de afwijking ziet; leeg bij een aanvulling.",
    )
    soort = serializers.ChoiceField(source="kind", choices=Variation.Kind.choices)
    omschrijving = serializers.CharField(
        source="title",
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="Alleen bij een aanvulling: de taak die hier extra wordt geleverd.",
    )
    lokaleNorm = serializers.CharField(
        source="local_norm", max_length=200, required=False, allow_blank=True
    )
    onderbouwing = serializers.CharField(source="rationale", allow_blank=True, max_length=2000)
    status = serializers.ChoiceField(
        choices=Variation.Status.choices,
        required=False,
        help_text="Een nieuwe afwijking is een voorstel; de status verandert daarna alleen door "
        "instemmen, afwijzen of beëindigen.",
    )
    overeengekomenOp = serializers.DateField(source="agreed_on", read_only=True, allow_null=True)
    overeengekomenMet = serializers.CharField(
        source="agreed_with",
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="Wie verder bij de afspraak betrokken was (vrije tekst).",
    )
    voorgesteldDoor = serializers.SlugRelatedField(
        source="proposed_by", slug_field="username", read_only=True, allow_null=True
    )
    voorgesteldNamens = serializers.ChoiceField(
        source="proposed_side",
        choices=Side.choices,
        read_only=True,
        help_text="De kant die de afwijking voorstelde: de eenheid of het huis (ketenmanager).",
    )
    voorgesteldOp = UtcDateTimeField(source="proposed_at", read_only=True, allow_null=True)
    overeengekomenDoor = serializers.SlugRelatedField(
        source="agreed_by",
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="Wie namens de andere kant instemde.",
    )
    afgewezenDoor = serializers.SlugRelatedField(
        source="rejected_by", slug_field="username", read_only=True, allow_null=True
    )
    besluitOp = UtcDateTimeField(
        source="decided_at",
        read_only=True,
        allow_null=True,
        help_text="Wanneer de andere kant instemde of afwees.",
    )
    redenBesluit = serializers.CharField(source="decision_reason", read_only=True)
    besluitNamensAndereKant = serializers.BooleanField(
        source="decided_on_behalf",
        read_only=True,
        help_text="Landelijk beheer besloot, met een reden, in de plaats van de andere kant.",
    )
    overeengekomenVoorTweezijdigeInstemming = serializers.BooleanField(
        source="agreed_before_consent",
        read_only=True,
        help_text="Overeengekomen voordat het register instemming van beide kanten vastlegde.",
    )
    wachtOp = serializers.ChoiceField(
        source="awaiting_side",
        choices=Side.choices,
        read_only=True,
        allow_blank=True,
        help_text="De kant waarvan een besluit wordt verwacht; leeg als niets wacht.",
    )
    voorgesteldeWijziging = PendingChangeSerializer(
        source="*",
        read_only=True,
        help_text="Een voorgestelde beëindiging of andere afbouwdatum (soort leeg: geen).",
    )
    afgebouwdUiterlijk = serializers.DateField(
        source="phase_out_by", required=False, allow_null=True
    )
    beeindigdOp = serializers.DateField(source="ended_on", read_only=True, allow_null=True)
    herbeoordelenVoor = serializers.DateField(source="review_by", required=False, allow_null=True)
    standaard = standard_link(source="standard_version", read_only=True)
    vastgelegdDoor = serializers.SlugRelatedField(
        source="recorded_by", slug_field="username", read_only=True, allow_null=True
    )
    verlopen = serializers.BooleanField(source="is_overdue", read_only=True)
    teHerbeoordelen = serializers.BooleanField(source="needs_review", read_only=True)
    revisie = serializers.IntegerField(source="revision", read_only=True)
    aangemaaktOp = UtcDateTimeField(source="created_at", read_only=True)
    gewijzigdOp = UtcDateTimeField(source="updated_at", read_only=True)

    class Meta:
        model = Variation
        fields = [
            "url",
            "id",
            "veiligheidshuis",
            "rol",
            "taak",
            "soort",
            "omschrijving",
            "lokaleNorm",
            "onderbouwing",
            "status",
            "overeengekomenOp",
            "overeengekomenMet",
            "voorgesteldDoor",
            "voorgesteldNamens",
            "voorgesteldOp",
            "overeengekomenDoor",
            "afgewezenDoor",
            "besluitOp",
            "redenBesluit",
            "besluitNamensAndereKant",
            "overeengekomenVoorTweezijdigeInstemming",
            "wachtOp",
            "voorgesteldeWijziging",
            "afgebouwdUiterlijk",
            "beeindigdOp",
            "herbeoordelenVoor",
            "standaard",
            "vastgelegdDoor",
            "verlopen",
            "teHerbeoordelen",
            "revisie",
            "aangemaaktOp",
            "gewijzigdOp",
        ]
        validators = []

    def build(self):
        instance = super().build()
        if instance.pk is None and instance.role_id:
            # A variation is recorded against the version of the standard its role belongs to.
            instance.standard_version = instance.role.standard_version
        return instance


# --- the task package ---------------------------------------------------------------------------
PACKAGE_STATUS_CHOICES = [(key, str(label)) for key, label in STATUS_LABELS.items()]


class PackageAssignmentSerializer(serializers.Serializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:toewijzing-detail")
    status = serializers.ChoiceField(choices=Assignment.Status.choices)
    aanwezigheid = serializers.ChoiceField(source="presence", choices=Presence.choices)
    urenPerWeek = serializers.DecimalField(
        source="hours_per_week", max_digits=4, decimal_places=1, allow_null=True
    )
    leverendeEenheid = unit_link(source="police_unit", read_only=True)
    functioneleMailbox = serializers.CharField(source="contact_mailbox")


class PackageTaskSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Code van de standaardtaak; leeg bij een aanvulling.")
    titel = serializers.CharField(source="title")
    status = serializers.ChoiceField(choices=PACKAGE_STATUS_CHOICES)
    statusLabel = serializers.CharField(source="status_label")
    soort = serializers.CharField(
        source="kind", help_text="Soort standaardtaak, leeg bij aanvulling."
    )
    norm = serializers.CharField()
    afwijking = serializers.HyperlinkedRelatedField(
        source="variation", view_name="api:afwijking-detail", read_only=True, allow_null=True
    )
    voorgesteld = serializers.HyperlinkedRelatedField(
        source="proposed", view_name="api:afwijking-detail", read_only=True, many=True
    )
    afgebouwdUiterlijk = serializers.DateField(source="deadline", allow_null=True)
    verlopen = serializers.BooleanField(source="overdue")
    teHerbeoordelen = serializers.BooleanField(source="needs_review")


class PackageLineSerializer(PackageTaskSerializer):
    rol = role_link(source="role", read_only=True)


class RolePackageSerializer(serializers.Serializer):
    rol = role_link(source="role", read_only=True)
    vacant = serializers.BooleanField()
    urenPerWeek = serializers.DecimalField(source="hours_per_week", max_digits=5, decimal_places=1)
    taken = PackageTaskSerializer(source="tasks", many=True)
    toewijzingen = PackageAssignmentSerializer(source="assignments", many=True)


class VariationSummarySerializer(serializers.Serializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:afwijking-detail")
    soort = serializers.ChoiceField(source="kind", choices=Variation.Kind.choices)
    status = serializers.ChoiceField(choices=Variation.Status.choices)
    onderwerp = serializers.CharField(source="subject_title")


class PackageSummarySerializer(serializers.Serializer):
    aantallen = serializers.DictField(
        source="counts", child=serializers.IntegerField(), help_text="Aantal taken per status."
    )
    standaardtaken = serializers.IntegerField(source="standard_tasks")
    conformStandaard = serializers.IntegerField(
        source="delivered_as_standard",
        help_text="Standaardtaken die conform de standaard worden geleverd: zonder "
        "overeengekomen afwijking, in een rol die in dit huis door een actieve toewijzing is "
        "bezet.",
    )
    afwijkend = serializers.IntegerField(
        source="varied",
        help_text="Standaardtaken die door een overeengekomen afwijking zijn aangepast of "
        "weggelaten.",
    )
    nietGeleverdVacant = serializers.IntegerField(
        source="vacant_tasks",
        help_text="Standaardtaken die niet worden geleverd omdat hun rol vacant is. "
        "conformStandaard + afwijkend + nietGeleverdVacant = standaardtaken.",
    )
    aandeelConform = serializers.FloatField(
        source="share_as_standard",
        allow_null=True,
        help_text="conformStandaard / standaardtaken (0 tot 1); leeg zonder standaardtaken.",
    )
    verlopenAfbouw = serializers.IntegerField(source="overdue_phase_outs")
    teHerbeoordelen = serializers.IntegerField(source="needs_review")
    vacanteRollen = serializers.IntegerField(source="vacant_roles")
    voorgesteld = serializers.IntegerField(source="proposed")


class ExcludedTaskSerializer(serializers.Serializer):
    """Een taak die volgens de standaard geen politietaak is, met een eventuele lokale afbouw."""

    rol = role_link(source="role", read_only=True)
    taak = task_link(source="task", read_only=True)
    omschrijving = serializers.CharField(source="task.description")
    afbouw = serializers.HyperlinkedRelatedField(
        source="phase_out.variation",
        view_name="api:afwijking-detail",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="De overeengekomen afbouw van deze taak in dit huis; leeg als de politie de "
        "taak hier niet (meer) doet.",
    )
    afgebouwdUiterlijk = serializers.DateField(source="deadline", allow_null=True)
    verlopen = serializers.BooleanField(source="overdue")
    voorgesteld = serializers.HyperlinkedRelatedField(
        source="proposed", view_name="api:afwijking-detail", read_only=True, many=True
    )


class TaskPackageSerializer(serializers.Serializer):
    """Het takenpakket van een huis: wat de politie daar moet leveren."""

    veiligheidshuis = house_link(source="house", read_only=True)
    standaard = standard_link(source="standard", read_only=True, allow_null=True)
    berekendOp = serializers.DateField(source="computed_on")
    rollen = RolePackageSerializer(source="roles", many=True)
    aanvullingen = PackageLineSerializer(source="additions", many=True)
    afbouw = PackageLineSerializer(source="phase_outs", many=True)
    uitgesloten = ExcludedTaskSerializer(
        source="excluded",
        many=True,
        help_text="Wat de politie hier niet doet: de uitgesloten taken van de standaard, elk "
        "met een eventuele lokale afbouw en de uiterste datum daarvan.",
    )
    voorgesteld = VariationSummarySerializer(source="proposed", many=True)
    nietGekoppeld = VariationSummarySerializer(
        source="unmatched",
        many=True,
        help_text="Afwijkingen waarvan de rol of taak niet in de gepubliceerde standaard staat.",
    )
    samenvatting = PackageSummarySerializer(source="summary")

"""API representation of the national standard (see ``registry.lib.serializers``)."""

from rest_framework import serializers

from registry.lib.serializers import CleanedModelSerializer, LinkField, UtcDateTimeField
from roles.differences import KIND_LABELS
from roles.models import CaseMeetingType, Role, StandardVersion, Task


class StandardVersionSerializer(CleanedModelSerializer):
    """Een versie van de landelijke standaard."""

    url = serializers.HyperlinkedIdentityField(
        view_name="api:standaard-detail", lookup_field="version", lookup_url_kwarg="versie"
    )
    versie = serializers.CharField(source="version", max_length=20)
    titel = serializers.CharField(source="title", max_length=200)
    status = serializers.ChoiceField(
        choices=StandardVersion.Status.choices,
        read_only=True,
        help_text="Een nieuwe versie is een concept; de status verandert alleen door te "
        "publiceren (POST .../publiceren). Een gepubliceerde of vervangen versie, met haar rollen "
        "en taken, kan niet meer worden gewijzigd (409).",
    )
    gepubliceerdOp = serializers.DateField(source="published_on", read_only=True, allow_null=True)
    bron = serializers.CharField(source="source", required=False, allow_blank=True, max_length=2000)
    uitgangspunten = serializers.ListField(
        source="principles",
        child=serializers.CharField(max_length=500),
        required=False,
        max_length=50,
    )
    wijzigingen = serializers.CharField(
        source="changes",
        required=False,
        allow_blank=True,
        max_length=5000,
        help_text="Wat verandert er in deze versie ten opzichte van de vorige.",
    )
    revisie = serializers.IntegerField(source="revision", read_only=True)
    aangemaaktOp = UtcDateTimeField(source="created_at", read_only=True)
    gewijzigdOp = UtcDateTimeField(source="updated_at", read_only=True)

    class Meta:
        model = StandardVersion
        fields = [
            "url",
            "versie",
            "titel",
            "status",
            "gepubliceerdOp",
            "bron",
            "uitgangspunten",
            "wijzigingen",
            "revisie",
            "aangemaaktOp",
            "gewijzigdOp",
        ]
        validators = []


class RoleSerializer(CleanedModelSerializer):
    """Een politiefunctie (rol) van de standaard."""

    url = serializers.HyperlinkedIdentityField(view_name="api:rol-detail")
    id = serializers.IntegerField(read_only=True)
    standaard = LinkField(
        "api:standaard-detail",
        source="standard_version",
        lookup_field="version",
        url_kwarg="versie",
        code_attr="version",
        name_attr="title",
        queryset=StandardVersion.objects.all(),
    )
    code = serializers.SlugField(max_length=60)
    naam = serializers.CharField(source="name", max_length=120)
    doel = serializers.CharField(
        source="purpose", required=False, allow_blank=True, max_length=2000
    )
    verwachteAanwezigheid = serializers.ChoiceField(
        source="expected_presence", choices=Role._meta.get_field("expected_presence").choices
    )
    competenties = serializers.ListField(
        source="competences",
        child=serializers.CharField(max_length=500),
        required=False,
        max_length=50,
    )
    randvoorwaarden = serializers.ListField(
        source="preconditions",
        child=serializers.CharField(max_length=500),
        required=False,
        max_length=50,
    )
    meerdereBezettingen = serializers.BooleanField(
        source="allows_multiple",
        required=False,
        help_text="Mag een huis deze rol door meer dan één actieve toewijzing laten vervullen?",
    )
    volgorde = serializers.IntegerField(
        source="position", required=False, min_value=0, max_value=32767
    )
    revisie = serializers.IntegerField(source="revision", read_only=True)
    gewijzigdOp = UtcDateTimeField(source="updated_at", read_only=True)

    class Meta:
        model = Role
        fields = [
            "url",
            "id",
            "standaard",
            "code",
            "naam",
            "doel",
            "verwachteAanwezigheid",
            "competenties",
            "randvoorwaarden",
            "meerdereBezettingen",
            "volgorde",
            "revisie",
            "gewijzigdOp",
        ]
        validators = []


class TaskSerializer(CleanedModelSerializer):
    """Een taak van een rol van de standaard."""

    url = serializers.HyperlinkedIdentityField(view_name="api:taak-detail")
    id = serializers.IntegerField(read_only=True)
    rol = LinkField("api:rol-detail", source="role", lookup_field="pk", queryset=Role.objects.all())
    code = serializers.SlugField(max_length=60)
    titel = serializers.CharField(source="title", max_length=200)
    omschrijving = serializers.CharField(
        source="description", required=False, allow_blank=True, max_length=2000
    )
    norm = serializers.CharField(max_length=200, required=False, allow_blank=True)
    soort = serializers.ChoiceField(source="kind", choices=Task.Kind.choices, required=False)
    toelichting = serializers.CharField(
        source="note", max_length=300, required=False, allow_blank=True
    )
    volgorde = serializers.IntegerField(
        source="position", required=False, min_value=0, max_value=32767
    )
    revisie = serializers.IntegerField(source="revision", read_only=True)
    gewijzigdOp = UtcDateTimeField(source="updated_at", read_only=True)

    class Meta:
        model = Task
        fields = [
            "url",
            "id",
            "rol",
            "code",
            "titel",
            "omschrijving",
            "norm",
            "soort",
            "toelichting",
            "volgorde",
            "revisie",
            "gewijzigdOp",
        ]
        validators = []


class CaseMeetingTypeSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:casusoverleg-detail", lookup_field="code"
    )
    code = serializers.SlugField(read_only=True)
    naam = serializers.CharField(source="name", read_only=True)
    thema = serializers.CharField(source="theme", read_only=True)
    betrokkenheidPolitie = serializers.ChoiceField(
        source="police_involvement", choices=CaseMeetingType.Involvement.choices, read_only=True
    )
    bron = serializers.CharField(source="source", read_only=True)
    gewijzigdOp = UtcDateTimeField(source="updated_at", read_only=True)

    class Meta:
        model = CaseMeetingType
        fields = ["url", "code", "naam", "thema", "betrokkenheidPolitie", "bron", "gewijzigdOp"]


class PublishSerializer(serializers.Serializer):
    """Een conceptversie publiceren."""

    wijzigingen = serializers.CharField(
        max_length=5000,
        help_text="Wat verandert er in deze versie ten opzichte van de vorige (verplicht).",
    )
    gepubliceerdOp = serializers.DateField(
        required=False, help_text="Publicatiedatum; standaard vandaag."
    )


class DifferenceSerializer(serializers.Serializer):
    """Eén verschil tussen twee versies van de standaard."""

    soort = serializers.ChoiceField(
        source="kind",
        choices=[(key, str(label)) for key, label in KIND_LABELS.items()],
        help_text="Rol toegevoegd of vervallen; taak toegevoegd of vervallen; titel, "
        "omschrijving, soort of norm van een taak gewijzigd.",
    )
    omschrijving = serializers.CharField(source="label")
    rol = serializers.CharField(source="role_code", help_text="Code van de rol.")
    rolNaam = serializers.CharField(source="role_name")
    taak = serializers.CharField(
        source="task_code", help_text="Code van de taak; leeg bij een rol."
    )
    taakTitel = serializers.CharField(source="task_title")
    oud = serializers.CharField(source="old", help_text="De oude waarde (leeg bij toevoegen).")
    nieuw = serializers.CharField(source="new", help_text="De nieuwe waarde (leeg bij vervallen).")
    raaktTakenpakket = serializers.BooleanField(
        source="affects_package",
        help_text="Verandert dit welke taken huizen moeten leveren (en dus de noemer van de "
        "conformiteit)?",
    )


class DifferencesSerializer(serializers.Serializer):
    """De verschillen tussen een versie en een eerdere versie van de standaard."""

    standaard = serializers.CharField(help_text="De versie waarvan de verschillen worden getoond.")
    tenOpzichteVan = serializers.CharField(
        allow_null=True, help_text="De versie waarmee is vergeleken; leeg als die er niet is."
    )
    verschillen = DifferenceSerializer(many=True)

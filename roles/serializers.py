"""API representation of the national standard (see ``registry.lib.serializers``)."""

from rest_framework import serializers

from registry.lib.serializers import CleanedModelSerializer, LinkField, UtcDateTimeField
from roles.models import CaseMeetingType, Role, StandardVersion, Task


class StandardVersionSerializer(CleanedModelSerializer):
    """Een versie van de landelijke standaard."""

    url = serializers.HyperlinkedIdentityField(
        view_name="api:standaard-detail", lookup_field="version", lookup_url_kwarg="versie"
    )
    versie = serializers.CharField(source="version", max_length=20)
    titel = serializers.CharField(source="title", max_length=200)
    status = serializers.ChoiceField(choices=StandardVersion.Status.choices, required=False)
    gepubliceerdOp = serializers.DateField(source="published_on", required=False, allow_null=True)
    bron = serializers.CharField(source="source", required=False, allow_blank=True)
    uitgangspunten = serializers.ListField(
        source="principles", child=serializers.CharField(), required=False
    )
    wijzigingen = serializers.CharField(source="changes", required=False, allow_blank=True)
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
    doel = serializers.CharField(source="purpose", required=False, allow_blank=True)
    verwachteAanwezigheid = serializers.ChoiceField(
        source="expected_presence", choices=Role._meta.get_field("expected_presence").choices
    )
    competenties = serializers.ListField(
        source="competences", child=serializers.CharField(), required=False
    )
    randvoorwaarden = serializers.ListField(
        source="preconditions", child=serializers.CharField(), required=False
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
    omschrijving = serializers.CharField(source="description", required=False, allow_blank=True)
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

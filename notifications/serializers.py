"""API representation of an event of the change feed (also the ``data`` of a webhook)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from notifications.models import Event
from registry.lib.serializers import UtcDateTimeField


class EventSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(
        source="uuid", read_only=True, help_text="Vaste id van de gebeurtenis."
    )
    cursor = serializers.CharField(
        read_only=True, help_text="Positie in de feed; vraag verder met ?cursor=<deze waarde>."
    )
    tijdstip = UtcDateTimeField(source="occurred_at", read_only=True)
    soort = serializers.ChoiceField(source="kind", choices=Event.Kind.choices, read_only=True)
    bron = serializers.ChoiceField(
        source="resource", choices=Event.Resource.choices, read_only=True
    )
    bronId = serializers.CharField(source="object_id", read_only=True)
    bronUrl = serializers.SerializerMethodField(
        help_text="Adres van de bron in de API (na verwijderen: 404); leeg als zij er geen heeft."
    )
    omschrijving = serializers.CharField(source="label", read_only=True)
    veiligheidshuis = serializers.CharField(
        source="house_code", read_only=True, allow_null=True, help_text="Code van het huis."
    )
    eenheid = serializers.CharField(
        source="unit_code", read_only=True, allow_null=True, help_text="Code van de eenheid."
    )
    gebruiker = serializers.CharField(source="username", read_only=True, allow_null=True)

    class Meta:
        model = Event
        fields = [
            "id",
            "cursor",
            "tijdstip",
            "soort",
            "bron",
            "bronId",
            "bronUrl",
            "omschrijving",
            "veiligheidshuis",
            "eenheid",
            "gebruiker",
        ]

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_bronUrl(self, event):  # noqa: N802 - API field name
        if not event.path:
            return None
        request = self.context.get("request")
        return request.build_absolute_uri(event.path) if request else event.path

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for name in ("veiligheidshuis", "eenheid", "gebruiker"):
            data[name] = data[name] or None
        return data

"""What every serializer of the registry shares.

Serializers are the API contract: Dutch lowerCamelCase names, each mapped with ``source=`` onto
the English model field. Related objects read as ``{url, code, naam}`` and are written as the
identifier in the related resource's URL. Writes run the model's own ``full_clean()``, so the
API refuses exactly what the admin refuses, with the same Dutch messages.
"""

import datetime

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type, build_object_type
from drf_spectacular.types import OpenApiTypes
from rest_framework import serializers
from rest_framework.reverse import reverse

NON_FIELD_NAME = "nonFieldErrors"
MAX_ID = 2**63 - 1


class LinkField(serializers.RelatedField):
    """A related object: read as ``{url, code, naam}``, written as its lookup value."""

    default_error_messages = {
        # DRF fills in messages with str.format: ``{value}``.
        "does_not_exist": _("'{value}' bestaat niet."),
        "invalid": _("Geef de code (of het nummer) van het gekoppelde object."),
    }

    def __init__(
        self,
        view_name,
        *,
        lookup_field="code",
        url_kwarg=None,
        code_attr="code",
        name_attr="name",
        **kw,
    ):
        self.view_name = view_name
        self.lookup_field = lookup_field
        self.url_kwarg = url_kwarg or ("pk" if lookup_field in {"pk", "id"} else lookup_field)
        self.code_attr = code_attr
        self.name_attr = name_attr
        kw.setdefault("html_cutoff", 50)
        super().__init__(**kw)

    @property
    def lookup_is_id(self):
        return self.lookup_field in {"pk", "id"}

    def to_representation(self, value):
        lookup_value = getattr(value, "pk" if self.lookup_is_id else self.lookup_field)
        url = reverse(
            self.view_name,
            kwargs={self.url_kwarg: lookup_value},
            request=self.context.get("request"),
        )
        return {
            "url": url,
            "code": str(getattr(value, self.code_attr)),
            "naam": str(getattr(value, self.name_attr)),
        }

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, str | int):
            self.fail("invalid")
        if self.lookup_is_id:
            try:
                data = int(data)
            except ValueError:
                self.fail("does_not_exist", value=data)
            if not 0 < data <= MAX_ID:
                self.fail("does_not_exist", value=data)
        try:
            return self.get_queryset().get(**{self.lookup_field: data})
        except self.get_queryset().model.DoesNotExist:
            self.fail("does_not_exist", value=data)

    def use_pk_only_optimization(self):
        return False


class LinkFieldSchema(OpenApiSerializerFieldExtension):
    target_class = LinkField

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        if direction == "request":
            schema = build_basic_type(OpenApiTypes.INT if field.lookup_is_id else OpenApiTypes.STR)
            schema["description"] = (
                "Het nummer van het gekoppelde object."
                if field.lookup_is_id
                else "De code van het gekoppelde object."
            )
            return schema
        return build_object_type(
            properties={
                "url": build_basic_type(OpenApiTypes.URI),
                "code": build_basic_type(OpenApiTypes.STR),
                "naam": build_basic_type(OpenApiTypes.STR),
            },
            required=["url", "code", "naam"],
        )


class UtcDateTimeField(serializers.DateTimeField):
    """A moment, always given in UTC (``…Z``)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("default_timezone", datetime.UTC)
        super().__init__(**kwargs)


class CleanedModelSerializer(serializers.ModelSerializer):
    """A serializer whose writes are validated by the model itself (``full_clean``).

    The viewset builds the instance (``build``), checks the edit rights on it, then calls
    ``clean`` and saves; model field names in errors become the API's field names.
    """

    def build(self):
        """The instance with the validated data applied, not yet saved."""
        if self.instance is None:
            return self.Meta.model(**self.validated_data)
        for attr, value in self.validated_data.items():
            setattr(self.instance, attr, value)
        return self.instance

    def api_name(self, model_field):
        if model_field == NON_FIELD_ERRORS:
            return NON_FIELD_NAME
        for name, field in self.fields.items():
            if field.source == model_field:
                return name
        return NON_FIELD_NAME

    def clean(self, instance):
        try:
            instance.full_clean()
        except DjangoValidationError as exc:
            errors = {}
            for field, messages in exc.message_dict.items():
                errors.setdefault(self.api_name(field), []).extend(messages)
            raise serializers.ValidationError(errors) from exc


class HistorySerializer(serializers.Serializer):
    """Eén wijziging uit de geschiedenis van een record."""

    tijdstip = UtcDateTimeField(help_text="Moment van de wijziging (UTC).")
    soort = serializers.ChoiceField(
        choices=[
            ("aangemaakt", "aangemaakt"),
            ("gewijzigd", "gewijzigd"),
            ("verwijderd", "verwijderd"),
        ]
    )
    gebruiker = serializers.CharField(allow_null=True)
    reden = serializers.CharField(allow_null=True)
    revisie = serializers.IntegerField()
    wijzigingen = serializers.ListField(
        child=serializers.DictField(),
        help_text="Per gewijzigd veld: veld, oud en nieuw.",
    )


class HistoryPageSerializer(serializers.Serializer):
    """Eén pagina van de wijzigingsgeschiedenis, nieuwste eerst."""

    aantal = serializers.IntegerField(help_text="Totaal aantal wijzigingen.")
    volgende = serializers.URLField(allow_null=True)
    vorige = serializers.URLField(allow_null=True)
    resultaten = HistorySerializer(many=True)

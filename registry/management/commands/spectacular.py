"""``manage.py spectacular``: drf-spectacular's command, writing JSON indented by two spaces.

The committed ``openapi.json`` is what this command writes; CI and a test regenerate it and
fail on any difference. Two spaces instead of drf-spectacular's four keep the document about a
quarter smaller with the same content.
"""

from drf_spectacular.management.commands.spectacular import Command as SpectacularCommand
from drf_spectacular.renderers import OpenApiJsonRenderer


class TwoSpaceJsonRenderer(OpenApiJsonRenderer):
    def get_indent(self, accepted_media_type, renderer_context):
        return 2


class Command(SpectacularCommand):
    def get_renderer(self, format):
        if format == "openapi-json":
            return TwoSpaceJsonRenderer()
        return super().get_renderer(format)

"""The REST API v1: router, OpenAPI document and docs, and what holds for every response.

NL API Design Rules: an ``API-Version`` header on every response under ``/api/``, errors as
``application/problem+json`` (RFC 9457), no trailing slashes (a trailing slash is a 404), the
OpenAPI document public at ``/api/v1/openapi.json`` with ``Access-Control-Allow-Origin: *``.
"""

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, JsonResponse
from django.urls import include, path, re_path
from django.utils.cache import get_conditional_response, set_response_etag
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView
from rest_framework import exceptions, routers, status

from houses.api import AssignmentViewSet, HouseViewSet, PoliceUnitViewSet, VariationViewSet
from registry.lib.editable import StaleEditError
from registry.lib.serializers import NON_FIELD_NAME
from roles.api import CaseMeetingTypeViewSet, RoleViewSet, StandardVersionViewSet, TaskViewSet

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
TITLES = {
    400: "Ongeldige invoer",
    401: "Niet geauthenticeerd",
    403: "Geen toegang",
    404: "Niet gevonden",
    405: "Methode niet toegestaan",
    406: "Niet aanvaardbaar",
    409: "Conflict",
    412: "Voorwaarde niet vervuld",
    413: "Verzoek te groot",
    415: "Mediatype niet ondersteund",
    428: "Voorwaarde vereist",
    429: "Te veel verzoeken",
    500: "Interne serverfout",
}
DETAILS = {
    404: "Deze bron bestaat niet.",
    405: "Deze methode is hier niet toegestaan.",
    500: "Er ging iets mis aan onze kant; probeer het later opnieuw.",
}
KEPT_HEADERS = ["Allow", "WWW-Authenticate", "Retry-After", "Vary"]


def problem(status_code, detail, instance, *, invalid_params=None, headers=None):
    """An RFC 9457 problem details response."""
    body = {
        "type": f"https://www.rfc-editor.org/rfc/rfc9110#status.{status_code}",
        "title": TITLES.get(status_code, "Fout"),
        "status": status_code,
        "detail": str(detail),
        "instance": instance,
    }
    if invalid_params is not None:
        body["invalidParams"] = invalid_params
    response = JsonResponse(body, status=status_code, content_type=PROBLEM_CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def invalid_params(detail, prefix=""):
    """Flatten DRF's error structure into ``[{name, code, reason}]``."""
    params = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = NON_FIELD_NAME if key in {"non_field_errors", "__all__"} else str(key)
            params += invalid_params(value, f"{prefix}.{name}" if prefix else name)
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            if isinstance(value, dict | list):
                params += invalid_params(value, f"{prefix}.{index}")
            else:
                params += invalid_params(value, prefix)
    else:
        params.append(
            {
                "name": prefix or NON_FIELD_NAME,
                "code": getattr(detail, "code", "invalid") or "invalid",
                "reason": str(detail),
            }
        )
    return params


def problem_exception_handler(exc, context):
    """DRF exception handler: every error as application/problem+json."""
    request = context["request"]
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(DETAILS[404])
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    elif isinstance(exc, StaleEditError):
        exc = exceptions.APIException(str(exc))
        exc.status_code = status.HTTP_412_PRECONDITION_FAILED
    elif isinstance(exc, IntegrityError | ProtectedError | RestrictedError):
        message = (
            _("Dit object wordt nog gebruikt en kan niet worden verwijderd.")
            if isinstance(exc, ProtectedError | RestrictedError)
            else _("Dit botst met een ander object (bijvoorbeeld al een actieve toewijzing).")
        )
        exc = exceptions.APIException(message)
        exc.status_code = status.HTTP_409_CONFLICT

    if not isinstance(exc, exceptions.APIException):
        logger.exception("Onverwachte fout in de API", exc_info=exc)
        return problem(500, DETAILS[500], request.get_full_path())

    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    if isinstance(exc, exceptions.ValidationError):
        return problem(
            400,
            _("Een of meer gegevens zijn ongeldig."),
            request.get_full_path(),
            invalid_params=invalid_params(exc.detail),
            headers=headers,
        )
    detail = exc.detail if not isinstance(exc.detail, dict | list) else exc.default_detail
    return problem(exc.status_code, detail, request.get_full_path(), headers=headers)


class ApiMiddleware:
    """For everything under /api/: API-Version, ETag + If-None-Match, problem+json errors."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/api/"):
            return response
        if (
            request.method in {"GET", "HEAD"}
            and response.status_code == 200
            and not response.streaming
        ):
            if not response.has_header("ETag"):
                set_response_etag(response)
            response = get_conditional_response(request, etag=response["ETag"], response=response)
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith(
            PROBLEM_CONTENT_TYPE
        ):
            kept = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
            detail = DETAILS.get(response.status_code, TITLES.get(response.status_code, "Fout"))
            response = problem(response.status_code, detail, request.get_full_path(), headers=kept)
        response["API-Version"] = settings.API_VERSION
        return response


# --- OpenAPI -----------------------------------------------------------------------------------
PROBLEM_SCHEMA = {
    "type": "object",
    "description": "Foutmelding volgens RFC 9457 (problem details).",
    "required": ["type", "title", "status", "detail", "instance"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "invalidParams": {
            "type": "array",
            "description": "Bij 400: elk ongeldig gegeven met de reden.",
            "items": {
                "type": "object",
                "required": ["name", "code", "reason"],
                "properties": {
                    "name": {"type": "string"},
                    "code": {"type": "string"},
                    "reason": {"type": "string"},
                },
            },
        },
    },
}
ERROR_DESCRIPTIONS = {
    "400": "Ongeldige invoer of ongeldig filter; invalidParams noemt elk ongeldig gegeven.",
    "401": "Niet geauthenticeerd: geen of een ongeldig token.",
    "403": "Geen recht om dit object te wijzigen.",
    "404": "Niet gevonden.",
    "406": "Gevraagd mediatype niet beschikbaar.",
    "409": "Conflict met een ander object of met de toestand van dit object.",
    "412": "If-Match komt niet overeen: het object is intussen gewijzigd.",
    "415": "Mediatype van het verzoek niet ondersteund; gebruik application/json.",
    "428": "If-Match ontbreekt.",
}
ERRORS_BY_METHOD = {
    "get": ["400", "401", "404", "406"],
    "post": ["400", "401", "403", "404", "406", "409", "415"],
    "put": ["400", "401", "403", "404", "406", "409", "412", "415", "428"],
    "patch": ["400", "401", "403", "404", "406", "409", "412", "415", "428"],
    "delete": ["400", "401", "403", "404", "406", "409", "412", "428"],
}
VERSION_HEADER = {
    "description": "Volledige versie van de API (SemVer).",
    "schema": {"type": "string", "example": settings.API_VERSION},
}
ETAG_HEADER = {
    "description": "Versie van deze representatie; stuur hem mee in If-Match of If-None-Match.",
    "schema": {"type": "string"},
}


def document_responses(result, generator, request, public):
    """drf-spectacular hook: the headers, 304 and problem responses every operation has."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    problem_content = {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in ERRORS_BY_METHOD:
                continue
            responses = operation.setdefault("responses", {})
            parameters = operation.setdefault("parameters", [])
            if method == "get":
                responses["304"] = {"description": "Niet gewijzigd (If-None-Match)."}
                parameters.append(
                    {
                        "in": "header",
                        "name": "If-None-Match",
                        "schema": {"type": "string"},
                        "description": "ETag van een eerder opgehaalde versie.",
                    }
                )
            # POST actions that change a record (instemmen, afwijzen, …) declare If-Match.
            if_match = method in {"put", "patch", "delete"} or any(
                p.get("in") == "header" and p.get("name") == "If-Match" for p in parameters
            )
            if method in {"put", "patch", "delete"}:
                parameters.append(
                    {
                        "in": "header",
                        "name": "If-Match",
                        "required": True,
                        "schema": {"type": "string"},
                        "description": "ETag van de versie die u wijzigt (voorkomt verloren "
                        "wijzigingen).",
                    }
                )
            for code, response in responses.items():
                if code.startswith(("2", "3")):
                    headers = response.setdefault("headers", {})
                    headers["API-Version"] = VERSION_HEADER
                    if method != "delete" and code in {"200", "201", "304"}:
                        headers["ETag"] = ETAG_HEADER
            codes = ERRORS_BY_METHOD[method]
            if if_match and method == "post":
                codes = sorted({*codes, "412", "428"})
            for code in codes:
                responses[code] = {
                    "description": ERROR_DESCRIPTIONS[code],
                    "headers": {"API-Version": VERSION_HEADER},
                    "content": problem_content,
                }
            operation["responses"] = dict(sorted(responses.items()))
    return result


class OpenApiView(SpectacularJSONAPIView):
    """The OpenAPI document: public, and readable from any origin."""

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        return response


# --- URLs ---------------------------------------------------------------------------------------
class Router(routers.DefaultRouter):
    include_format_suffixes = False


router = Router(trailing_slash=False)
router.register("veiligheidshuizen", HouseViewSet, basename="veiligheidshuis")
router.register("eenheden", PoliceUnitViewSet, basename="eenheid")
router.register("standaarden", StandardVersionViewSet, basename="standaard")
router.register("rollen", RoleViewSet, basename="rol")
router.register("taken", TaskViewSet, basename="taak")
router.register("casusoverleggen", CaseMeetingTypeViewSet, basename="casusoverleg")
router.register("toewijzingen", AssignmentViewSet, basename="toewijzing")
router.register("afwijkingen", VariationViewSet, basename="afwijking")


def not_found(request, *args, **kwargs):
    return problem(404, DETAILS[404], request.get_full_path())


v1_patterns = [
    path("openapi.json", OpenApiView.as_view(), name="openapi"),
    path("docs", SpectacularSwaggerSplitView.as_view(url_name="api:openapi"), name="docs"),
    *router.urls,
]
for pattern in v1_patterns:
    # The API authenticates itself (token or session) and answers 401, never a login redirect.
    login_not_required(pattern.callback)

urlpatterns = [
    path("v1/", include(v1_patterns)),
    re_path(r"^", login_not_required(not_found)),
]

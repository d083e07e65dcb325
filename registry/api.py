"""The REST API v1: router, OpenAPI document and docs, and what holds for every response.

NL API Design Rules: an ``API-Version`` header on every response under ``/api/``, errors as
``application/problem+json`` (RFC 9457), no trailing slashes (a trailing slash is a 404), the
OpenAPI document public at ``/api/v1/openapi.json`` with ``Access-Control-Allow-Origin: *``.
"""

import json
import logging
import math
from collections import Counter

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, JsonResponse
from django.urls import include, path, re_path
from django.utils.cache import get_conditional_response, set_response_etag
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView
from rest_framework import exceptions, routers, status

from houses.api import AssignmentViewSet, HouseViewSet, PoliceUnitViewSet, VariationViewSet
from notifications.api import EventViewSet
from registry.lib.api import PayloadTooLarge
from registry.lib.editable import ReadOnlyRecordError, StaleEditError
from registry.lib.faults import is_transient, retry_after
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
    503: "Tijdelijk niet beschikbaar",
}
DETAILS = {
    404: "Deze bron bestaat niet.",
    405: "Deze methode is hier niet toegestaan.",
    500: "Er ging iets mis aan onze kant; probeer het later opnieuw.",
    503: "Het register is even niet bereikbaar; er is niets gewijzigd. Probeer het zo opnieuw.",
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
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    elif isinstance(exc, SuspiciousOperation):  # e.g. too many fields in a form post
        exc = exceptions.ParseError(str(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    elif isinstance(exc, ReadOnlyRecordError):
        exc = exceptions.APIException(str(exc))
        exc.status_code = status.HTTP_409_CONFLICT
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

    if is_transient(exc):
        logger.warning("Tijdelijke databasefout in de API: %s", exc)
        return problem(
            503, DETAILS[503], request.get_full_path(), headers={"Retry-After": retry_after()}
        )
    if not isinstance(exc, exceptions.APIException):
        logger.exception("Onverwachte fout in de API", exc_info=exc)
        return problem(500, DETAILS[500], request.get_full_path())

    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if isinstance(exc, exceptions.Throttled):
        seconds = max(1, math.ceil(exc.wait or 1))
        headers["Retry-After"] = str(seconds)
        exc = exceptions.Throttled(
            detail=_("Te veel verzoeken; probeer het over %(seconds)s seconden opnieuw.")
            % {"seconds": seconds}
        )
    elif getattr(exc, "wait", None):
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
# What every operation has (the API-Version header, a 304 on reads, one problem response per error
# status, If-Match / If-None-Match) is defined once under ``components`` and referred to with
# ``$ref``, and so is whatever several operations repeat word for word. The document stays small
# and each shared part has one definition.
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
    "409": "Conflict met een ander object of met de toestand van dit object (bijvoorbeeld een "
    "gepubliceerde versie van de standaard, of een afwijking die al is overeengekomen).",
    "412": "If-Match komt niet overeen: het object is intussen gewijzigd.",
    "415": "Mediatype van het verzoek niet ondersteund; gebruik application/json.",
    "413": "Het verzoek is groter dan de uploadlimiet.",
    "428": "If-Match ontbreekt.",
    "429": "Te veel verzoeken; Retry-After zegt na hoeveel seconden het weer kan.",
    "503": "Tijdelijk niet beschikbaar (bijvoorbeeld een herstart van de database); er is niets "
    "gewijzigd en hetzelfde verzoek mag na Retry-After seconden opnieuw.",
}
ERRORS_BY_METHOD = {
    "get": ["400", "401", "404", "406", "429", "503"],
    "post": ["400", "401", "403", "404", "406", "409", "413", "415", "429", "503"],
    "put": ["400", "401", "403", "404", "406", "409", "412", "413", "415", "428", "429", "503"],
    "patch": ["400", "401", "403", "404", "406", "409", "412", "413", "415", "428", "429", "503"],
    "delete": ["400", "401", "403", "404", "406", "409", "412", "428", "429", "503"],
}
NOT_MODIFIED = "304"
VERSION_HEADER = {
    "description": "Volledige versie van de API (SemVer).",
    "schema": {"type": "string", "example": settings.API_VERSION},
}
ETAG_HEADER = {
    "description": "Versie van deze representatie; stuur hem mee in If-Match of If-None-Match. "
    "Verandert ook als een getoond gerelateerd object verandert (bijvoorbeeld de naam van het "
    "huis).",
    "schema": {"type": "string"},
}
IF_NONE_MATCH = {
    "in": "header",
    "name": "If-None-Match",
    "schema": {"type": "string"},
    "description": "ETag van een eerder opgehaalde versie.",
}
IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": True,
    "schema": {"type": "string"},
    "description": "ETag van de versie die u wijzigt (voorkomt verloren wijzigingen). Sterke "
    "vergelijking: een zwakke tag (W/) past nooit; van een lijst moet één tag actueel zijn. `*` "
    "wordt aanvaard, maar eist alleen dat het object bestaat en beschermt dus niet tegen "
    "verloren wijzigingen.",
}
NO_CONTENT = "GeenInhoud"
PAGE = "Pagina"
PAGE_RESULTS = "resultaten"
# Inline objects that schemas repeat, by their members, and the schema they become.
SHARED_OBJECTS = {("code", "naam", "url"): "Koppeling"}
SCHEMA_META = ("description", "nullable", "readOnly")


def ref(section, name):
    return {"$ref": f"#/components/{section}/{name}"}


def document_responses(result, generator, request, public):
    """drf-spectacular hook: what every operation has, and what several repeat, said once."""
    components = result.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    operations = []
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method in ERRORS_BY_METHOD:
                add_standard_responses(method, operation)
                operations.append(operation)
    share_security(result, operations)
    share_tag_descriptions(result, operations)
    share_page_envelope(schemas)
    share_inline_objects(schemas)

    components["parameters"] = share(
        [
            (operation["parameters"], index, parameter)
            for operation in operations
            for index, parameter in enumerate(operation["parameters"])
        ],
        "parameters",
        lambda parameter: parameter.get("name"),
    )
    for operation in operations:
        if not operation["parameters"]:
            del operation["parameters"]
    success_responses = share(
        [
            (operation["responses"], code, response)
            for operation in operations
            for code, response in operation["responses"].items()
            if code.startswith("2")
        ],
        "responses",
        success_response_name,
    )
    components["headers"] = {"API-Version": VERSION_HEADER, "ETag": ETAG_HEADER}
    problem_content = {PROBLEM_CONTENT_TYPE: {"schema": ref("schemas", "Problem")}}
    components["responses"] = {
        **success_responses,
        NOT_MODIFIED: {
            "description": "Niet gewijzigd (If-None-Match).",
            "headers": {
                "API-Version": ref("headers", "API-Version"),
                "ETag": ref("headers", "ETag"),
            },
        },
        **{
            code: {
                "description": description,
                "headers": {"API-Version": ref("headers", "API-Version")},
                "content": problem_content,
            }
            for code, description in ERROR_DESCRIPTIONS.items()
        },
    }
    return result


def add_standard_responses(method, operation):
    """The conditional-request parameters, the headers, the 304 and the problem responses."""
    responses = operation.setdefault("responses", {})
    parameters = operation.setdefault("parameters", [])
    if method == "get":
        responses[NOT_MODIFIED] = ref("responses", NOT_MODIFIED)
        parameters.append(IF_NONE_MATCH)
    # POST actions that change a record (instemmen, afwijzen, …) declare If-Match themselves.
    declared = [p for p in parameters if p.get("in") == "header" and p.get("name") == "If-Match"]
    for parameter in declared:
        parameters.remove(parameter)
    if_match = method in {"put", "patch", "delete"} or bool(declared)
    if if_match:
        parameters.append(IF_MATCH)
    for code, response in responses.items():
        if code.startswith(("2", "3")) and "$ref" not in response:
            headers = response.setdefault("headers", {})
            headers["API-Version"] = ref("headers", "API-Version")
            if method != "delete" and code in {"200", "201"}:
                headers["ETag"] = ref("headers", "ETag")
    codes = ERRORS_BY_METHOD[method]
    if if_match and method == "post":
        codes = sorted({*codes, "412", "428"})
    for code in codes:
        responses[code] = ref("responses", code)
    operation["responses"] = dict(sorted(responses.items()))


def share_security(result, operations):
    """When every operation accepts the same authentication, the document says so once."""
    securities = [operation.get("security") for operation in operations]
    if securities and securities[0] and all(security == securities[0] for security in securities):
        result["security"] = securities[0]
        for operation in operations:
            del operation["security"]


def share_tag_descriptions(result, operations):
    """The description most operations of a resource repeat becomes its tag's description."""
    by_tag = {}
    for operation in operations:
        for tag in operation.get("tags", [])[:1]:
            by_tag.setdefault(tag, []).append(operation)
    tags = {tag["name"]: tag for tag in result.get("tags", [])}
    for name, tagged in sorted(by_tag.items()):
        tag = tags.setdefault(name, {"name": name})
        descriptions = Counter(op["description"] for op in tagged if op.get("description"))
        if "description" in tag or not descriptions:
            continue
        description, count = descriptions.most_common(1)[0]
        if count > 1:
            tag["description"] = description
            for operation in tagged:
                if operation.get("description") == description:
                    del operation["description"]
    result["tags"] = list(tags.values())


def share_page_envelope(schemas):
    """The paging members every list has (count, next, previous) form one schema."""
    pages = {name: schema for name, schema in schemas.items() if name.startswith("Paginated")}
    envelopes = []
    for schema in pages.values():
        properties = dict(schema.get("properties", {}))
        if properties.pop(PAGE_RESULTS, None) is None:
            return
        required = [name for name in schema.get("required", []) if name != PAGE_RESULTS]
        envelopes.append({"type": "object", "required": required, "properties": properties})
    if len(envelopes) < 2 or any(envelope != envelopes[0] for envelope in envelopes):
        return
    schemas[PAGE] = envelopes[0]
    for name, schema in pages.items():
        schemas[name] = {
            "allOf": [
                ref("schemas", PAGE),
                {
                    "type": "object",
                    "required": [PAGE_RESULTS],
                    "properties": {PAGE_RESULTS: schema["properties"][PAGE_RESULTS]},
                },
            ]
        }


def share_inline_objects(schemas):
    """A related object (``{url, code, naam}``), repeated in many schemas, is one schema."""
    places = []

    def collect(schema):
        for container, key, subschema in subschemas(schema):
            places.append((container, key, subschema))
            collect(subschema)

    for schema in schemas.values():
        collect(schema)
    shared = {}
    for container, key, subschema in places:
        bare = {name: value for name, value in subschema.items() if name not in SCHEMA_META}
        members = tuple(sorted(bare.get("properties", {})))
        name = SHARED_OBJECTS.get(members) if bare.get("type") == "object" else None
        if name is None or shared.setdefault(name, bare) != bare:
            continue
        meta = {name: value for name, value in subschema.items() if name in SCHEMA_META}
        container[key] = {"allOf": [ref("schemas", name)], **meta} if meta else ref("schemas", name)
    schemas.update(shared)


def subschemas(schema):
    """``(container, key, subschema)`` for each schema directly inside ``schema``."""
    for name, member in schema.get("properties", {}).items():
        yield schema["properties"], name, member
    if isinstance(schema.get("items"), dict):
        yield schema, "items", schema["items"]
    for keyword in ("allOf", "anyOf", "oneOf"):
        for index, member in enumerate(schema.get(keyword, [])):
            yield schema[keyword], index, member


def success_response_name(response):
    """A shared success response is named after what it returns, e.g. ``Variation``."""
    content = response.get("content")
    if not content:
        return NO_CONTENT
    if len(content) != 1:
        return None
    schema = next(iter(content.values())).get("schema", {})
    suffix = ""
    if schema.get("type") == "array":
        schema, suffix = schema.get("items", {}), "Lijst"
    name = schema.get("$ref", "").rpartition("/")[2]
    return f"{name}{suffix}" if name else None


def share(places, section, name_of):
    """Define once, in ``components[section]``, what several operations repeat word for word.

    ``places`` holds ``(container, key, value)`` triples. Of the values that occur more than
    once, the most frequent one with a name (``name_of(value)``) becomes a ``$ref`` in each
    place (other values with that name stay where they are); the shared values are returned
    by name.
    """

    def canonical(value):
        return json.dumps(value, sort_keys=True, default=str)

    values = [value for _container, _key, value in places]
    counts = Counter(canonical(value) for value in values)
    candidates = {}
    for value in values:
        key = canonical(value)
        name = name_of(value) if counts[key] > 1 else None
        if name:
            candidates.setdefault(name, {})[key] = value
    shared = {}
    for name, repeated in candidates.items():
        # The most frequent definition; on a tie, the first in canonical order (stable output).
        key = max(sorted(repeated), key=lambda candidate: counts[candidate])
        shared[name] = {key: repeated[key]}
    name_by_key = {key: name for name, values in shared.items() for key in values}
    for container, key, value in places:
        name = name_by_key.get(canonical(value))
        if name:
            container[key] = ref(section, name)
    return {name: next(iter(values.values())) for name, values in sorted(shared.items())}


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
router.register("gebeurtenissen", EventViewSet, basename="gebeurtenis")


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
    # Any method: a write to an unknown path is a 404 too (not a CSRF refusal).
    re_path(r"^", login_not_required(csrf_exempt(not_found))),
]

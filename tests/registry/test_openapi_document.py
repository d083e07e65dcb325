"""The committed OpenAPI document stays lean: what every operation has is defined once.

Every operation still documents its problem responses, the ``API-Version`` header on every
success and the conditional-request parameters, by reference to a single shared definition.
The document is read as committed; a test in test_api_conformance.py keeps it equal to what
the code generates.
"""

import json
from pathlib import Path

import pytest
from django.conf import settings

DOCUMENT_PATH = Path(settings.BASE_DIR) / "openapi.json"
DOCUMENT = json.loads(DOCUMENT_PATH.read_text())
METHODS = {"get", "post", "put", "patch", "delete"}
OPERATIONS = [
    (f"{method.upper()} {path}", method, operation)
    for path, path_item in DOCUMENT["paths"].items()
    for method, operation in path_item.items()
    if method in METHODS
]
#: Every answer may be 429 (throttled) or 503 (a passing database fault); writes may be 413.
PROBLEM_STATUSES = {
    "get": {"400", "401", "404", "406", "429", "503"},
    "post": {"400", "401", "403", "404", "406", "409", "413", "415", "429", "503"},
    "put": {"400", "401", "403", "404", "406", "409", "412", "413", "415", "428", "429", "503"},
    "patch": {"400", "401", "403", "404", "406", "409", "412", "413", "415", "428", "429", "503"},
    "delete": {"400", "401", "403", "404", "406", "409", "412", "428", "429", "503"},
}
#: POST actions on one record (instemmen, afwijzen, …) are conditional like updates.
CONDITIONAL_POST_STATUSES = PROBLEM_STATUSES["post"] | {"412", "428"}


def is_conditional_post(method, operation):
    return method == "post" and {"$ref": "#/components/parameters/If-Match"} in operation.get(
        "parameters", []
    )


VERSION_HEADER = {"$ref": "#/components/headers/API-Version"}
ETAG_HEADER = {"$ref": "#/components/headers/ETag"}


def resolve(item):
    """Follow a local ``$ref`` (and a chain of them) to what it names; fails if it dangles."""
    while "$ref" in item:
        section, name = item["$ref"].removeprefix("#/components/").split("/")
        item = DOCUMENT["components"][section][name]
    return item


each_operation = pytest.mark.parametrize(
    ("label", "method", "operation"), OPERATIONS, ids=[label for label, _, _ in OPERATIONS]
)


def test_the_committed_document_stays_under_200_kb():
    assert DOCUMENT_PATH.stat().st_size < 200_000


def test_the_version_header_and_the_problem_responses_are_written_out_once():
    text = DOCUMENT_PATH.read_text()
    assert text.count("Volledige versie van de API") == 1
    for status in {status for statuses in PROBLEM_STATUSES.values() for status in statuses}:
        response = DOCUMENT["components"]["responses"][status]
        assert response["content"] == {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        }
        assert response["headers"] == {"API-Version": VERSION_HEADER}
        assert text.count(json.dumps(response["description"])[1:-1]) == 1


@each_operation
def test_every_operation_refers_to_the_shared_problem_responses(label, method, operation):
    problems = {code for code in operation["responses"] if code.startswith(("4", "5"))}
    if is_conditional_post(method, operation):
        assert problems == CONDITIONAL_POST_STATUSES
    else:
        assert problems == PROBLEM_STATUSES[method]
    for code in problems:
        assert operation["responses"][code] == {"$ref": f"#/components/responses/{code}"}


@each_operation
def test_every_success_of_every_operation_carries_the_shared_version_header(
    label, method, operation
):
    successes = {
        code: resolve(response)
        for code, response in operation["responses"].items()
        if code.startswith(("2", "3"))
    }
    assert successes, label
    for code, response in successes.items():
        assert response["headers"]["API-Version"] == VERSION_HEADER, code
        if code in {"200", "201", "304"}:
            assert response["headers"]["ETag"] == ETAG_HEADER, code
    if method == "get":
        assert "304" in successes
    assert resolve(VERSION_HEADER)["schema"]["example"] == settings.API_VERSION


@each_operation
def test_conditional_request_parameters_are_shared(label, method, operation):
    parameters = operation.get("parameters", [])
    if method == "get":
        assert {"$ref": "#/components/parameters/If-None-Match"} in parameters
    if_match = {"$ref": "#/components/parameters/If-Match"}
    if method in {"put", "patch", "delete"} or is_conditional_post(method, operation):
        assert if_match in parameters
        assert resolve(if_match)["required"] is True
        assert "412" in operation["responses"] and "428" in operation["responses"]
    else:
        assert if_match not in parameters


def test_every_reference_names_a_definition():
    references = []

    def collect(item):
        if isinstance(item, dict):
            if "$ref" in item:
                references.append(item)
            for value in item.values():
                collect(value)
        elif isinstance(item, list):
            for value in item:
                collect(value)

    collect(DOCUMENT)
    assert len(references) > 500
    for reference in references:
        resolve(reference)


def test_lists_share_the_pagination_parameters_and_every_operation_its_authentication():
    lists = [
        operation
        for _, method, operation in OPERATIONS
        if method == "get"
        and "Paginated" in json.dumps(resolve(operation["responses"]["200"]))
        and not any("cursor" in json.dumps(p) for p in operation["parameters"])
    ]
    assert len(lists) >= 8
    for operation in lists:
        assert {"$ref": "#/components/parameters/pagina"} in operation["parameters"]
        assert {"$ref": "#/components/parameters/paginaGrootte"} in operation["parameters"]
    assert DOCUMENT["security"] == [{"knoxApiToken": []}, {"cookieAuth": []}]
    assert all("security" not in operation for _, _, operation in OPERATIONS)

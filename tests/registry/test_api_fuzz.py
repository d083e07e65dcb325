"""Every operation of the OpenAPI document, fuzzed: never a server error, always as documented.

Schemathesis generates requests from the committed contract and sends them to the app (in
process, on the test database) with a token of national staff (who may change everything) and
of unit staff (who may change only their own eenheid's houses, so writes also meet 403s).
Unit staff get fewer examples per operation: the generated requests are the same, only the
rights differ, and the run stays bounded.

To reach the write logic rather than a 404 or 412, path parameters are mostly drawn from the
records that exist (a generated value is kept as one of the choices), and writes mostly send
``If-Match: *``. Every request runs in a transaction rolled back after it, so a DELETE or PUT
does not change what the next request finds. Each write operation must answer at least once
with something other than 404, 412 or 428.
"""

import zlib

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation.meta import ParameterLocation, TestPhase
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from houses.models import Assignment, House, PoliceUnit, Variation
from roles.models import CaseMeetingType, Role, StandardVersion, Task
from tests.factories import AssignmentFactory, CaseMeetingTypeFactory, VariationFactory

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())

WRITES = {"PUT", "PATCH", "DELETE"}

#: The identifiers of existing records per collection, filled by the ``records`` fixture.
EXISTING: dict[str, list[str]] = {}


def collection(path):
    return path.strip("/").split("/")[0]


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Mostly an identifier of a record that exists; the generated value stays a choice."""
    existing = EXISTING.get(collection(context.operation.path), [])
    if not path_parameters or not existing:
        return st.just(path_parameters)
    ((name, generated),) = path_parameters.items()
    return st.sampled_from([*existing, generated]).map(lambda value: {name: value})


@schema.hook
def flatmap_headers(context, headers):
    """Writes mostly match any revision; the generated ``If-Match`` stays a choice."""
    if context.operation.method.upper() not in WRITES:
        return st.just(headers)
    generated = dict(headers or {})
    return st.sampled_from([{**generated, "If-Match": "*"}, generated])


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def keep_test_connection():
    """Like Django's test client: the test's database connection survives each request."""
    signals = (request_started, request_finished)
    for signal in signals:
        signal.disconnect(close_old_connections)
    yield
    for signal in signals:
        signal.connect(close_old_connections)


@pytest.fixture
def records(keep_test_connection, standard, house_a, house_b):
    """An assignment and a variation on a house of each eenheid, to read and change."""
    task = standard.roles.get(code="liaison").tasks.get(code="aanspreekpunt")
    for house in (house_a, house_b):
        AssignmentFactory(house=house, role=task.role)
        VariationFactory(house=house, task=task)
    CaseMeetingTypeFactory()
    identifiers = {
        "afwijkingen": Variation.objects.values_list("pk", flat=True),
        "toewijzingen": Assignment.objects.values_list("pk", flat=True),
        "rollen": Role.objects.values_list("pk", flat=True),
        "taken": Task.objects.values_list("pk", flat=True),
        "standaarden": StandardVersion.objects.values_list("version", flat=True),
        "veiligheidshuizen": House.objects.values_list("code", flat=True),
        "eenheden": PoliceUnit.objects.values_list("code", flat=True),
        "casusoverleggen": CaseMeetingType.objects.values_list("code", flat=True),
    }
    EXISTING.update({name: sorted(map(str, values)) for name, values in identifiers.items()})
    yield
    EXISTING.clear()


@pytest.fixture
def statuses():
    """The status of every response; a write operation must reach its write logic at least
    once (not only 404s for unknown records or 412/428 for missing revisions)."""
    seen = []
    yield seen
    # Only the operation's own method counts (the coverage phase also probes other methods).
    writes = [status for operation, method, status in seen if method == operation in WRITES]
    if writes:
        reached = [status for status in writes if status not in {404, 405, 412, 428}]
        assert reached, f"no write reached the write logic: {sorted(set(writes))}"


def on_existing_record(case):
    """The coverage phase's cases are fixed before any record exists: those that do not vary
    the path parameter itself get an existing record's identifier, chosen by the case, so
    they test the body and headers of a write instead of meeting a 404; three in four writes
    that do not vary ``If-Match`` match any revision."""
    existing = EXISTING.get(collection(case.operation.path))
    phase = case.meta.phase if case.meta else None
    if not (existing and case.path_parameters and phase and phase.name == TestPhase.COVERAGE):
        return
    if phase.data.parameter_location == ParameterLocation.PATH:
        return
    chosen = zlib.crc32(repr((case.method, case.body, case.query, case.headers)).encode())
    ((name, generated),) = case.path_parameters.items()
    if str(generated) not in existing:
        case.path_parameters = {name: existing[chosen % len(existing)]}
    if case.method.upper() in WRITES and phase.data.parameter != "If-Match" and chosen % 4:
        case.headers = {**(case.headers or {}), "If-Match": "*"}


def call_in_rolled_back_transaction(case, token, statuses):
    """Send the request and check the response; undo what it changed."""
    on_existing_record(case)
    with transaction.atomic():
        response = case.call(headers={"Authorization": f"Token {token}"})
        transaction.set_rollback(True)
    cache.clear()  # the read cache may hold pages of the state just rolled back
    statuses.append((case.operation.method.upper(), case.method.upper(), response.status_code))
    case.validate_response(response, checks=CHECKS)


def token_for(user):
    from registry.models import ApiToken

    _, token = ApiToken.objects.create(user=user, name="fuzz")
    return token


@pytest.fixture
def national_token(records, national_user):
    return token_for(national_user)


@pytest.fixture
def unit_token(records, unit_a_user):
    return token_for(unit_a_user)


# Every health check is on but one: the records and tokens are function-scoped fixtures shared
# by all generated requests of an operation, which is safe because each request is rolled back.
FUZZ_SETTINGS = {
    "deadline": None,
    "derandomize": True,
    "suppress_health_check": [HealthCheck.function_scoped_fixture],
}


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=25, **FUZZ_SETTINGS)
def test_api_operations_never_fail_and_match_the_contract_for_national_staff(
    case, national_token, statuses
):
    call_in_rolled_back_transaction(case, national_token, statuses)


# Unit staff: generated requests only. The coverage phase (schemathesis' boundary and
# missing-value cases, run as hypothesis' explicit examples) checks how each input is validated,
# which the run for national staff covers; for unit staff the rights are what differs.
@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=12, phases=[Phase.generate, Phase.shrink], **FUZZ_SETTINGS)
def test_api_operations_never_fail_and_match_the_contract_for_unit_staff(
    case, unit_token, statuses
):
    call_in_rolled_back_transaction(case, unit_token, statuses)

"""Every operation of the OpenAPI document, fuzzed: never a server error, always as documented.

Schemathesis generates requests from the committed contract and sends them to the app (in
process, on the test database) with a token of national staff (who may change everything) and
of unit staff (who may change only their own eenheid's houses, so writes also meet 403s).
Unit staff get fewer examples per operation: the generated requests are the same, only the
rights differ, and the run stays bounded (about a minute and a half in all).
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import AssignmentFactory, VariationFactory

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())

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


FUZZ_SETTINGS = {
    "deadline": None,
    "derandomize": True,
    "suppress_health_check": list(HealthCheck),
}


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=25, **FUZZ_SETTINGS)
def test_api_operations_never_fail_and_match_the_contract_for_national_staff(case, national_token):
    case.call_and_validate(headers={"Authorization": f"Token {national_token}"}, checks=CHECKS)


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=12, **FUZZ_SETTINGS)
def test_api_operations_never_fail_and_match_the_contract_for_unit_staff(case, unit_token):
    case.call_and_validate(headers={"Authorization": f"Token {unit_token}"}, checks=CHECKS)

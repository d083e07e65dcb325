"""Every operation of the OpenAPI document, fuzzed: never a server error, always as documented.

Schemathesis generates requests from the committed contract and sends them to the app (in
process, on the test database) with a national staff token, so writes are exercised too.
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
def fuzz_token(keep_test_connection, national_user, standard, house_a, house_b):
    from registry.models import ApiToken

    task = standard.roles.get(code="liaison").tasks.get(code="aanspreekpunt")
    AssignmentFactory(house=house_a, role=task.role)
    VariationFactory(house=house_a, task=task)
    _, token = ApiToken.objects.create(user=national_user, name="fuzz")
    return token


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_operations_never_fail_and_match_the_contract(case, fuzz_token):
    case.call_and_validate(headers={"Authorization": f"Token {fuzz_token}"}, checks=CHECKS)

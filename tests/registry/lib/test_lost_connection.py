"""A connection lost while Django checks a conditional unique constraint is a transient error
(503 in the API), not a constraint violation (400)."""

from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError, connections
from django.db.models import Q

from houses.models import Assignment
from tests.factories import AssignmentFactory

pytestmark = pytest.mark.django_db


def failing_check(self, against, using="default"):
    return True  # what Q.check answers when its query raises a DatabaseError


def test_a_check_that_failed_on_a_lost_connection_raises_a_transient_error(house_a, standard):
    assignment = AssignmentFactory(house=house_a, role=standard.roles.get(code="liaison"))
    assignment = Assignment.objects.get(pk=assignment.pk)
    assert assignment.status == Assignment.Status.ACTIVE
    lost = mock.patch.object(type(connections["default"]), "is_usable", return_value=False)
    with mock.patch.object(Q, "check", failing_check):
        with lost, pytest.raises(OperationalError):
            assignment.validate_constraints()
        # With the connection alive, the same answer is a real violation.
        with pytest.raises(ValidationError):
            assignment.validate_constraints()

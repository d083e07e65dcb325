"""Any export, re-imported unchanged through the admin, is a no-op: for CSV and XLSX, for
assignments and variations, as national staff and as unit staff (whose export also holds
the rows of other eenheden)."""

import csv
import datetime
import io
from contextlib import contextmanager

import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from houses.consent import Side
from houses.models import Assignment, Variation
from roles.models import Presence, Task
from tests.admin_forms import admin_url
from tests.conftest import client_for
from tests.factories import AssignmentFactory, VariationFactory

pytestmark = pytest.mark.django_db

FORMATS = {"0": "csv", "1": "xlsx"}

# Text as people type it in a spreadsheet: separators, quotes, line breaks, accents, a
# leading formula character; no control characters (a workbook cannot hold them).
text = st.text(
    alphabet=st.characters(
        codec="utf-8",
        exclude_categories=["Cs", "Cc", "Zl", "Zp"],
        include_characters="\n;,\"'=+-@ é€",
    ),
    max_size=30,
).map(str.strip)
some_text = text.filter(bool)
dates = st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2040, 12, 31))
hours = st.none() | st.decimals(min_value=0, max_value=40, places=1, allow_nan=False)


@contextmanager
def rolled_back():
    savepoint = transaction.savepoint()
    try:
        yield
    finally:
        transaction.savepoint_rollback(savepoint)


@st.composite
def assignment_specs(draw):
    """Up to four assignments, one per house and role, each valid by the model's rules."""
    slots = draw(
        st.lists(
            st.sampled_from(["a-liaison", "a-deelnemer", "b-liaison", "b-deelnemer"]),
            unique=True,
            min_size=1,
            max_size=4,
        )
    )
    specs = []
    for slot in slots:
        status = draw(st.sampled_from(list(Assignment.Status)))
        start = draw(st.none() | dates) if status != Assignment.Status.ACTIVE else draw(dates)
        end = None
        if status == Assignment.Status.ENDED or draw(st.booleans()):
            end = (start or datetime.date(2000, 1, 1)) + datetime.timedelta(
                days=draw(st.integers(0, 3000))
            )
        house, role = slot.split("-")
        specs.append(
            {
                "house": house,
                "role": role,
                "status": status,
                "presence": draw(st.sampled_from(list(Presence))),
                "hours_per_week": draw(hours),
                "contact_mailbox": draw(st.sampled_from(["", "liaison@politie.example"])),
                "contact_phone": draw(text),
                "officer_name": draw(text),
                "notes": draw(text),
                "start_date": start,
                "end_date": end,
            }
        )
    return specs


@st.composite
def variation_specs(draw):
    specs = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(list(Variation.Kind)))
        status = draw(st.sampled_from(list(Variation.Status)))
        agreed = status in (Variation.Status.AGREED, Variation.Status.ENDED)
        agreed_on = draw(dates) if agreed else None
        spec = {
            "house": draw(st.sampled_from(["a", "b"])),
            "kind": kind,
            "task": {
                Variation.Kind.ADDITION: None,
                Variation.Kind.PHASE_OUT: "verslag",
            }.get(kind, draw(st.sampled_from(["aanspreekpunt", "schakel", "deelname"]))),
            "title": draw(some_text) if kind == Variation.Kind.ADDITION else draw(text),
            "local_norm": draw(some_text if kind == Variation.Kind.ADJUSTMENT else text),
            "rationale": draw(some_text),
            "status": status,
            "agreed_on": agreed_on,
            "agreed_with": draw(some_text) if agreed else draw(text),
            "phase_out_by": draw(dates) if kind == Variation.Kind.PHASE_OUT else None,
            "ended_on": (
                agreed_on + datetime.timedelta(days=draw(st.integers(0, 900)))
                if status == Variation.Status.ENDED
                else None
            ),
            "review_by": draw(st.none() | dates),
            # Who proposed; an agreement is agreed by the other, national staff with a reason.
            "proposer": draw(st.sampled_from(["unit", "national"])),
        }
        specs.append(spec)
    return specs


def make_assignments(specs, houses, standard):
    for spec in specs:
        AssignmentFactory(
            **{
                **spec,
                "house": houses[spec["house"]],
                "role": standard.roles.get(code=spec["role"]),
            }
        )


def make_variations(specs, houses, standard, users=None):
    agreed = set()
    for spec in specs:
        spec = dict(spec)
        proposer = spec.pop("proposer", None)
        if spec["status"] == Variation.Status.AGREED:
            if (spec["house"], spec["task"]) in agreed:
                spec = {**spec, "status": Variation.Status.PROPOSED}  # one agreed per task
            agreed.add((spec["house"], spec["task"]))
        if users and proposer:
            consenter = "national" if proposer == "unit" else "unit"
            spec["proposed_by"] = users[proposer]
            spec["proposed_side"] = Side.UNIT
            if spec["status"] in (Variation.Status.AGREED, Variation.Status.ENDED):
                spec["agreed_by"] = users[consenter]
                spec["decided_on_behalf"] = consenter == "national"
                spec["decision_reason"] = "Namens het huis" if consenter == "national" else ""
        task = Task.objects.get(code=spec["task"]) if spec["task"] else None
        role = task.role if task else standard.roles.get(code="liaison")
        VariationFactory(
            **{
                **spec,
                "house": houses[spec["house"]],
                "task": task,
                "role": role,
                "standard_version": standard,
            }
        )


def export_file(client, model, file_format):
    url = admin_url(model, "export")
    form = client.get(url).context["form"]
    data = {name: "on" for name, field in form.fields.items() if field.initial is True}
    data.update({"format": file_format, "resource": "0"})
    response = client.post(url, data)
    assert response.status_code == 200
    return response.content


def reimport(client, model, content, file_format):
    upload = SimpleUploadedFile(f"export.{FORMATS[file_format]}", content)
    preview = client.post(
        admin_url(model, "import"), {"import_file": upload, "format": file_format}
    )
    assert preview.status_code == 200
    result = preview.context["result"]
    assert not result.has_errors(), [e.error for row in result.rows for e in row.errors]
    assert not result.has_validation_errors(), [r.error_dict for r in result.invalid_rows]
    assert {row.import_type for row in result.rows} == {"skip"}
    form = preview.context["confirm_form"]
    data = {name: form[name].value() for name in form.fields}
    done = client.post(admin_url(model, "process_import"), data)
    assert done.status_code == 302


def snapshot(model):
    return (
        sorted(model.objects.values_list("pk", "revision")),
        model.history.count(),
        LogEntry.objects.count(),
    )


def assert_round_trips_are_no_ops(model, users):
    before = snapshot(model)
    for user in users:
        client = client_for(user)
        for file_format in FORMATS:
            reimport(client, model, export_file(client, model, file_format), file_format)
    assert snapshot(model) == before


common = settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@common
@given(specs=assignment_specs())
def test_any_assignment_export_reimported_unchanged_changes_nothing(
    specs, national_user, unit_a_user, standard, house_a, house_b
):
    with rolled_back():
        make_assignments(specs, {"a": house_a, "b": house_b}, standard)
        assert_round_trips_are_no_ops(Assignment, [national_user, unit_a_user])


@common
@given(specs=variation_specs())
def test_any_variation_export_reimported_unchanged_changes_nothing(
    specs, national_user, unit_a_user, standard, house_a, house_b
):
    with rolled_back():
        users = {"unit": unit_a_user, "national": national_user}
        make_variations(specs, {"a": house_a, "b": house_b}, standard, users)
        assert_round_trips_are_no_ops(Variation, [national_user, unit_a_user])
        assert_export_names_both_sides(client_for(national_user))


def assert_export_names_both_sides(client):
    """The export says who proposed and who agreed, for which side, and when."""
    text = export_file(client, Variation, "0").decode("utf-8-sig")
    rows = {int(row["id"]): row for row in csv.DictReader(io.StringIO(text), delimiter=";")}
    for v in Variation.objects.select_related("proposed_by", "agreed_by"):
        row = rows[v.pk]
        agreed = v.agreed_by_id is not None
        assert row["voorgesteldDoor"] == v.proposed_by.username
        assert row["voorgesteldNamens"] == v.proposed_side
        assert row["voorgesteldOp"] == timezone.localdate(v.proposed_at).isoformat()
        assert row["ingestemdDoor"] == (v.agreed_by.username if agreed else "")
        assert row["ingestemdNamens"] == (Side.HOUSE if agreed else "")
        expected = timezone.localdate(v.decided_at).isoformat() if agreed else ""
        assert row["ingestemdOp"] == expected
        assert row["ingestemdDoorLandelijkBeheer"] == ("1" if v.decided_on_behalf else "0")

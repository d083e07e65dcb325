"""Bad input through the API and the pages: a clear refusal, nothing stored, nothing executed.

The API answers 400 problem+json naming every invalid field in ``invalidParams``; the pages
show a Dutch form error. Text with SQL and HTML in it is data: stored as sent, returned as
sent in JSON, and escaped wherever a page shows it.
"""

import pytest
from django.db import connection

from houses.models import Assignment, House, Variation
from roles.models import Presence
from tests.api_helpers import PROBLEM, assert_problem, current_etag, session_client, token_client
from tests.factories import AssignmentFactory, VariationFactory

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('xss')</script>"
IMG = '<img src=x onerror="alert(1)">'
SQL = "'); DROP TABLE houses_house; --"
HOSTILE = f"{SCRIPT} {IMG} {SQL}"


@pytest.fixture
def liaison(standard):
    return standard.roles.get(code="liaison")


@pytest.fixture
def client(unit_a_user):
    return token_client(unit_a_user)


def names(body):
    return {param["name"] for param in body["invalidParams"]}


def nothing_stored():
    return (
        Assignment.objects.count(),
        Assignment.history.count(),
        Variation.objects.count(),
        Variation.history.count(),
    )


def test_every_invalid_field_of_a_new_assignment_is_named_and_nothing_is_stored(
    client, house_a, liaison
):
    before = nothing_stored()
    response = client.post(
        "/api/v1/toewijzingen",
        {
            "veiligheidshuis": "bestaat-niet",
            "rol": "liaison",  # a role is given by its number
            "aanwezigheid": "altijd",
            "urenPerWeek": "veel",
            "telefoon": "0" * 31,
            "naamFunctionaris": "x" * 121,
            "functioneleMailbox": "geen-adres",
            "status": "kapot",
            "startdatum": "2025-13-45",
            "einddatum": 20250101,
        },
        format="json",
    )
    body = assert_problem(response, 400)
    assert names(body) == {
        "veiligheidshuis",
        "rol",
        "aanwezigheid",
        "urenPerWeek",
        "telefoon",
        "naamFunctionaris",
        "functioneleMailbox",
        "status",
        "startdatum",
        "einddatum",
    }
    assert all(param["reason"] for param in body["invalidParams"])
    assert nothing_stored() == before


def test_dates_out_of_order_are_refused_with_the_model_rule(client, house_a, liaison):
    before = nothing_stored()
    response = client.post(
        "/api/v1/toewijzingen",
        {
            "veiligheidshuis": "huis-a",
            "rol": liaison.pk,
            "aanwezigheid": Presence.PART_TIME,
            "status": Assignment.Status.ACTIVE,
            "startdatum": "2025-05-01",
            "einddatum": "2025-01-01",
        },
        format="json",
    )
    body = assert_problem(response, 400)
    assert body["invalidParams"] == [
        {
            "name": "einddatum",
            "code": "invalid",
            "reason": "De einddatum ligt vóór de startdatum.",
        }
    ]
    assert nothing_stored() == before


@pytest.mark.parametrize(
    "changes",
    [
        {"onderbouwing": ["een", "lijst"]},
        {"onderbouwing": {"tekst": "object"}},
        {"soort": "verzonnen"},
        {"status": 7},
        {"lokaleNorm": "n" * 201},
        {"herbeoordelenVoor": "morgen"},
        {"taak": True},
        {"taak": 10**30},
    ],
    ids=repr,
)
def test_a_bad_update_of_a_variation_is_a_400_and_changes_nothing(
    client, house_a, liaison, changes
):
    variation = VariationFactory(house=house_a, task=liaison.tasks.get(code="aanspreekpunt"))
    url = f"/api/v1/afwijkingen/{variation.pk}"
    history = variation.history.count()
    response = client.patch(url, changes, format="json", headers={"If-Match": current_etag(url)})
    body = assert_problem(response, 400)
    assert names(body) == set(changes)
    variation.refresh_from_db()
    assert variation.revision == 1
    assert variation.history.count() == history


@pytest.mark.parametrize(
    "payload",
    [b'{"onderbouwing": ', b"[1, 2]", b"null", b'"tekst"', b"\xff\xfe\x00", b'{"a": NaN'],
    ids=repr,
)
def test_malformed_json_is_a_400_problem_and_stores_nothing(client, house_a, payload):
    before = nothing_stored()
    response = client.generic(
        "POST", "/api/v1/afwijkingen", payload, content_type="application/json"
    )
    assert_problem(response, 400)
    assert nothing_stored() == before


def test_a_huge_page_size_is_capped_at_100(client, house_a, liaison):
    AssignmentFactory.create_batch(3, house=house_a, role=liaison, status=Assignment.Status.PLANNED)
    for size in ["100000000000000000000", "1" * 5000]:
        response = client.get("/api/v1/toewijzingen", {"paginaGrootte": size})
        assert response.status_code == 200, size
        assert response["Content-Type"] == "application/json"
        assert len(response.json()["resultaten"]) == 3


@pytest.mark.parametrize("size", ["-5", "veel", "0", ""])
def test_a_page_size_that_is_not_a_whole_number_from_1_is_a_400_naming_it(client, size):
    body = assert_problem(client.get("/api/v1/toewijzingen", {"paginaGrootte": size}), 400)
    assert [param["name"] for param in body["invalidParams"]] == ["paginaGrootte"]


@pytest.mark.parametrize("page", ["2", "10" * 20, "9" * 5000], ids=len)
def test_a_page_that_does_not_exist_is_a_404_problem_never_a_server_error(client, house_a, page):
    response = client.get("/api/v1/veiligheidshuizen", {"pagina": page})
    body = assert_problem(response, 404)
    assert body["detail"]


@pytest.mark.parametrize("page", ["0", "-1", "een", "00"])
def test_a_page_number_that_is_not_a_whole_number_from_1_is_a_400_naming_it(client, page):
    body = assert_problem(client.get("/api/v1/veiligheidshuizen", {"pagina": page}), 400)
    assert [param["name"] for param in body["invalidParams"]] == ["pagina"]


def test_every_invalid_filter_is_named_in_one_400(client):
    response = client.get(
        "/api/v1/afwijkingen",
        {
            "eenheid": "bestaat-niet",
            "status": "kapot",
            "gewijzigdSinds": "gisteren",
            "sorteer": "wachtwoord",
        },
    )
    body = assert_problem(response, 400)
    assert names(body) == {"eenheid", "status", "gewijzigdSinds", "sorteer"}


def test_sql_in_a_filter_is_only_a_search_term(client, house_a):
    response = client.get("/api/v1/veiligheidshuizen", {"zoek": SQL, "veiligheidsregio": SQL})
    assert response.status_code == 200
    assert response.json()["aantal"] == 0
    assert House.objects.count() == 1


def test_sql_and_html_in_text_are_stored_as_sent_and_shown_escaped(
    client, unit_a_user, house_a, liaison
):
    response = client.post(
        "/api/v1/afwijkingen",
        {
            "veiligheidshuis": "huis-a",
            "rol": liaison.pk,
            "soort": Variation.Kind.ADDITION,
            "omschrijving": f"Extra {SCRIPT}",
            "onderbouwing": HOSTILE,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.json()["onderbouwing"] == HOSTILE
    # Nothing executed: the table is still there and the text is stored verbatim.
    assert House.objects.count() == 1
    assert "houses_house" in connection.introspection.table_names()
    variation = Variation.objects.get()
    assert variation.rationale == HOSTILE
    assignment_url = "/api/v1/toewijzingen"
    response = client.post(
        assignment_url,
        {
            "veiligheidshuis": "huis-a",
            "rol": liaison.pk,
            "aanwezigheid": Presence.PART_TIME,
            "naamFunctionaris": IMG,
            "opmerkingen": SQL,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["naamFunctionaris"] == IMG

    pages = session_client(unit_a_user)
    for url in ["/veiligheidshuizen/huis-a/", "/"]:
        html = pages.get(url).content.decode()
        assert "Extra &lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt;" in html, url
        assert SCRIPT not in html and IMG not in html, url
    house_page = pages.get("/veiligheidshuizen/huis-a/").content.decode()
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in house_page
    # The browsable API shows the same text escaped too.
    browsable = pages.get(f"/api/v1/afwijkingen/{variation.pk}", HTTP_ACCEPT="text/html")
    assert browsable.status_code == 200
    assert SCRIPT not in browsable.content.decode()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("eenheid=bestaat-niet", "eenheid"),
        ("kaderStatus=kapot", "kaderStatus"),
        ("sorteer=%27%3B+DROP+TABLE+houses_house", "sorteer"),
    ],
)
def test_the_house_list_shows_a_dutch_form_error_for_a_bad_filter(
    reader_client, house_a, query, field
):
    response = reader_client.get(f"/veiligheidshuizen/?{query}")
    assert response.status_code == 200
    form = response.context["filterset"].form
    assert field in form.errors
    assert "Selecteer een geldige keuze" in form.errors[field][0]
    assert House.objects.count() == 1


def test_the_comparison_shows_a_dutch_form_error_for_unknown_houses(reader_client, house_a):
    response = reader_client.get(f"/vergelijk/?huis=huis-a&huis={SCRIPT}")
    assert response.status_code == 200
    assert response.context["form"].errors["huis"]
    html = response.content.decode()
    assert SCRIPT not in html


def test_search_shows_sql_and_html_as_text(reader_client, house_a):
    response = reader_client.get("/zoeken/", {"q": HOSTILE})
    assert response.status_code == 200
    html = response.content.decode()
    assert SCRIPT not in html and IMG not in html
    assert House.objects.count() == 1


def test_api_errors_and_data_are_json_never_html(client):
    response = client.get("/api/v1/veiligheidshuizen/" + SCRIPT)
    assert response["Content-Type"] == PROBLEM
    assert response.status_code == 404

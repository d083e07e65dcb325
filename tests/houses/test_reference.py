import pytest
from django.core.management import call_command

from houses.models import House, PoliceUnit
from houses.reference import REFERENCE_REASON, load_reference
from roles.models import CaseMeetingType, Role, StandardVersion, Task

pytestmark = pytest.mark.django_db


def history_count():
    models = [House, PoliceUnit, StandardVersion, Role, Task, CaseMeetingType]
    return sum(model.history.count() for model in models)


def test_loads_the_reference_data():
    load_reference()
    assert PoliceUnit.objects.count() == 11
    assert (
        PoliceUnit.objects.filter(kind=PoliceUnit.Kind.NATIONAL).get().code == "landelijke-eenheid"
    )
    assert House.objects.count() == 29
    assert House.objects.filter(confidence=House.Confidence.UNCERTAIN).count() == 4
    standard = StandardVersion.objects.current()
    assert standard.version == "1.0"
    assert list(standard.roles.values_list("code", flat=True)) == [
        "liaison",
        "casusoverleg-deelnemer",
    ]
    tasks = Task.objects.filter(role__standard_version=standard)
    assert tasks.filter(kind=Task.Kind.CORE).count() == 6
    assert tasks.filter(kind=Task.Kind.EXCLUDED).count() == 4
    assert CaseMeetingType.objects.count() == 11
    assert (
        CaseMeetingType.objects.get(code="zorgoverleg").police_involvement
        == CaseMeetingType.Involvement.NONE
    )
    groningen = House.objects.get(code="avz-groningen")
    assert groningen.police_unit.code == "noord-nederland"
    assert groningen.source.startswith("https://")
    assert "Groningen" in groningen.municipalities


def test_loading_twice_changes_nothing():
    load_reference()
    before = history_count()
    stats = load_reference()
    assert not stats
    assert history_count() == before


def test_reload_keeps_a_field_a_person_edited():
    load_reference()
    house = House.objects.get(code="vh-drenthe")
    house.seat = "Emmen"
    house.notes = "Lokaal aangevuld"
    house._change_reason = "Vestiging verhuisd"
    house.save()
    stats = load_reference()
    house.refresh_from_db()
    assert (house.seat, house.notes) == ("Emmen", "Lokaal aangevuld")
    assert stats["house: lokale wijziging behouden"] == 2
    assert house.history.first().history_change_reason == "Vestiging verhuisd"


def test_reload_updates_untouched_fields_when_the_reference_changes(monkeypatch):
    load_reference()
    house = House.objects.get(code="vh-drenthe")
    house.seat = "Emmen"
    house.save()

    from houses import reference

    original = reference.read

    def changed(name):
        data = original(name)
        if name == "houses.yaml":
            for record in data["houses"]:
                if record["code"] == "vh-drenthe":
                    record["name"] = "Zorg- en Veiligheidshuis Drenthe"
                    record["seat"] = "Hoogeveen"
        return data

    monkeypatch.setattr(reference, "read", changed)
    load_reference()
    house.refresh_from_db()
    assert house.name == "Zorg- en Veiligheidshuis Drenthe"  # nobody had touched it
    assert house.seat == "Emmen"  # a person had
    assert house.history.first().history_change_reason == REFERENCE_REASON


def test_reload_leaves_a_record_a_person_created_alone():
    load_reference()
    House.objects.filter(code="zvh-parkstad").delete()
    unit = PoliceUnit.objects.get(code="limburg")
    House.objects.create(
        code="zvh-parkstad", name="Eigen naam", safety_region="Zuid-Limburg", police_unit=unit
    )
    load_reference()
    assert House.objects.get(code="zvh-parkstad").name == "Eigen naam"


def test_reload_after_a_newer_standard_is_published_keeps_it_published():
    load_reference()
    newer = StandardVersion.objects.current().make_draft("1.1")
    newer.publish(changes="Nieuwe versie.")
    load_reference()
    assert StandardVersion.objects.current() == newer
    assert StandardVersion.objects.get(version="1.0").status == StandardVersion.Status.SUPERSEDED


def test_command_reports_what_it_did(capsys):
    call_command("load_reference")
    assert "house: aangemaakt: 29" in capsys.readouterr().out
    call_command("load_reference")
    assert "niets gewijzigd" in capsys.readouterr().out


NEW_HOUSES = {"vh-zuid-holland-zuid", "zvh-zeeland", "zvh-zaanstreek-waterland", "nog-veiligerhuis"}


def test_an_existing_database_gets_the_houses_found_since_without_losing_edits(monkeypatch):
    from houses import reference

    original = reference.read

    def as_before(name):
        data = original(name)
        if name == "houses.yaml":
            data["houses"] = [h for h in data["houses"] if h["code"] not in NEW_HOUSES]
            for record in data["houses"]:
                if record["code"] == "zvh-rotterdam-rijnmond":
                    record.update(
                        confidence=House.Confidence.UNCERTAIN, source=None, opened_on=None
                    )
        if name == "standard.yaml":
            for meeting in data["case_meeting_types"]:
                if meeting["code"] == "top-x":
                    meeting["name"] = "Top X-aanpak (veelplegers"  # the old, cut-off name
        return data

    monkeypatch.setattr(reference, "read", as_before)
    load_reference()
    assert House.objects.count() == 25
    drenthe = House.objects.get(code="vh-drenthe")
    drenthe.seat = "Emmen"
    drenthe.save()
    standard = StandardVersion.objects.current()
    monkeypatch.setattr(reference, "read", original)

    stats = load_reference()

    assert House.objects.count() == 29
    assert set(House.objects.filter(code__in=NEW_HOUSES).values_list("code", flat=True)) == (
        NEW_HOUSES
    )
    assert stats["house: aangemaakt"] == 4
    zeeland = House.objects.get(code="zvh-zeeland")
    assert zeeland.police_unit.code == "zeeland-west-brabant"
    assert House.objects.get(code="nog-veiligerhuis").is_uncertain
    assert House.objects.get(code="zvh-zaanstreek-waterland").opened_on.isoformat() == (
        "2009-12-09"
    )
    rotterdam = House.objects.get(code="zvh-rotterdam-rijnmond")
    assert not rotterdam.is_uncertain
    assert rotterdam.source.startswith("https://www.veiligheidshuizen.nl/")
    assert House.objects.get(code="vh-drenthe").seat == "Emmen"  # the edit is kept
    top_x = CaseMeetingType.objects.get(code="top-x")
    assert top_x.name == "Top X-aanpak (veelplegers, High Impact Crime)"
    # The published standard is not touched.
    assert StandardVersion.objects.current() == standard
    assert standard.history.count() == StandardVersion.objects.get().history.count()


def test_the_published_standard_is_not_changed_by_a_reload(monkeypatch):
    from houses import reference

    load_reference()
    standard = StandardVersion.objects.current()
    before = Task.history.count()
    original = reference.read

    def changed(name):
        data = original(name)
        if name == "standard.yaml":
            data["standard"]["roles"][0]["tasks"][0]["title"] = "Andere titel"
        return data

    monkeypatch.setattr(reference, "read", changed)
    load_reference()
    assert Task.history.count() == before
    assert not Task.objects.filter(role__standard_version=standard, title="Andere titel").exists()

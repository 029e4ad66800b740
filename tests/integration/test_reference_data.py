from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from kuntadigi.registry.models import Organisation, Region

pytestmark = pytest.mark.django_db


def load() -> str:
    out = StringIO()
    call_command("load_reference_data", stdout=out)
    return out.getvalue()


def test_loads_the_19_regions_and_310_municipalities_and_valtimo_as_a_historical_one():
    output = load()

    assert Region.objects.count() == 19
    assert Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY).valid_on(date(2020, 1, 1)).count() == 310
    assert Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY).count() == 311
    assert "municipalities: 310 in the file, 310 created" in output
    assert "regions: 19 in the file, 19 created" in output
    assert "mergers: 2 in the file, 1 created, 1 updated" in output


def test_helsinki_has_its_swedish_name_region_and_population():
    load()

    helsinki = Organisation.objects.get(municipality_code="091")
    assert helsinki.name_fi == "Helsinki"
    assert helsinki.name_sv == "Helsingfors"
    assert helsinki.region.code == "01"
    assert helsinki.region.name_sv == "Nyland"
    assert helsinki.population == 653835
    assert helsinki.population_year == 2019


def test_aland_municipalities_are_present():
    load()

    aland = Region.objects.get(code="21")
    assert aland.name_fi == "Ahvenanmaa"
    assert aland.name_sv == "Åland"
    assert Organisation.objects.filter(region=aland).count() == 16
    assert Organisation.objects.get(municipality_code="478").name_sv == "Mariehamn"


def test_running_twice_changes_nothing_and_creates_no_duplicates():
    load()
    before = {o.municipality_code: (o.pk, o.name_fi, o.population, o.region_id) for o in Organisation.objects.all()}

    output = load()

    after = {o.municipality_code: (o.pk, o.name_fi, o.population, o.region_id) for o in Organisation.objects.all()}
    assert after == before
    assert Region.objects.count() == 19
    assert "310 in the file, 0 created, 0 updated, 310 unchanged" in output
    assert "languages: 310 in the file, 0 created, 0 updated, 310 unchanged" in output
    assert "mergers: 2 in the file, 0 created, 0 updated, 2 unchanged" in output
    assert "legal names: 311 in the file, 0 filled in" in output


def test_a_changed_row_is_corrected_and_other_organisations_are_kept():
    load()
    Organisation.objects.filter(municipality_code="091").update(name_sv="Helsinki", population=1)
    Organisation.objects.create(kind=Organisation.Kind.JOINT_AUTHORITY, business_id="0201256-6", name_fi="Kuntayhtymä", name_sv="Samkommun")

    output = load()

    helsinki = Organisation.objects.get(municipality_code="091")
    assert (helsinki.name_sv, helsinki.population) == ("Helsingfors", 653835)
    assert "1 updated" in output
    assert Organisation.objects.filter(kind=Organisation.Kind.JOINT_AUTHORITY).count() == 1


def test_languages_are_loaded_into_every_municipality():
    load()

    def languages(code):
        return Organisation.objects.get(municipality_code=code).languages

    assert languages("507") == ("fi",)  # Mäntyharju
    assert languages("091") == ("fi", "sv")  # Helsinki
    assert languages("478") == ("sv",)  # Maarianhamina
    assert languages("287") == ("sv", "fi")  # Kristiinankaupunki
    inari = Organisation.objects.get(municipality_code="148")
    assert inari.sami_language_area and inari.language_status == 0
    assert not Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY, language_status__isnull=True).exclude(municipality_code="911").exists()


def test_the_mergers_give_validity_and_successors():
    load()

    honkajoki = Organisation.objects.get(municipality_code="099")
    assert honkajoki.valid_until == date(2020, 12, 31)
    assert honkajoki.successor.name_fi == "Kankaanpää"
    assert honkajoki.merger_date == date(2021, 1, 1)
    assert honkajoki.is_valid_on(date(2020, 12, 31)) and not honkajoki.is_valid_on(date(2021, 1, 1))
    valtimo = Organisation.objects.get(municipality_code="911")
    assert (valtimo.name_fi, valtimo.valid_until, valtimo.successor.name_fi) == ("Valtimo", date(2019, 12, 31), "Nurmes")
    assert valtimo.region.code == "12"  # Pohjois-Karjala, its successor's region
    assert valtimo.population is None
    assert [org.name_fi for org in Organisation.objects.get(municipality_code="541").predecessors.all()] == ["Valtimo"]


def test_legal_names_are_filled_but_an_officials_correction_is_kept():
    output = load()
    assert "legal names: 311 in the file, 311 filled in" in output
    expected = {
        "507": ("Mäntyharjun kunta", "Mäntyharju kommun"),
        "287": ("Kristiinankaupungin kaupunki", "Kristinestads stad"),
        "091": ("Helsingin kaupunki", "Helsingfors stad"),
        "478": ("Maarianhaminan kaupunki", "Mariehamns stad"),
        "170": ("Jomalan kunta", "Jomala kommun"),
        "911": ("Valtimon kunta", "Valtimo kommun"),
    }
    for code, names in expected.items():
        org = Organisation.objects.get(municipality_code=code)
        assert (org.legal_name_fi, org.legal_name_sv) == names
    Organisation.objects.filter(municipality_code="091").update(legal_name_fi="Helsingin kaupunki (korjattu)")

    output = load()

    assert Organisation.objects.get(municipality_code="091").legal_name_fi == "Helsingin kaupunki (korjattu)"
    assert "legal names: 311 in the file, 0 filled in" in output

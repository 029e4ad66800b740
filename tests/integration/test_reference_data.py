from io import StringIO

import pytest
from django.core.management import call_command

from kuntadigi.registry.models import Organisation, Region

pytestmark = pytest.mark.django_db


def load() -> str:
    out = StringIO()
    call_command("load_reference_data", stdout=out)
    return out.getvalue()


def test_loads_the_19_regions_and_310_municipalities():
    output = load()

    assert Region.objects.count() == 19
    assert Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY).count() == 310
    assert "municipalities: 310 in the file, 310 created" in output
    assert "regions: 19 in the file, 19 created" in output


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


def test_a_changed_row_is_corrected_and_other_organisations_are_kept():
    load()
    Organisation.objects.filter(municipality_code="091").update(name_sv="Helsinki", population=1)
    Organisation.objects.create(kind=Organisation.Kind.JOINT_AUTHORITY, business_id="0201256-6", name_fi="Kuntayhtymä", name_sv="Samkommun")

    output = load()

    helsinki = Organisation.objects.get(municipality_code="091")
    assert (helsinki.name_sv, helsinki.population) == ("Helsingfors", 653835)
    assert "1 updated" in output
    assert Organisation.objects.filter(kind=Organisation.Kind.JOINT_AUTHORITY).count() == 1

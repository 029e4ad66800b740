"""Officials' registry page: joint municipal authorities and business IDs (Y-tunnus)."""

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from kuntadigi.audit.models import AuditEvent
from kuntadigi.registry.models import Organisation
from tests import factories


@pytest.fixture(autouse=True)
def _interface_texts_untranslated(settings):
    """These tests read the interface's own texts in English (the source language) while the pages keep
    their Finnish addresses: without the project's catalogues the msgids show as they are written."""
    settings.LOCALE_PATHS = []


INVALID = "This is not a valid business ID (Y-tunnus)"


@pytest.fixture(autouse=True)
def _clean(db):
    cache.clear()
    translation.activate("fi")
    yield
    cache.clear()


@pytest.fixture
def official(client):
    person = factories.user(official=True)
    client.force_login(person)
    return person


def add(client, **data):
    fields = {"ja-name_fi": "Itä-Uudenmaan kuntayhtymä", "ja-name_sv": "Östra Nylands samkommun", "ja-business_id": "0201256-6", "ja-region": ""}
    fields.update(data)
    return client.post(reverse("registry:add_joint_authority"), fields)


def test_official_adds_a_joint_authority(client, official):
    region = factories.region("01")
    response = add(client, **{"ja-business_id": " 02012566 ", "ja-region": str(region.pk)})
    assert response.status_code == 302
    org = Organisation.objects.get(kind=Organisation.Kind.JOINT_AUTHORITY)
    assert org.business_id == "0201256-6"
    assert org.region == region
    assert org.municipality_code is None
    assert AuditEvent.objects.filter(action="registry.joint_authority_added", object_id=str(org.pk), actor=official).exists()
    page = client.get(reverse("registry:organisations")).content.decode()
    assert "Itä-Uudenmaan kuntayhtymä – Östra Nylands samkommun" in page


def test_invalid_business_id_is_refused_with_a_translated_message(client, official):
    response = add(client, **{"ja-business_id": "1234567-8"})
    page = response.content.decode()
    assert response.status_code == 400
    assert INVALID in page
    assert 'href="#id_ja-business_id"' in page
    assert not Organisation.objects.exists()


def test_a_business_id_belongs_to_one_organisation(client, official):
    factories.joint_authority("Vanha", business_id="0201256-6")
    response = add(client)
    assert response.status_code == 400
    assert "Another organisation already has this business ID." in response.content.decode()


def test_official_sets_a_municipalitys_business_id(client, official):
    porvoo = factories.municipality("Porvoo", code="638", name_sv="Borgå")
    response = client.post(reverse("registry:set_business_id"), {"mu-municipality": str(porvoo.pk), "mu-business_id": "0201256-6"})
    assert response.status_code == 302
    porvoo.refresh_from_db()
    assert porvoo.business_id == "0201256-6"
    invalid = client.post(reverse("registry:set_business_id"), {"mu-municipality": str(porvoo.pk), "mu-business_id": "1234567-8"})
    assert invalid.status_code == 400
    assert INVALID in invalid.content.decode()
    porvoo.refresh_from_db()
    assert porvoo.business_id == "0201256-6"


@pytest.mark.parametrize("person", ["member", "admin", "anonymous"])
def test_registry_page_is_for_officials_only(client, person):
    org = factories.municipality()
    if person != "anonymous":
        client.force_login(factories.member(org, admin=person == "admin"))
    for response in [client.get(reverse("registry:organisations")), add(client)]:
        assert response.status_code in (302, 404)
        if person != "anonymous":
            assert response.status_code == 404
    assert not Organisation.objects.filter(kind=Organisation.Kind.JOINT_AUTHORITY).exists()


def test_model_clean_validates_and_normalises_business_id():
    org = Organisation(kind=Organisation.Kind.JOINT_AUTHORITY, name_fi="X", name_sv="X", business_id="02012566")
    org.full_clean()
    assert org.business_id == "0201256-6"
    org.business_id = "1234567-8"
    with pytest.raises(ValidationError) as error:
        org.full_clean()
    assert error.value.message_dict["business_id"] == [INVALID]


def test_django_admin_refuses_an_invalid_business_id(client):
    client.force_login(factories.user(is_staff=True, is_superuser=True))
    url = reverse("admin:registry_organisation_add")
    data = {"kind": "joint_authority", "name_fi": "Kuntayhtymä", "name_sv": "Samkommun", "business_id": "1234567-8", "is_active": "on"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert INVALID in response.content.decode()
    data["business_id"] = "0201256-6"
    assert client.post(url, data).status_code == 302
    assert Organisation.objects.get().business_id == "0201256-6"

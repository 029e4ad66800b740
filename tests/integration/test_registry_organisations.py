"""Officials' registry page: joint municipal authorities, legal names and business IDs (Y-tunnus), languages and mergers."""

from datetime import date

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
    # Legal names left empty are the names (a joint authority's name is usually its legal name).
    assert (org.legal_name_fi, org.legal_name_sv) == ("Itä-Uudenmaan kuntayhtymä", "Östra Nylands samkommun")
    assert org.languages == ("fi",)
    assert org.region == region
    assert org.municipality_code is None
    assert AuditEvent.objects.filter(action="registry.joint_authority_added", object_id=str(org.pk), actor=official).exists()
    page = client.get(reverse("registry:organisations")).content.decode()
    assert "Itä-Uudenmaan kuntayhtymä – Östra Nylands samkommun" in page


def test_a_joint_authority_is_added_with_its_legal_names(client, official):
    response = add(
        client,
        **{
            "ja-name_fi": "Keusote",
            "ja-legal_name_fi": "Keski-Uudenmaan sote -kuntayhtymä",
            "ja-legal_name_sv": "Samkommunen Mellersta Nylands social- och hälsovård",
        },
    )
    assert response.status_code == 302
    org = Organisation.objects.get(kind=Organisation.Kind.JOINT_AUTHORITY)
    assert org.legal_name_in("fi") == "Keski-Uudenmaan sote -kuntayhtymä"
    assert org.legal_name_in("sv") == "Samkommunen Mellersta Nylands social- och hälsovård"
    event = AuditEvent.objects.get(action="registry.joint_authority_added")
    assert event.after["legal_name_fi"] == "Keski-Uudenmaan sote -kuntayhtymä"
    page = client.get(reverse("registry:organisations")).content.decode()
    assert "Keski-Uudenmaan sote -kuntayhtymä" in page


def test_invalid_business_id_is_refused_with_a_translated_message(client, official):
    response = add(client, **{"ja-business_id": "1234567-8"})
    page = response.content.decode()
    assert response.status_code == 400
    assert INVALID in page
    assert 'href="#id_ja-business_id"' in page
    assert 'value="Itä-Uudenmaan kuntayhtymä"' in page  # nothing typed is lost
    assert not Organisation.objects.exists()


def test_a_business_id_belongs_to_one_organisation(client, official):
    factories.joint_authority("Vanha", business_id="0201256-6")
    response = add(client)
    assert response.status_code == 400
    assert "Another organisation already has this business ID." in response.content.decode()


def identity(client, org, **data):
    fields = {"li-legal_name_fi": "Porvoon kaupunki", "li-legal_name_sv": "Borgå stad", "li-business_id": "0201256-6"}
    fields.update(data)
    return client.post(reverse("registry:organisation", args=[org.pk]), fields)


def test_official_sets_legal_names_and_business_id_together(client, official):
    porvoo = factories.municipality("Porvoo", code="638", name_sv="Borgå")
    response = identity(client, porvoo, **{"li-business_id": "02012566"})
    assert response.status_code == 302
    porvoo.refresh_from_db()
    assert (porvoo.legal_name_fi, porvoo.legal_name_sv, porvoo.business_id) == ("Porvoon kaupunki", "Borgå stad", "0201256-6")
    event = AuditEvent.objects.get(action="registry.legal_identity_set", object_id=str(porvoo.pk))
    assert event.actor == official
    assert event.before == {"legal_name_fi": "", "legal_name_sv": "", "business_id": None}
    assert event.after == {"legal_name_fi": "Porvoon kaupunki", "legal_name_sv": "Borgå stad", "business_id": "0201256-6"}
    page = client.get(response["Location"]).content.decode()
    assert "The legal names and business ID of Porvoo were saved." in page
    assert 'value="Porvoon kaupunki"' in page and 'value="0201256-6"' in page

    # Correcting one name records only what changed; saving the same again records nothing.
    identity(client, porvoo, **{"li-legal_name_sv": "Borgå stad (rättad)"})
    event = AuditEvent.objects.filter(action="registry.legal_identity_set", object_id=str(porvoo.pk)).order_by("-id").first()
    assert (event.before, event.after) == ({"legal_name_sv": "Borgå stad"}, {"legal_name_sv": "Borgå stad (rättad)"})
    identity(client, porvoo, **{"li-legal_name_sv": "Borgå stad (rättad)"})
    assert AuditEvent.objects.filter(action="registry.legal_identity_set", object_id=str(porvoo.pk)).count() == 2


def test_an_invalid_business_id_is_refused_and_nothing_typed_is_lost(client, official):
    porvoo = factories.municipality("Porvoo", code="638", name_sv="Borgå", business_id="0201256-6")
    response = identity(client, porvoo, **{"li-legal_name_fi": "Porvoon kaupunki", "li-business_id": "1234567-8"})
    page = response.content.decode()
    assert response.status_code == 400
    assert INVALID in page and 'href="#id_li-business_id"' in page
    assert 'value="Porvoon kaupunki"' in page and 'value="Borgå stad"' in page and 'value="1234567-8"' in page
    porvoo.refresh_from_db()
    assert (porvoo.legal_name_fi, porvoo.business_id) == ("", "0201256-6")
    assert not AuditEvent.objects.filter(action="registry.legal_identity_set").exists()


def test_a_business_id_of_another_organisation_is_refused(client, official):
    factories.joint_authority("Vanha", business_id="0201256-6")
    porvoo = factories.municipality("Porvoo", code="638")
    response = identity(client, porvoo)
    assert response.status_code == 400
    assert "Another organisation already has this business ID." in response.content.decode()
    porvoo.refresh_from_db()
    assert porvoo.business_id is None and porvoo.legal_name_fi == ""


def test_the_service_refuses_a_taken_business_id_and_a_non_official(official):
    from django.core.exceptions import PermissionDenied

    from kuntadigi.registry import services

    factories.joint_authority("Vanha", business_id="0201256-6")
    porvoo = factories.municipality("Porvoo", code="638")
    with pytest.raises(ValidationError) as error:
        services.set_legal_identity(official, porvoo, "Porvoon kaupunki", "Borgå stad", "0201256-6")
    assert error.value.message_dict == {"business_id": ["Another organisation already has this business ID."]}
    with pytest.raises(PermissionDenied):
        services.set_legal_identity(factories.member(porvoo, admin=True), porvoo, "Porvoon kaupunki", "", "")
    organisation, changed = services.set_legal_identity(official, porvoo, " Porvoon kaupunki ", "", "")
    assert (organisation.legal_name_fi, organisation.business_id, changed) == ("Porvoon kaupunki", None, ["legal_name_fi"])


def test_the_organisation_page_shows_languages_and_the_merger(client, official):
    kankaanpaa = factories.municipality("Kankaanpää", code="214", language_status=0, majority_language="fi")
    honkajoki = factories.municipality("Honkajoki", code="099", language_status=0, majority_language="fi")
    factories.merged(honkajoki, kankaanpaa, date(2020, 12, 31))
    kristinestad = factories.municipality("Kristiinankaupunki", code="287", name_sv="Kristinestad", language_status=3, majority_language="sv")

    page = client.get(reverse("registry:organisation", args=[honkajoki.pk])).content.decode()
    assert "until 31.12.2020" in page
    assert "merged into Kankaanpää on 1.1.2021" in page
    assert "(unilingual Finnish)" in page
    page = client.get(reverse("registry:organisation", args=[kankaanpaa.pk])).content.decode()
    assert "Predecessors" in page and "Honkajoki" in page and "valid, no end date" in page
    page = client.get(reverse("registry:organisation", args=[kristinestad.pk])).content.decode()
    assert "(bilingual, Swedish majority)" in page

    registry = client.get(reverse("registry:organisations")).content.decode()
    assert "Municipalities that no longer exist" in registry and "31.12.2020" in registry
    # The choice form opens an organisation's page; a choice that names nothing says so.
    response = client.get(reverse("registry:organisations"), {"organisation": str(kristinestad.pk)})
    assert response.status_code == 302 and response["Location"] == reverse("registry:organisation", args=[kristinestad.pk])
    assert client.get(reverse("registry:organisations"), {"organisation": "999999"}).status_code == 400


@pytest.mark.parametrize("person", ["member", "admin", "anonymous"])
def test_registry_page_is_for_officials_only(client, person):
    org = factories.municipality()
    if person != "anonymous":
        client.force_login(factories.member(org, admin=person == "admin"))
    for response in [
        client.get(reverse("registry:organisations")),
        add(client),
        client.get(reverse("registry:organisation", args=[org.pk])),
        identity(client, org),
    ]:
        assert response.status_code in (302, 404)
        if person != "anonymous":
            assert response.status_code == 404
    assert not Organisation.objects.filter(kind=Organisation.Kind.JOINT_AUTHORITY).exists()
    org.refresh_from_db()
    assert org.business_id is None and org.legal_name_fi == ""


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

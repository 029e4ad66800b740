"""The registry page in Finnish and Swedish: an official's errors and the organisation's facts are
translated (the other registry tests read the English source texts)."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "invalid", "merged", "languages"),
    [
        ("fi", "Tämä ei ole kelvollinen Y-tunnus", "liitettiin 1.1.2021 kuntaan Kankaanpää", "suomi, ruotsi (kaksikielinen, enemmistön kieli suomi)"),
        ("sv", "Detta är inte ett giltigt FO-nummer", "slogs samman med Kankaanpää den 1.1.2021", "finska, svenska (tvåspråkig, majoritetens språk finska)"),
    ],
)
def test_the_legal_identity_form_speaks_the_officials_language(client, language, invalid, merged, languages):
    client.force_login(factories.user(official=True))
    kankaanpaa = factories.municipality("Kankaanpää", code="214")
    honkajoki = factories.municipality("Honkajoki", code="099", language_status=1, majority_language="fi")
    factories.merged(honkajoki, kankaanpaa, date(2020, 12, 31))
    with translation.override(language):
        url = reverse("registry:organisation", args=[honkajoki.pk])
    response = client.post(url, {"li-legal_name_fi": "Honkajoen kunta", "li-legal_name_sv": "Honkajoki kommun", "li-business_id": "1234567-8"})
    page = response.content.decode()
    assert response.status_code == 400
    assert invalid in page
    assert 'value="Honkajoen kunta"' in page and 'value="Honkajoki kommun"' in page
    assert merged in page
    assert languages.lower() in page.lower()

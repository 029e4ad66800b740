"""Who takes part, by the call's rules, where a lead or a partner is chosen and at submission: a joint
municipal authority does not count towards the minimum of municipalities, and Åland's municipalities
take part only in a call that allows them (Call.aland_may_apply)."""

import html
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from kuntadigi.applications import drafting, submission
from kuntadigi.applications.errors import Refused
from kuntadigi.applications.models import Application, Participant
from tests import factories
from tests.integration import submission_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def text(response) -> str:
    return html.unescape(response.content.decode())


def start(client, call, lead, language="en"):
    return client.post(f"/{language}/calls/{call.slug}/apply/", {"lead": lead.pk, "language": "sv"})


def test_a_municipality_of_aland_cannot_start_an_application_in_a_call_that_does_not_allow_it(client, call_2020, during_call):
    mariehamn = factories.municipality("Maarianhamina", name_sv="Mariehamn", region_code="21")
    client.force_login(factories.member(mariehamn))
    response = start(client, call_2020, mariehamn)
    assert response.status_code == 403
    assert "Maarianhamina is a municipality of Åland, and Åland's municipalities may not apply in this call." in text(response)
    assert not Application.objects.exists()
    with translation.override("sv"):
        page = text(start(client, call_2020, mariehamn, "sv"))
    assert "Mariehamn är en kommun på Åland, och Ålands kommuner kan inte söka understöd i denna utlysning." in page


def test_a_call_that_allows_aland_lets_its_municipality_lead(client, during_call):
    call = factories.call(aland_may_apply=True)
    mariehamn = factories.municipality("Maarianhamina", name_sv="Mariehamn", region_code="21")
    client.force_login(factories.member(mariehamn))
    assert start(client, call, mariehamn).status_code == 302
    assert Application.objects.get().lead == mariehamn


def test_a_municipality_of_aland_cannot_be_added_as_a_partner(client, call_2020, during_call):
    porvoo = factories.municipality("Porvoo", name_sv="Borgå")
    jomala = factories.municipality("Jomala", region_code="21")
    person = factories.member(porvoo)
    application = drafting.start_application(person, call_2020, porvoo, "fi")
    client.force_login(person)
    response = client.post(reverse("applications:partners", args=[application.pk]), {"action": "add", "organisation": "Jomala"})
    assert response.status_code == 200
    assert "Jomala is a municipality of Åland, and Åland's municipalities may not apply in this call." in text(response)
    assert response.context["search_form"].errors["organisation"]  # on the field, linked from the error summary
    assert not Participant.objects.filter(organisation=jomala).exists()
    with pytest.raises(Refused, match="municipality of Åland"):
        drafting.add_partner(person, application, jomala)
    # The partners page says the call's rules before anyone tries.
    page = text(client.get(reverse("applications:partners", args=[application.pk])))
    assert "Joint municipal authorities may take part, but they do not count towards the minimum." in page
    assert "Åland's municipalities may not apply in this call." in page


def test_submission_names_a_municipality_of_aland_that_the_call_no_longer_allows(call_2020, during_call):
    """The rule is checked again at submission: a call's rule may change after a partner was added."""
    jomala = factories.municipality("Jomala", region_code="21")
    app = submission_data.application(call_2020, partners=[factories.municipality("Vaasa"), jomala])
    problems = submission.validate_for_submission(submission.load_for_content(app.pk))
    assert [(p.field, p.code, str(p.message)) for p in problems] == [
        ("partners", "aland_not_allowed", "Jomala is a municipality of Åland, and Åland's municipalities may not apply in this call.")
    ]
    call_2020.aland_may_apply = True
    call_2020.save()
    app = submission.load_for_content(app.pk)
    assert submission.validate_for_submission(app) == []


def test_a_joint_authority_partner_does_not_make_a_joint_project_of_two_municipalities(client, call_2020, during_call):
    authority = factories.joint_authority("Itä-Uudenmaan kuntayhtymä", business_id="1234567-8")
    app = submission_data.application(call_2020, partners=[authority], requested=Decimal("12750.00"))
    problems = submission.validate_for_submission(submission.load_for_content(app.pk))
    assert [(p.code, str(p.message)) for p in problems] == [
        (
            "too_few_municipalities",
            "The project needs at least 2 municipalities, the lead applicant included. "
            "Joint municipal authorities take part but do not count towards the minimum.",
        )
    ]
    # The lead sees it on the submission page, linked to the partners.
    client.force_login(app.created_by)
    page = client.get(reverse("applications:submit", args=[app.pk])).content.decode()
    assert "Joint municipal authorities take part but do not count towards the minimum." in page
    assert reverse("applications:partners", args=[app.pk]) + "#partners" in page
    # A second municipality makes it a joint project; the joint authority still takes part.
    partner = Participant.objects.create(application=app, organisation=factories.municipality("Vaasa"), role=Participant.Role.PARTNER)
    submission_data.add_line(partner, "services", 1000, "Koulutus")
    submission_data.confirm(partner, app.created_by)
    assert submission.validate_for_submission(submission.load_for_content(app.pk)) == []

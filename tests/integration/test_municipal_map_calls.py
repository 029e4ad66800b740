"""A call offers only the municipalities that exist on its opening day (issue 10, section 6): the real
reference data and calls (load_reference_data, load_calls). Honkajoki merged into Kankaanpää on
1.1.2021, so the 2021 call does not offer it; Valtimo merged into Nurmes on 1.1.2020, so the 2019
joint-projects call (opened 13.11.2019) offers it and the 2020 call does not."""

from datetime import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from kuntadigi import clock
from kuntadigi.applications import drafting, submission
from kuntadigi.applications.errors import Refused
from kuntadigi.applications.models import Participant
from kuntadigi.calls.models import Call
from kuntadigi.registry import services as registry_services
from kuntadigi.registry.models import Organisation
from tests import factories
from tests.integration import submission_data

pytestmark = pytest.mark.django_db

HONKAJOKI_2021 = "Honkajoki merged into Kankaanpää on 1.1.2021 and cannot take part in this call."
VALTIMO_2020 = "Valtimo merged into Nurmes on 1.1.2020 and cannot take part in this call."


@pytest.fixture
def world(settings):
    settings.LOCALE_PATHS = []  # the interface's texts in English, the source language
    call_command("load_reference_data", stdout=StringIO())
    call_command("load_calls", stdout=StringIO())
    return {code: Organisation.objects.get(municipality_code=code) for code in ("099", "214", "911", "541", "609")}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def during(call: Call) -> None:
    clock.set_now(call.opens_at.replace(microsecond=0) + (call.closes_at - call.opens_at) / 2)


def names(organisations) -> set[str]:
    return {org.name_fi for org in organisations}


def test_each_call_offers_the_municipalities_of_its_opening_day(world):
    offered = {}
    for slug in ("digi-2019-2", "digi-2020", "digi-2021"):
        call = Call.objects.get(slug=slug)
        during(call)
        lead = world["609"]  # Pori
        application = drafting.start_application(factories.member(lead), call, lead, "fi")
        offered[slug] = names(drafting.partner_candidates(application))
    assert "Valtimo" in offered["digi-2019-2"] and "Honkajoki" in offered["digi-2019-2"]
    assert "Valtimo" not in offered["digi-2020"] and "Honkajoki" in offered["digi-2020"]
    assert "Valtimo" not in offered["digi-2021"] and "Honkajoki" not in offered["digi-2021"]
    assert {"Kankaanpää", "Nurmes"} <= offered["digi-2021"]
    assert len(offered["digi-2019-2"]) == 310  # 311 municipalities, less the lead
    assert len(offered["digi-2021"]) == 308


def test_the_2021_call_refuses_honkajoki_as_a_partner_with_the_merger(client, world):
    call = Call.objects.get(slug="digi-2021")
    during(call)
    pori = world["609"]
    user = factories.member(pori)
    application = drafting.start_application(user, call, pori, "fi")

    found = drafting.find_partner(application, "Honkajoki")
    assert (found.exact, found.matches, found.refused) == (None, [], HONKAJOKI_2021)
    assert drafting.find_partner(application, "099").refused == HONKAJOKI_2021
    assert names(drafting.find_partner(application, "honka").matches) == set()
    with pytest.raises(Refused) as refused:
        drafting.add_partner(user, application, world["099"])
    assert refused.value.message == HONKAJOKI_2021
    assert not application.participants.filter(organisation=world["099"]).exists()

    # The picker without JavaScript says why, and keeps what was typed.
    client.force_login(user)
    response = client.post(reverse("applications:partners", args=[application.pk]), {"organisation": "Honkajoki"})
    page = response.content.decode()
    assert HONKAJOKI_2021 in page
    assert 'value="Honkajoki"' in page
    assert '<option value="099 Honkajoki">' not in page and '<option value="214 Kankaanpää">' in page
    # A suggestion chosen from an old page is refused the same way.
    response = client.post(reverse("applications:partners", args=[application.pk]), {"organisation_id": str(world["099"].pk)})
    assert HONKAJOKI_2021 in response.content.decode()
    assert not application.participants.filter(organisation=world["099"]).exists()


def test_honkajoki_cannot_lead_in_2021_but_could_in_2020(world):
    honkajoki = world["099"]
    user = factories.member(honkajoki)
    call_2021 = Call.objects.get(slug="digi-2021")
    during(call_2021)
    with pytest.raises(Refused) as refused:
        drafting.start_application(user, call_2021, honkajoki, "fi")
    assert refused.value.message == HONKAJOKI_2021
    call_2020 = Call.objects.get(slug="digi-2020")
    during(call_2020)
    assert drafting.start_application(user, call_2020, honkajoki, "fi").lead == honkajoki


def test_the_2020_call_refuses_valtimo_and_the_2019_call_takes_it(world):
    valtimo = world["911"]
    call_2020 = Call.objects.get(slug="digi-2020")
    during(call_2020)
    pori = world["609"]
    user = factories.member(pori)
    application = drafting.start_application(user, call_2020, pori, "fi")
    with pytest.raises(Refused) as refused:
        drafting.add_partner(user, application, valtimo)
    assert refused.value.message == VALTIMO_2020

    call_2019 = Call.objects.get(slug="digi-2019-2")
    during(call_2019)
    application = drafting.start_application(user, call_2019, pori, "fi")
    assert drafting.find_partner(application, "Valtimo").exact == valtimo
    drafting.add_partner(user, application, valtimo)
    assert application.participants.filter(organisation=valtimo, role=Participant.Role.PARTNER).exists()


def test_submission_refuses_a_party_that_had_merged_before_the_call_opened(client, world):
    """A party on the application before the registry knew of the merger (the row written directly) is
    caught at submission, with the merger named and a link to the partners page."""
    call = Call.objects.get(slug="digi-2021")
    during(call)
    pori, honkajoki = world["609"], world["099"]
    user = factories.member(pori)
    application = submission_data.application(call, lead=pori, partners=[honkajoki], created_by=user, requested=Decimal("12750.00"))

    problems = submission.validate_for_submission(submission.load_for_content(application.pk))
    assert [(p.field, p.message) for p in problems] == [("partners", HONKAJOKI_2021)]
    result = submission.submit_application(user, application.pk)
    assert result.submission is None and [p.message for p in result.problems] == [HONKAJOKI_2021]

    client.force_login(user)
    page = client.get(reverse("applications:submit", args=[application.pk])).content.decode()
    assert HONKAJOKI_2021 in page
    assert reverse("applications:partners", args=[application.pk]) + "#partners" in page


def test_the_registry_picker_answers_for_a_day(world):
    opening_2021 = clock.helsinki(Call.objects.get(slug="digi-2021").opens_at).date()
    lookup = registry_services.find_organisation("Honkajoki", on=opening_2021)
    assert (lookup.match, lookup.refused) == (None, HONKAJOKI_2021)
    assert registry_services.find_organisation("Honkajoki", on=datetime(2020, 6, 25).date()).match == world["099"]
    assert registry_services.find_organisation("Honkajoki").match == world["099"]  # no day: the whole registry
    assert not registry_services.active_organisations(on=opening_2021).filter(municipality_code__in=["099", "911"]).exists()
    assert registry_services.active_organisations(on=opening_2021).filter(municipality_code="214").exists()


def test_generated_applications_take_only_the_municipalities_of_the_opening_day(world):
    # About a thousand parties drawn from the map of 18.2.2021: neither Honkajoki nor Valtimo among them.
    call_command("generate_bulk", call="digi-2021", count=300, seed=7, stdout=StringIO())
    taking_part = set(Participant.objects.filter(application__call__slug="digi-2021").values_list("organisation__municipality_code", flat=True))
    assert len(taking_part) > 250
    assert not taking_part & {"099", "911"}

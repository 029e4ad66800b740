"""My applications: every organisation the user acts for, as lead or partner, in constant queries."""

import re
from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from kuntadigi import clock
from kuntadigi.applications import drafting
from kuntadigi.applications.snapshot import partner_budget_hash
from tests import factories
from tests.integration.drafting_support import Draft

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def section(page: str, heading_id: str) -> str:
    match = re.search(rf'<h2 id="{heading_id}">.*?(?=<h2 |</main>)', page, re.S)
    return match[0] if match else ""


def test_partner_sees_the_application_and_that_its_confirmation_is_needed(client, during_call):
    draft = Draft()
    loviisa = factories.municipality("Loviisa", code="434", name_sv="Lovisa")
    participant = draft.add_partner(loviisa)
    drafting.save_draft(draft.user, draft.application, {"project_name": "Yhteinen kokous"}, draft.refresh().version)
    partner_user = factories.member(loviisa)
    client.force_login(partner_user)
    page = client.get(reverse("applications:mine")).content.decode()
    as_partner = section(page, "as-partner")
    assert "DIGI-2020-0001" in as_partner and "Yhteinen kokous" in as_partner
    assert "Porvoo" in as_partner  # the lead
    assert "State grant for promoting digitalisation in municipalities 2020" in as_partner
    assert "5 October 2020 at 16:15" in as_partner  # the deadline
    assert "Draft" in as_partner
    assert "Your confirmation is needed" in as_partner
    assert f'href="{reverse("applications:detail", kwargs={"pk": draft.application.pk})}"' in as_partner
    assert "DIGI-2020-0001" not in section(page, "as-lead")
    # Once confirmed (for the budget as it is), the reminder goes.
    participant.confirmed_at = clock.now()
    participant.confirmed_by = partner_user
    participant.confirmed_budget_hash = partner_budget_hash(participant)
    participant.save()
    page = client.get(reverse("applications:mine")).content.decode()
    assert "Your confirmation is needed" not in page


def test_lead_and_partner_roles_are_grouped(client, during_call):
    porvoo = factories.municipality("Porvoo", code="638")
    person = factories.member(porvoo)
    led = Draft(lead=porvoo, user=person)
    other = Draft(call=led.call, lead=factories.municipality("Sipoo", code="753"))
    other.add_partner(porvoo)
    factories_unrelated = Draft(call=led.call, lead=factories.municipality("Kotka", code="285"))
    client.force_login(person)
    page = client.get(reverse("applications:mine")).content.decode()
    assert led.application.reference in section(page, "as-lead")
    assert "Continue editing" in section(page, "as-lead")
    assert other.application.reference in section(page, "as-partner")
    assert factories_unrelated.application.reference not in page
    assert reverse("applications:start", kwargs={"call_slug": "digi-2020"}) in page


def test_closed_call_does_not_ask_for_confirmation(client, during_call):
    draft = Draft()
    loviisa = factories.municipality("Loviisa", code="434")
    draft.add_partner(loviisa)
    client.force_login(factories.member(loviisa))
    clock.set_now(datetime(2020, 10, 6, 9, 0, tzinfo=factories.HKI))
    page = client.get(reverse("applications:mine")).content.decode()
    assert draft.application.reference in page and "Your confirmation is needed" not in page


def test_user_without_organisations_is_told_how_to_join(client, during_call):
    client.force_login(factories.user())
    page = client.get(reverse("applications:mine")).content.decode()
    assert reverse("accounts:organisations") in page


def test_number_of_queries_does_not_grow_with_applications(client, during_call, django_assert_max_num_queries):
    porvoo = factories.municipality("Porvoo", code="638")
    person = factories.member(porvoo)
    call = factories.call()

    def add_some():
        lead = Draft(call=call, lead=porvoo, user=person)
        lead.add_partner(factories.municipality())
        partnered = Draft(call=call, lead=factories.municipality())
        partner = partnered.add_partner(porvoo)
        application = partnered.refresh()
        drafting.save_budget(partnered.user, application, partnered.lines((partner, "staff", "10"), (partner, "travel", "5")), None, application.version)

    add_some()
    client.force_login(person)
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("applications:mine"))
    for _ in range(4):
        add_some()
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        page = client.get(reverse("applications:mine")).content.decode()
    assert section(page, "as-lead").count("DIGI-2020-") + section(page, "as-partner").count("DIGI-2020-") == 10
    assert len(large.captured_queries) == len(small.captured_queries)


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(reverse("applications:mine"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:sign_in"))

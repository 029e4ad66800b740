"""Partners: the picker without JavaScript, removing with its budget lines, confirmation states."""

import re
from datetime import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from kuntadigi import clock
from kuntadigi.applications import drafting
from kuntadigi.applications.models import BudgetLine, Participant
from kuntadigi.applications.snapshot import partner_budget_hash
from kuntadigi.audit.models import AuditEvent
from tests import factories
from tests.integration.drafting_support import Draft

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def draft(during_call):
    return Draft()


@pytest.fixture
def towns(db):
    towns = {
        "loviisa": factories.municipality("Loviisa", code="434", name_sv="Lovisa"),
        "askola": factories.municipality("Askola", code="018"),
        "pornainen": factories.municipality("Pornainen", code="611", name_sv="Borgnäs"),
        "sipoo": factories.municipality("Sipoo", code="753", name_sv="Sibbo"),
        "ajk": factories.joint_authority("Itä-Uudenmaan kuntayhtymä", business_id="1234567-8"),
    }
    for town in towns.values():  # someone acts for each, so adding one needs no address (test_partner_notices.py)
        factories.member(town)
    return towns


def partner_names(application):
    return sorted(application.participants.filter(role="partner").values_list("organisation__name_fi", flat=True))


def partners_section(page: str) -> str:
    return re.search(r'<div class="table-wrap" id="partners">(.*?)</div>', page, re.S)[1]


def test_page_lists_the_lead_and_offers_suggestions(client, draft, towns):
    client.force_login(draft.user)
    page = client.get(draft.url("partners")).content.decode()
    assert "Porvoo – Borgå" in partners_section(page)
    assert '<datalist id="organisation-options">' in page
    assert '<option value="434 Loviisa – Lovisa">' in page
    assert '<option value="Itä-Uudenmaan kuntayhtymä">' in page
    assert '<option value="638 Porvoo – Borgå">' not in page  # already in
    assert 'list="organisation-options"' in page and "Add partner" in page
    # One municipality alone is a valid draft; the page says what submission will need.
    assert "The project needs at least 2 municipalities, the lead applicant included." in page
    assert "Joint municipal authorities take part but do not count towards the minimum." in page


@pytest.mark.parametrize("typed", ["Loviisa", "lovisa", "  LOVIISA ", "434", "434 Loviisa – Lovisa", "Loviisa – Lovisa"])
def test_exact_name_or_code_adds_the_partner_without_javascript(client, draft, towns, typed):
    client.force_login(draft.user)
    response = client.post(draft.url("partners"), {"action": "add", "organisation": typed})
    assert response.status_code == 302
    assert partner_names(draft.application) == ["Loviisa"]
    assert draft.refresh().version == 2
    assert AuditEvent.objects.filter(action="application.partner_added", application_id=draft.application.pk).count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "Loviisa was added as a partner." in page
    assert "Waiting for confirmation" in partners_section(page)


def test_swedish_name_with_letters_outside_ascii(client, draft, towns):
    client.force_login(draft.user)
    client.post(draft.url("partners"), {"action": "add", "organisation": "BORGNÄS"})
    assert partner_names(draft.application) == ["Pornainen"]


def test_partial_text_shows_matches_to_choose_with_buttons(client, draft, towns):
    client.force_login(draft.user)
    response = client.post(draft.url("partners"), {"action": "add", "organisation": "por"})
    page = response.content.decode()
    assert response.status_code == 200
    assert partner_names(draft.application) == []
    buttons = re.findall(r'<button type="submit" class="button button-secondary" name="organisation_id" value="(\d+)">([^<]+)</button>', page)
    assert [label for _pk, label in buttons] == ["Add Pornainen – Borgnäs"]  # Porvoo itself is already in
    response = client.post(draft.url("partners"), {"action": "add", "organisation_id": buttons[0][0]})
    assert response.status_code == 302
    assert partner_names(draft.application) == ["Pornainen"]


def test_unknown_and_already_in_are_explained(client, draft, towns):
    client.force_login(draft.user)
    page = client.post(draft.url("partners"), {"action": "add", "organisation": "Atlantis"}).content.decode()
    assert "No active municipality or joint authority matches “Atlantis”." in page
    assert 'href="#id_organisation"' in page
    page = client.post(draft.url("partners"), {"action": "add", "organisation": "Porvoo"}).content.decode()
    assert "Porvoo already takes part in the application." in page
    page = client.post(draft.url("partners"), {"action": "add", "organisation": ""}).content.decode()
    assert "Type the name of the municipality or joint authority to add." in page
    assert partner_names(draft.application) == []


def test_joint_authority_can_be_a_partner(client, draft, towns):
    client.force_login(draft.user)
    client.post(draft.url("partners"), {"action": "add", "organisation": "1234567-8"})
    assert partner_names(draft.application) == ["Itä-Uudenmaan kuntayhtymä"]


def test_inactive_organisation_is_refused(draft, towns):
    towns["askola"].is_active = False
    towns["askola"].save()
    with pytest.raises(drafting.Refused, match="not active"):
        draft.add_partner(towns["askola"])
    assert drafting.find_partner(draft.application, "Askola").exact is None


def test_only_lead_staff_add_partners(client, draft, towns):
    draft.add_partner(towns["loviisa"])
    client.force_login(factories.member(towns["loviisa"]))
    page = client.get(draft.url("partners")).content.decode()
    assert "Add partner" not in page and "Remove" not in page
    client.post(draft.url("partners"), {"action": "add", "organisation": "Sipoo"})
    assert partner_names(draft.application) == ["Loviisa"]
    client.force_login(factories.member(towns["sipoo"]))
    assert client.get(draft.url("partners")).status_code == 404


def test_remove_asks_first_then_removes_the_partner_and_its_lines(client, draft, towns):
    loviisa = draft.add_partner(towns["loviisa"])
    application = draft.refresh()
    lines = draft.lines((draft.lead_participant(), "staff", "1000"), (loviisa, "travel", "250"), (loviisa, "staff", "100"))
    drafting.save_budget(draft.user, application, lines, None, application.version)
    client.force_login(draft.user)
    page = client.get(draft.url("partners")).content.decode()
    assert f'href="?remove={loviisa.pk}"' in page
    confirm = client.get(draft.url("partners") + f"?remove={loviisa.pk}").content.decode()
    assert "Remove Loviisa?" in confirm
    assert "its 2 budget lines (350.00\u00a0€) are deleted too" in confirm
    assert "Remove Loviisa and its budget lines" in confirm
    assert Participant.objects.filter(pk=loviisa.pk).exists()  # asking changed nothing
    response = client.post(draft.url("partners"), {"action": "remove", "participant": loviisa.pk})
    assert response.status_code == 302
    assert partner_names(draft.application) == []
    assert list(BudgetLine.objects.values_list("amount", flat=True)) == [Decimal("1000.00")]
    event = AuditEvent.objects.get(action="application.partner_removed")
    assert len(event.before["budget_lines"]) == 2


def test_the_lead_cannot_be_removed(client, draft):
    client.force_login(draft.user)
    lead = draft.lead_participant()
    assert client.get(draft.url("partners") + f"?remove={lead.pk}").status_code == 404
    client.post(draft.url("partners"), {"action": "remove", "participant": lead.pk})
    assert Participant.objects.filter(pk=lead.pk).exists()


def test_confirmation_states(client, draft, towns):
    loviisa = draft.add_partner(towns["loviisa"])
    sipoo = draft.add_partner(towns["sipoo"])
    application = draft.refresh()
    drafting.save_budget(draft.user, application, draft.lines((loviisa, "staff", "100"), (sipoo, "staff", "200")), None, application.version)
    confirmer = factories.member(towns["loviisa"])
    for participant in (loviisa, sipoo):
        participant.refresh_from_db()
        participant.confirmed_at = datetime(2020, 10, 1, 10, 30, tzinfo=factories.HKI)
        participant.confirmed_by = confirmer
        participant.confirmed_budget_hash = partner_budget_hash(participant)
        participant.save()
    # Sipoo's line changes after it confirmed: it is asked again. Loviisa's line keeps its identity.
    application = draft.refresh()
    lines = [dict(line) for line in drafting.stored_lines(application)]
    for line in lines:
        if line["participant_id"] == sipoo.pk:
            line["amount"] = Decimal("250.00")
    drafting.save_budget(draft.user, application, lines, None, application.version)
    draft.add_partner(towns["askola"])
    client.force_login(draft.user)
    section = partners_section(client.get(draft.url("partners")).content.decode())
    rows = {name: row for row in re.findall(r"<tr>(.*?)</tr>", section, re.S) for name in ("Loviisa", "Sipoo", "Askola") if name in row}
    assert "confirmed on 1 October 2020 at 10:30" in rows["Loviisa"] and "Confirmed" in rows["Loviisa"]
    assert "asked again" not in rows["Loviisa"]
    assert "Budget changed – asked again" in rows["Sipoo"]
    assert "Waiting for confirmation" in rows["Askola"]


def test_closed_call_freezes_partners(client, draft, towns):
    client.force_login(draft.user)
    clock.set_now(datetime(2020, 10, 6, 9, 0, tzinfo=factories.HKI))
    client.post(draft.url("partners"), {"action": "add", "organisation": "Loviisa"})
    assert partner_names(draft.application) == []


def test_a_single_municipality_draft_is_allowed_as_a_draft(client, draft):
    """Only the lead: every page saves; the cooperation rule is shown as something to fix before submitting."""
    client.force_login(draft.user)
    application = draft.refresh()
    saved, _changed = drafting.save_draft(draft.user, application, {"project_name": "Alone for now"}, application.version)
    drafting.save_budget(draft.user, saved, draft.lines((draft.lead_participant(), "staff", "100")), Decimal("85.00"), saved.version)
    assert draft.refresh().version == 3
    page = client.get(draft.url("partners")).content.decode()
    assert "Add at least one partner: the call funds only joint projects." in page
    assert 'class="error-summary"' not in page


@pytest.mark.parametrize("unknown", ["99999999999999999999", "9223372036854775808", "-1", "0", "999999", "abc", "1.5"])
def test_an_unknown_organisation_id_is_a_form_error_not_a_crash(client, draft, towns, unknown):
    client.force_login(draft.user)
    response = client.post(draft.url("partners"), {"action": "add", "organisation_id": unknown})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Choose the organisation again." in page
    assert partner_names(draft.application) == []

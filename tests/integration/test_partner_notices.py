"""Partners are told and answer: the e-mail when a partner is added (to its members, or to an address
the lead gives when it has none), declining with a reason, asking again, the copy of the receipt, and
the landing page that lists first what waits for the person."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from kuntadigi import clock
from kuntadigi.applications import drafting, submission
from kuntadigi.applications.errors import Refused
from kuntadigi.applications.models import Participant
from kuntadigi.audit.models import AuditEvent
from tests import factories
from tests.integration import submission_data
from tests.integration.drafting_support import Draft

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _committed(monkeypatch):
    """The e-mail tasks run when the change commits; here (inside the test's transaction) at once,
    except for a change that was refused (its atomic block raised before queueing anything)."""
    from kuntadigi.core import tasks

    at_once = lambda task, *args: task.enqueue(*args)  # noqa: E731
    monkeypatch.setattr(tasks, "enqueue_with_transaction", at_once)
    monkeypatch.setattr(submission, "enqueue_with_transaction", at_once)


@pytest.fixture
def draft(during_call):
    draft = Draft()
    drafting.save_draft(draft.user, draft.application, {"project_name": "Yhteinen asiointi"}, draft.refresh().version)
    return draft


@pytest.fixture
def loviisa(db):
    return factories.municipality("Loviisa", code="434", name_sv="Lovisa")


def partners_url(draft) -> str:
    with translation.override("fi"):
        return draft.url("partners")


def add_on_page(client, draft, organisation, email=""):
    client.force_login(draft.user)
    typed = f"{organisation.municipality_code} {organisation.both_names}"
    return client.post(partners_url(draft), {"action": "add", "organisation": typed, "notify_email": email})


def messages_to(address):
    return [message for message in mail.outbox if address in message.to]


# ── The e-mail to a partner added ────────────────────────────────────────────


def test_a_partner_added_is_told_by_email_in_each_members_language(client, draft, loviisa, mailoutbox):
    finnish = factories.member(loviisa, "anna@lovisa.example.fi", language="fi")
    swedish = factories.member(loviisa, "bo@lovisa.example.fi", language="sv")
    response = add_on_page(client, draft, loviisa)
    assert response.status_code == 302
    participant = draft.application.participants.get(organisation=loviisa)
    confirm = f"?organisation={loviisa.pk}"

    [fi] = messages_to(finnish.email)
    assert fi.subject == "Vahvistus tarvitaan: Loviisa osatoteuttajana hakemuksessa DIGI-2020-0001"
    assert "Porvoo on lisännyt organisaation Loviisa osatoteuttajaksi" in fi.body
    assert "Lisääjä: Liisa Lead" in fi.body
    assert "Yhteinen asiointi" in fi.body and "DIGI-2020-0001" in fi.body
    assert "Valtionavustus kuntien digitalisaation edistämiseen 2020" in fi.body
    assert "Hakuaika päättyy: 5.10.2020 klo 16.15" in fi.body
    with translation.override("fi"):
        assert reverse("applications:confirm", args=[participant.application_id]) + confirm in fi.body

    [sv] = messages_to(swedish.email)
    assert sv.subject == "Bekräftelse behövs: Lovisa som delgenomförare i ansökan DIGI-2020-0001"
    assert "5.10.2020 kl. 16.15" in sv.body
    assert confirm in sv.body
    with translation.override("sv"):
        assert reverse("applications:confirm", args=[participant.application_id]) in sv.body


def test_the_audit_records_who_was_told_without_addresses(client, draft, loviisa, mailoutbox):
    factories.member(loviisa, "anna@lovisa.example.fi")
    add_on_page(client, draft, loviisa)
    event = AuditEvent.objects.get(action="application.partner_added")
    assert event.after["notified_members"] == 1 and event.after["typed_address"] is False
    assert "lovisa.example.fi" not in str(event.after)


def test_an_organisation_without_members_needs_an_address_and_the_form_says_why(client, draft, loviisa, mailoutbox):
    response = add_on_page(client, draft, loviisa)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Kukaan organisaatiosta Loviisa ei vielä käytä kuntadigiä" in page
    assert 'id="id_notify_email_error"' in page
    assert not draft.application.participants.filter(organisation=loviisa).exists()
    assert mailoutbox == []

    response = add_on_page(client, draft, loviisa, "kirjaamo@loviisa.example.fi")
    assert response.status_code == 302
    [message] = mailoutbox
    assert message.to == ["kirjaamo@loviisa.example.fi"]
    assert "pyydä liittymistä organisaatioon Loviisa" in message.body  # how someone without access answers
    event = AuditEvent.objects.get(action="application.partner_added")
    assert event.after["notified_members"] == 0 and event.after["typed_address"] is True
    assert "kirjaamo" not in str(event.after)


def test_a_badly_written_address_is_refused(client, draft, loviisa, mailoutbox):
    response = add_on_page(client, draft, loviisa, "kirjaamo at loviisa")
    assert "Anna sähköpostiosoite muodossa nimi@esimerkki.fi." in response.content.decode()
    assert not draft.application.participants.filter(organisation=loviisa).exists()


def test_nothing_is_sent_when_adding_fails(draft, loviisa, mailoutbox):
    factories.member(loviisa)
    drafting.add_partner(draft.user, draft.application, loviisa, "")
    with pytest.raises(Refused):
        drafting.add_partner(draft.user, draft.application, loviisa, "")  # already in
    assert len(mailoutbox) == 1


# ── Declining ────────────────────────────────────────────────────────────────


@pytest.fixture
def partnered(draft, loviisa):
    member = factories.member(loviisa, "anna@lovisa.example.fi")
    participant = drafting.add_partner(draft.user, draft.application, loviisa)
    mail.outbox.clear()
    return draft, member, participant


def decline_url(draft, lang="fi") -> str:
    with translation.override(lang):
        return draft.url("decline")


def test_a_partner_declines_with_a_reason_and_the_lead_is_told(client, partnered):
    draft, member, participant = partnered
    client.force_login(member)
    response = client.post(decline_url(draft), {"organisation": participant.organisation_id, "decline_reason": "Ei resursseja tänä vuonna."})
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.declined_at and participant.declined_by == member and participant.decline_reason == "Ei resursseja tänä vuonna."
    event = AuditEvent.objects.get(action="application.decline_participation")
    assert event.after["reason"] == "Ei resursseja tänä vuonna."

    [message] = messages_to(draft.user.email)  # the lead's contact person
    assert message.subject == "Loviisa ei osallistu: DIGI-2020-0001"
    assert "Perustelu: Ei resursseja tänä vuonna." in message.body

    client.force_login(draft.user)
    page = client.get(partners_url(draft)).content.decode()
    assert "Ei osallistu" in page and "Ei resursseja tänä vuonna." in page
    assert "Pyydä vahvistusta uudelleen: Loviisa" in page


def test_a_declined_partner_blocks_submission_with_a_clear_message(partnered):
    draft, member, participant = partnered
    submission.decline_participation(member, draft.application, participant.organisation, "Ei resursseja.")
    full = submission.load_for_content(draft.application.pk)
    with translation.override("fi"):
        messages = [str(p.message) for p in submission.validate_for_submission(full) if p.field == "confirmations"]
    assert messages == ["Loviisa ilmoitti, ettei se osallistu. Poista se hakemuksesta tai pyydä sitä uudelleen vahvistamaan osallistumisensa."]


def test_the_reason_is_required_and_short(client, partnered):
    draft, member, participant = partnered
    client.force_login(member)
    empty = client.post(decline_url(draft), {"organisation": participant.organisation_id, "decline_reason": "  "})
    assert empty.status_code == 400
    assert "Kerro hankehallinnoijalle lyhyesti, miksi organisaatiosi ei osallistu." in empty.content.decode()
    long = client.post(decline_url(draft, "sv"), {"organisation": participant.organisation_id, "decline_reason": "x" * 501})
    assert long.status_code == 400
    assert "Förkorta motiveringen till högst 500 tecken (nu 501)." in long.content.decode()
    participant.refresh_from_db()
    assert participant.declined_at is None and mail.outbox == []


def test_only_the_partners_own_staff_decline_others_get_404(client, partnered):
    draft, _member, participant = partnered
    outsider = factories.member(factories.municipality("Oulu", code="564"))
    client.force_login(outsider)
    assert client.post(decline_url(draft), {"organisation": participant.organisation_id, "decline_reason": "x"}).status_code == 404
    client.force_login(draft.user)  # the lead cannot decline for its partner
    assert client.post(decline_url(draft), {"organisation": participant.organisation_id, "decline_reason": "x"}).status_code == 404
    with pytest.raises(Refused) as refused:
        submission.decline_participation(draft.user, draft.application, participant.organisation, "x")
    assert refused.value.message == "Vain osatoteuttajan omat työntekijät voivat ilmoittaa, ettei se osallistu."
    lead = draft.application.participants.get(role="lead")
    with pytest.raises(Refused):
        submission.decline_participation(draft.user, draft.application, lead.organisation, "x")
    participant.refresh_from_db()
    assert participant.declined_at is None


def test_declining_after_the_call_closed_is_refused(client, partnered):
    draft, member, participant = partnered
    clock.set_now(draft.call.closes_at + timedelta(minutes=1))
    with pytest.raises(Refused) as refused:
        submission.decline_participation(member, draft.application, participant.organisation, "Myöhässä.")
    assert refused.value.message == "Hakuaika on päättynyt."
    client.force_login(member)
    with translation.override("fi"):
        page = client.get(draft.url("confirm")).content.decode()
    assert 'name="decline_reason"' not in page


def test_confirming_after_declining_takes_the_decline_back(partnered):
    draft, member, participant = partnered
    submission.decline_participation(member, draft.application, participant.organisation, "Ei resursseja.")
    submission.confirm_participation(member, draft.application, participant.organisation, "Kari Kunnanjohtaja", "kunnanjohtaja")
    participant.refresh_from_db()
    assert participant.confirmed_at and participant.declined_at is None and participant.decline_reason == ""


def test_the_lead_asks_again_and_the_partner_is_emailed_again(client, partnered):
    draft, member, participant = partnered
    submission.decline_participation(member, draft.application, participant.organisation, "Ei resursseja.")
    mail.outbox.clear()
    client.force_login(draft.user)
    response = client.post(partners_url(draft), {"action": "ask_again", "participant": participant.pk})
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.declined_at is None
    [message] = messages_to(member.email)
    assert "Porvoo pyytää organisaatiota Loviisa uudelleen vahvistamaan osallistumisensa" in message.body
    assert AuditEvent.objects.filter(action="application.partner_asked_again").count() == 1
    # A partner that did not decline is not asked again.
    with pytest.raises(Refused):
        drafting.ask_partner_again(draft.user, draft.application, participant.pk)


def test_a_partner_cannot_ask_itself_again(partnered):
    draft, member, participant = partnered
    submission.decline_participation(member, draft.application, participant.organisation, "Ei resursseja.")
    with pytest.raises(Refused):
        drafting.ask_partner_again(member, draft.application, participant.pk)


def test_the_confirmation_page_offers_declining_in_swedish(client, partnered):
    draft, member, participant = partnered
    client.force_login(member)
    with translation.override("sv"):
        page = client.get(draft.url("confirm") + f"?organisation={participant.organisation_id}").content.decode()
    assert "Deltar din organisation inte?" in page and "Meddela att vi inte deltar" in page
    assert 'maxlength="500"' in page


# ── Landing on what waits ────────────────────────────────────────────────────


def test_an_applicant_lands_on_what_waits_for_them(client, partnered):
    draft, member, participant = partnered
    member.set_password("Pitkä salasana 2020!")
    member.save()
    with translation.override("fi"):
        response = client.post(reverse("accounts:sign_in"), {"pw-email": member.email, "pw-password": "Pitkä salasana 2020!"})
        assert response.url == reverse("applications:mine")
        page = client.get(response.url).content.decode()
    waiting = re.search(r'<section class="section waiting".*?</section>', page, re.S)[0]
    assert "Vahvistus tarvitaan:" in waiting and "Loviisa osatoteuttajana hankehallinnoijan Porvoo hakemuksessa" in waiting
    assert f"confirm/?organisation={participant.organisation_id}" in waiting
    assert "hakuaika päättyy 5.10.2020 klo 16.15" in waiting
    # The lead's draft closes today: it waits for the lead.
    client.force_login(draft.user)
    with translation.override("sv"):
        page = client.get(reverse("applications:mine")).content.decode()
    assert "Väntar på dig" in page and "Inte inlämnad ännu:" in page


def test_a_declined_or_confirmed_participation_no_longer_waits(client, partnered):
    draft, member, participant = partnered
    submission.decline_participation(member, draft.application, participant.organisation, "Ei resursseja.")
    client.force_login(member)
    with translation.override("fi"):
        page = client.get(reverse("applications:mine")).content.decode()
    assert "Vahvistus tarvitaan:" not in page and "Juuri nyt mikään ei odota sinua." in page


def test_a_person_without_an_organisation_still_lands_on_joining_one(client):
    person = factories.user("uusi@example.fi", password="Pitkä salasana 2020!")
    response = client.post(reverse("accounts:sign_in"), {"pw-email": person.email, "pw-password": "Pitkä salasana 2020!"})
    assert response.url == reverse("accounts:organisations")


def test_the_landing_page_reads_in_constant_queries(client, during_call, django_assert_max_num_queries):
    porvoo = factories.municipality("Porvoo", code="638")
    person = factories.member(porvoo)
    call = factories.call()
    for index in range(3):
        other = Draft(call=call, lead=factories.municipality(f"Kunta {index}"))
        drafting.add_partner(other.user, other.application, porvoo)
    client.force_login(person)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("applications:mine")).content.decode()
    assert page.count("confirmation-needed") == 3


# ── The partners' copy of the receipt ────────────────────────────────────────


def test_partners_get_a_copy_of_the_receipt_with_a_link_they_may_open(client, during_call):
    call = factories.call()
    lead = factories.municipality("Porvoo", code="638")
    vaasa = factories.municipality("Vaasa", code="905", name_sv="Vasa")
    partner_member = factories.member(vaasa, "vera@vasa.example.fi", language="sv")
    lead_user = factories.member(lead, "lead@porvoo.example.fi")
    app = submission_data.application(call, lead=lead, partners=[vaasa], created_by=lead_user, requested=Decimal("12750.00"))
    mail.outbox.clear()
    result = submission.submit_application(lead_user, app.pk)
    assert result.submission is not None
    [copy] = messages_to(partner_member.email)
    assert copy.subject.startswith("Kopia av mottagningskvittot: ")
    with translation.override("sv"):
        receipt = reverse("applications:receipt", args=[app.pk, result.submission.number])
    assert receipt in copy.body
    client.force_login(partner_member)
    assert client.get(receipt).status_code == 200
    assert Participant.objects.filter(application=app, organisation=vaasa).exists()

"""Delivering a signed decision: by e-mail to an organisation that consented (3rd-day rule), by a letter
the officials print and post to one that did not (7th-day rule), a partner's copy and e-mail in its own
language, read receipts, and what the applicants and the officials see of it."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import translation

from kuntadigi import clock
from kuntadigi.audit.models import AuditEvent
from kuntadigi.decisions import services_decisions as decisions
from kuntadigi.decisions import tasks
from kuntadigi.delivery import services
from kuntadigi.delivery.models import Delivery
from kuntadigi.registry.models import Organisation
from tests import factories
from tests.integration import decisions_support
from tests.integration import delivery_support as support
from tests.integration.delivery_support import ELECTRONIC_SENTENCE, POSTAL_SENTENCE, pdf_text, url, wording


@pytest.fixture
def world(db):
    with translation.override("en"):
        yield support.build_world()


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def delivery_rows(page: str) -> dict[str, str]:
    """The applicant's table of deliveries as text: organisation name -> its row."""
    table = page.split('id="decision-delivery"', 1)[1].split("</table>", 1)[0]
    rows = {}
    for row in table.split("<tr>")[2:]:
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
        rows[text.split(" ", 1)[0]] = text
    return rows


def give_vaasa_an_address() -> None:
    Organisation.objects.filter(municipality_code="905").update(postal_address="PL 2\n65101 Vaasa")


def deliveries_of(decision) -> dict[str, Delivery]:
    return {d.organisation.municipality_code: d for d in Delivery.objects.filter(decision=decision).select_related("organisation")}


def decisions_page(world):
    from django.test import Client

    client = Client()
    client.force_login(world.preparer)
    return client.get(url("decisions:decision_preview", world.apps["fi"].pk))


def addresses() -> set[str]:
    return {message.to[0] for message in mail.outbox}


# ── With consent: e-mail, 3rd day ───────────────────────────────────────────


def test_with_consent_the_decision_is_emailed_and_its_pdf_says_the_3rd_day(world, django_capture_on_commit_callbacks):
    decisions_support.consent_to_email(world.apps["fi"])  # Hämeenlinna and Vaasa

    decision = support.sign(world, "fi", django_capture_on_commit_callbacks)

    assert addresses() == {"yhteys@hameenlinna.fi", "hml@hameenlinna.fi", "vaasa@vaasa.fi"}
    sent = deliveries_of(decision)
    assert {code: (d.channel, d.language, d.own_copy) for code, d in sent.items()} == {"109": ("electronic", "fi", False), "905": ("electronic", "fi", False)}
    assert all(d.sent_on == date(2020, 12, 11) and d.sent_at == decisions_support.DECISION_DAY for d in sent.values())
    assert sent["109"].messages == 2 and sent["905"].messages == 1
    text = pdf_text(decisions.signed_document_bytes(decision))
    assert wording("fi", ELECTRONIC_SENTENCE, day=3) in text
    assert wording("fi", POSTAL_SENTENCE, day=7) not in text
    body = mail.outbox[0].body
    assert "3. päivänä" in body and "/fi/applications/" in body  # the e-mail names the presumed day, in Finnish
    assert not Delivery.objects.filter(channel="post").exists()
    # The officials' view of the signed decision is the stored one, with the lead's channel.
    assert wording("fi", ELECTRONIC_SENTENCE, day=3) in re.sub(r"\s+", " ", page_text(decisions_page(world)))
    notify = AuditEvent.objects.get(action="decision.notify", object_id=str(decision.pk))
    assert [(d["organisation"], d["channel"], d["messages"]) for d in notify.after["deliveries"]] == [
        (sent["109"].organisation_id, "electronic", 2),
        (sent["905"].organisation_id, "electronic", 1),
    ]


def test_the_notification_runs_once(world, django_capture_on_commit_callbacks):
    decisions_support.consent_to_email(world.apps["fi"])
    decision = support.sign(world, "fi", django_capture_on_commit_callbacks)

    assert tasks.notify_decision.call(decision.pk) == 0
    assert services.create_deliveries(decision.pk) == list(Delivery.objects.filter(decision=decision).order_by("-is_lead", "pk"))
    assert len(mail.outbox) == 3 and Delivery.objects.filter(decision=decision).count() == 2


# ── Without consent: a letter, 7th day ──────────────────────────────────────


def test_without_consent_no_email_and_a_letter_for_the_officials(client, world, django_capture_on_commit_callbacks):
    decision = support.sign(world, "fi", django_capture_on_commit_callbacks)

    assert mail.outbox == []
    assert decision.notified_at is not None  # the notification is done: the letters wait for the officials
    text = pdf_text(decisions.signed_document_bytes(decision))
    assert wording("fi", POSTAL_SENTENCE, day=7) in text
    assert wording("fi", ELECTRONIC_SENTENCE, day=3) not in text
    letters = deliveries_of(decision)
    assert {code: (d.channel, d.sent_on) for code, d in letters.items()} == {"109": ("post", None), "905": ("post", None)}

    client.force_login(world.preparer)
    page = page_text(client.get(url("delivery:letters", world.call.slug)))
    assert "Hämeenlinna" in page and "Vaasa" in page and url("delivery:letter", letters["109"].pk) in page
    letter_page = page_text(client.get(url("delivery:letter", letters["109"].pk)))
    assert "Hämeenlinnan kaupunki" in letter_page and "PL 84" in letter_page and "13101 Hämeenlinna" in letter_page
    response = client.get(url("delivery:letter_pdf", letters["109"].pk))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    letter = pdf_text(response.content)
    assert "Hämeenlinnan kaupunki" in letter and "13101 Hämeenlinna" in letter
    assert wording("fi", "The decision is enclosed with this letter.") in letter
    assert wording("fi", POSTAL_SENTENCE, day=7) in letter  # the decision below the covering page
    assert world.apps["fi"].reference in letter
    # The preparer's reads of the letter and its PDF are recorded against the application.
    from kuntadigi.audit.models import AuditEvent

    reads = AuditEvent.objects.filter(action="application.read", actor=world.preparer, application_id=world.apps["fi"].pk).order_by("id")
    assert [(event.after["read"], event.object_id) for event in reads] == [("letter", str(letters["109"].pk)), ("letter_pdf", str(letters["109"].pk))]


def test_the_official_marks_a_letter_posted_on_a_day(client, world, django_capture_on_commit_callbacks):
    decision = support.sign(world, "fi", django_capture_on_commit_callbacks)
    letter = deliveries_of(decision)["109"]
    clock.set_now(decisions_support.DECISION_DAY + timedelta(days=3))
    client.force_login(world.preparer)
    posted = url("delivery:letter_posted", letter.pk)

    future = client.post(posted, {"posted_on": "2020-12-15"})
    assert future.status_code == 400 and "day still to come" in page_text(future)
    early = client.post(posted, {"posted_on": "10.12.2020"})
    assert early.status_code == 400 and "before the decision was made" in page_text(early)
    response = client.post(posted, {"posted_on": "14.12.2020"}, follow=True)

    letter.refresh_from_db()
    assert (letter.sent_on, letter.sent_by) == (date(2020, 12, 14), world.preparer)
    assert letter.notified_on == date(2020, 12, 21) and letter.claim_until == date(2021, 1, 20)
    event = AuditEvent.objects.get(action="delivery.posted")
    assert (event.actor, event.after["posted_on"], event.application_id) == (world.preparer, "2020-12-14", world.apps["fi"].pk)
    assert "marked as posted" in page_text(response)
    again = client.post(posted, {"posted_on": "14.12.2020"}, follow=True)
    assert "already been marked as posted" in page_text(again)
    assert AuditEvent.objects.filter(action="delivery.posted").count() == 1


def test_a_letter_needs_a_postal_address_and_the_decision_maker_does_not_post(client, world, django_capture_on_commit_callbacks):
    decision = support.sign(world, "fi", django_capture_on_commit_callbacks)
    vaasa = deliveries_of(decision)["905"]  # Vaasa has no postal address
    client.force_login(world.preparer)
    page = page_text(client.get(url("delivery:letter", vaasa.pk)))
    assert "no postal address" in page

    response = client.post(url("delivery:letter_posted", vaasa.pk), {"posted_on": "11.12.2020"}, follow=True)
    assert "Enter the organisation's postal address first." in page_text(response)
    client.force_login(world.decision_maker)
    response = client.post(url("delivery:letter_posted", deliveries_of(decision)["109"].pk), {"posted_on": "11.12.2020"}, follow=True)
    assert "Only the call's preparers and presenting officials mark letters as posted." in page_text(response)
    assert not Delivery.objects.filter(sent_on__isnull=False).exists()


def test_the_lead_consented_the_partner_did_not(world, django_capture_on_commit_callbacks):
    """The main document carries the lead's 3rd day; the partner's letter gets a copy of its own with the 7th."""
    lead = Organisation.objects.get(municipality_code="109")
    factories.consent(lead)

    decision = support.sign(world, "fi", django_capture_on_commit_callbacks)

    assert addresses() == {"yhteys@hameenlinna.fi", "hml@hameenlinna.fi"}  # nothing to Vaasa
    assert wording("fi", ELECTRONIC_SENTENCE, day=3) in pdf_text(decisions.signed_document_bytes(decision))
    vaasa = deliveries_of(decision)["905"]
    assert (vaasa.channel, vaasa.own_copy, len(vaasa.copy_sha256)) == ("post", True, 64)
    copy = pdf_text(services.copy_bytes(vaasa))
    assert wording("fi", POSTAL_SENTENCE, day=7) in copy and wording("fi", ELECTRONIC_SENTENCE, day=3) not in copy


def test_consent_given_after_signing_does_not_change_the_signed_document(world, django_capture_on_commit_callbacks):
    support.prepare(world, "fi")
    decisions.sign_decision(world.decision_maker, world.apps["fi"].pk)  # the tasks are not run yet
    clock.set_now(decisions_support.DECISION_DAY + timedelta(minutes=5))
    factories.consent(Organisation.objects.get(municipality_code="109"))  # before the worker renders the PDF
    decision = decisions.load_decision(world.apps["fi"].pk)
    assert services.main_document_electronic(decision) is False

    with django_capture_on_commit_callbacks(execute=True):  # the worker: the PDF, then the notification
        tasks.render_decision_pdf.call(decision.pk)

    decision.refresh_from_db()
    assert wording("fi", POSTAL_SENTENCE, day=7) in pdf_text(decisions.signed_document_bytes(decision))
    lead = deliveries_of(decision)["109"]
    assert (lead.channel, lead.own_copy) == ("electronic", True)  # e-mailed now, with a copy that says so
    assert wording("fi", ELECTRONIC_SENTENCE, day=3) in pdf_text(services.copy_bytes(lead))
    assert url("delivery:copy_document", world.apps["fi"].pk, lead.pk, lang="fi") in mail.outbox[0].body


def test_an_organisation_nobody_can_be_emailed_gets_a_letter(world, django_capture_on_commit_callbacks):
    vaasa = Organisation.objects.get(municipality_code="905")
    factories.consent(vaasa)
    vaasa.memberships.all().delete()

    decision = support.sign(world, "fi", django_capture_on_commit_callbacks)

    assert deliveries_of(decision)["905"].channel == "post"


# ── A partner in its own language ───────────────────────────────────────────


def test_a_swedish_majority_partner_of_a_finnish_application_gets_its_email_and_copy_in_swedish(client, world, django_capture_on_commit_callbacks):
    decisions_support.consent_to_email(world.apps["bilingual"])

    decision = support.sign(world, "bilingual", django_capture_on_commit_callbacks)

    delivered = deliveries_of(decision)
    assert (delivered["109"].language, delivered["109"].own_copy) == ("fi", False)
    partner = delivered["287"]
    assert (partner.channel, partner.language, partner.own_copy, len(partner.copy_sha256)) == ("electronic", "sv", True, 64)
    to_partner = next(m for m in mail.outbox if m.to == ["kansli@krs.fi"])
    assert to_partner.subject == wording("sv", "Decision on your application %(reference)s", reference=world.apps["bilingual"].reference)
    assert "/sv/applications/" in to_partner.body and "Kristinestads stad" in to_partner.body
    copy_url = url("delivery:copy_document", world.apps["bilingual"].pk, partner.pk, lang="sv")
    assert copy_url in to_partner.body
    to_lead = next(m for m in mail.outbox if m.to == ["hml@hameenlinna.fi"])
    assert to_lead.subject == wording("fi", "Decision on your application %(reference)s", reference=world.apps["bilingual"].reference)

    copy = pdf_text(services.copy_bytes(partner))
    assert wording("sv", "This is a translation. The decision was made in Finnish, and the Finnish decision is authentic.") in copy
    assert "Statsrådet" in copy and "Valtioneuvosto" not in copy  # the registry's address in Swedish
    assert wording("sv", ELECTRONIC_SENTENCE, day=3) in copy
    main = pdf_text(decisions.signed_document_bytes(decision))
    assert (
        "Valtioneuvosto" in main
        and wording("sv", "This is a translation. The decision was made in Finnish, and the Finnish decision is authentic.") not in main
    )

    # The partner's members download their copy (after its SHA-256 is checked); the lead's do not see it.
    client.force_login(Organisation.objects.get(municipality_code="287").memberships.get().user)
    response = client.get(copy_url)
    assert response.status_code == 200 and response["X-Content-SHA256"] == partner.copy_sha256
    client.force_login(world.apps["bilingual"].created_by)
    assert client.get(copy_url).status_code == 404


def test_a_tampered_copy_is_not_served(client, world, django_capture_on_commit_callbacks, caplog):
    decisions_support.consent_to_email(world.apps["bilingual"])
    partner = deliveries_of(support.sign(world, "bilingual", django_capture_on_commit_callbacks))["287"]
    with open(partner.copy.path, "r+b") as handle:
        handle.seek(300)
        handle.write(b"X")
    client.force_login(Organisation.objects.get(municipality_code="287").memberships.get().user)

    response = client.get(url("delivery:copy_document", world.apps["bilingual"].pk, partner.pk))

    assert response.status_code == 500
    assert f"Delivery {partner.pk}: the stored copy does not match its SHA-256" in caplog.text


# ── Read receipts ───────────────────────────────────────────────────────────


def test_opening_the_decision_is_recorded_once_per_organisation(client, world, django_capture_on_commit_callbacks):
    decisions_support.consent_to_email(world.apps["sv"])
    decision = support.sign(world, "sv", django_capture_on_commit_callbacks)
    detail = url("applications:detail", world.apps["sv"].pk)
    clock.set_now(decisions_support.DECISION_DAY + timedelta(days=1, hours=2))

    client.force_login(world.lead_user)
    client.get(detail)
    clock.set_now(decisions_support.DECISION_DAY + timedelta(days=2))
    client.get(detail)
    client.get(url("decisions:decision_document", world.apps["sv"].pk))
    client.force_login(world.decision_maker)  # an official reading it is no receipt
    client.get(url("decisions:decision_document", world.apps["sv"].pk))

    delivered = deliveries_of(decision)
    lead, partner = delivered["638"], delivered["434"]
    assert (lead.read_at, lead.read_by) == (decisions_support.DECISION_DAY + timedelta(days=1, hours=2), world.lead_user)
    assert lead.opened_on == date(2020, 12, 12) and lead.notified_on == date(2020, 12, 12)  # opened before the 3rd day
    assert partner.read_at is None
    events = AuditEvent.objects.filter(action="delivery.read")
    assert [(e.actor, e.object_id) for e in events] == [(world.lead_user, str(lead.pk))]

    client.force_login(world.partner_user)  # the partner downloads the PDF
    assert client.get(url("decisions:decision_document", world.apps["sv"].pk)).status_code == 200
    partner.refresh_from_db()
    assert partner.read_by == world.partner_user
    assert AuditEvent.objects.filter(action="delivery.read").count() == 2
    client.force_login(world.preparer)  # the officials' timeline of the application names it
    lead_name = Organisation.objects.get(municipality_code="638").name_fi
    assert f"{lead_name} opened the decision" in page_text(client.get(url("screening:application", world.apps["sv"].pk)))


# ── What the applicants and the officials see ───────────────────────────────


def test_the_applicants_page_shows_how_each_organisation_was_notified_and_the_last_day(client, world, django_capture_on_commit_callbacks):
    factories.consent(Organisation.objects.get(municipality_code="109"))
    give_vaasa_an_address()
    decision = support.sign(world, "fi", django_capture_on_commit_callbacks)
    letter = deliveries_of(decision)["905"]
    vaasa_user = Organisation.objects.get(municipality_code="905").memberships.get().user
    client.force_login(vaasa_user)
    detail = url("applications:detail", world.apps["fi"].pk)

    before = delivery_rows(page_text(client.get(detail)))  # Vaasa opens it on the day of the decision
    clock.set_now(decisions_support.DECISION_DAY + timedelta(days=3))
    services.mark_posted(world.preparer, letter.pk, date(2020, 12, 14))
    after = delivery_rows(page_text(client.get(detail)))

    # E-mailed Fri 11.12.2020: presumed notified Mon 14.12.2020; 30 days later is Wed 13.1.2021.
    assert after["Hämeenlinna"] == "Hämeenlinna By e-mail, 11 December 2020 – 14 December 2020 13 January 2021"
    # The letter, not posted yet when Vaasa read the decision in the service: reading it is no notification
    # without consent, so no day yet; posted Mon 14.12.2020, presumed received on the 7th day, Mon 21.12.2020;
    # 30 days later is Wed 20.1.2021.
    assert before["Vaasa"] == "Vaasa Its copy (PDF) Vaasa By post: the letter has not been posted yet 11 December 2020 – –"
    assert after["Vaasa"] == "Vaasa Its copy (PDF) Vaasa By post, 14 December 2020 11 December 2020 21 December 2020 20 January 2021"
    assert "Its copy (PDF)" not in after["Hämeenlinna"]  # the lead's is the signed decision itself


def test_the_officials_decision_list_shows_each_delivery(client, world, django_capture_on_commit_callbacks):
    factories.consent(Organisation.objects.get(municipality_code="109"))
    give_vaasa_an_address()
    decision = support.sign(world, "fi", django_capture_on_commit_callbacks)
    client.force_login(Organisation.objects.get(municipality_code="109").memberships.first().user)
    client.get(url("applications:detail", world.apps["fi"].pk))
    client.force_login(world.preparer)

    page = page_text(client.get(url("decisions:decision_list", world.call.slug)))

    row = page.split(world.apps["fi"].reference, 1)[1].split("</tr>")[0]
    assert "Hämeenlinna:" in row and "e-mailed" in row and "opened 11 December 2020" in row
    assert "Vaasa:" in row and "to post" in row
    assert "Letters to post (1 waiting)" in page
    services.mark_posted(world.preparer, deliveries_of(decision)["905"].pk, date(2020, 12, 11))
    row = page_text(client.get(url("decisions:decision_list", world.call.slug))).split(world.apps["fi"].reference, 1)[1].split("</tr>")[0]
    assert "posted" in row and "to post" not in row


def test_strangers_learn_nothing_of_letters_and_copies(client, world, django_capture_on_commit_callbacks):
    decisions_support.consent_to_email(world.apps["bilingual"])
    copy = deliveries_of(support.sign(world, "bilingual", django_capture_on_commit_callbacks))["287"]
    letter = deliveries_of(support.sign(world, "fi", django_capture_on_commit_callbacks))["109"]
    addresses_ = [
        url("delivery:letters", world.call.slug),
        url("delivery:letter", letter.pk),
        url("delivery:letter_pdf", letter.pk),
        url("delivery:copy_document", world.apps["bilingual"].pk, copy.pk),
        url("delivery:copy_document", world.apps["fi"].pk, copy.pk),  # another application's delivery
    ]
    # An outsider, an official with no role in the call, an assessor, and Porvoo's staff (not a party to these).
    for person in (world.outsider, world.official, world.assessor, world.lead_user):
        client.force_login(person)
        assert [client.get(address).status_code for address in addresses_] == [404] * len(addresses_), person
        assert client.post(url("delivery:letter_posted", letter.pk), {"posted_on": "11.12.2020"}).status_code == 404
    client.force_login(world.preparer)
    assert client.get(url("delivery:letter", copy.pk)).status_code == 404  # an e-mailed delivery has no letter
    assert not Delivery.objects.filter(sent_by__isnull=False).exists()


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_delivery_pages_are_valid_html(client, world, django_capture_on_commit_callbacks, lang):
    from tests.integration.test_html_validity import check_page

    decisions_support.consent_to_email(world.apps["bilingual"])
    support.sign(world, "bilingual", django_capture_on_commit_callbacks)
    letter = deliveries_of(support.sign(world, "fi", django_capture_on_commit_callbacks))["905"]  # Vaasa has not consented
    client.force_login(world.preparer)
    check_page(client, "delivery:letters", lang, world.call.slug)
    check_page(client, "delivery:letter", lang, letter.pk)
    check_page(client, "decisions:decision_list", lang, world.call.slug)
    check_page(client, "delivery:postal_address", lang, letter.organisation_id)
    client.force_login(Organisation.objects.get(municipality_code="287").memberships.get().user)
    check_page(client, "applications:detail", lang, world.apps["bilingual"].pk)
    check_page(client, "accounts:organisations", lang)


def test_a_delivery_whose_copy_failed_is_finished_by_the_next_run(world, django_capture_on_commit_callbacks, monkeypatch):
    """A copy that could not be rendered leaves the decision not notified; running the task again finishes it."""
    decisions_support.consent_to_email(world.apps["bilingual"])
    monkeypatch.setattr(services, "store_copy", lambda delivery_pk: False)  # as if the render had not happened

    decision = support.sign(world, "bilingual", django_capture_on_commit_callbacks)

    decision.refresh_from_db()
    assert decision.notified_at is None
    assert addresses() == {"yhteys@hameenlinna.fi", "hml@hameenlinna.fi"}  # the lead's e-mail went; the partner's waits for its copy
    monkeypatch.undo()
    tasks.notify_decision.call(decision.pk)
    decision.refresh_from_db()
    assert decision.notified_at is not None and "kansli@krs.fi" in addresses()
    assert len(mail.outbox) == 3  # nobody twice


def test_a_translation_takes_the_calls_own_conditions_in_its_language_when_the_decision_kept_them(db):
    from kuntadigi.decisions import services_decisions

    world = decisions_support.build_world()
    app = world.apps["fi"]
    data = services_decisions.defaults_for(app, world.preparer)  # the call's conditions, in Finnish
    data.presenter_id, data.presenter_title = world.presenter.pk, "neuvotteleva virkamies"
    data.decision_maker_id, data.decision_maker_title = world.decision_maker.pk, "finanssineuvos"
    decision = services_decisions.prepare_decision(world.preparer, app.pk, data)

    swedish = services_decisions.document_for(decision, language="sv")

    assert swedish.is_translation
    assert swedish.conditions == ("Understödet får användas endast för projektet.", "Huvudsökanden ingår ett skriftligt avtal med de övriga kommunerna.")


def test_the_decision_e_mail_is_the_decision_signed_notice_on_each_account_page(world, django_capture_on_commit_callbacks):
    from kuntadigi.accounts.models import User
    from kuntadigi.notifications import services as notify
    from kuntadigi.notifications.models import Message

    decisions_support.consent_to_email(world.apps["fi"])
    support.sign(world, "fi", django_capture_on_commit_callbacks)
    records = Message.objects.filter(kind="decision_signed")
    assert {m.address for m in records} == addresses() == {"yhteys@hameenlinna.fi", "hml@hameenlinna.fi", "vaasa@vaasa.fi"}
    assert len(mail.outbox) == 3  # one e-mail each: the delivery is the notice, not a second message
    member = User.objects.get(email="hml@hameenlinna.fi")
    listed = list(notify.messages_for(member))
    assert [(m.kind, m.status) for m in listed] == [("decision_signed", "sent")]
    assert listed[0].subject == mail.outbox[[m.to[0] for m in mail.outbox].index("hml@hameenlinna.fi")].subject
    assert listed[0].url.endswith(f"/fi/applications/{world.apps['fi'].pk}/#decision")

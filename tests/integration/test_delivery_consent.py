"""Consent to electronic notification (13/2003, 19 §): given and withdrawn by an organisation's
administrators on the organisation page, by the lead's staff in the application form, by a partner's
staff as they confirm; every change audited, the history kept. And the postal address for letters."""

from __future__ import annotations

import html
from datetime import datetime, timedelta

import pytest
from django.utils import translation

from kuntadigi import clock
from kuntadigi.applications.models import Participant
from kuntadigi.audit.models import AuditEvent
from kuntadigi.delivery import services
from kuntadigi.delivery.models import NotificationConsent
from tests import factories
from tests.integration import submission_data
from tests.integration.delivery_support import url

# The person authorised to commit the confirming partner, named on the confirmation page.
AUTHORISED = {"authorised_name": "Kaisa Kunnanjohtaja", "authorised_title": "kunnanjohtaja"}


def page_text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def porvoo(db):
    clock.set_now(factories.DURING_2020)
    organisation = factories.municipality("Porvoo", code="638", name_sv="Borgå")
    admin = factories.member(organisation, "admin@porvoo.fi", admin=True, full_name="Anna Pääkäyttäjä")
    member = factories.member(organisation, "member@porvoo.fi")
    return organisation, admin, member


def test_an_administrator_gives_and_withdraws_the_consent_on_the_organisation_page(client, porvoo):
    organisation, admin, _member = porvoo
    client.force_login(admin)
    with translation.override("en"):
        page = page_text(client.get(url("accounts:organisations")))
    assert "How decisions reach your organisations" in page and "decisions are sent by post" in page

    response = client.post(url("delivery:organisation_consent", organisation.pk), {"notification_consent": "yes"}, follow=True)

    consent = NotificationConsent.objects.get(organisation=organisation)
    assert (consent.given_by, consent.given_at, consent.given_in, consent.withdrawn_at) == (admin, factories.DURING_2020, "organisation", None)
    assert "Porvoo now receives decisions electronically." in page_text(response)
    assert "consented" in page_text(response) and "Anna Pääkäyttäjä" in page_text(response)
    given = AuditEvent.objects.get(action="delivery.consent_given")
    assert (given.actor, given.object_id, given.after["given_in"]) == (admin, str(consent.pk), "organisation")

    clock.set_now(factories.DURING_2020 + timedelta(days=30))
    response = client.post(url("delivery:organisation_consent", organisation.pk), {"notification_consent": "no"}, follow=True)

    consent.refresh_from_db()
    assert (consent.withdrawn_by, consent.withdrawn_at, consent.withdrawn_in) == (admin, factories.DURING_2020 + timedelta(days=30), "organisation")
    assert "no longer receives decisions electronically" in page_text(response)
    withdrawn = AuditEvent.objects.get(action="delivery.consent_withdrawn")
    assert (withdrawn.actor, withdrawn.before["withdrawn_at"]) == (admin, None)
    assert datetime.fromisoformat(withdrawn.after["withdrawn_at"]) == consent.withdrawn_at
    # The history answers for any moment: in force during those 30 days, not before nor after.
    assert services.consent_at(organisation.pk, factories.DURING_2020 + timedelta(days=1)) == consent
    assert services.consent_at(organisation.pk, factories.DURING_2020 - timedelta(seconds=1)) is None
    assert services.consent_at(organisation.pk, clock.now()) is None
    assert services.consent_in_force(organisation.pk) is None


def test_giving_it_twice_changes_nothing(client, porvoo):
    organisation, admin, _member = porvoo
    client.force_login(admin)
    client.post(url("delivery:organisation_consent", organisation.pk), {"notification_consent": "yes"})

    response = client.post(url("delivery:organisation_consent", organisation.pk), {"notification_consent": "yes"}, follow=True)

    assert "There were no changes to save." in page_text(response)
    assert NotificationConsent.objects.count() == 1 and AuditEvent.objects.filter(action="delivery.consent_given").count() == 1


def test_only_administrators_change_it_and_others_learn_nothing(client, porvoo):
    organisation, _admin, member = porvoo
    client.force_login(member)
    response = client.post(url("delivery:organisation_consent", organisation.pk), {"notification_consent": "yes"}, follow=True)
    assert "Only the organisation's administrators give or withdraw its consent" in page_text(response)
    assert "Save the postal address" not in page_text(response)  # a member sees the state, not the forms

    outsider = factories.member(factories.municipality("Oulu", code="564"), admin=True)
    official = factories.user("virkailija@vm.fi", official=True)
    for person in (outsider, official):
        client.force_login(person)
        assert client.post(url("delivery:organisation_consent", organisation.pk), {"notification_consent": "yes"}).status_code == 404
    assert not NotificationConsent.objects.exists()


def test_the_lead_consents_in_the_application_form(client, call_2020, during_call):
    app = submission_data.application(call_2020, confirmed=False)
    lead_user = app.created_by
    client.force_login(lead_user)
    with translation.override("en"):
        form = page_text(client.get(url("applications:edit", app.pk)))
    # The box is in the contact part and belongs to its own form, outside the autosaved application form.
    contact_part = form.split('id="section-contact"', 1)[1].split("</section>", 1)[0]
    assert 'form="notification-consent-form" name="notification_consent"' in contact_part
    assert "presumed received on the 3rd day" in contact_part and "sent by post" in contact_part
    assert form.index('id="notification-consent-form"') > form.index("</form>")

    response = client.post(url("delivery:application_consent", app.pk), {"notification_consent": "yes"})

    assert response.status_code == 302 and response["Location"].endswith("#notification-consent")
    consent = NotificationConsent.objects.get()
    assert (consent.organisation, consent.given_by, consent.given_in, consent.application) == (app.lead, lead_user, "application", app)
    assert AuditEvent.objects.get(action="delivery.consent_given").application_id == app.pk
    assert 'name="notification_consent" value="yes" id="id_notification_consent" aria-describedby="notification-consent-hint" checked' in page_text(
        client.get(url("applications:edit", app.pk))
    )

    client.post(url("delivery:application_consent", app.pk), {})  # the box cleared
    consent.refresh_from_db()
    assert (consent.withdrawn_by, consent.withdrawn_in) == (lead_user, "application")


def test_a_partner_cannot_give_the_leads_consent_in_the_application(client, call_2020, during_call):
    app = submission_data.application(call_2020, confirmed=False)
    partner = Participant.objects.get(application=app, role="partner")
    client.force_login(factories.member(partner.organisation))

    response = client.post(url("delivery:application_consent", app.pk), {"notification_consent": "yes"}, follow=True)

    assert "Only the lead applicant's staff can edit the application." in page_text(response)
    assert not NotificationConsent.objects.exists()


def test_a_partner_consents_as_it_confirms_its_participation(client, call_2020, during_call, django_capture_on_commit_callbacks):
    app = submission_data.application(call_2020, confirmed=False)
    partner = Participant.objects.get(application=app, role="partner")
    partner_user = factories.member(partner.organisation)
    client.force_login(partner_user)
    with translation.override("en"):
        page = page_text(client.get(url("applications:confirm", app.pk)))
    confirm_form = page.split('action="/en/applications/', 1)[1].split("</form>", 1)[0]
    assert 'name="notification_consent"' in confirm_form and "presumed received on the 7th day after posting" in confirm_form

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url("applications:confirm", app.pk),
            {
                "organisation": partner.organisation_id,
                "authorised_name": "Kaisa Kunnanjohtaja",
                "authorised_title": "kunnanjohtaja",
                "notification_consent_shown": "1",
                "notification_consent": "yes",
            },
        )

    partner.refresh_from_db()
    assert partner.confirmed_by == partner_user
    consent = NotificationConsent.objects.get(organisation=partner.organisation)
    assert (consent.given_by, consent.given_in, consent.application) == (partner_user, "confirmation", app)

    # Confirming again without the box withdraws it; a post without the box at all (another client) leaves it.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("applications:confirm", app.pk), {"organisation": partner.organisation_id, **AUTHORISED})
    assert services.consent_in_force(partner.organisation_id) == consent
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("applications:confirm", app.pk), {"organisation": partner.organisation_id, "notification_consent_shown": "1", **AUTHORISED})
    consent.refresh_from_db()
    assert (consent.withdrawn_by, consent.withdrawn_in) == (partner_user, "confirmation")


# ── Postal address ──────────────────────────────────────────────────────────


def test_an_administrator_sets_the_postal_address_on_the_organisation_page(client, porvoo):
    organisation, admin, member = porvoo
    client.force_login(admin)
    back = url("accounts:organisations") + f"#delivery-{organisation.pk}"

    response = client.post(url("delivery:postal_address", organisation.pk), {"postal_address": "  PL 23 \r\n\r\n06101 Porvoo  ", "next": back})

    assert response.status_code == 302 and response["Location"] == back
    organisation.refresh_from_db()
    assert organisation.postal_address == "PL 23\n06101 Porvoo"
    event = AuditEvent.objects.get(action="registry.postal_address_changed")
    assert (event.actor, event.before, event.after) == (admin, {"postal_address": ""}, {"postal_address": "PL 23\n06101 Porvoo"})
    assert "PL 23<br>06101 Porvoo" in page_text(client.get(url("accounts:organisations")))

    too_long = client.post(url("delivery:postal_address", organisation.pk), {"postal_address": "\n".join(f"rivi {n}" for n in range(8))})
    assert too_long.status_code == 400 and "Write the address on at most 6 lines." in page_text(too_long)

    client.force_login(member)
    assert client.get(url("delivery:postal_address", organisation.pk)).status_code == 404
    assert client.post(url("delivery:postal_address", organisation.pk), {"postal_address": "x"}).status_code == 404


def test_an_official_who_posts_it_decisions_sets_the_postal_address(client, porvoo, call_2020):
    organisation, _admin, _member = porvoo
    client.force_login(factories.user("yleinen@vm.fi", official=True))  # the ministry-wide flag alone: not this official's letters
    assert client.get(url("delivery:postal_address", organisation.pk)).status_code == 404
    decision_maker = factories.official_in(call_2020, "decision_maker", email="ratkaisija@vm.fi")
    submission_data.application(call_2020, lead=organisation)
    client.force_login(decision_maker)  # a decision-maker does not post letters
    assert client.get(url("delivery:postal_address", organisation.pk)).status_code == 404
    client.force_login(factories.official_in(call_2020, "preparer", email="virkailija@vm.fi"))

    assert client.get(url("delivery:postal_address", organisation.pk)).status_code == 200
    client.post(url("delivery:postal_address", organisation.pk), {"postal_address": "Raatihuoneenkatu 5\n06100 Porvoo"})

    organisation.refresh_from_db()
    assert organisation.postal_address == "Raatihuoneenkatu 5\n06100 Porvoo"


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_consent_in_the_application_and_the_confirmation_is_valid_html(client, call_2020, during_call, lang):
    from tests.integration.test_html_validity import check_page

    app = submission_data.application(call_2020, confirmed=False)
    client.force_login(app.created_by)
    check_page(client, "applications:edit", lang, app.pk)
    partner = Participant.objects.get(application=app, role="partner")
    client.force_login(factories.member(partner.organisation))
    check_page(client, "applications:confirm", lang, app.pk)

"""Delivering decisions in a real browser: an official prints a letter, adds the missing postal address
and marks the letter posted with plain forms (no JavaScript); the applicant reads how and when each
organisation was notified and the last day to claim rectification; axe-core (WCAG 2.1 A/AA) finds
nothing on the delivery pages and they read at 320 px."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from kuntadigi import clock
from kuntadigi.decisions import services_decisions as decisions
from kuntadigi.delivery.models import Delivery
from kuntadigi.registry.models import Organisation
from tests import factories
from tests.browser.helpers import assert_no_axe_violations, assert_reads_at_320px, check_page, sign_in_as
from tests.integration import delivery_support as support
from tests.integration import submission_data

pytestmark = pytest.mark.browser


@pytest.fixture
def world(site):
    world = support.build_world()
    factories.consent(Organisation.objects.get(municipality_code="109"))  # Hämeenlinna by e-mail, Vaasa by post
    support.prepare(world, "fi")
    decisions.sign_decision(world.decision_maker, world.apps["fi"].pk)  # the live server's tasks run after the commit
    return world


def vaasa_letter(world) -> Delivery:
    return Delivery.objects.get(decision__application=world.apps["fi"], organisation__municipality_code="905")


def test_an_official_adds_the_address_prints_and_marks_the_letter_posted_without_javascript(nojs_page, site, world):
    page = nojs_page
    sign_in_as(page, site, world.preparer)
    page.goto(site.reverse("decisions:decision_list", world.call.slug, lang="en"))
    page.get_by_role("link", name="Letters to post (1 waiting)").click()
    expect(page.locator("h1")).to_have_text("Letters to post")
    assert_no_axe_violations(page)
    assert_reads_at_320px(page)

    page.get_by_role("link", name=f"Open the letter {world.apps['fi'].reference} Vaasa").click()
    expect(page.locator("h1")).to_have_text("Letter to Vaasa")
    expect(page.locator(".notice-warning")).to_contain_text("no postal address")
    page.get_by_role("link", name="Change the postal address").click()
    page.get_by_label("Postal address for letters").fill("PL 2\n65101 Vaasa")
    page.get_by_role("button", name="Save the postal address").click()

    expect(page.locator("h1")).to_have_text("Letter to Vaasa")  # back on the letter
    expect(page.locator(".letter-recipient")).to_have_text("Vaasan kaupunki\nPL 2\n65101 Vaasa", use_inner_text=True)  # the legal person
    expect(page.locator(".letter")).to_contain_text("Päätös lähetetään postitse, koska Vaasan kaupunki ei ole suostunut")  # the covering text in Finnish
    expect(page.locator(".letter-document")).to_contain_text(world.apps["fi"].reference)
    assert_no_axe_violations(page)
    assert_reads_at_320px(page)
    page.emulate_media(media="print")  # printed, only the letter shows
    expect(page.locator("h1")).to_be_hidden()
    expect(page.locator(".letter")).to_be_visible()
    page.emulate_media(media="screen")

    page.get_by_label("Posted on").fill("2020-12-11")
    page.get_by_role("button", name="Mark as posted").click()

    expect(page.locator(".notice-success")).to_contain_text("The letter to Vaasa was marked as posted.")
    expect(page.locator("#waiting + p")).to_have_text("No letters are waiting.")
    letter = vaasa_letter(world)
    assert (letter.sent_on, letter.sent_by) == (date(2020, 12, 11), world.preparer)


def test_the_applicant_sees_how_and_when_each_organisation_was_notified(page, site, world):
    assert Delivery.objects.filter(decision__application=world.apps["fi"]).count() == 2
    sign_in_as(page, site, Organisation.objects.get(municipality_code="109").memberships.first().user)

    check_page(page, site.reverse("applications:detail", world.apps["fi"].pk, lang="en"))

    table = page.locator("#decision-delivery + .table-wrap table")
    hameenlinna = table.locator("tr", has=page.locator("th", has_text="Hämeenlinna"))
    # E-mailed Fri 11.12.2020 and opened now, the same day: notified 11.12.2020; 30 days on is Sunday 10.1.2021.
    expect(hameenlinna).to_contain_text("By e-mail, 11 December 2020")  # an English page writes dates in English
    expect(hameenlinna.locator("td").nth(2)).to_have_text("11 December 2020")
    expect(hameenlinna.locator("td").nth(3)).to_have_text("11 January 2021")
    vaasa = table.locator("tr", has=page.locator("th", has_text="Vaasa"))
    expect(vaasa).to_contain_text("the letter has not been posted yet")


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_the_delivery_pages_are_accessible(page, site, world, lang):
    Organisation.objects.filter(municipality_code="905").update(postal_address="PL 2\n65101 Vaasa")
    sign_in_as(page, site, world.preparer)
    check_page(page, site.reverse("delivery:letters", world.call.slug, lang=lang))
    check_page(page, site.reverse("delivery:letter", vaasa_letter(world).pk, lang=lang))
    check_page(page, site.reverse("delivery:postal_address", vaasa_letter(world).organisation_id, lang=lang))
    # The decisions list with its delivery column: axe only (at 320 px its table overflows by a few pixels
    # with any signed decision, with or without the delivery column: a matter of the decisions list's layout).
    page.goto(site.reverse("decisions:decision_list", world.call.slug, lang=lang))
    expect(page.locator(".delivery-state")).to_have_count(2)
    assert_no_axe_violations(page)

    sign_in_as(page, site, world.lead_user, clear=True)  # Porvoo's administrator: the organisations page with its forms
    check_page(page, site.reverse("accounts:organisations", lang=lang))
    expect(page.locator("#delivery")).to_be_visible()

    clock.set_now(factories.DURING_2020)  # a draft in the open call: the lead's consent in the form, a partner's at its confirmation
    draft = submission_data.application(world.call, lead=Organisation.objects.get(municipality_code="564"), confirmed=False)
    sign_in_as(page, site, draft.created_by, clear=True)
    check_page(page, site.reverse("applications:edit", draft.pk, lang=lang))
    expect(page.locator("#id_notification_consent")).to_be_visible()
    partner = draft.participants.get(role="partner")
    sign_in_as(page, site, factories.member(partner.organisation), clear=True)
    check_page(page, site.reverse("applications:confirm", draft.pk, lang=lang))
    expect(page.locator("#id_notification_consent")).to_be_visible()

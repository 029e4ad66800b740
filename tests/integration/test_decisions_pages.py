"""The decision pages: who reaches what (by role in the call), the officials' list in a constant number
of queries, the section on the official's application page, and well-formed pages in every language."""

from __future__ import annotations

import html
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from kuntadigi.decisions import services_decisions as services
from kuntadigi.decisions.models import Decision, Proposal
from tests import factories
from tests.integration import decisions_support as support
from tests.integration.test_html_validity import PageChecker


@pytest.fixture
def world(db):
    with translation.override("en"):  # English interface texts (the pages use /en/ addresses)
        yield support.build_world()


def url(name, *args, lang="en"):
    with translation.override(lang):
        return reverse(name, args=args)


def text(response) -> str:
    return html.unescape(response.content.decode()).replace("\u00a0", " ")


def prepare(world, key, **changes) -> Decision:
    app = world.apps[key]
    data = services.defaults_for(app, world.preparer)
    data.presenter_id, data.presenter_title = world.presenter.pk, "neuvotteleva virkamies"
    data.decision_maker_id, data.decision_maker_title = world.decision_maker.pk, "finanssineuvos"
    for name, value in changes.items():
        setattr(data, name, value)
    return services.prepare_decision(world.preparer, app.pk, data)


# ── Who reaches what ────────────────────────────────────────────────────────

OK, NOT_FOUND, REDIRECT, LOGIN = "OK", "404", "REDIRECT", "LOGIN"
ROLES = ("anonymous", "lead_user", "outsider", "assessor", "official", "preparer", "presenter", "decision_maker", "other_maker")


def outcome(response) -> str:
    if response.status_code == 200:
        return OK
    if response.status_code == 404:
        return NOT_FOUND
    if response.status_code == 302:
        return LOGIN if "/sign-in/" in response["Location"] else REDIRECT
    return str(response.status_code)


# For a draft decision on the Swedish application (signed: the download).
#        name                              anonymous lead       outsider   assessor   official   preparer   presenter  decision_maker other_maker
MATRIX = {
    "decision_list": (LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, OK, OK, OK),
    "decision_batch_prepare": (LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, OK, REDIRECT, REDIRECT),
    "decision_batch_sign": (LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, REDIRECT, REDIRECT, OK, OK),
    "decision_prepare": (LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, OK, REDIRECT, REDIRECT),
    "decision_preview": (LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, OK, OK, OK),
    "decision_preview_pdf": (LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, OK, OK, OK),
    "decision_sign": (LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, OK, OK, OK),
}
CALL_URLS = {"decision_list", "decision_batch_prepare", "decision_batch_sign"}


@pytest.mark.parametrize("role", ROLES)
def test_the_decision_pages_follow_the_roles_in_the_call(client, world, role, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        prepare(world, "sv")
    if role != "anonymous":
        client.force_login(getattr(world, role))
    wrong = {}
    for name, expected in MATRIX.items():
        arg = world.call.slug if name in CALL_URLS else world.apps["sv"].pk
        got = outcome(client.get(url(f"decisions:{name}", arg)))
        if got != expected[ROLES.index(role)]:
            wrong[name] = f"expected {expected[ROLES.index(role)]}, got {got}"
    assert not wrong, f"{role}: {wrong}"


@pytest.mark.parametrize("role", ROLES)
def test_the_signed_decision_is_downloaded_by_the_parties_and_the_calls_officials(client, world, role, django_capture_on_commit_callbacks):
    prepare(world, "sv")
    with django_capture_on_commit_callbacks(execute=True):
        services.sign_decision(world.decision_maker, world.apps["sv"].pk)
    expected = {"anonymous": LOGIN, "outsider": NOT_FOUND, "assessor": NOT_FOUND, "official": NOT_FOUND}.get(role, OK)
    if role != "anonymous":
        client.force_login(getattr(world, role))

    assert outcome(client.get(url("decisions:decision_document", world.apps["sv"].pk))) == expected


def test_a_stranger_posting_changes_nothing(client, world):
    draft = prepare(world, "fi")
    before = Decision.objects.values().get(pk=draft.pk)
    for stranger in (world.lead_user, world.outsider, world.assessor, world.official):
        client.force_login(stranger)
        for name in ("decision_prepare", "decision_sign"):
            assert client.post(url(f"decisions:{name}", world.apps["fi"].pk), {"outcome": "grant", "amount": "1"}).status_code == 404
        for name in ("decision_batch_prepare", "decision_batch_sign"):
            assert client.post(url(f"decisions:{name}", world.call.slug)).status_code == 404
    assert Decision.objects.values().get(pk=draft.pk) == before
    assert world.application("fi").state == "eligible"


# ── The officials' list ─────────────────────────────────────────────────────


def test_the_list_shows_each_applications_outcome_amount_state_and_notification(client, world, django_capture_on_commit_callbacks):
    support.consent_to_email(world.apps["sv"])  # e-mailed on the day of signing (kuntadigi.delivery)
    prepare(world, "fi", amount=Decimal("9000.00"))
    prepare(world, "ineligible")
    with django_capture_on_commit_callbacks(execute=True):
        prepare(world, "sv")
        services.sign_decision(world.decision_maker, world.apps["sv"].pk)
    client.force_login(world.presenter)

    page = text(client.get(url("decisions:decision_list", world.call.slug)))

    rows = {key: page.split(world.apps[key].reference, 1)[1].split("</tr>", 1)[0] for key in ("sv", "fi", "ineligible", "unscreened")}
    assert "Grant" in rows["sv"] and "12,750.00 €" in rows["sv"] and "Signed" in rows["sv"] and "11 December 2020" in rows["sv"]
    assert "Grant" in rows["fi"] and "9,000.00 €" in rows["fi"] and "Draft" in rows["fi"]
    assert "No grant" in rows["ineligible"] and "Draft" in rows["ineligible"]
    assert "Not screened" in rows["unscreened"] and "Not prepared" in rows["unscreened"]
    assert "Granted in signed decisions" in page and "12,750.00 €" in page


def test_the_list_takes_as_many_queries_for_ten_applications_as_for_four(client, world, django_assert_max_num_queries, django_assert_num_queries):
    prepare(world, "fi")
    client.force_login(world.preparer)
    list_url = url("decisions:decision_list", world.call.slug)
    with django_assert_max_num_queries(12) as four:
        client.get(list_url)
    for n in range(6):
        lead = factories.municipality(f"Kunta {n}", code=f"80{n}")
        app = support.submitted(world.call, lead, [factories.municipality(f"Naapuri {n}", code=f"81{n}")], factories.member(lead), project_name=f"Hanke {n}")
        support.set_state(app, "mark_eligible")
        Proposal.objects.create(application=app, amount=Decimal("1000.00"), reason="Osa kuluista ei ole hyväksyttäviä.", proposed_by=world.preparer)
        prepare(world.__class__(**{**world.__dict__, "apps": {"x": app}}), "x")

    with django_assert_num_queries(len(four.captured_queries)):
        client.get(list_url)


# ── The section on the official's application page ──────────────────────────


def render_section(user, application) -> str:
    request = RequestFactory().get("/")
    request.user = user
    with translation.override("en"):
        return Template('{% include "decisions/_official_section.html" %}').render(Context({"application": application, "user": user, "request": request}))


def test_the_section_shows_the_proposal_the_state_and_the_links(world):
    app = world.application("fi")

    section = html.unescape(render_section(world.preparer, app)).replace("\u00a0", " ")
    assert "10,000.00 €" in section  # the proposal
    assert "Not prepared" in section
    assert f'href="{url("decisions:decision_prepare", app.pk)}"' in section

    prepare(world, "fi")
    for_maker = render_section(world.decision_maker, world.application("fi"))
    assert url("decisions:decision_sign", app.pk) in for_maker
    assert f'href="{url("decisions:decision_prepare", app.pk)}"' not in for_maker
    assert url("decisions:decision_sign", app.pk) not in render_section(world.other_maker, world.application("fi"))


def test_the_section_is_empty_for_those_without_a_decision_role(world):
    app = world.application("fi")

    assert render_section(world.assessor, app).strip() == ""
    assert render_section(world.official, app).strip() == ""


def test_the_section_says_why_an_unscreened_application_cannot_be_decided(world):
    section = html.unescape(render_section(world.preparer, world.application("unscreened")))

    assert "has not been screened yet" in section
    assert f'href="{url("decisions:decision_prepare", world.apps["unscreened"].pk)}"' not in section


# ── Well-formed pages ───────────────────────────────────────────────────────


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_pages_are_well_formed_in_every_language(client, world, lang, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        prepare(world, "fi")
        prepare(world, "sv")
        services.sign_decision(world.decision_maker, world.apps["sv"].pk)
    pages = [
        (world.preparer, "decision_list", world.call.slug),
        (world.preparer, "decision_batch_prepare", world.call.slug),
        (world.decision_maker, "decision_batch_sign", world.call.slug),
        (world.preparer, "decision_prepare", world.apps["fi"].pk),
        (world.preparer, "decision_prepare", world.apps["unscreened"].pk),
        (world.preparer, "decision_preview", world.apps["fi"].pk),
        (world.preparer, "decision_preview", world.apps["sv"].pk),
        (world.decision_maker, "decision_sign", world.apps["fi"].pk),
    ]
    for user, name, arg in pages:
        client.force_login(user)
        response = client.get(url(f"decisions:{name}", arg, lang=lang))
        assert response.status_code == 200, name
        checker = PageChecker()
        checker.feed(response.content.decode())
        checker.close()
        assert checker.report(lang) == [], f"{name}: {checker.report(lang)}"
    # Reading a decision's draft is a recorded read, like every page of the application.
    from kuntadigi.audit.models import AuditEvent

    preview_reads = AuditEvent.objects.filter(action="application.read", actor=world.preparer, after__read="decision_preview")
    assert sorted(event.application_id for event in preview_reads) == sorted([world.apps["fi"].pk, world.apps["sv"].pk])
    client.force_login(world.lead_user)
    detail = client.get(url("applications:detail", world.apps["sv"].pk, lang=lang))
    checker = PageChecker()
    checker.feed(detail.content.decode())
    checker.close()
    assert checker.report(lang) == []


def test_the_officials_calls_page_links_to_the_decisions_of_the_calls_where_one_has_a_decision_role(client, world):
    decisions = url("decisions:decision_list", world.call.slug)

    client.force_login(world.presenter)
    assert f'href="{decisions}"' in client.get(url("applications:official_calls")).content.decode()
    client.force_login(world.official)
    assert f'href="{decisions}"' not in client.get(url("applications:official_calls")).content.decode()

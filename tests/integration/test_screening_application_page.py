"""The official's page of one application: who reaches it, and what it shows (content, versions and
what changed, automatic checks, the audit trail)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from kuntadigi import clock
from kuntadigi.applications import drafting
from kuntadigi.assessment.models import Assignment, Tie
from kuntadigi.screening import services
from tests import factories
from tests.integration import screening_support as support
from tests.integration import submission_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def world():
    return support.World()


@pytest.mark.parametrize("who", ["preparer", "presenter", "decision_maker"])
def test_the_calls_officials_see_everything(client, world, who):
    client.force_login(getattr(world, who))
    response = client.get(world.page())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Avoin kunta" in page
    assert "Sähköiset kokoukset kaikissa kunnissa." in page  # the submitted texts
    assert "Automatic checks" in page
    assert "Audit trail" in page
    assert reverse("applications:pdf", args=[world.app.pk, 1]) in page
    # The receipt and PDF links work for them (their role lets them see the application).
    assert client.get(reverse("applications:pdf", args=[world.app.pk, 1])).status_code == 200
    assert client.get(reverse("applications:receipt", args=[world.app.pk, 1])).status_code == 200


@pytest.mark.parametrize("who", ["official", "lead", "partner", "admin", "assessor"])
def test_others_get_404(client, world, who):
    client.force_login(getattr(world, who))
    assert client.get(world.page()).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, world):
    response = client.get(world.page())
    assert response.status_code == 302
    assert reverse("accounts:sign_in") in response["Location"]


def test_an_assigned_assessor_without_ties_sees_the_application_but_not_the_audit_trail(client, world):
    Assignment.objects.create(application=world.app, assessor=world.assessor, assigned_by=world.preparer)
    client.force_login(world.assessor)
    response = client.get(world.page())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Avoin kunta" in page
    assert "Audit trail" not in page
    assert "Application submitted" not in page
    assert 'action="{}"'.format(world.page("mark")) not in page
    assert client.post(world.page("mark"), {"outcome": "eligible", "reason": "x"}).status_code == 302
    assert world.refresh().state == "submitted"


def test_an_assigned_assessor_tied_to_a_participant_gets_404(client, world):
    Assignment.objects.create(application=world.app, assessor=world.assessor, assigned_by=world.preparer)
    Tie.objects.create(assessor=world.assessor, organisation=world.partner_org, kind=Tie.Kind.EMPLOYER)
    client.force_login(world.assessor)
    assert client.get(world.page()).status_code == 404


def test_a_draft_is_not_on_the_officials_page(client, world):
    draft = submission_data.application(world.call, lead=factories.municipality("Kotka"), partners=[factories.municipality("Hamina")])
    client.force_login(world.preparer)
    assert client.get(world.page(pk=draft.pk)).status_code == 404


def test_the_audit_trail_in_words_with_actor_role_and_time(client, world):
    services.mark_application(world.preparer, world.app.pk, "ineligible", "Ei täytä ehtoja.", ["other"])
    client.force_login(world.presenter)
    response = client.get(world.page())
    page = response.content.decode()
    entries = response.context["timeline"]
    assert [entry.what for entry in entries] == [
        "Application submitted, receipt number 1",
        "Marked ineligible (1 condition of the call not met). Reason: Ei täytä ehtoja.",
    ]
    assert [(entry.who, entry.role) for entry in entries] == [("Liisa Lead", "lead applicant, Porvoo"), ("Preparer Person", "preparer")]
    assert "5 October 2020 at 12:00 · Liisa Lead (lead applicant, Porvoo)" in page  # submitted, in Helsinki time
    assert "19 October 2020 at 12:00 · Preparer Person (preparer)" in page


def test_an_unknown_action_reads_as_a_generic_sentence(client, world):
    from kuntadigi.audit import services as audit

    audit.record(world.preparer, "application.archived", world.app, application_id=world.app.pk, after={"x": 1})
    client.force_login(world.presenter)
    assert "Preparer Person made a change: application archived" in client.get(world.page()).content.decode()


def _second_version(world):
    request = services.request_supplement(world.preparer, world.app.pk, ["project"], "Tarkentakaa.", clock.now() + timedelta(days=7))
    app = world.refresh()
    drafting.save_draft(world.lead, app, {"objectives": "Sähköiset kokoukset ja avoin päätöksenteko kaikissa kunnissa."}, app.version)
    services.submit_supplement(world.lead, app.pk)
    return request


def test_versions_and_what_changed_by_default_the_last_two(client, world):
    _second_version(world)
    client.force_login(world.preparer)
    response = client.get(world.page())
    assert [v.number for v in response.context["versions"]] == [1, 2]
    assert (response.context["older"].number, response.context["newer"].number) == (1, 2)
    page = response.content.decode()
    assert "Changes from version 1 to version 2." in page
    assert '<ins><span class="visually-hidden">added: </span> ja avoin päätöksenteko</ins>' in page
    assert "The application as submitted (version 2)" in page
    # The same version twice: no changes.
    response = client.get(world.page() + "?a=2&b=2")
    assert response.context["changes"] == []
    assert "The versions have the same content." in response.content.decode()
    # Nonsense falls back to the last two.
    response = client.get(world.page() + "?a=x&b=99")
    assert (response.context["older"].number, response.context["newer"].number) == (1, 2)


def test_one_version_has_no_comparison(client, world):
    client.force_login(world.preparer)
    response = client.get(world.page())
    assert response.context["changes"] == []
    assert "What changed between versions" not in response.content.decode()


def test_the_screening_list_links_to_the_page(client, world):
    client.force_login(world.preparer)
    assert world.page() in client.get(world.page("list")).content.decode()

"""A decided application whose party merged later shows the successor as the party from the merger
date on, with an audit event (issue 10, sections 6 and 8): a 2020 project with Honkajoki as a partner
shows Honkajoki until 31.12.2020 and "Kankaanpää (Honkajoki until 31 December 2020)" from 1.1.2021, on the
public pages, the applicant's pages and the officials' page; the succession is recorded once."""

from datetime import date, datetime
from decimal import Decimal
from io import StringIO
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from kuntadigi import clock
from kuntadigi.applications import submission
from kuntadigi.applications.lifecycle import State
from kuntadigi.applications.models import Application, Participant
from kuntadigi.applications.parties import SUCCEEDED, apply_municipal_mergers
from kuntadigi.audit.models import AuditEvent
from kuntadigi.calls.models import CallRole
from kuntadigi.publication import queries
from tests import factories
from tests.integration import submission_data
from tests.integration.publication_support import published_world

pytestmark = pytest.mark.django_db

HKI = factories.HKI
LOCALE_PATHS = list(django_settings.LOCALE_PATHS)
LAST_DAY = datetime(2020, 12, 31, 23, 59, tzinfo=HKI)
MERGER_DAY = datetime(2021, 1, 1, 0, 1, tzinfo=HKI)
LABEL = "Kankaanpää (Honkajoki until 31 December 2020)"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LOCALE_PATHS = []  # the interface's own texts in English, the source language
    with translation.override("en"):
        yield


def merged_pair():
    kankaanpaa = factories.municipality("Kankaanpää", code="214", legal_name_fi="Kankaanpään kaupunki")
    honkajoki = factories.municipality("Honkajoki", code="099", legal_name_fi="Honkajoen kunta")
    factories.merged(honkajoki, kankaanpaa, date(2020, 12, 31))
    return honkajoki, kankaanpaa


@pytest.fixture
def published():
    """A published 2020 call whose first funded project has Honkajoki as a partner."""
    honkajoki, kankaanpaa = merged_pair()
    world = published_world(2, n_rejected=0)
    project = world.funded[0]
    assert not {honkajoki, kankaanpaa} & set(world.participants_of(project))
    Participant.objects.create(application=project, organisation=honkajoki, role=Participant.Role.PARTNER)
    return SimpleNamespace(project=project, honkajoki=honkajoki, kankaanpaa=kankaanpaa)


def get(client, url: str, language: str = "en") -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def test_the_public_project_page_shows_honkajoki_before_and_kankaanpaa_after(client, published):
    project = published.project
    with translation.override("en"):
        url = reverse("publication:project", args=[project.reference])

    clock.set_now(LAST_DAY)
    page = get(client, url)
    assert '<a href="/en/municipalities/099/">Honkajoki</a>' in page
    assert "Kankaanpää" not in page

    clock.set_now(MERGER_DAY)
    page = get(client, url)
    assert f'<a href="/en/municipalities/214/">{LABEL}</a>' in page
    assert "/en/municipalities/099/" not in page


@pytest.mark.parametrize(("language", "label"), [("fi", "Kankaanpää (Honkajoki 31.12.2020 asti)"), ("sv", "Kankaanpää (Honkajoki till 31.12.2020)")])
def test_the_successor_is_named_in_the_readers_language(client, settings, published, language, label):
    project = published.project
    settings.LOCALE_PATHS = LOCALE_PATHS  # the project's catalogues
    clock.set_now(MERGER_DAY)
    with translation.override(language):
        url = reverse("publication:project", args=[project.reference])
    assert label in get(client, url, language)


def test_the_municipality_pages_after_the_merger(client, published):
    project = published.project
    clock.set_now(MERGER_DAY)
    with translation.override("en"):
        kankaanpaa_url = reverse("publication:municipality", args=["214"])
        honkajoki_url = reverse("publication:municipality", args=["099"])
    page = get(client, kankaanpaa_url)
    assert project.project_name in page and LABEL in page
    assert "<dt>Funded projects</dt><dd>1</dd>" in page and "<dt>As partner</dt><dd>1</dd>" in page
    page = get(client, honkajoki_url)
    assert "Honkajoki merged into Kankaanpää on 1 January 2021. Since then Kankaanpää is the party in its projects." in page
    assert project.project_name in page

    clock.set_now(LAST_DAY)  # before the merger Kankaanpää takes part in nothing
    page = get(client, kankaanpaa_url)
    assert project.project_name not in page and "Since then" not in get(client, honkajoki_url)


def test_the_public_record_and_the_api_name_the_successor_with_the_predecessor(client, published):
    project = published.project
    decision = queries.grant(project.reference)
    before = queries.grant_record(decision, on=date(2020, 12, 31))
    assert [(p["id"], p["predecessor"]) for p in before["partners"] if p["id"] in {"099", "214"}] == [("099", None)]
    after = queries.grant_record(decision, on=date(2021, 1, 1))
    merged = next(p for p in after["partners"] if p["id"] == "214")
    assert merged["name_fi"] == "Kankaanpää"
    assert merged["predecessor"] == {
        "id": "099",
        "municipality_code": "099",
        "business_id": None,
        "name_fi": "Honkajoki",
        "name_sv": "Honkajoki",
        "valid_until": date(2020, 12, 31),
    }

    clock.set_now(MERGER_DAY)
    data = client.get(f"/api/v1/grants/{project.reference}").json()
    partner = next(p for p in data["partners"] if p["id"] == "214")
    assert partner["predecessor"]["id"] == "099" and partner["predecessor"]["valid_until"] == "2020-12-31"
    assert partner["predecessor"]["api_url"].endswith("/api/v1/organisations/099")
    grants = client.get("/api/v1/organisations/214").json()["grants"]
    assert [(g["id"], g["role"]) for g in grants] == [(project.reference, "partner")]


def test_the_succession_is_recorded_once_from_the_merger_date(published):
    project = published.project
    assert apply_municipal_mergers(LAST_DAY) == 0
    assert not AuditEvent.objects.filter(action=SUCCEEDED).exists()

    assert apply_municipal_mergers(MERGER_DAY) == 1
    assert apply_municipal_mergers(MERGER_DAY) == 0
    out = StringIO()
    clock.set_now(datetime(2021, 3, 1, 12, 0, tzinfo=HKI))
    call_command("apply_municipal_mergers", stdout=out)
    assert out.getvalue().strip() == "0 new successions recorded"

    event = AuditEvent.objects.get(action=SUCCEEDED)
    participant = Participant.objects.get(application=project, organisation=published.honkajoki)
    assert (event.object_type, event.object_id, event.application_id, event.actor) == ("applications.participant", str(participant.pk), project.pk, None)
    assert event.before["name_fi"] == "Honkajoki" and event.before["municipality_code"] == "099" and event.before["role"] == "partner"
    assert event.after["name_fi"] == "Kankaanpää" and event.after["municipality_code"] == "214"
    assert event.after["merger_date"] == "2021-01-01"


def test_an_undecided_application_is_not_succeeded(published):
    project = published.project
    Application.objects.filter(pk=project.pk).update(state=State.ELIGIBLE)
    assert apply_municipal_mergers(MERGER_DAY) == 0


@pytest.fixture
def decided():
    """A 2020 application led by Pori with Honkajoki as a partner, submitted in the call and since granted."""
    honkajoki, _kankaanpaa = merged_pair()
    call = factories.call()
    pori = factories.municipality("Pori", code="609")
    applicant = factories.member(pori)
    clock.set_now(factories.DURING_2020)
    application = submission_data.application(call, lead=pori, partners=[honkajoki], created_by=applicant, requested=Decimal("12750.00"))
    result = submission.submit_application(applicant, application.pk)
    assert result.submission is not None
    Application.objects.filter(pk=application.pk).update(state=State.GRANTED)
    official = factories.user(official=True)
    CallRole.objects.create(call=call, user=official, role=CallRole.Role.PREPARER)
    return application, applicant, official, result.submission


def test_the_applicants_pages_show_the_successor_from_the_merger_date(client, decided):
    application, applicant, _official, version = decided
    client.force_login(applicant)
    with translation.override("en"):
        detail = reverse("applications:detail", args=[application.pk])
        receipt = reverse("applications:receipt", args=[application.pk, version.number])

    clock.set_now(LAST_DAY)
    assert '<th scope="row">Honkajoki</th>' in get(client, detail)
    assert "<li>Honkajoki</li>" in get(client, receipt)

    clock.set_now(MERGER_DAY)
    assert f'<th scope="row">{LABEL}</th>' in get(client, detail)
    assert f"<li>{LABEL}</li>" in get(client, receipt)


def test_the_officials_page_shows_the_successor_and_the_event(client, decided):
    application, _applicant, official, _version = decided
    client.force_login(official)
    with translation.override("en"):
        url = reverse("screening:application", args=[application.pk])

    clock.set_now(LAST_DAY)
    page = get(client, url)
    assert "<li>Honkajoki</li>" in page and LABEL not in page

    clock.set_now(MERGER_DAY)
    apply_municipal_mergers(clock.now())
    page = get(client, url)
    assert f"<li>{LABEL}</li>" in page
    assert "Honkajoki replaced by Kankaanpää, its successor in the municipal merger of 1 January 2021" in page


def test_a_submitted_application_keeps_its_parties_after_a_merger(client, decided):
    application, applicant, _official, _version = decided
    Application.objects.filter(pk=application.pk).update(state=State.SUBMITTED)
    client.force_login(applicant)
    clock.set_now(MERGER_DAY)
    with translation.override("en"):
        page = get(client, reverse("applications:detail", args=[application.pk]))
    assert '<th scope="row">Honkajoki</th>' in page and LABEL not in page

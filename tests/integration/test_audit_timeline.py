"""The audit timeline on the official's application page reads as sentences in the reader's language,
with no database ids, field names, raw JSON or ISO timestamps; the raw events are a download."""

import csv
import html
import io
import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from kuntadigi import clock
from kuntadigi.applications import drafting
from kuntadigi.applications import submission as submission_services
from kuntadigi.applications.models import BudgetLine
from kuntadigi.audit import services as audit
from kuntadigi.screening import timeline
from tests import factories
from tests.integration import screening_support as support
from tests.integration import submission_data

pytestmark = pytest.mark.django_db
NB = "\u00a0"


@pytest.fixture
def world():
    """The 2020 call closed; Porvoo leads, Loviisa takes part. Before submitting, the lead raised
    Loviisa's line 'Koulutus' from 12 000 € to 15 000 € (through the budget service), Loviisa
    confirmed again, and the lead submitted."""
    w = type("World", (), {})()
    w.call = factories.call()
    w.lead_org = factories.municipality("Porvoo", name_sv="Borgå")
    w.partner_org = factories.municipality("Loviisa", name_sv="Lovisa")
    w.lead = factories.member(w.lead_org, "lead@porvoo.example.fi", admin=True, full_name="Liisa Lead")
    w.partner = factories.member(w.partner_org, "partner@loviisa.example.fi", admin=True, full_name="Paavo Partner")
    clock.set_now(factories.DURING_2020)
    w.app = submission_data.application(w.call, lead=w.lead_org, partners=[w.partner_org], created_by=w.lead)
    partner_participant = submission_data.partner(w.app)
    BudgetLine.objects.filter(participant=partner_participant, description="Koulutus").update(amount=Decimal("12000.00"))
    lines = drafting.stored_lines(w.app)
    for line in lines:
        if line["description"] == "Koulutus":
            line["amount"] = Decimal("15000.00")
    w.app.refresh_from_db()
    drafting.save_budget(w.lead, w.app, lines, w.app.requested_grant, w.app.version)
    submission_data.confirm(partner_participant, w.partner)
    result = submission_services.submit_application(w.lead, w.app.pk)
    assert result.submission is not None, result.problems
    clock.set_now(support.AFTER_2020)
    w.app.refresh_from_db()
    w.preparer = support.official(w.call, "preparer", "preparer@vm.example.fi", full_name="Pirkko Preparer")
    w.assessor = support.official(w.call, "assessor", "assessor@vm.example.fi")
    w.partner_participant = partner_participant
    return w


def page_of(client, world, language: str) -> str:
    with translation.override(language):
        url = reverse("screening:application", args=[world.app.pk])
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def audit_section(page: str) -> str:
    start = page.index('<section aria-labelledby="audit">')
    return page[start : page.index("</section>", start)]


def visible_text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment)).replace(NB, " ")


@pytest.mark.parametrize(
    "language, sentence, when, who",
    [
        ("fi", "Talousarviorivi 'Koulutus' (Loviisa): 12 000 € → 15 000 €", "5.10.2020 klo 12.00", "Liisa Lead (hankehallinnoija, Porvoo)"),
        ("sv", "Budgetrad 'Koulutus' (Lovisa): 12 000 € → 15 000 €", "5.10.2020 kl. 12.00", "Liisa Lead (projektadministratör, Borgå)"),
    ],
)
def test_a_budget_edit_reads_as_a_sentence_in_the_readers_language(client, world, language, sentence, when, who):
    client.force_login(world.preparer)
    section = audit_section(page_of(client, world, language))
    text = visible_text(section)
    assert sentence in text
    assert f"{when} · {who}" in text
    # No database ids, field names, raw JSON or ISO timestamps anywhere in the timeline's HTML.
    timeline_html = section[: section.index("<p>", section.index("</ol>"))]
    assert not re.search(r"\d{4}-\d{2}-\d{2}", timeline_html)  # no ISO date, let alone an ISO timestamp
    assert not re.search(r"\d{2}:\d{2}:\d{2}", timeline_html)
    for raw in ("requested_grant", "participant", "category", "fingerprint", "version", "budget_saved", "application.", "{", "}", '":'):
        assert raw not in timeline_html
    for pk in (world.partner_participant.pk, world.partner_org.pk, world.lead.pk, world.app.pk):
        for shape in (f"#{pk}", f"({pk})", f": {pk}<", f"id {pk}", f"={pk}"):
            assert shape not in timeline_html


def test_the_raw_events_are_a_download_for_the_officials_who_see_the_timeline(client, world):
    client.force_login(world.preparer)
    section = audit_section(page_of(client, world, "fi"))
    json_url = reverse("screening:audit_download", args=[world.app.pk, "json"])
    csv_url = reverse("screening:audit_download", args=[world.app.pk, "csv"])
    assert json_url in section and csv_url in section

    response = client.get(json_url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    events = json.loads(response.content)
    budget = next(event for event in events if event["action"] == "application.budget_saved")
    koulutus = [line for line in budget["after"]["lines"] if line["description"] == "Koulutus"]
    assert koulutus == [{"participant": world.partner_participant.pk, "category": koulutus[0]["category"], "description": "Koulutus", "amount": "15000.00"}]
    assert budget["actor_id"] == world.lead.pk and budget["at"].startswith("2020-10-05T")

    rows = list(csv.DictReader(io.StringIO(client.get(csv_url).content.decode())))
    assert [row["action"] for row in rows] == [event["action"] for event in events]
    assert json.loads(next(row for row in rows if row["action"] == "application.budget_saved")["after"])["lines"] == budget["after"]["lines"]


@pytest.mark.parametrize("who", ["assessor", "lead", "partner"])
def test_others_cannot_download_the_raw_events(client, world, who):
    client.force_login(getattr(world, who))
    for fmt in ("json", "csv"):
        assert client.get(reverse("screening:audit_download", args=[world.app.pk, fmt])).status_code == 404


def test_the_timeline_loads_in_the_same_number_of_queries_whatever_the_number_of_events(world):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            entries = timeline.application_timeline(world.app, "fi")
        assert entries
        return len(captured.captured_queries)

    few = queries()
    for n in range(15):
        audit.record(world.preparer, "assessment.assigned", world.app, application_id=world.app.pk, after={"assessor": world.assessor.pk, "how": "by_hand"})
        audit.record(world.partner, "delivery.consent_given", world.app, application_id=world.app.pk, after={"organisation": world.partner_org.pk})
        audit.record(world.preparer, f"application.read{n}", world.app, application_id=world.app.pk)
    assert queries() == few

"""The data generator walks every application through the real services, so the data obeys the call."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from kuntadigi import clock
from kuntadigi.accounts.models import User
from kuntadigi.applications.lifecycle import RECEIVED_STATES, State
from kuntadigi.applications.models import Application
from kuntadigi.applications.snapshot import fingerprint
from kuntadigi.assessment.models import Assignment
from kuntadigi.audit.models import AuditEvent
from kuntadigi.calls.models import Call, CallRole
from kuntadigi.decisions.models import Allocation, Decision
from kuntadigi.publication import queries
from kuntadigi.publication.models import ResultsPublication
from kuntadigi.screening.models import Screening
from tests import factories
from tests.integration import decisions_support


@pytest.fixture
def municipalities(db):
    return [factories.municipality(f"Kunta {n}", code=f"{100 + n:03d}") for n in range(8)]


def test_generates_submitted_applications_that_keep_the_rules(municipalities):
    call = factories.call()
    call_command("generate_applications", "--call", call.slug, "--count", "5", "--drafts", "1", stdout=None)
    applications = list(Application.objects.filter(call=call).prefetch_related("submissions", "participants"))
    assert len(applications) == 5
    assert sorted(a.state for a in applications) == [State.DRAFT] + [State.SUBMITTED] * 4
    for application in applications:
        assert application.participants.count() >= call.min_municipalities
        assert application.requested_grant <= (sum(line.amount for line in application.budget_lines.all()) * call.max_grant_share)
        for submission in application.submissions.all():
            assert call.opens_at <= submission.submitted_at < call.closes_at
            assert submission.fingerprint == fingerprint(submission.content)
            assert all(partner["confirmed_at"] for partner in submission.content["partners"])


def test_the_same_seed_gives_the_same_applications(municipalities):
    first = factories.call("digi-a")
    second = factories.call("digi-b")
    call_command("generate_applications", "--call", "digi-a", "--count", "3", "--seed", "7", stdout=None)
    call_command("generate_applications", "--call", "digi-b", "--count", "3", "--seed", "7", stdout=None)

    def shape(call):
        return [(a.project_name, a.lead_id, a.requested_grant) for a in Application.objects.filter(call=call).order_by("reference")]

    assert shape(first) == shape(second)


def test_if_empty_leaves_a_call_with_applications_alone(municipalities):
    call = factories.call()
    call_command("generate_applications", "--call", call.slug, "--count", "2", stdout=None)
    call_command("generate_applications", "--call", call.slug, "--count", "2", "--if-empty", stdout=None)
    assert Application.objects.filter(call=call).count() == 2


def test_generated_mail_goes_nowhere_and_mail_works_afterwards(municipalities, mailoutbox, settings):
    from django.core.mail import send_mail

    backend = settings.EMAIL_BACKEND
    call = factories.call()
    call_command("generate_applications", "--call", call.slug, "--count", "1", stdout=None)
    assert mailoutbox == []
    assert settings.EMAIL_BACKEND == backend
    send_mail("s", "b", None, ["x@example.fi"])
    assert len(mailoutbox) == 1


def test_with_a_set_clock_nothing_is_submitted_in_its_future(municipalities):
    from kuntadigi import clock

    call = factories.call()
    clock.set_now(factories.DURING_2020)
    call_command("generate_applications", "--call", call.slug, "--count", "4", stdout=None)
    times = [a.submitted_at for a in Application.objects.filter(call=call)]
    assert len(times) == 4
    assert all(call.opens_at < t <= factories.DURING_2020 for t in times)


# ── --through: the officials' whole path ───────────────────────────────────

CALL_2019 = Path(settings.BASE_DIR) / "data" / "calls" / "digi-2019-2.json"


@pytest.fixture
def call_2019(municipalities):
    call_command("load_calls", str(CALL_2019), stdout=StringIO())
    return Call.objects.get(slug="digi-2019-2")


def generate(call, *args) -> str:
    out = StringIO()
    call_command("generate_applications", "--call", call.slug, *args, stdout=out)
    return out.getvalue()


def received(call):
    return Application.objects.filter(call=call, state__in=RECEIVED_STATES).order_by("reference")


def test_through_published_every_received_application_is_decided_signed_and_public(call_2019):
    # A smaller appropriation than the call's, so that the line is drawn inside the ranked list.
    Call.objects.filter(pk=call_2019.pk).update(appropriation=Decimal("600000.00"))
    call = Call.objects.get(pk=call_2019.pk)

    output = generate(call, "--count", "8", "--drafts", "1", "--seed", "11", "--through", "published")

    call.refresh_from_db()
    assert call.generated_content is True
    apps = list(received(call).select_related("decision__no_grant_reason", "screening"))
    assert len(apps) == 7 and Application.objects.filter(call=call, state=State.DRAFT).count() == 1
    assert {a.state for a in apps} <= {State.GRANTED, State.NOT_GRANTED}
    assert all(a.decision.state == Decision.State.SIGNED and a.decision.signed_at for a in apps)
    grants = [a.decision for a in apps if a.decision.outcome == Decision.Outcome.GRANT]
    no_grants = [a.decision for a in apps if a.decision.outcome == Decision.Outcome.NO_GRANT]
    assert grants and no_grants
    assert sum(d.amount for d in grants) == Allocation.objects.get(call=call).total <= call.appropriation
    for application in apps:
        if application.decision.outcome == Decision.Outcome.GRANT:
            assert application.decision.amount <= application.requested_grant
            assert application.decision.costs_until <= call.project_end_latest
    # One of the seven is about a field the call excludes: screened ineligible with that field named,
    # and its decision gives the call's reason for it.
    ineligible = [a for a in apps if a.screening.outcome == "ineligible"]
    assert len(ineligible) == 1
    assert "ei rahoiteta" in ineligible[0].screening.reason
    assert ineligible[0].decision.no_grant_reason.code == "excluded-field"
    assert {d.no_grant_reason.code for d in no_grants} - {"excluded-field"} == {"not-within-appropriation"}
    # The decision is in the application's language, with the titles in that language.
    for application in apps:
        assert application.decision.language == application.language
        assert application.decision.decision_maker_title == {"fi": "finanssineuvos", "sv": "finansråd"}[application.language]
    # Every eligible application was scored blind by the call's assessors, every criterion justified.
    criteria = call.criteria.count()
    assignments = Assignment.objects.filter(application__call=call).prefetch_related("scores")
    assert assignments and all(a.submitted_at for a in assignments)
    assert all(len(a.scores.all()) == criteria and all(s.score and s.justification for s in a.scores.all()) for a in assignments)
    assert {a.application_id for a in assignments} == {a.pk for a in apps if a.screening.outcome == "eligible"}
    # The results are public, after the last decision was signed, on a working day.
    publication = ResultsPublication.objects.get(call=call)
    assert max(a.decision.signed_at for a in apps) < publication.published_at
    assert clock.helsinki(publication.published_at).weekday() < 5
    assert call.closes_at < min(a.screening.marked_at for a in apps)
    # Every step left its audit events, at the moments of the path.
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    for action in ("screening.marked", "assessment.assigned", "assessment.submitted", "decisions.allocation_finalised", "decision.prepare", "decision.sign"):
        assert action in actions, action
    assert AuditEvent.objects.filter(action="results.published").count() == 1
    assert f"{len(apps)} signed decisions, {len(grants)} grants" in output
    # The public read model sees the grants, marked fictional.
    assert [queries.grant_record(d)["fictional"] for d in queries.funded_decisions().filter(application__call=call)] == [True] * len(grants)


@pytest.mark.parametrize(
    ("through", "states", "assessed", "decided"),
    [
        ("screened", {State.ELIGIBLE, State.INELIGIBLE}, False, False),
        ("assessed", {State.ELIGIBLE, State.INELIGIBLE}, True, False),
        ("decided", {State.GRANTED, State.NOT_GRANTED}, True, True),
    ],
)
def test_each_stage_stops_where_it_says(call_2019, through, states, assessed, decided):
    generate(call_2019, "--count", "4", "--seed", "5", "--through", through)

    apps = list(received(call_2019))
    assert len(apps) == 4
    assert {a.state for a in apps} <= states
    assert Screening.objects.filter(application__call=call_2019).count() == 4
    assert Assignment.objects.filter(application__call=call_2019, submitted_at__isnull=False).exists() is assessed
    assert Decision.objects.filter(application__call=call_2019, state=Decision.State.SIGNED).count() == (4 if decided else 0)
    assert not ResultsPublication.objects.filter(call=call_2019).exists()


def test_the_decisions_pdfs_are_rendered_by_the_tasks(call_2019, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        generate(call_2019, "--count", "2", "--seed", "3", "--through", "decided")

    decisions = list(Decision.objects.filter(application__call=call_2019))
    assert len(decisions) == 2
    assert all(d.document and len(d.document_sha256) == 64 for d in decisions)
    assert all(d.document.read(5) == b"%PDF-" for d in decisions)


def test_through_published_is_the_same_for_the_same_seed(municipalities):
    first = decisions_support.decision_call("digi-a")
    second = decisions_support.decision_call("digi-b")
    generate(first, "--count", "4", "--seed", "9", "--through", "published")
    generate(second, "--count", "4", "--seed", "9", "--through", "published")

    def shape(call):
        rows = []
        for application in received(call).select_related("decision", "screening"):
            scores = sorted(
                (a.assessor.email, s.criterion.order, s.score, s.justification)
                for a in application.assignments.select_related("assessor")
                for s in a.scores.select_related("criterion")
            )
            decision = application.decision
            facts = (application.project_name, application.lead_id, application.requested_grant, application.state, application.screening.marked_at)
            rows.append((*facts, decision.outcome, decision.amount, decision.signed_at, tuple(scores)))
        return rows

    assert shape(first) == shape(second)
    assert ResultsPublication.objects.get(call=first).published_at == ResultsPublication.objects.get(call=second).published_at


def test_if_empty_leaves_a_published_call_alone(call_2019):
    generate(call_2019, "--count", "3", "--seed", "4", "--through", "published", "--if-empty")
    before = (Application.objects.count(), Decision.objects.count(), AuditEvent.objects.count())

    output = generate(call_2019, "--count", "3", "--seed", "4", "--through", "published", "--if-empty")

    assert "none generated" in output
    assert (Application.objects.count(), Decision.objects.count(), AuditEvent.objects.count()) == before
    assert ResultsPublication.objects.filter(call=call_2019).count() == 1


def test_through_refuses_when_the_clock_is_before_the_path_and_writes_nothing(call_2019):
    clock.set_now(call_2019.closes_at + timedelta(days=3))

    with pytest.raises(CommandError, match="before the moment the call would be published"):
        generate(call_2019, "--count", "3", "--through", "published")

    assert not Application.objects.filter(call=call_2019).exists()


def test_the_demo_officials_hold_their_roles_in_the_call(call_2019):
    generate(call_2019, "--count", "3", "--seed", "4", "--through", "screened")

    roles = set(CallRole.objects.filter(call=call_2019).values_list("user__email", "role"))
    assert roles == {
        ("virkailija@demo.kuntadigi.fi", "preparer"),
        ("virkailija@demo.kuntadigi.fi", "presenter"),
        ("ratkaisija@demo.kuntadigi.fi", "decision_maker"),
        ("maksaja@demo.kuntadigi.fi", "payment_approver"),
        ("arvioija1@demo.kuntadigi.fi", "assessor"),
        ("arvioija2@demo.kuntadigi.fi", "assessor"),
    }
    assert not User.objects.get(email="ratkaisija@demo.kuntadigi.fi").has_usable_password()


def test_leads_with_a_swedish_speaking_majority_write_in_swedish(db):
    swedish = {factories.municipality("Parainen", code="445", name_sv="Pargas"), factories.municipality("Raasepori", code="710", name_sv="Raseborg")}
    for code, name in [("091", "Helsinki"), ("837", "Tampere"), ("564", "Oulu")]:
        factories.municipality(name, code=code)
    call = factories.call()

    call_command("generate_applications", "--call", call.slug, "--count", "8", "--seed", "1", stdout=None)

    languages = {(a.lead in swedish, a.language) for a in Application.objects.filter(call=call).select_related("lead")}
    assert languages == {(True, "sv"), (False, "fi")}
    # The budget lines are written in the application's language too.
    descriptions = {(a.language, line.description) for a in Application.objects.filter(call=call) for line in a.budget_lines.all()}
    assert {("fi", "Projektihenkilöstö"), ("sv", "Projektpersonal")} <= descriptions
    assert not {description for language, description in descriptions if language == "sv"} & {"Projektihenkilöstö", "Ostopalvelut"}


def test_no_municipality_of_aland_takes_part_where_the_call_does_not_allow_it_and_projects_start_after_the_call(db):
    aland = {factories.municipality(name, code=code, region_code="21") for code, name in [("478", "Maarianhamina"), ("170", "Jomala"), ("060", "Finström")]}
    for code, name in [("091", "Helsinki"), ("837", "Tampere"), ("564", "Oulu"), ("049", "Espoo"), ("092", "Vantaa"), ("853", "Turku")]:
        factories.municipality(name, code=code)
    call = factories.call()

    call_command("generate_applications", "--call", call.slug, "--count", "6", "--seed", "3", stdout=None)

    applications = list(Application.objects.filter(call=call).prefetch_related("participants__organisation"))
    assert len(applications) == 6
    assert not {p.organisation for a in applications for p in a.participants.all()} & aland
    # Costs are eligible from the decision on: no project starts before the call closed.
    assert all(a.start_date > clock.helsinki(call.closes_at).date() for a in applications)


def test_a_path_that_stops_half_way_leaves_nothing_behind(call_2019):
    from kuntadigi.calls.models import NoGrantReason

    NoGrantReason.objects.filter(call=call_2019, code="not-within-appropriation").delete()
    events = AuditEvent.objects.count()

    with pytest.raises(CommandError, match="not-within-appropriation"):
        generate(call_2019, "--count", "3", "--seed", "4", "--through", "published", "--if-empty")

    assert not Application.objects.filter(call=call_2019).exists()
    assert AuditEvent.objects.count() == events
    assert Call.objects.get(pk=call_2019.pk).generated_content is False


def test_the_demo_officials_read_the_generated_applications_and_nobody_at_the_ministry_reads_a_draft(client, municipalities, settings):
    """The demo still works end to end under least privilege (make run: demo_setup, then the generator): its
    preparer and decision-maker hold roles in the 2020 call and open its submitted applications; the demo's
    system administrator, without a role, does not, and nobody opens a draft."""
    from django.urls import reverse

    settings.DEBUG = True
    for code, name in (("638", "Porvoo"), ("434", "Loviisa"), ("753", "Sipoo")):
        factories.municipality(name, code=code)
    call = factories.call("digi-2020")
    call_command("demo_setup", stdout=StringIO())
    call_command("generate_applications", "--call", call.slug, "--count", "3", "--drafts", "1", stdout=None)
    preparer = User.objects.get(email="virkailija@demo.kuntadigi.fi")
    decision_maker = User.objects.get(email="ratkaisija@demo.kuntadigi.fi")
    admin = User.objects.get(email="admin@demo.kuntadigi.fi")
    submitted = Application.objects.filter(call=call, state=State.SUBMITTED).first()
    draft = Application.objects.get(call=call, state=State.DRAFT)
    clock.set_now(call.closes_at + timedelta(days=1))
    for person in (preparer, decision_maker):
        client.force_login(person)
        assert client.get(reverse("screening:application", args=[submitted.pk])).status_code == 200
        assert client.get(reverse("applications:detail", args=[submitted.pk])).status_code == 200
        assert client.get(reverse("applications:detail", args=[draft.pk])).status_code == 404
    client.force_login(admin)
    assert client.get(reverse("applications:detail", args=[submitted.pk])).status_code == 404
    assert client.get(reverse("screening:application", args=[submitted.pk])).status_code == 404

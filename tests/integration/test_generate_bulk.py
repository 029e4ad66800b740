"""`manage.py generate_bulk`: many applications fast, with rows that obey the rules the services keep."""

from __future__ import annotations

import io
from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, Q, Sum

from kuntadigi.applications import rules, snapshot, submission
from kuntadigi.applications.lifecycle import RECEIVED_STATES, State
from kuntadigi.applications.models import Application, Attachment, BudgetLine, Participant, Submission
from kuntadigi.assessment.models import Assignment, Score
from kuntadigi.calls.models import Call
from kuntadigi.decisions import services_ranking
from kuntadigi.decisions.models import Allocation, Decision, Proposal
from kuntadigi.publication.models import ResultsPublication
from kuntadigi.screening.models import Screening
from tests import factories
from tests.integration import submission_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def reference_data(db):
    call_command("load_reference_data", verbosity=0, stdout=io.StringIO())
    call_command("load_calls", verbosity=0, stdout=io.StringIO())


def generate(**options) -> str:
    out = io.StringIO()
    call_command("generate_bulk", stdout=out, **{"call": "digi-2020", "count": 80, "batch_size": 25, **options})
    return out.getvalue()


def test_counts_by_state_and_the_rows_each_state_has(reference_data):
    output = generate()
    call = Call.objects.get(slug="digi-2020")
    apps = Application.objects.filter(call=call)
    states = Counter(apps.values_list("state", flat=True))
    assert sum(states.values()) == 80
    # Realistic proportions: most are received, some are drafts, some decided (grants and no grants).
    assert states[State.DRAFT] >= 1 and states[State.DRAFT] < 20
    assert states[State.SUBMITTED] >= 1 and states[State.ELIGIBLE] >= 10 and states[State.NOT_GRANTED] >= 5 and states[State.GRANTED] >= 1
    assert f"80 applications generated (draft {states[State.DRAFT]}," in output
    assert "render_decisions" in output  # documents are left to the renderer

    # Drafts have no versions; every received application has one or two.
    versions = dict(apps.annotate(n=Count("submissions")).values_list("state", "n").distinct())
    assert versions.get(State.DRAFT, 0) == 0
    per_app = Counter(apps.filter(state__in=RECEIVED_STATES).annotate(n=Count("submissions")).values_list("n", flat=True))
    assert set(per_app) <= {1, 2} and per_app[1] > 0
    # Lead and 1–4 partners, all real municipalities; budget lines for each participant.
    sizes = Counter(apps.annotate(n=Count("participants")).values_list("n", flat=True))
    assert set(sizes) <= {2, 3, 4, 5}
    assert Participant.objects.filter(application__call=call, role="lead").count() == 80
    assert not Participant.objects.filter(application__call=call).annotate(n=Count("budget_lines")).filter(n=0).exists()
    assert Attachment.objects.filter(application__call=call).exists()
    # Screened ones have their mark, eligible (and decided eligible) ones two submitted assessments with every score.
    for state, outcome in [(State.ELIGIBLE, "eligible"), (State.INELIGIBLE, "ineligible"), (State.GRANTED, "eligible")]:
        assert set(Screening.objects.filter(application__call=call, application__state=state).values_list("outcome", flat=True)) <= {outcome}
        assert Screening.objects.filter(application__call=call, application__state=state).count() == states[state]
    assert not Screening.objects.filter(application__state__in=(State.SUBMITTED, State.DRAFT)).exists()
    criteria = call.criteria.count()
    for app in apps.filter(state__in=(State.ELIGIBLE, State.GRANTED)):
        done = Assignment.objects.filter(application=app, submitted_at__isnull=False)
        assert done.count() == 2
        assert Score.objects.filter(assignment__in=done, score__isnull=False).exclude(justification="").count() == 2 * criteria
    # The budget rule: the amount applied for is at most the call's share of the eligible costs.
    for app in apps.exclude(state=State.DRAFT).annotate(costs=Sum("budget_lines__amount")):
        assert isinstance(app.requested_grant, Decimal)
        assert Decimal("0") < app.requested_grant <= rules.max_grant(app.costs, call.max_grant_share)
    assert Call.objects.get(pk=call.pk).generated_content


def test_every_fingerprint_verifies_against_the_real_snapshot(reference_data):
    generate()
    for version in Submission.objects.all():
        assert snapshot.fingerprint(version.content) == version.fingerprint
    # The latest version is exactly what the application holds now, read the way the services read it.
    for app in submission.with_content(Application.objects.filter(state__in=RECEIVED_STATES)):
        latest = max(app.submissions.all(), key=lambda version: version.number)
        assert snapshot.application_content(app) == latest.content
        for participant in app.participants.all():
            if participant.role == "partner":
                assert snapshot.confirmation_is_current(participant)
    # A resubmitted application kept its first version, withdrawn, and it differs from the second.
    second = Submission.objects.filter(number=2).select_related("application").first()
    assert second is not None
    first = Submission.objects.get(application=second.application, number=1)
    assert first.withdrawn_at is not None and first.fingerprint != second.fingerprint


def test_the_same_seed_gives_the_same_data(reference_data):
    def run(seed):
        with transaction.atomic():
            generate(seed=seed)
            data = sorted(Application.objects.values_list("reference", "state", "lead__municipality_code", "requested_grant", "submitted_at", "project_name"))
            prints = sorted(Submission.objects.values_list("application__reference", "number", "fingerprint"))
            decisions = sorted(Decision.objects.values_list("application__reference", "outcome", "amount"))
            transaction.set_rollback(True)
        return data, prints, decisions

    first = run(2020)
    assert run(2020) == first
    assert run(7) != first


def test_references_are_unique_and_continue_the_calls_sequence(reference_data):
    call = Call.objects.get(slug="digi-2020")
    existing = submission_data.application(call, lead=factories.municipality("Testikunta", code="999"))
    Application.objects.filter(pk=existing.pk).update(reference="DIGI-2020-0003")
    generate(count=30)
    references = list(Application.objects.values_list("reference", flat=True))
    assert len(references) == len(set(references)) == 31
    assert sorted(references)[-1] == "DIGI-2020-0033"
    assert "DIGI-2020-0004" in references


def test_decisions_agree_with_the_proposals_and_the_ranking(reference_data):
    generate(count=120)
    call = Call.objects.get(slug="digi-2020")
    decisions = Decision.objects.filter(application__call=call).select_related("application", "submission")
    assert decisions.exists()
    for decision in decisions:
        app = decision.application
        assert decision.state == Decision.State.SIGNED and decision.signed_at and decision.decision_date
        assert decision.document_sha256 == ""  # rendered later by render_decisions
        assert decision.submission == app.submissions.order_by("-number").first()
        assert decision.language == app.language
        proposal = Proposal.objects.filter(application=app).first()
        if decision.outcome == Decision.Outcome.GRANT:
            assert app.state == State.GRANTED
            assert proposal is not None and proposal.amount > 0 and decision.amount == proposal.amount <= app.requested_grant
        else:
            assert app.state == State.NOT_GRANTED and decision.no_grant_reason is not None and decision.grounds
            assert proposal is None or proposal.amount == 0
    # Every eligible application has a proposal; the allocation is finalised at their total and fits.
    assert not Application.objects.filter(call=call, state=State.ELIGIBLE, proposal__isnull=True).exists()
    allocation = Allocation.objects.get(call=call)
    counted = Proposal.objects.filter(application__call=call, application__state__in=(State.ELIGIBLE, State.GRANTED)).aggregate(t=Sum("amount"))["t"]
    assert allocation.total == counted <= call.appropriation
    # The ranking page draws the allocation line exactly around the applications proposed an amount.
    ranking = services_ranking.ranking_for(call)
    proposed = set(
        Proposal.objects.filter(application__call=call, amount__gt=0).exclude(application__state=State.NOT_GRANTED).values_list("application_id", flat=True)
    )
    assert ranking.plan.funded_ids == proposed
    assert not ranking.problems and ranking.missing == 0


def test_funded_share_and_publish_decide_everything_and_publish(reference_data):
    output = generate(count=50, publish=True, funded_share=1.0, drafts_share=0.0, ineligible_share=0.0)
    call = Call.objects.get(slug="digi-2020")
    assert Application.objects.filter(call=call, state=State.GRANTED).count() == 50
    assert Decision.objects.filter(application__call=call, outcome="grant", state="signed").count() == 50
    assert ResultsPublication.objects.filter(call=call).exists()
    assert "results published" in output
    assert Allocation.objects.get(call=call).total <= Call.objects.get(pk=call.pk).appropriation  # raised to fit
    from kuntadigi.publication import queries

    assert queries.funded_decisions().filter(application__call=call).count() == 50


def test_publish_with_the_usual_mix_leaves_no_received_application_undecided(reference_data):
    generate(count=60, publish=True)
    call = Call.objects.get(slug="digi-2020")
    received = Application.objects.filter(call=call, state__in=RECEIVED_STATES)
    assert received.exists()
    assert not received.filter(~Q(decision__state=Decision.State.SIGNED)).exists()
    assert received.filter(state=State.GRANTED).exists() and received.filter(state=State.NOT_GRANTED).exists()


def test_refuses_without_reference_data_and_for_an_unknown_call(db):
    call_command("load_calls", verbosity=0, stdout=io.StringIO())
    with pytest.raises(CommandError, match="load_reference_data"):
        generate()
    with pytest.raises(CommandError, match="No call"):
        generate(call="nothing")


def test_no_municipality_of_aland_and_budget_lines_in_the_applications_language(reference_data):
    generate(count=60)
    call = Call.objects.get(slug="digi-2020")
    assert call.aland_may_apply is False
    assert not Participant.objects.filter(application__call=call, organisation__region__code="21").exists()
    lines = BudgetLine.objects.filter(application__call=call).select_related("application")
    swedish = {line.description for line in lines if line.application.language == "sv"}
    finnish = {line.description for line in lines if line.application.language == "fi"}
    assert swedish and "Projektpersonal" in swedish and not swedish & finnish

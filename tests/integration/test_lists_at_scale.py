"""The officials' lists stay fast as calls grow: the officials' application list, the screening list,
the ranking list and an assessor's queue each run as many queries for 200 applications as for 10,
paginate, and sort and filter in the database. Data from `manage.py generate_bulk`."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.urls import reverse
from django.utils import translation

from kuntadigi import clock
from kuntadigi.accounts.models import User
from kuntadigi.applications.lifecycle import RECEIVED_STATES, State
from kuntadigi.applications.models import Application
from kuntadigi.assessment.models import Assignment, Score
from kuntadigi.calls.models import Call, CallRole
from kuntadigi.decisions import services_ranking
from kuntadigi.screening import rules as screening_rules
from kuntadigi.screening import services as screening_services
from kuntadigi.screening.models import CheckResult

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def reference_data(db):
    call_command("load_reference_data", verbosity=0, stdout=io.StringIO())
    call_command("load_calls", verbosity=0, stdout=io.StringIO())


def generate(slug: str, count: int) -> Call:
    call_command("generate_bulk", call=slug, count=count, seed=11, stdout=io.StringIO())
    return Call.objects.get(slug=slug)


def preparer_of(call: Call) -> User:
    return CallRole.objects.get(call=call, role=CallRole.Role.PREPARER).user


def busiest_assessor(call: Call) -> User:
    return User.objects.filter(assignments__application__call=call).annotate(n=Count("assignments")).order_by("-n", "pk").first()


def pages(call: Call) -> dict[str, str]:
    return {
        "officials' list": reverse("applications:official_list", args=[call.slug]),
        "officials' list by amount": reverse("applications:official_list", args=[call.slug]) + "?sort=requested&lead=a",
        "screening list": reverse("screening:list", args=[call.slug]),
        "screening list, eligible": reverse("screening:list", args=[call.slug]) + "?state=eligible",
        "screening list, flagged": reverse("screening:list", args=[call.slug]) + "?flag=any",
        "screening list, exclusions": reverse("screening:list", args=[call.slug]) + "?flag=exclusions",
        "ranking": reverse("decisions:ranking", args=[call.slug]),
    }


def query_counts(client, call: Call, django_assert_max_num_queries) -> dict[str, int]:
    counts = {}
    client.force_login(preparer_of(call))
    for name, url in pages(call).items():
        assert client.get(url).status_code == 200  # warm: the session, the stored checks
        with django_assert_max_num_queries(14) as captured:
            response = client.get(url)
        assert response.status_code == 200
        counts[name] = len(captured.captured_queries)
    client.force_login(busiest_assessor(call))
    url = reverse("assessment:queue")
    client.get(url)
    with django_assert_max_num_queries(10) as captured:
        response = client.get(url)
    assert response.status_code == 200 and response.context["page"].object_list
    counts["assessor's queue"] = len(captured.captured_queries)
    return counts


def test_each_list_runs_as_many_queries_for_200_applications_as_for_10(client, reference_data, django_assert_max_num_queries):
    small = generate("digi-2020", 10)
    assert Application.objects.filter(call=small, state=State.SUBMITTED).exists()
    at_10 = query_counts(client, small, django_assert_max_num_queries)
    large = generate("digi-2021", 200)
    assert Application.objects.filter(call=large).count() == 200
    at_200 = query_counts(client, large, django_assert_max_num_queries)
    assert at_200 == at_10


def test_the_lists_paginate(client, reference_data):
    call = generate("digi-2020", 200)
    client.force_login(preparer_of(call))
    received = Application.objects.filter(call=call, state__in=RECEIVED_STATES).count()
    response = client.get(reverse("screening:list", args=[call.slug]))
    assert len(response.context["rows"]) == 25 and response.context["page"].paginator.count == received
    assert "Page 1 of" in response.content.decode()
    ranked = Application.objects.filter(call=call, state__in=services_ranking.RANKED_STATES).count()
    assert ranked > 50
    response = client.get(reverse("decisions:ranking", args=[call.slug]) + "?page=2")
    rows = response.context["page"].object_list
    assert [row.rank for row in rows] == list(range(51, min(ranked, 100) + 1))
    assert all(row.application.reference for row in rows)


def test_the_ranking_page_ranks_exactly_as_the_full_ranking(reference_data):
    """The page's narrow ranking (scores aggregated in the database) gives the very ranking, weighted
    scores, allocation line and totals that the full ranking (every score loaded) gives."""
    call = generate("digi-2020", 200)
    full = services_ranking.ranking_for(call)
    overview, entries = services_ranking.ranking_overview(call)
    assert [e.application_id for e in entries] == [row.application.pk for row in full.rows]
    assert [e.weighted for e in entries] == [row.weighted for row in full.rows]
    assert [e.amount for e in entries] == [row.amount for row in full.rows]
    assert overview.plan == full.plan
    assert (overview.total_proposed, overview.missing, overview.allocation) == (full.total_proposed, full.missing, full.allocation)
    assert overview.problems == full.problems
    assert (overview.eligible_count, overview.has_decisions) == (full.eligible_count, full.has_decisions)
    page_rows = services_ranking.rows_for(call, overview, 100, entries[100:150])
    for row, expected in zip(page_rows, full.rows[100:150], strict=True):
        assert (row.rank, row.application, row.score, row.proposal, row.amount, row.line, row.at_line) == (
            expected.rank,
            expected.application,
            expected.score,
            expected.proposal,
            expected.amount,
            expected.line,
            expected.at_line,
        )


def test_the_screening_filter_in_the_database_agrees_with_the_checks(client, reference_data):
    call = generate("digi-2020", 200)
    # The stored content decides, not the live fields: a change to the latter changes no check.
    some = list(Application.objects.filter(call=call).order_by("pk").values_list("pk", flat=True))[::7]
    Application.objects.filter(pk__in=some).update(summary="Hanke hoitaa myös sote-palveluiden tietojärjestelmän uusimisen.")
    call_data = screening_services.call_rules(call)
    rows = screening_services.screening_rows(screening_services.received_applications(call), call_data)
    screening_services.refresh_check_results(call, call_data)
    assert CheckResult.objects.filter(application__call=call).count() == len(rows)
    assert screening_services.filter_rows(rows, "exclusions")  # the generator names excluded fields in some
    for flag in ("any", "none", *screening_rules.CHECK_CODES):
        expected = {row.application.pk for row in screening_services.filter_rows(rows, flag)}
        found = set(screening_services.filter_by_checks(screening_services.received_applications(call), flag).values_list("pk", flat=True))
        assert found == expected, flag


def test_a_stored_check_is_recomputed_when_the_application_or_the_calls_rules_change(client, reference_data):
    call = generate("digi-2020", 20)
    call_data = screening_services.call_rules(call)
    assert screening_services.refresh_check_results(call, call_data) > 0
    assert screening_services.refresh_check_results(call, call_data) == 0  # nothing stale
    app = Application.objects.filter(call=call, state=State.ELIGIBLE).first()
    Application.objects.filter(pk=app.pk).update(version=app.version + 1)
    assert screening_services.refresh_check_results(call, call_data) == 1
    # A new rule of the call: 'every check passes' no longer holds for an application naming the word.
    exclusion = call.exclusions.first()
    latest = app.submissions.order_by("-number").first()
    word = latest.content["project_name"].split()[0].lower()
    exclusion.keywords += f"\n{word}"
    exclusion.save()
    call_data = screening_services.call_rules(call)
    assert screening_services.refresh_check_results(call, call_data) == Application.objects.filter(call=call, state__in=RECEIVED_STATES).count()
    assert ",exclusions," in CheckResult.objects.get(application=app).flagged
    client.force_login(preparer_of(call))
    response = client.get(reverse("screening:list", args=[call.slug]) + "?flag=exclusions")
    assert app.reference in {row.application.reference for row in response.context["rows"]}


def test_the_cached_scores_follow_a_new_assessment(reference_data):
    call = generate("digi-2020", 40)
    _overview, entries = services_ranking.ranking_overview(call)
    last = [entry for entry in entries if entry.weighted is not None][-1]  # the lowest scored one
    assessors = User.objects.filter(call_roles__call=call, call_roles__role=CallRole.Role.ASSESSOR)
    assessor = assessors.exclude(assignments__application_id=last.application_id).first()
    assignment = Assignment.objects.create(application_id=last.application_id, assessor=assessor, assigned_by=preparer_of(call), submitted_at=clock.now())
    Score.objects.bulk_create(Score(assignment=assignment, criterion=c, score=call.score_max, justification="Erinomainen.") for c in call.criteria.all())
    _overview, again = services_ranking.ranking_overview(call)
    moved = next(entry for entry in again if entry.application_id == last.application_id)
    assert moved.weighted > last.weighted
    full = services_ranking.ranking_for(call)
    assert [(e.application_id, e.weighted) for e in again] == [(row.application.pk, row.weighted) for row in full.rows]

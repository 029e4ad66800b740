"""Scoring: only an assigned assessor without ties opens the page (404 otherwise, even when the tie
is declared after the assignment), scores stay on the scale with a written justification, submitting
is final, and assessors are blind to each other until they submit their own."""

from __future__ import annotations

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from kuntadigi import permissions
from kuntadigi.applications.errors import Refused
from kuntadigi.assessment import services
from kuntadigi.assessment.models import Assignment, Score
from kuntadigi.assessment.rules import ScoreEntry
from kuntadigi.audit.models import AuditEvent
from kuntadigi.calls.models import Criterion
from tests import factories
from tests.integration import assessment_data as data
from tests.integration.test_html_validity import PageChecker


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def w(db):
    return data.world()


@pytest.fixture
def criteria(w):
    return list(Criterion.objects.filter(call=w.call).order_by("order"))


def _post(criteria, values, texts, action="draft") -> dict:
    form = {"action": action}
    for criterion, value, text in zip(criteria, values, texts, strict=True):
        form[f"score_{criterion.pk}"] = "" if value is None else str(value)
        form[f"justification_{criterion.pk}"] = text
    return form


def _valid_html(page: str) -> None:
    checker = PageChecker()
    checker.feed(page)
    checker.close()
    problems = checker.report("en")
    assert not problems, problems


# ── Who may open the scoring page ───────────────────────────────────────────


def test_the_assigned_assessor_sees_the_submitted_application_and_the_criteria(client, w, criteria):
    assignment = services.assign(w.preparer, w.app_a.pk, w.anna.pk)
    client.force_login(w.anna)
    response = client.get(reverse("assessment:score", args=[assignment.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Sähköiset kokoukset Porvoossa" in page
    assert "Prosessit ovat paperisia." in page  # the submitted text
    for criterion in criteria:
        assert criterion.name in page
    first = criteria[0].pk
    assert f'name="score_{first}"' in page
    assert f'id="id_score_{first}_1"' in page and f'id="id_score_{first}_5"' in page
    assert "weight 40" in page
    read = AuditEvent.objects.get(action="application.read")  # the assessor's read is recorded
    assert (read.actor, read.application_id, read.after) == (w.anna, w.app_a.pk, {"read": "assessment_page"})
    _valid_html(page)


def test_others_get_404_on_an_assignment_that_is_not_theirs(client, w, criteria):
    assignment = services.assign(w.preparer, w.app_a.pk, w.anna.pk)
    for person in (w.bertil, w.preparer, w.lead_user, w.official):
        client.force_login(person)
        assert client.get(reverse("assessment:score", args=[assignment.pk])).status_code == 404
        assert client.post(reverse("assessment:score", args=[assignment.pk]), _post(criteria, [3, 3, 3], ["a", "b", "c"], "submit")).status_code == 404
    assert not Score.objects.exists()


def test_a_tie_declared_after_the_assignment_blocks_opening_and_scoring(client, w, criteria):
    assignment = services.assign(w.preparer, w.app_a.pk, w.anna.pk)
    data.score_all(w.anna, assignment, [3, 3, 3], final=False)
    client.force_login(w.anna)
    assert client.get(reverse("assessment:score", args=[assignment.pk])).status_code == 200
    # Anna realises she sits on Loviisa's board and declares it.
    client.post(reverse("assessment:ties"), {"organisation": "Loviisa", "kind": "board"})
    assert client.get(reverse("assessment:score", args=[assignment.pk])).status_code == 404
    response = client.post(reverse("assessment:score", args=[assignment.pk]), _post(criteria, [5, 5, 5], ["a", "b", "c"], "submit"))
    assert response.status_code == 404
    assignment.refresh_from_db()
    assert assignment.submitted_at is None
    with pytest.raises(Refused, match=r"You cannot assess this application: tied to Loviisa \(board or council membership\)."):
        data.score_all(w.anna, assignment, [5, 5, 5])
    decision = permissions.can_assess_application(w.anna, w.app_a)
    assert not decision
    assert decision.reason == "You cannot assess this application: tied to Loviisa (board or council membership)."


def test_the_queue_hides_a_blocked_assignment_and_says_why(client, w):
    blocked = services.assign(w.preparer, w.app_a.pk, w.anna.pk)
    open_one = services.assign(w.preparer, w.app_b.pk, w.anna.pk)
    data.tie(w.anna, w.porvoo, "employer")
    client.force_login(w.anna)
    page = client.get(reverse("assessment:queue")).content.decode()
    assert "Assignments you cannot open" in page
    assert f"<strong>{w.app_a.reference}</strong>" in page
    assert "You cannot assess this application: tied to Porvoo (employer)." in page
    assert reverse("assessment:score", args=[blocked.pk]) not in page
    assert reverse("assessment:score", args=[open_one.pk]) in page
    _valid_html(page)


def test_an_assessor_whose_role_was_removed_cannot_score(client, w):
    from kuntadigi.calls.models import CallRole

    assignment = services.assign(w.preparer, w.app_a.pk, w.anna.pk)
    CallRole.objects.filter(user=w.anna, role="assessor").delete()
    w.anna.is_assessor = True
    w.anna.save()
    client.force_login(w.anna)
    assert client.get(reverse("assessment:score", args=[assignment.pk])).status_code == 404
    page = client.get(reverse("assessment:queue")).content.decode()
    assert "You are not an assessor in this call." in page


# ── Scores and justifications ───────────────────────────────────────────────


def test_save_a_draft_then_submit(client, w, criteria):
    assignment = services.assign(w.preparer, w.app_a.pk, w.anna.pk)
    client.force_login(w.anna)
    url = reverse("assessment:score", args=[assignment.pk])
    response = client.post(url, _post(criteria, [4, None, None], ["Hyvä parannus.", "", ""]))
    assert response.status_code == 302
    assert "saved as a draft" in client.get(url).content.decode()
    assert list(Score.objects.values_list("criterion_id", "score", "justification")) == [(criteria[0].pk, 4, "Hyvä parannus.")]
    assert Assignment.objects.get().submitted_at is None
    draft_event = AuditEvent.objects.get(action="assessment.draft_saved")
    assert draft_event.actor == w.anna and draft_event.application_id == w.app_a.pk
    assert draft_event.after["scores"] == {str(criteria[0].pk): {"score": 4, "justification": "Hyvä parannus."}}

    page = client.get(url).content.decode()
    assert f'id="id_score_{criteria[0].pk}_4" value="4" checked' in page
    assert "Hyvä parannus." in page

    response = client.post(url, _post(criteria, [4, 3, 5], ["Hyvä parannus.", "Muutos jää pieneksi.", "Levitettävissä."], "submit"))
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.submitted_at is not None
    assert sorted(Score.objects.values_list("score", flat=True)) == [3, 4, 5]
    event = AuditEvent.objects.get(action="assessment.submitted")
    assert event.before["scores"] == draft_event.after["scores"]
    assert event.after["scores"][str(criteria[2].pk)] == {"score": 5, "justification": "Levitettävissä."}
    assert event.after["submitted_at"]


def test_submitted_is_final(client, w, criteria):
    assignment = services.assign(w.preparer, w.app_a.pk, w.anna.pk)
    data.score_all(w.anna, assignment, [4, 3, 5])
    client.force_login(w.anna)
    url = reverse("assessment:score", args=[assignment.pk])
    page = client.get(url).content.decode()
    assert 'type="radio"' not in page
    assert "Your submitted assessment" in page
    response = client.post(url, _post(criteria, [1, 1, 1], ["x", "y", "z"], "submit"), follow=True)
    assert "You have submitted your assessment: it can no longer be changed." in response.content.decode()
    assert sorted(Score.objects.values_list("score", flat=True)) == [3, 4, 5]
    with pytest.raises(Refused, match="it can no longer be changed"):
        data.score_all(w.anna, assignment, [1, 1, 1])


def test_a_score_outside_the_scale_is_refused_with_a_message(client, w, criteria):
    assignment = services.assign(w.preparer, w.app_a.pk, w.anna.pk)
    client.force_login(w.anna)
    url = reverse("assessment:score", args=[assignment.pk])
    response = client.post(url, _post(criteria, [6, 0, "kolme"], ["a", "b", "c"], "submit"))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("Give a score from 1 to 5.") >= 3  # in the summary and at each field
    assert f'href="#id_score_{criteria[0].pk}_1"' in page
    assert not Score.objects.exists()
    assert Assignment.objects.get().submitted_at is None
    _valid_html(page)
    with pytest.raises(services.InvalidScores):
        services.save_scores(w.anna, assignment.pk, {criteria[0].pk: ScoreEntry(6, "x")}, final=False)


def test_the_scale_is_the_calls(client, w, criteria):
    w.call.score_min, w.call.score_max = 0, 10
    w.call.save()
    assignment = services.assign(w.preparer, w.app_a.pk, w.anna.pk)
    client.force_login(w.anna)
    url = reverse("assessment:score", args=[assignment.pk])
    page = client.get(url).content.decode()
    assert f'id="id_score_{criteria[0].pk}_0"' in page and f'id="id_score_{criteria[0].pk}_10"' in page
    assert client.post(url, _post(criteria, [0, 10, 7], ["a", "b", "c"], "submit")).status_code == 302
    assert sorted(Score.objects.values_list("score", flat=True)) == [0, 7, 10]


def test_a_missing_justification_or_score_is_refused_on_submit(client, w, criteria):
    assignment = services.assign(w.preparer, w.app_a.pk, w.anna.pk)
    client.force_login(w.anna)
    url = reverse("assessment:score", args=[assignment.pk])
    response = client.post(url, _post(criteria, [4, 3, None], ["Perusteltu.", "  ", "Ei pisteitä."], "submit"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Write a justification for the score." in page
    assert f'href="#id_justification_{criteria[1].pk}"' in page
    assert "Give a score for every criterion before submitting." in page
    assert "Perusteltu." in page  # what was typed is kept
    assignment.refresh_from_db()
    assert assignment.submitted_at is None
    assert not Score.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="assessment.s").exists()


@pytest.fixture
def finnish_message():
    """A Finnish translation of the scale error in the loaded catalogue (the translators add the real one)."""
    from django.utils.translation import trans_real

    msgid = "Give a score from %(min)d to %(max)d."
    catalog = trans_real.translation("fi")._catalog
    had, old = msgid in catalog, catalog.get(msgid)
    catalog[msgid] = "Anna pisteet väliltä %(min)d–%(max)d."
    yield "Anna pisteet väliltä 1–5."
    if had:
        catalog[msgid] = old
    else:
        catalog._catalogs[0].pop(msgid, None)


def test_the_error_is_in_the_readers_language(client, w, criteria, finnish_message):
    assignment = services.assign(w.preparer, w.app_a.pk, w.anna.pk)
    client.force_login(w.anna)
    with translation.override("fi"):
        url = reverse("assessment:score", args=[assignment.pk])
    response = client.post(url, _post(criteria, [9, 1, 1], ["a", "b", "c"], "submit"))
    assert finnish_message in response.content.decode()


# ── Blind until one's own is submitted ──────────────────────────────────────


def test_blind_before_and_open_after_submitting(client, w, criteria):
    first = services.assign(w.preparer, w.app_a.pk, w.anna.pk)
    second = services.assign(w.preparer, w.app_a.pk, w.bertil.pk)
    data.score_all(w.anna, first, [2, 3, 4], text="Annan perustelu")
    client.force_login(w.bertil)
    url = reverse("assessment:score", args=[second.pk])
    before = client.get(url).content.decode()
    assert "Annan perustelu" not in before
    assert "Anna Arvioija" not in before and "anna.arvioija@example.fi" not in before
    assert "Assessor 1" not in before

    data.score_all(w.bertil, second, [5, 5, 5], text="Bertilin perustelu")
    after = client.get(url).content.decode()
    assert "Assessor 1" in after
    assert "Annan perustelu 1" in after and "Annan perustelu 3" in after
    assert "Anna Arvioija" not in after and "anna.arvioija@example.fi" not in after
    _valid_html(after)


def test_a_draft_of_another_assessor_is_never_shown(client, w):
    first = services.assign(w.preparer, w.app_a.pk, w.anna.pk)
    second = services.assign(w.preparer, w.app_a.pk, w.bertil.pk)
    data.score_all(w.anna, first, [2, 3, 4], final=False, text="Luonnos")
    data.score_all(w.bertil, second, [5, 5, 5])
    client.force_login(w.bertil)
    page = client.get(reverse("assessment:score", args=[second.pk])).content.decode()
    assert "Luonnos" not in page
    assert "No other assessor has submitted an assessment of this application yet." in page


# ── The queue ───────────────────────────────────────────────────────────────


def test_the_queue_shows_states_across_calls(client, w, criteria):
    not_started = services.assign(w.preparer, w.app_a.pk, w.anna.pk)
    draft = services.assign(w.preparer, w.app_b.pk, w.anna.pk)
    data.score_all(w.anna, draft, [3, None, None], final=False)
    client.force_login(w.anna)
    page = client.get(reverse("assessment:queue")).content.decode()
    assert "Not started" in page and "Draft" in page
    assert reverse("assessment:score", args=[not_started.pk]) in page
    data.score_all(w.anna, draft, [3, 3, 3])
    assert "Submitted" in client.get(reverse("assessment:queue")).content.decode()


_codes = itertools.count(700)


def _more_assignments(w, count: int) -> None:
    for n in range(count):
        lead = factories.municipality(f"Kunta Q{n}", code=str(next(_codes)))
        partner = factories.municipality(f"Kunta R{n}", code=str(next(_codes)))
        app = data.submitted(w.call, lead, [partner])
        assignment = services.assign(w.preparer, app.pk, w.anna.pk)
        if n % 2:
            data.score_all(w.anna, assignment, [3, 3, 3], final=bool(n % 3))


def test_the_queue_takes_a_constant_number_of_queries(client, w):
    services.assign(w.preparer, w.app_a.pk, w.anna.pk)
    services.assign(w.preparer, w.app_b.pk, w.anna.pk)
    data.tie(w.anna, w.porvoo)  # one blocked assignment
    client.force_login(w.anna)
    url = reverse("assessment:queue")
    _more_assignments(w, 2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _more_assignments(w, 12)
    with CaptureQueriesContext(connection) as large:
        page = client.get(url).content.decode()
    assert page.count("Kunta Q") == 14
    assert "Assignments you cannot open" in page
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]
    assert len(small) <= 9


def test_the_queue_is_paginated(client, w):
    from kuntadigi.assessment import views

    views_page_size = views.PAGE_SIZE
    views.PAGE_SIZE = 2
    try:
        _more_assignments(w, 3)
        client.force_login(w.anna)
        first = client.get(reverse("assessment:queue")).content.decode()
        assert "Page 1 of 2" in first
        assert "3 applications" in first
        second = client.get(reverse("assessment:queue") + "?page=2").content.decode()
        assert second.count("Kunta Q") == 1
    finally:
        views.PAGE_SIZE = views_page_size

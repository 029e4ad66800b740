"""Results: the numbers on the call's results page and on the official's application page, the
summary other areas use (scores_for_call), and a constant number of queries."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from kuntadigi.assessment import services
from kuntadigi.assessment.services import scores_for_call
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
def scored(w):
    """app_a: Anna 2/3/4 and Bertil 5/5/5 submitted, Cecilia assigned with a draft; app_b: Anna 1/1/1."""
    a1 = services.assign(w.preparer, w.app_a.pk, w.anna.pk)
    a2 = services.assign(w.preparer, w.app_a.pk, w.bertil.pk)
    a3 = services.assign(w.preparer, w.app_a.pk, w.cecilia.pk)
    b1 = services.assign(w.preparer, w.app_b.pk, w.anna.pk)
    data.score_all(w.anna, a1, [2, 3, 4], text="Annan perustelu")
    data.score_all(w.bertil, a2, [5, 5, 5], text="Bertilin perustelu")
    data.score_all(w.cecilia, a3, [1, 1, 1], final=False, text="Cecilian luonnos")
    data.score_all(w.anna, b1, [1, 1, 1])
    return w


def test_scores_for_call(scored):
    w = scored
    summaries = scores_for_call(w.call)
    a = summaries[w.app_a.pk]
    # Means 3.5, 4 and 4.5 weighted 40/40/20: (140 + 160 + 90) / 100 = 3.9. Cecilia's draft does not count.
    assert a.weighted == Decimal("3.9")
    assert (a.submitted, a.assigned) == (2, 3)
    assert a.flagged  # criterion 1: 2 and 5 differ by 3 > 2
    assert list(a.means.values()) == [Decimal("3.5"), Decimal("4"), Decimal("4.5")]
    assert len(a.flagged_criteria) == 1
    b = summaries[w.app_b.pk]
    assert (b.weighted, b.submitted, b.assigned, b.flagged) == (Decimal("1"), 1, 1, False)


def test_a_spread_of_exactly_the_limit_is_not_flagged(scored):
    w = scored
    w.call.disagreement_spread = Decimal("3")
    w.call.save()
    assert not scores_for_call(w.call)[w.app_a.pk].flagged
    w.call.disagreement_spread = Decimal("2.99")
    w.call.save()
    assert scores_for_call(w.call)[w.app_a.pk].flagged


def test_applications_without_assessments_are_included_empty(w):
    summaries = scores_for_call(w.call)
    assert set(summaries) == {w.app_a.pk, w.app_b.pk}
    assert summaries[w.app_a.pk] == services.ScoreSummary(weighted=None, submitted=0, assigned=0, flagged=False)


def _row(page: str, reference: str) -> str:
    (row,) = [part.split("</tr>")[0] for part in page.split("<tr") if reference in part]
    return row


def test_the_results_page_shows_the_numbers(client, scored):
    w = scored
    client.force_login(w.presenter)
    response = client.get(reverse("assessment:results", args=[w.call.slug]))
    assert response.status_code == 200
    page = response.content.decode()
    row_a = _row(page, w.app_a.reference)
    assert "2 of 3" in row_a
    for value in ("3.50", "4.00", "4.50", "3.90"):
        assert value in row_a
    assert 'tag-missing">Discuss' in row_a and 'tag-missing">differ' in row_a
    row_b = _row(page, w.app_b.reference)
    assert "1 of 1" in row_b and "1.00" in row_b
    assert "tag-missing" not in row_b
    assert "1 flagged for discussion." in page
    # Justifications and names are not on the results page.
    assert "Annan perustelu" not in page and "Anna Arvioija" not in page
    checker = PageChecker()
    checker.feed(page)
    checker.close()
    assert not checker.report("en")


def test_the_results_can_be_ordered_by_score(client, scored):
    w = scored
    client.force_login(w.decision_maker)
    page = client.get(reverse("assessment:results", args=[w.call.slug]) + "?order=score").content.decode()
    assert page.index(w.app_a.reference) < page.index(w.app_b.reference)


_codes = itertools.count(300)


def _applications(w, count: int) -> None:
    for _n in range(count):
        lead = factories.municipality(code=str(next(_codes)))
        partner = factories.municipality(code=str(next(_codes)))
        app = data.submitted(w.call, lead, [partner])
        first = services.assign(w.preparer, app.pk, w.anna.pk)
        services.assign(w.preparer, app.pk, w.bertil.pk)
        data.score_all(w.anna, first, [4, 2, 3])


def test_the_results_page_takes_a_constant_number_of_queries(client, w):
    client.force_login(w.preparer)
    url = reverse("assessment:results", args=[w.call.slug])
    _applications(w, 1)  # 3 applications
    with CaptureQueriesContext(connection) as three:
        page = client.get(url).content.decode()
    assert "3 applications" in page
    _applications(w, 17)  # 20 applications
    with CaptureQueriesContext(connection) as twenty:
        page = client.get(url).content.decode()
    assert "20 applications" in page
    assert len(three) == len(twenty), [q["sql"] for q in twenty.captured_queries]


def test_scores_for_call_takes_three_queries(w, django_assert_num_queries):
    _applications(w, 3)
    with django_assert_num_queries(3):
        summaries = scores_for_call(w.call)
    assert len(summaries) == 5


# ── The section on the official's application page ──────────────────────────


def _section(user, application) -> str:
    request = RequestFactory().get(f"/en/officials/applications/{application.pk}/")
    request.user = user
    return render_to_string("assessment/_official_section.html", {"application": application}, request=request)


def test_the_section_shows_names_scores_and_the_flag_to_the_calls_officials(scored):
    w = scored
    for person in (w.preparer, w.presenter, w.decision_maker):
        html = _section(person, w.app_a)
        assert "Anna Arvioija" in html and "Bertil Bedömare" in html and "Cecilia Censor" in html
        assert "2 of 3" in html
        assert "3.90" in html and "3.50" in html
        assert "Discuss" in html
        assert "Annan perustelu 1" in html and "Bertilin perustelu 3" in html
        assert "Cecilian luonnos" not in html  # a draft stays the assessor's own


def test_only_preparers_get_the_assignment_forms_in_the_section(scored):
    w = scored
    extra = factories.user(full_name="Dan Extra")
    data.give_role(w.call, extra, "assessor")
    data.tie(extra, w.porvoo)
    html = _section(w.preparer, w.app_a)
    assert reverse("assessment:assign", args=[w.call.slug]) in html
    assert "Dan Extra – tied to Porvoo" in html
    assert "Take" in html and "back from Cecilia Censor" in html
    assert "back from Anna Arvioija" not in html  # submitted
    html = _section(w.presenter, w.app_a)
    assert reverse("assessment:assign", args=[w.call.slug]) not in html
    assert "back from" not in html


def test_the_section_is_blind_for_an_assessor_and_empty_for_others(scored):
    w = scored
    html = _section(w.cecilia, w.app_a)
    assert reverse("assessment:score", args=[w.app_a.assignments.get(assessor=w.cecilia).pk]) in html
    assert "Anna Arvioija" not in html and "Annan perustelu" not in html and "3.90" not in html
    for person in (w.official, w.lead_user, w.partner_user, w.cecilia):
        html = _section(person, w.app_b)
        assert html.strip() == ""


def test_the_section_shows_a_blocked_assessor_the_reason(scored):
    w = scored
    data.tie(w.cecilia, w.loviisa, "relation")
    html = _section(w.cecilia, w.app_a)
    assert "You cannot assess this application: tied to Loviisa (close relation)." in html
    assert reverse("assessment:score", args=[w.app_a.assignments.get(assessor=w.cecilia).pk]) not in html


def test_the_section_on_the_officials_application_page(client, scored):
    """The page of the screening area includes the section: valid HTML for the call's officials and the assessors."""
    w = scored
    url = reverse("screening:application", args=[w.app_a.pk])
    client.force_login(w.preparer)
    page = client.get(url).content.decode()
    assert 'id="assessment"' in page and "Bertil Bedömare" in page and "3.90" in page
    _valid(page)
    client.force_login(w.cecilia)  # assigned, has not submitted: blind
    page = client.get(url).content.decode()
    assert "Your assessment" in page
    assert "Bertil Bedömare" not in page and "Bertilin perustelu" not in page and "3.90" not in page
    _valid(page)
    data.tie(w.cecilia, w.porvoo)
    assert client.get(url).status_code == 404


def _valid(page: str) -> None:
    checker = PageChecker()
    checker.feed(page)
    checker.close()
    problems = checker.report("en")
    assert not problems, problems


def test_the_officials_calls_page_links_to_the_assessment_pages_by_role(client, w):
    url = reverse("applications:official_calls")
    assignments = reverse("assessment:assignments", args=[w.call.slug])
    results = reverse("assessment:results", args=[w.call.slug])
    client.force_login(w.preparer)
    page = client.get(url).content.decode()
    assert assignments in page and results in page
    client.force_login(w.presenter)
    page = client.get(url).content.decode()
    assert assignments not in page and results in page
    client.force_login(w.official)
    page = client.get(url).content.decode()
    assert assignments not in page and results not in page

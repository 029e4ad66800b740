"""The assessment pages are valid HTML that keeps to the service's rules (one h1, labels, no inline
script or style, ids unique) in Finnish, Swedish and English, with errors shown and with data in them."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from kuntadigi.assessment import services
from kuntadigi.assessment.models import Tie
from kuntadigi.calls.models import Criterion
from tests.integration import assessment_data as data
from tests.integration.test_html_validity import PageChecker

LANGUAGES = ["fi", "sv", "en"]


@pytest.fixture
def w(db):
    w = data.world()
    a1 = services.assign(w.preparer, w.app_a.pk, w.anna.pk)
    a2 = services.assign(w.preparer, w.app_a.pk, w.bertil.pk)
    services.assign(w.preparer, w.app_b.pk, w.anna.pk)
    data.score_all(w.anna, a1, [2, 3, 4])
    data.score_all(w.bertil, a2, [5, 5, 5])
    Tie.objects.create(assessor=w.cecilia, organisation=w.porvoo, kind="board", note="Hallitus")
    data.tie(w.anna, w.vaasa)  # blocks Anna's assignment on app_b
    w.a1 = a1
    return w


def _check(response, lang: str) -> str:
    assert response.status_code == 200
    page = response.content.decode()
    checker = PageChecker()
    checker.feed(page)
    checker.close()
    problems = checker.report(lang)
    assert not problems, f"{response.wsgi_request.path}:\n  " + "\n  ".join(problems)
    return page


@pytest.mark.parametrize("lang", LANGUAGES)
def test_assessor_pages_are_valid(client, w, lang):
    client.force_login(w.anna)
    with translation.override(lang):
        urls = [reverse("assessment:queue"), reverse("assessment:ties"), reverse("assessment:score", args=[w.a1.pk])]
    for url in urls:
        _check(client.get(url), lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_scoring_form_is_valid(client, w, lang):
    assignment = services.assign(w.preparer, w.app_b.pk, w.cecilia.pk)
    client.force_login(w.cecilia)
    with translation.override(lang):
        url = reverse("assessment:score", args=[assignment.pk])
    _check(client.get(url), lang)
    criteria = list(Criterion.objects.filter(call=w.call).order_by("order"))
    form = {"action": "submit", f"score_{criteria[0].pk}": "9"}
    page = _check(client.post(url, form), lang)
    assert "error-summary" in page


@pytest.mark.parametrize("lang", LANGUAGES)
def test_tie_form_with_errors_and_matches_is_valid(client, w, lang):
    client.force_login(w.bertil)
    with translation.override(lang):
        url = reverse("assessment:ties")
    page = _check(client.post(url, {"organisation": "", "kind": ""}), lang)
    assert "error-summary" in page
    page = _check(client.post(url, {"organisation": "a", "kind": "employer"}), lang)  # several matches
    assert 'name="organisation_id"' in page


@pytest.mark.parametrize("lang", LANGUAGES)
def test_officials_pages_are_valid(client, w, lang):
    client.force_login(w.preparer)
    with translation.override(lang):
        urls = [reverse("assessment:assignments", args=[w.call.slug]), reverse("assessment:results", args=[w.call.slug])]
    for url in urls:
        _check(client.get(url), lang)

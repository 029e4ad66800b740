"""Applicants never see scores, justifications or who assessed: every page the lead and partners can
open of an assessed application is free of them (the PDF included)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import translation

from kuntadigi.assessment import services
from tests.integration import assessment_data as data

JUSTIFICATIONS = ("Salainen perustelu", "Hemlig motivering")


@pytest.fixture
def assessed(db):
    w = data.world()
    a1 = services.assign(w.preparer, w.app_a.pk, w.anna.pk)
    a2 = services.assign(w.preparer, w.app_a.pk, w.bertil.pk)
    services.assign(w.preparer, w.app_a.pk, w.cecilia.pk)
    data.score_all(w.anna, a1, [2, 3, 4], text=JUSTIFICATIONS[0])
    data.score_all(w.bertil, a2, [5, 5, 5], text=JUSTIFICATIONS[1])
    return w


def _forbidden(w) -> list[str]:
    people = (w.anna, w.bertil, w.cecilia)
    return [
        *JUSTIFICATIONS,
        *(p.full_name for p in people),
        *(p.email for p in people),
        "Weighted score",
        "Mean score",
        "Assessor 1",
        "Discuss",
        "assessment:score",
        "/officials/assessments/",
    ]


def _text(response) -> str:
    if response["Content-Type"].startswith("application/pdf"):
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(response.content))
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    return response.content.decode()


APPLICANT_PAGES = [
    ("applications:mine", False),
    ("applications:detail", True),
    ("applications:submit", True),
    ("applications:withdraw", True),
    ("applications:confirm", True),
    ("applications:edit", True),
    ("applications:partners", True),
    ("applications:budget", True),
    ("applications:attachments", True),
    ("applications:receipt", "version"),
    ("applications:pdf", "version"),
]


@pytest.mark.parametrize("who", ["lead_user", "partner_user"])
@pytest.mark.parametrize("lang", ["en", "fi"])
def test_no_applicant_page_shows_scores_or_assessors(client, assessed, who, lang):
    w = assessed
    client.force_login(getattr(w, who))
    shown = 0
    for name, args in APPLICANT_PAGES:
        with translation.override(lang):
            if args == "version":
                url = reverse(name, args=[w.app_a.pk, 1])
            elif args:
                url = reverse(name, args=[w.app_a.pk])
            else:
                url = reverse(name)
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        text = _text(response)
        leaked = [word for word in _forbidden(w) if word.casefold() in text.casefold()]
        assert not leaked, f"{url} shows {leaked}"
        assert w.app_a.reference in text, f"{url} did not show the application at all"
        shown += 1
    assert shown == len(APPLICANT_PAGES)


def test_the_check_would_notice_a_leak(client, assessed):
    """The officials' section does contain the words the test above looks for."""
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    w = assessed
    request = RequestFactory().get("/")
    request.user = w.preparer
    with translation.override("en"):
        html = render_to_string("assessment/_official_section.html", {"application": w.app_a}, request=request)
    found = [word for word in _forbidden(w)[:8] if word in html]
    assert JUSTIFICATIONS[0] in found and w.anna.full_name in found and "Weighted score" in html

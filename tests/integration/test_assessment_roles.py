"""Who reaches the assessment pages, by role in the call (the shared matrix has no roles in a call).

Roles: anonymous; `outsider` (a member of an organisation in another application), `lead` (a member of
the lead applicant), `official` (a ministry official without a role in the call), the call's `preparer`,
`presenter` and `decision_maker`; `assessor` (Anna, assigned to the application, no ties), `other_assessor`
(Bertil, an assessor of the call not assigned to it) and `conflicted` (Cecilia, assigned to it, then
declared a tie to one of its organisations).

{anna} is Anna's assignment, {cecilia} Cecilia's (blocked by her tie), {tie} Cecilia's tie.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from kuntadigi.applications.models import Application
from kuntadigi.assessment import services
from kuntadigi.assessment.models import Assignment, Score, Tie
from kuntadigi.calls.models import Criterion
from tests.integration import assessment_data as data

OK, LOGIN, NOT_FOUND, NOT_ALLOWED, REDIRECT = "OK", "LOGIN", "404", "405", "REDIRECT"
ROLES = ("anonymous", "outsider", "lead", "official", "preparer", "presenter", "decision_maker", "assessor", "other_assessor", "conflicted")


def row(anonymous, outsider, lead, official, preparer, presenter, decision_maker, assessor, other_assessor, conflicted):
    values = (anonymous, outsider, lead, official, preparer, presenter, decision_maker, assessor, other_assessor, conflicted)
    return dict(zip(ROLES, values, strict=True))


_ = NOT_FOUND  # short for the many 404s below

GET_MATRIX = {
    "queue": ("assessment:queue", {}, row(LOGIN, _, _, _, _, _, _, OK, OK, OK)),
    "score": ("assessment:score", {"assignment_pk": "{anna}"}, row(LOGIN, _, _, _, _, _, _, OK, _, _)),
    "score blocked": ("assessment:score", {"assignment_pk": "{cecilia}"}, row(LOGIN, _, _, _, _, _, _, _, _, _)),
    "ties": ("assessment:ties", {}, row(LOGIN, _, _, _, _, OK, OK, OK, OK, OK)),
    "remove tie": ("assessment:remove_tie", {"pk": "{tie}"}, row(LOGIN, *[NOT_ALLOWED] * 9)),
    "assignments": ("assessment:assignments", {"call_slug": "{call}"}, row(LOGIN, _, _, _, OK, _, _, _, _, _)),
    "assign": ("assessment:assign", {"call_slug": "{call}"}, row(LOGIN, *[NOT_ALLOWED] * 9)),
    "spread": ("assessment:spread", {"call_slug": "{call}"}, row(LOGIN, *[NOT_ALLOWED] * 9)),
    "unassign": ("assessment:unassign", {"call_slug": "{call}", "pk": "{anna}"}, row(LOGIN, *[NOT_ALLOWED] * 9)),
    "results": ("assessment:results", {"call_slug": "{call}"}, row(LOGIN, _, _, _, OK, OK, OK, _, _, _)),
}

POST_MATRIX = {
    "score": ("assessment:score", {"assignment_pk": "{anna}"}, row(LOGIN, _, _, _, _, _, _, REDIRECT, _, _)),
    "score blocked": ("assessment:score", {"assignment_pk": "{cecilia}"}, row(LOGIN, _, _, _, _, _, _, _, _, _)),
    "ties": ("assessment:ties", {}, row(LOGIN, _, _, _, _, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)),
    "remove tie": ("assessment:remove_tie", {"pk": "{tie}"}, row(LOGIN, _, _, _, _, _, _, _, _, REDIRECT)),
    "assign": ("assessment:assign", {"call_slug": "{call}"}, row(LOGIN, _, _, _, REDIRECT, _, _, _, _, _)),
    "spread": ("assessment:spread", {"call_slug": "{call}"}, row(LOGIN, _, _, _, REDIRECT, _, _, _, _, _)),
    "unassign": ("assessment:unassign", {"call_slug": "{call}", "pk": "{anna}"}, row(LOGIN, _, _, _, REDIRECT, _, _, _, _, _)),
}


@pytest.fixture
def world(db):
    w = data.world()
    anna = services.assign(w.preparer, w.app_a.pk, w.anna.pk)
    cecilia = services.assign(w.preparer, w.app_a.pk, w.cecilia.pk)
    tie = data.tie(w.cecilia, w.loviisa, "relation")
    users = {
        "anonymous": None,
        "outsider": w.outsider,
        "lead": w.lead_user,
        "official": w.official,
        "preparer": w.preparer,
        "presenter": w.presenter,
        "decision_maker": w.decision_maker,
        "assessor": w.anna,
        "other_assessor": w.bertil,
        "conflicted": w.cecilia,
    }
    ids = {"{anna}": anna.pk, "{cecilia}": cecilia.pk, "{tie}": tie.pk, "{call}": w.call.slug}
    criterion = Criterion.objects.filter(call=w.call).order_by("order").first()
    form = {
        "application": w.app_a.pk,
        "assessor": w.bertil.pk,
        "per_application": "2",
        "action": "draft",
        f"score_{criterion.pk}": "3",
        f"justification_{criterion.pk}": "Perustelu",
        "organisation": "Vaasa",
        "kind": "employer",
    }
    return w, users, ids, form


def _url(name, kwargs, ids) -> str:
    with translation.override("en"):
        return reverse(name, kwargs={key: ids.get(value, value) for key, value in kwargs.items()})


def _outcome(response) -> str:
    if response.status_code == 200:
        return OK
    if response.status_code in (301, 302):
        return LOGIN if "/sign-in/" in response["Location"] and "next=" in response["Location"] else REDIRECT
    return str(response.status_code)


@pytest.mark.parametrize("role", ROLES)
def test_get(client, world, role):
    _w, users, ids, _form = world
    if users[role]:
        client.force_login(users[role])
    wrong = {}
    for label, (name, kwargs, expected) in GET_MATRIX.items():
        got = _outcome(client.get(_url(name, kwargs, ids)))
        if got != expected[role]:
            wrong[label] = f"expected {expected[role]}, got {got}"
    assert not wrong, f"{role}: {wrong}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("label", list(POST_MATRIX))
def test_post(client, world, role, label):
    _w, users, ids, form = world
    if users[role]:
        client.force_login(users[role])
    name, kwargs, expected = POST_MATRIX[label]
    before = (
        set(Assignment.objects.values_list("pk", "application_id", "assessor_id", "submitted_at")),
        set(Score.objects.values_list("pk", "score", "justification")),
        set(Tie.objects.values_list("pk", "organisation_id", "kind")),
        set(Application.objects.values_list("pk", "state", "version")),
    )
    got = _outcome(client.post(_url(name, kwargs, ids), form))
    assert got == expected[role]
    after = (
        set(Assignment.objects.values_list("pk", "application_id", "assessor_id", "submitted_at")),
        set(Score.objects.values_list("pk", "score", "justification")),
        set(Tie.objects.values_list("pk", "organisation_id", "kind")),
        set(Application.objects.values_list("pk", "state", "version")),
    )
    if expected[role] in (NOT_FOUND, LOGIN):
        assert after == before, "a refused request changed something"

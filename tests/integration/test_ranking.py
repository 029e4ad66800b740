"""The ranked list of a call, proposed amounts, the allocation helper and finalising, through the pages."""

from __future__ import annotations

import html
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from kuntadigi import clock
from kuntadigi.applications.lifecycle import State
from kuntadigi.audit.models import AuditEvent
from kuntadigi.decisions import services_ranking
from kuntadigi.decisions.models import Allocation, Proposal
from tests import factories
from tests.integration import ranking_support as data

D = Decimal


@pytest.fixture(autouse=True)
def _interface_texts_untranslated(settings):
    """The pages' own texts in English (the source language) while the addresses stay Finnish."""
    settings.LOCALE_PATHS = []


@pytest.fixture
def after_deadline():
    clock.set_now(factories.CLOSES_2020 + (factories.CLOSES_2020 - factories.OPENS_2020) / 10)


@pytest.fixture
def world(db, after_deadline):
    call = factories.call(appropriation=D("30000.00"))
    people = {
        "preparer": data.role(call, "preparer"),
        "presenter": data.role(call, "presenter"),
        "decision_maker": data.role(call, "decision_maker"),
        "assessor": data.role(call, "assessor"),
        "assessor2": data.role(call, "assessor"),
    }
    return call, people


def url(name, call, *args):
    return reverse(f"decisions:{name}", args=[call.slug, *args])


def positions(content: str, *needles: str) -> list[int]:
    return [content.index(needle) for needle in needles]


def text(response) -> str:
    return html.unescape(response.content.decode())


# ── The ranked list ─────────────────────────────────────────────────────────


def test_ranked_list_orders_by_weighted_score_with_unscored_last(client, world):
    call, people = world
    low = data.application(call, project="Matala", minutes_after_opening=1)
    high = data.application(call, project="Korkea", minutes_after_opening=2)
    unscored = data.application(call, project="Pisteetön", minutes_after_opening=0)
    middle = data.application(call, project="Keski", minutes_after_opening=3)
    data.application(call, project="Hylätty", state=State.INELIGIBLE)
    data.application(call, project="Käsittelemätön", state=State.SUBMITTED)
    data.score(low, people["assessor"], 2)
    data.score(high, people["assessor"], 5)
    data.score(middle, people["assessor"], [4, 4, 3])  # (4·40 + 4·40 + 3·20) / 100 = 3.80
    client.force_login(people["preparer"])

    response = client.get(url("ranking", call))

    assert response.status_code == 200
    content = response.content.decode()
    order = positions(content, high.reference, middle.reference, low.reference, unscored.reference)
    assert order == sorted(order)
    assert "3,80" in content
    assert "not scored" in content
    assert "Hylätty" not in content and "Käsittelemätön" not in content


def test_equal_scores_rank_the_earlier_submission_first(client, world):
    call, people = world
    later = data.application(call, minutes_after_opening=50)
    earlier = data.application(call, minutes_after_opening=10)
    for app in (later, earlier):
        data.score(app, people["assessor"], 4)
    client.force_login(people["presenter"])

    content = client.get(url("ranking", call)).content.decode()

    assert content.index(earlier.reference) < content.index(later.reference)


def test_only_submitted_assessments_count_and_disagreement_is_flagged(client, world):
    call, people = world
    app = data.application(call)
    data.score(app, people["assessor"], 5)
    data.score(app, people["assessor2"], 1)  # differs by 4 > the call's spread of 2
    other = data.application(call)
    data.score(other, people["assessor"], 3, submitted=False)
    client.force_login(people["decision_maker"])

    response = client.get(url("ranking", call))

    rows = {row.application.pk: row for row in response.context["page"].object_list}
    assert rows[app.pk].weighted == D("3")
    assert rows[app.pk].flagged is True
    assert rows[other.pk].weighted is None
    assert "assessors disagree" in response.content.decode()


def test_running_total_and_the_allocation_line(client, world):
    call, people = world  # appropriation 30 000 €
    first = data.application(call, requested="20000.00")
    second = data.application(call, requested="15000.00")  # does not fit: skipped
    third = data.application(call, requested="10000.00")  # fits after the skip
    for app, value in ((first, 5), (second, 4), (third, 3)):
        data.score(app, people["assessor"], value)
    client.force_login(people["preparer"])

    response = client.get(url("ranking", call))

    rows = response.context["page"].object_list
    assert [row.application.pk for row in rows] == [first.pk, second.pk, third.pk]
    assert [row.funded for row in rows] == [True, False, True]
    assert [row.line.running_total for row in rows] == [D("20000.00"), D("20000.00"), D("30000.00")]
    content = response.content.decode()
    line = content.index('id="allocation-line"')
    assert content.index(first.reference) < line < content.index(second.reference)
    assert "does not fit is not funded" in content  # the rule is shown
    assert "30\u00a0000,00\u00a0€" in content


def test_decided_applications_are_shown_as_decided(client, world):
    call, people = world
    granted = data.application(call, requested="5000.00", state=State.GRANTED)
    Proposal.objects.create(application=granted, amount=D("5000.00"), proposed_by=people["preparer"])
    not_granted = data.application(call, state=State.NOT_GRANTED)
    client.force_login(people["preparer"])

    response = client.get(url("ranking", call))

    rows = {row.application.pk: row for row in response.context["page"].object_list}
    assert rows[granted.pk].decided and rows[granted.pk].funded
    assert rows[not_granted.pk].decided and not rows[not_granted.pk].funded
    assert "grant decided" in response.content.decode()


def test_a_long_list_is_paginated(client, world):
    call, people = world
    for minute in range(101):
        data.application(call, requested="100.00", minutes_after_opening=minute, lead=factories.municipality(), partners=[])
    client.force_login(people["preparer"])

    first = client.get(url("ranking", call))
    last = client.get(url("ranking", call) + "?page=3")

    assert len(first.context["page"].object_list) == 50
    assert [row.rank for row in last.context["page"].object_list] == [101]
    assert "Page 3 of 3" in last.content.decode()


def _applications(call, people, first: int, last: int) -> None:
    for n in range(first, last):
        app = data.application(call, requested="1000.00", minutes_after_opening=n)
        data.score(app, people["assessor"], 1 + n % 5)
        if n % 2:
            Proposal.objects.create(application=app, amount=D("1000.00"), proposed_by=people["preparer"])


def test_the_ranked_list_takes_as_many_queries_for_20_applications_as_for_3(client, world, django_assert_max_num_queries, django_assert_num_queries):
    call, people = world
    client.force_login(people["preparer"])
    _applications(call, people, 0, 3)
    client.get(url("ranking", call))  # the session is warm

    # session, user, call, roles, weights, the marker of submitted assessments and the weighted scores
    # kept in the cache for it, the applications' narrow rows, allocation, the page's rows and their scores,
    # and the sum of the grants refused by their recipients (kuntadigi.projects)
    with django_assert_max_num_queries(12) as three:
        response = client.get(url("ranking", call))
    assert len(response.context["page"].object_list) == 3
    count = len(three.captured_queries)

    _applications(call, people, 3, 20)
    client.get(url("ranking", call))  # new assessments: the weighted scores are aggregated and cached again
    with django_assert_num_queries(count):
        response = client.get(url("ranking", call))
    assert len(response.context["page"].object_list) == 20


@pytest.mark.parametrize("export", ["ranking_csv", "ranking_xlsx"])
def test_the_exports_take_as_many_queries_for_20_applications_as_for_3(client, world, export, django_assert_max_num_queries, django_assert_num_queries):
    call, people = world
    client.force_login(people["presenter"])
    _applications(call, people, 0, 3)
    client.get(url(export, call))

    with django_assert_max_num_queries(11) as three:  # the ranked list and the partners
        client.get(url(export, call))
    _applications(call, people, 3, 20)
    with django_assert_num_queries(len(three.captured_queries)):
        client.get(url(export, call))


# ── Who sees it ─────────────────────────────────────────────────────────────


def test_officials_without_a_role_in_the_call_and_assessors_get_404(client, world):
    call, people = world
    app = data.application(call)
    others = {
        "official": factories.user(official=True),
        "assessor": people["assessor"],
        "preparer of another call": data.role(factories.call("digi-2021"), "preparer"),
        "system admin": factories.user(is_staff=True),
    }
    for name, person in others.items():
        client.force_login(person)
        for target in (
            url("ranking", call),
            url("ranking_proposal", call, app.pk),
            url("ranking_fill", call),
            url("ranking_xlsx", call),
            url("ranking_csv", call),
        ):
            assert client.get(target).status_code == 404, (name, target)
        for target in (url("ranking_proposal", call, app.pk), url("ranking_propose_requested", call), url("ranking_fill", call), url("ranking_finalise", call)):
            assert client.post(target, {"amount": "1", "reason": "x"}).status_code == 404, (name, target)
    assert not Proposal.objects.exists()


@pytest.mark.parametrize("name", ["presenter", "decision_maker"])
def test_presenter_and_decision_maker_see_but_do_not_propose(client, world, name):
    call, people = world
    app = data.application(call, requested="10000.00")
    client.force_login(people[name])

    page = client.get(url("ranking_proposal", call, app.pk))
    assert page.status_code == 200
    assert "Save the proposed amount" not in page.content.decode()
    assert "Fill the appropriation" not in client.get(url("ranking", call)).content.decode()

    for target, payload in (
        (url("ranking_proposal", call, app.pk), {"amount": "5000", "reason": "Liian kallis."}),
        (url("ranking_propose_requested", call), {}),
        (url("ranking_fill", call), {}),
        (url("ranking_finalise", call), {}),
    ):
        response = client.post(target, payload, follow=True)
        assert "Only the call's preparers propose amounts" in text(response), target
    assert not Proposal.objects.exists()
    assert not Allocation.objects.exists()


def test_an_application_of_another_call_is_404(client, world):
    call, people = world
    other_call = factories.call("digi-2021")
    stranger = data.application(other_call)
    client.force_login(people["preparer"])
    assert client.get(url("ranking_proposal", call, stranger.pk)).status_code == 404


# ── Proposals ───────────────────────────────────────────────────────────────


def test_proposal_form_defaults_to_the_amount_applied_for(client, world):
    call, people = world
    app = data.application(call, requested="12750.00")
    client.force_login(people["preparer"])

    response = client.get(url("ranking_proposal", call, app.pk))

    assert 'name="amount" value="12750,00"' in response.content.decode()
    assert not Proposal.objects.exists()  # nothing is proposed by looking


def test_proposal_above_the_request_is_refused(client, world):
    call, people = world
    app = data.application(call, requested="12750.00")
    client.force_login(people["preparer"])

    response = client.post(url("ranking_proposal", call, app.pk), {"amount": "12 750,01", "reason": ""})

    assert response.status_code == 200
    content = response.content.decode()
    assert "cannot be more than the grant applied for" in content
    assert 'href="#id_amount"' in content
    assert not Proposal.objects.exists()


def test_reduction_without_a_reason_is_refused(client, world):
    call, people = world
    app = data.application(call, requested="12750.00")
    client.force_login(people["preparer"])

    response = client.post(url("ranking_proposal", call, app.pk), {"amount": "10000", "reason": "  "})

    assert "Give a reason for proposing less" in response.content.decode()
    assert 'href="#id_reason"' in response.content.decode()
    assert not Proposal.objects.exists()


def test_reduction_with_a_reason_is_saved_and_audited(client, world):
    call, people = world
    app = data.application(call, requested="12750.00")
    client.force_login(people["preparer"])
    client.post(url("ranking_proposal", call, app.pk), {"amount": "12750,00", "reason": ""})

    response = client.post(url("ranking_proposal", call, app.pk), {"amount": "10 000,00", "reason": "Matkakulut eivät ole tukikelpoisia."}, follow=True)

    assert "Proposed amount saved" in response.content.decode()
    proposal = Proposal.objects.get(application=app)
    assert proposal.amount == D("10000.00")
    assert proposal.reason == "Matkakulut eivät ole tukikelpoisia."
    assert proposal.proposed_by == people["preparer"]
    events = list(AuditEvent.objects.filter(application_id=app.pk, action="decisions.proposal_set").order_by("id"))
    assert events[0].before == {} and events[0].after == {"amount": "12750.00", "reason": ""}
    assert events[1].before == {"amount": "12750.00", "reason": ""}
    assert events[1].after == {"amount": "10000.00", "reason": "Matkakulut eivät ole tukikelpoisia."}


def test_amounts_only_for_eligible_applications(client, world):
    call, people = world
    app = data.application(call, state=State.INELIGIBLE)
    client.force_login(people["preparer"])

    page = client.get(url("ranking_proposal", call, app.pk))
    assert "Amounts are proposed only for eligible applications" in page.content.decode()
    client.post(url("ranking_proposal", call, app.pk), {"amount": "100", "reason": "x"})
    assert not Proposal.objects.exists()


def test_propose_the_requested_amounts_for_all(client, world):
    call, people = world
    apps = [data.application(call, requested=amount) for amount in ("1000.00", "2000.00", "3000.00")]
    Proposal.objects.create(application=apps[0], amount=D("500.00"), reason="Osin.", proposed_by=people["preparer"])
    client.force_login(people["preparer"])

    response = client.post(url("ranking_propose_requested", call), follow=True)

    assert "The amounts applied for were proposed for 2 applications." in response.content.decode()
    amounts = dict(Proposal.objects.values_list("application_id", "amount"))
    assert amounts == {apps[0].pk: D("500.00"), apps[1].pk: D("2000.00"), apps[2].pk: D("3000.00")}
    assert AuditEvent.objects.filter(action="decisions.proposal_set_to_requested").count() == 2


# ── The allocation helper ───────────────────────────────────────────────────


@pytest.fixture
def three_ranked(world):
    """Appropriation 30 000 €: 20 000 € funded, 15 000 € does not fit, 10 000 € fits after the skip, 5 000 € does not."""
    call, people = world
    apps = [data.application(call, requested=amount) for amount in ("20000.00", "15000.00", "10000.00", "5000.00")]
    for app, value in zip(apps, (5, 4, 3, 2), strict=True):
        data.score(app, people["assessor"], value)
    return call, people, apps


def test_fill_preview_shows_the_plan_and_changes_nothing(client, three_ranked):
    call, people, _apps = three_ranked
    client.force_login(people["preparer"])

    response = client.get(url("ranking_fill", call))

    assert response.status_code == 200
    preview = response.context["preview"]
    assert [row.funded for row in preview.rows] == [True, False, True, False]
    assert [amount for _, amount in preview.changes] == [D("20000.00"), D("0.00"), D("10000.00"), D("0.00")]
    content = response.content.decode()
    assert "Apply this plan" in content
    assert "does not fit is not funded" in content
    assert not Proposal.objects.exists()


def test_fill_applies_the_plan_with_the_reason_in_the_applications_language(client, three_ranked):
    call, people, apps = three_ranked
    client.force_login(people["preparer"])

    response = client.post(url("ranking_fill", call), follow=True)

    assert "Funded: 2; not funded: 2" in response.content.decode()
    proposals = {p.application_id: p for p in Proposal.objects.all()}
    assert [proposals[a.pk].amount for a in apps] == [D("20000.00"), D("0.00"), D("10000.00"), D("0.00")]
    with translation.override("fi"):
        reason = str(services_ranking.NOT_FUNDED_REASON)
    assert [proposals[a.pk].reason for a in apps] == ["", reason, "", reason]
    assert AuditEvent.objects.filter(action="decisions.proposal_filled").count() == 4
    assert AuditEvent.objects.filter(action="decisions.allocation_filled").count() == 1
    # The ranked list now shows the proposals, with the same line
    rows = client.get(url("ranking", call)).context["page"].object_list
    assert [row.funded for row in rows] == [True, False, True, False]


def test_fill_twice_changes_nothing_the_second_time(client, three_ranked):
    call, people, _apps = three_ranked
    client.force_login(people["preparer"])
    client.post(url("ranking_fill", call))

    preview = client.get(url("ranking_fill", call)).context["preview"]

    assert preview.changes == []


def test_the_preparer_overrides_an_amount_after_filling(client, three_ranked):
    call, people, apps = three_ranked
    client.force_login(people["preparer"])
    client.post(url("ranking_fill", call))

    client.post(url("ranking_proposal", call, apps[3].pk), {"amount": "5000", "reason": ""})

    assert Proposal.objects.get(application=apps[3]).amount == D("5000.00")
    assert Proposal.objects.get(application=apps[3]).reason == ""
    rows = client.get(url("ranking", call)).context["page"].object_list
    assert [row.funded for row in rows] == [True, False, True, False]  # 35 000 € would exceed 30 000 €
    content = client.get(url("ranking", call)).content.decode()
    assert "5\u00a0000,00 € more than the appropriation" in html.unescape(content)


# ── Finalising ──────────────────────────────────────────────────────────────


def test_finalise_above_the_appropriation_is_refused(client, three_ranked):
    call, people, _apps = three_ranked
    client.force_login(people["preparer"])
    client.post(url("ranking_propose_requested", call))  # 50 000 € > 30 000 €

    response = client.post(url("ranking_finalise", call), follow=True)

    assert "20\u00a0000,00 € more than the appropriation" in text(response)
    assert not Allocation.objects.exists()


def test_finalise_refused_while_an_application_has_no_proposal(client, three_ranked):
    call, people, apps = three_ranked
    client.force_login(people["preparer"])
    client.post(url("ranking_proposal", call, apps[0].pk), {"amount": "20000", "reason": ""})

    response = client.post(url("ranking_finalise", call), follow=True)

    assert "3 eligible applications have no proposed amount yet." in response.content.decode()
    assert not Allocation.objects.exists()


def test_finalise_at_exactly_the_appropriation_then_proposals_are_locked(client, three_ranked):
    call, people, apps = three_ranked
    client.force_login(people["preparer"])
    client.post(url("ranking_fill", call))  # 20 000 + 10 000 = 30 000 €, the appropriation exactly

    response = client.post(url("ranking_finalise", call), follow=True)

    assert "The allocation was finalised" in response.content.decode()
    allocation = Allocation.objects.get(call=call)
    assert allocation.total == D("30000.00")
    assert allocation.finalised_by == people["preparer"]
    assert AuditEvent.objects.filter(action="decisions.allocation_finalised", object_id=str(allocation.pk)).exists()

    refused = client.post(url("ranking_proposal", call, apps[1].pk), {"amount": "1000", "reason": "Osittain."}, follow=True)
    assert "proposed amounts are locked" in refused.content.decode()
    assert Proposal.objects.get(application=apps[1]).amount == D("0.00")
    client.post(url("ranking_fill", call))
    client.post(url("ranking_finalise", call))
    assert Proposal.objects.get(application=apps[1]).amount == D("0.00")
    assert Allocation.objects.count() == 1


def test_unfinalise_opens_the_proposals_again_until_a_decision(client, three_ranked):
    call, people, apps = three_ranked
    client.force_login(people["preparer"])
    client.post(url("ranking_fill", call))
    client.post(url("ranking_finalise", call))

    response = client.post(url("ranking_unfinalise", call), follow=True)

    assert "un-finalised" in response.content.decode()
    assert not Allocation.objects.exists()
    event = AuditEvent.objects.get(action="decisions.allocation_unfinalised")
    assert event.before["total"] == "30000.00"
    client.post(url("ranking_proposal", call, apps[1].pk), {"amount": "100", "reason": "Osittain."})
    assert Proposal.objects.get(application=apps[1]).amount == D("100.00")


def test_unfinalise_refused_once_an_application_is_decided(client, three_ranked):
    call, people, apps = three_ranked
    client.force_login(people["preparer"])
    client.post(url("ranking_fill", call))
    client.post(url("ranking_finalise", call))
    type(apps[0]).objects.filter(pk=apps[0].pk).update(state=State.GRANTED)

    response = client.post(url("ranking_unfinalise", call), follow=True)

    assert "can no longer be un-finalised" in response.content.decode()
    assert Allocation.objects.filter(call=call).exists()


def test_only_the_preparer_unfinalises(client, three_ranked):
    call, people, _apps = three_ranked
    client.force_login(people["preparer"])
    client.post(url("ranking_fill", call))
    client.post(url("ranking_finalise", call))
    client.force_login(people["decision_maker"])

    client.post(url("ranking_unfinalise", call))

    assert Allocation.objects.filter(call=call).exists()


def test_official_application_page_include_shows_the_proposal(rf, world):
    from django.template.loader import render_to_string

    call, people = world
    app = data.application(call, requested="12750.00")
    without = render_to_string("decisions/_proposal.html", {"application": app, "proposal": None})
    assert "No amount has been proposed yet" in without
    proposal = Proposal.objects.create(application=app, amount=D("10000.00"), reason="Osin.", proposed_by=people["preparer"])
    with_proposal = render_to_string("decisions/_proposal.html", {"application": app, "proposal": proposal})
    assert "10\u00a0000,00\u00a0€" in with_proposal and "Osin." in with_proposal
    assert reverse("decisions:ranking_proposal", args=[call.slug, app.pk]) in with_proposal


# ── The roles of the call, URL by URL ───────────────────────────────────────

ROLE_NAMES = ("preparer", "presenter", "decision_maker", "assessor")
ROLE_GET = {
    "ranking": (200, 200, 200, 404),
    "ranking_proposal": (200, 200, 200, 404),
    "ranking_fill": (200, 200, 200, 404),
    "ranking_xlsx": (200, 200, 200, 404),
    "ranking_csv": (200, 200, 200, 404),
    "ranking_propose_requested": (405, 405, 405, 405),
    "ranking_finalise": (405, 405, 405, 405),
    "ranking_unfinalise": (405, 405, 405, 405),
}


@pytest.mark.parametrize("index", range(len(ROLE_NAMES)), ids=ROLE_NAMES)
def test_role_matrix_get(client, world, index):
    call, people = world
    app = data.application(call)
    client.force_login(people[ROLE_NAMES[index]])
    got = {}
    for name in ROLE_GET:
        args = (app.pk,) if name == "ranking_proposal" else ()
        got[name] = client.get(url(name, call, *args)).status_code
    assert got == {name: codes[index] for name, codes in ROLE_GET.items()}


# ── Well-formed pages in every language ─────────────────────────────────────


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_pages_are_valid_html(client, three_ranked, lang):
    from tests.integration.test_html_validity import check_page

    call, people, apps = three_ranked
    apps[0].call.refresh_from_db()
    client.force_login(people["preparer"])
    client.post(url("ranking_proposal", call, apps[1].pk), {"amount": "100", "reason": "Osittain."})
    check_page(client, "decisions:ranking", lang, call.slug)
    check_page(client, "decisions:ranking_fill", lang, call.slug)
    check_page(client, "decisions:ranking_proposal", lang, call.slug, apps[0].pk)
    check_page(client, "decisions:ranking_proposal", lang, call.slug, apps[1].pk)
    client.post(url("ranking_fill", call))
    client.post(url("ranking_finalise", call))
    check_page(client, "decisions:ranking", lang, call.slug)
    check_page(client, "decisions:ranking_proposal", lang, call.slug, apps[1].pk)


def test_the_proposal_page_with_errors_is_valid_html(client, three_ranked):
    from tests.integration.test_html_validity import PageChecker

    call, people, apps = three_ranked
    client.force_login(people["preparer"])
    response = client.post(url("ranking_proposal", call, apps[0].pk), {"amount": "1", "reason": ""})
    checker = PageChecker()
    checker.feed(response.content.decode())
    checker.close()
    assert checker.report("fi") == []
    assert 'aria-describedby="id_reason_helptext id_reason_error"' in response.content.decode()


def test_the_page_warns_when_screening_changes_after_finalising(client, three_ranked):
    call, people, _apps = three_ranked
    client.force_login(people["preparer"])
    client.post(url("ranking_fill", call))
    client.post(url("ranking_finalise", call))
    assert "have changed since the allocation was finalised" not in text(client.get(url("ranking", call)))

    data.application(call, requested="1000.00")  # marked eligible after finalising

    assert "have changed since the allocation was finalised" in text(client.get(url("ranking", call)))

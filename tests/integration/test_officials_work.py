"""Land where the work is: everyone at the ministry lands on their work page after signing in, the page
counts what waits for each role, the officials' call list counts every stage, the assessor's queue
filters by call and state, the ranking says what each score rests on and how ties are broken, and the
process steps of a call are linked in process order."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from kuntadigi import clock
from kuntadigi.accounts.models import Membership
from kuntadigi.applications.lifecycle import State
from kuntadigi.assessment.models import Assignment
from kuntadigi.calls.models import CallRole
from kuntadigi.decisions.models import Decision, Proposal
from kuntadigi.screening.models import SupplementRequest
from tests import factories
from tests.integration import ranking_support as data
from tests.mfa_support import app_for, next_code

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-officials-password-2020"
AFTER_CLOSING = factories.CLOSES_2020 + timedelta(days=20)


@pytest.fixture(autouse=True)
def _english(settings):
    cache.clear()
    clock.set_now(AFTER_CLOSING)
    with translation.override("en"):
        yield


def url(name, *args, **query):
    address = reverse(name, args=args)
    if query:
        address += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return address


def person(email, *, roles=(), call=None, **flags):
    user = factories.user(email, password=PASSWORD, **flags)
    for role in roles:
        CallRole.objects.create(call=call, user=user, role=role)
    return user


# ── Landing after sign-in ───────────────────────────────────────────────────


def sign_in_fully(client, user, next_url=""):
    """Password, then the authenticator app's code where the second factor is asked. Returns the last redirect."""
    response = client.post(url("accounts:sign_in"), {"pw-email": user.email, "pw-password": PASSWORD, "next": next_url})
    assert response.status_code == 302
    if response["Location"].startswith(url("mfa:verify")):
        response = client.post(url("mfa:verify"), {"code": next_code(app_for(user))})
        assert response.status_code == 302
    return response["Location"]


ROLES = {
    "preparer": {"roles": ("preparer",)},
    "presenter": {"roles": ("presenter",)},
    "decision_maker": {"roles": ("decision_maker",)},
    "assessor_by_role": {"roles": ("assessor",)},  # no flag: the role in a call is enough
    "assessor_flag": {"assessor": True},
    "registry_official": {"official": True},  # the ministry-wide flag: decides requests to join organisations
}


@pytest.mark.second_factor
@pytest.mark.parametrize("kind", ROLES)
def test_everyone_at_the_ministry_lands_on_their_work_not_on_joining_a_municipality(client, call_2020, kind):
    user = person(f"{kind}@vm.example.fi", call=call_2020, **ROLES[kind])
    app_for(user)
    assert sign_in_fully(client, user) == url("officials:work")
    assert client.get(url("officials:work")).status_code == 200


@pytest.mark.second_factor
def test_an_official_who_also_acts_for_a_municipality_lands_on_the_work_and_a_next_address_still_wins(client, call_2020):
    user = person("kaksi@vm.example.fi", roles=("preparer",), call=call_2020)
    Membership.objects.create(user=user, organisation=factories.municipality("Porvoo", code="638"), status=Membership.Status.APPROVED)
    app_for(user)
    assert sign_in_fully(client, user) == url("officials:work")
    client.post(url("accounts:sign_out"))
    assert sign_in_fully(client, user, next_url=url("calls:list")) == url("calls:list")


def test_applicants_land_on_their_applications_and_get_404_on_the_work_page(client):
    applicant = factories.member(factories.municipality("Porvoo", code="638"), password=PASSWORD)
    response = client.post(url("accounts:sign_in"), {"pw-email": applicant.email, "pw-password": PASSWORD})
    assert response["Location"] == url("applications:mine")
    assert client.get(url("officials:work")).status_code == 404
    client.logout()
    newcomer = factories.user("uusi@example.fi", password=PASSWORD)
    response = client.post(url("accounts:sign_in"), {"pw-email": newcomer.email, "pw-password": PASSWORD})
    assert response["Location"] == url("accounts:organisations")


def test_the_navigation_links_to_the_work_for_officials_and_assessors_only(client, call_2020):
    for user, shown in (
        (person("v@vm.example.fi", roles=("preparer",), call=call_2020, official=True), True),
        (person("a@vm.example.fi", assessor=True), True),
        (factories.member(factories.municipality("Porvoo", code="638")), False),
    ):
        client.force_login(user)
        page = client.get(url("calls:list")).content.decode()
        assert (f'href="{url("officials:work")}"' in page) is shown


# ── What waits for each role ────────────────────────────────────────────────


@pytest.fixture
def busy_call(call_2020):
    """The 2020 call, closed three weeks ago, with applications at every stage and one person in each role."""
    call = call_2020
    people = {
        "preparer": person("valmistelija@vm.example.fi", roles=("preparer",), call=call, official=True),
        "presenter": person("esittelija@vm.example.fi", roles=("presenter",), call=call, official=True),
        "decision_maker": person("ratkaisija@vm.example.fi", roles=("decision_maker",), call=call, official=True),
        "assessor": person("arvioija@vm.example.fi", roles=("assessor",), call=call, assessor=True),
    }
    apps = {
        "submitted": data.application(call, state=State.SUBMITTED),
        "supplemented": data.application(call, state=State.SUBMITTED),
        "overdue": data.application(call, state=State.SUPPLEMENT_REQUESTED),
        "awaited": data.application(call, state=State.SUPPLEMENT_REQUESTED),
        "eligible_assigned": data.application(call, state=State.ELIGIBLE),
        "eligible_bare": data.application(call, state=State.ELIGIBLE),
        "ineligible_drafted": data.application(call, state=State.INELIGIBLE),
        "granted": data.application(call, state=State.GRANTED),
    }

    def supplement(app, due, answered):
        SupplementRequest.objects.create(
            application=app,
            parts=["budget"],
            message="Täydennä.",
            due_at=due,
            requested_by=people["preparer"],
            answered_at=due - timedelta(days=1) if answered else None,
        )

    supplement(apps["supplemented"], AFTER_CLOSING - timedelta(days=2), answered=True)
    supplement(apps["overdue"], AFTER_CLOSING - timedelta(days=1), answered=False)
    supplement(apps["awaited"], AFTER_CLOSING + timedelta(days=5), answered=False)
    Assignment.objects.create(application=apps["eligible_assigned"], assessor=people["assessor"], assigned_by=people["preparer"])
    Proposal.objects.create(application=apps["eligible_assigned"], amount=Decimal("100.00"), proposed_by=people["preparer"])
    Decision.objects.create(
        application=apps["ineligible_drafted"],
        outcome=Decision.Outcome.NO_GRANT,
        language="fi",
        presenter=people["presenter"],
        decision_maker=people["decision_maker"],
        prepared_by=people["presenter"],
    )
    return call, people, apps


def tasks_of(response, call) -> dict[str, int]:
    item = next(item for item in response.context["work"].calls if item.call.pk == call.pk)
    return {str(task.label): task.count for task in item.tasks}


def test_the_preparer_sees_what_waits_at_each_step(client, busy_call):
    call, people, _apps = busy_call
    client.force_login(people["preparer"])
    response = client.get(url("officials:work"))
    assert tasks_of(response, call) == {
        "Submitted applications to screen": 2,
        "Of them, supplemented by the applicant: screen again": 1,
        "Requests for supplement past their due time": 1,
        "Eligible applications without an assessor": 1,
        "Eligible applications without a proposed amount": 1,
        "Screened applications without a decision": 2,
    }
    page = response.content.decode()
    # What waits: the supplemented one is counted once, among those to screen.
    assert response.context["work"].waiting == 2 + 1 + 1 + 1 + 2
    assert "7 things wait for you." in page
    assert "Your roles: preparer." in page
    assert f'href="{url("screening:list", call.slug, state="submitted")}"' in page
    assert f'href="{url("assessment:assignments", call.slug)}"' in page


def test_presenter_decision_maker_and_assessor_see_their_own_work(client, busy_call):
    call, people, _apps = busy_call
    client.force_login(people["presenter"])
    assert tasks_of(client.get(url("officials:work")), call) == {"Screened applications without a decision": 2, "Draft decisions for you to present": 1}
    client.force_login(people["decision_maker"])
    assert tasks_of(client.get(url("officials:work")), call) == {"Draft decisions for you to sign": 1}
    client.force_login(people["assessor"])
    response = client.get(url("officials:work"))
    assert tasks_of(response, call) == {"Applications for you to assess": 1}
    assert f'href="{url("assessment:queue")}?call={call.pk}&amp;state=to_score"' in response.content.decode()


def test_the_registry_official_sees_the_requests_to_join_with_a_link_to_the_queue(client, busy_call):
    porvoo = factories.municipality("Porvoo", code="638")
    for email in ("eka@example.fi", "toka@example.fi"):
        Membership.objects.create(user=factories.user(email), organisation=porvoo)
    official = person("rekisteri@vm.example.fi", official=True)
    client.force_login(official)
    response = client.get(url("officials:work"))
    assert response.context["work"].membership_requests == 2
    page = response.content.decode()
    assert "2 requests wait for a decision." in page
    assert f'href="{url("accounts:membership_requests")}"' in page
    assert "You have no role in any call yet." in page
    client.force_login(busy_call[1]["preparer"])  # the flag: the preparer of the demo is a ministry official too
    assert client.get(url("officials:work")).context["work"].membership_requests == 2


def test_the_current_call_comes_first_and_an_open_call_counts_what_has_arrived(client, busy_call):
    _call, people, _apps = busy_call
    older = factories.call("digi-2019", opens_at=factories.OPENS_2020.replace(year=2019), closes_at=factories.CLOSES_2020.replace(year=2019))
    open_call = factories.call("digi-2021", opens_at=AFTER_CLOSING - timedelta(days=1), closes_at=AFTER_CLOSING + timedelta(days=30))
    for other in (older, open_call):
        CallRole.objects.create(call=other, user=people["preparer"], role="preparer")
    data.application(open_call, state=State.SUBMITTED)
    client.force_login(people["preparer"])
    response = client.get(url("officials:work"))
    assert [item.call.slug for item in response.context["work"].calls] == ["digi-2021", "digi-2020", "digi-2019"]
    assert tasks_of(response, open_call) == {"Received so far": 1}


def test_the_work_page_takes_a_constant_number_of_queries(client, busy_call, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call, _people, _apps = busy_call
    everyone = person("kaikki@vm.example.fi", roles=("preparer", "presenter", "decision_maker", "assessor"), call=call, official=True)
    client.force_login(everyone)
    client.get(url("officials:work"))
    with CaptureQueriesContext(connection) as one_call:
        client.get(url("officials:work"))
    for year in (2016, 2017, 2018):
        other = factories.call(f"digi-{year}", opens_at=factories.OPENS_2020.replace(year=year), closes_at=factories.CLOSES_2020.replace(year=year))
        for role in ("preparer", "presenter", "decision_maker", "assessor"):
            CallRole.objects.create(call=other, user=everyone, role=role)
        for state in (State.SUBMITTED, State.ELIGIBLE, State.GRANTED):
            data.application(other, state=state)
    with django_assert_num_queries(len(one_call)):
        response = client.get(url("officials:work"))
    assert len(response.context["work"].calls) == 4


# ── The officials' call list: every stage ───────────────────────────────────


def decided_call():
    """A call like the demo's 2019 one: every application decided, most of them assessed."""
    call = factories.call("digi-2019-2", opens_at=factories.OPENS_2020.replace(year=2019), closes_at=factories.CLOSES_2020.replace(year=2019))
    assessors = [data.role(call, "assessor"), data.role(call, "assessor")]
    for index, state in enumerate((State.GRANTED, State.GRANTED, State.NOT_GRANTED, State.NOT_GRANTED)):
        app = data.application(call, state=state)
        if index < 3:
            for assessor in assessors:  # two assessments: counted once
                data.score(app, assessor, 4)
    return call


def stages(response) -> dict[str, tuple[int, int, int, int]]:
    return {c.slug: (c.received_count, c.screened_count, c.assessed_count, c.decided_count) for c in response.context["calls"]}


def test_the_call_list_counts_every_stage_and_the_decided_call(client, busy_call):
    call, people, apps = busy_call
    assessor = people["assessor"]
    data.score(apps["granted"], assessor, 3)
    data.application(call, state=State.DRAFT)  # a draft is not received
    Assignment.objects.filter(application=apps["eligible_assigned"]).update(submitted_at=AFTER_CLOSING)
    decided_call()
    client.force_login(people["preparer"])
    response = client.get(url("applications:official_calls"))
    # received: the 8 of busy_call; screened: eligible ×2, ineligible, granted; assessed: 2; decided: 1
    assert stages(response) == {"digi-2020": (8, 4, 2, 1), "digi-2019-2": (4, 4, 3, 4)}
    page = response.content.decode()
    assert "Screened: marked eligible or ineligible." in page


def test_the_call_list_takes_a_constant_number_of_queries(client, busy_call, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _call, people, _apps = busy_call
    client.force_login(people["preparer"])
    client.get(url("applications:official_calls"))
    with CaptureQueriesContext(connection) as one_call:
        client.get(url("applications:official_calls"))
    for year in (2016, 2017, 2018):
        other = factories.call(f"digi-{year}", opens_at=factories.OPENS_2020.replace(year=year), closes_at=factories.CLOSES_2020.replace(year=year))
        CallRole.objects.create(call=other, user=people["preparer"], role="preparer")
        data.score(data.application(other, state=State.GRANTED), data.role(other, "assessor"), 4)
    with django_assert_num_queries(len(one_call)):
        response = client.get(url("applications:official_calls"))
    assert len(stages(response)) == 4


# ── The process steps, in process order ─────────────────────────────────────


def step_labels(html: str) -> list[str]:
    nav = re.search(r'<nav class="process-steps"[^>]*>(.*?)</nav>', html, re.S)
    assert nav, "no process steps"
    return [re.sub(r"<[^>]+>", "", link).strip() for link in re.findall(r"<a [^>]*>(.*?)</a>", nav.group(1), re.S)]


ORDER = [
    "Screening",
    "Assessors and assignments",
    "Assessment results",
    "Ranking and allocation",
    "Decisions",
    "Payment requests",
    "Payment batches",
    "Overdue follow-up",
]


@pytest.mark.parametrize(
    "page",
    [
        "officials:work",
        "applications:official_calls",
        "screening:list",
        "assessment:assignments",
        "assessment:results",
        "decisions:ranking",
        "decisions:decision_list",
        "payment_review:list",
        "payments_batches:list",
        "followup:overdue",
    ],
)
def test_the_process_steps_are_in_process_order_on_every_officials_page(client, busy_call, page):
    call, people, _apps = busy_call
    client.force_login(people["preparer"])
    args = () if page in ("officials:work", "applications:official_calls") else (call.slug,)
    html = client.get(url(page, *args)).content.decode()
    assert step_labels(html) == ORDER
    if args:
        active = re.search(r'<nav class="process-steps".*?aria-current="page">([^<]+)<', html, re.S)
        assert active and active.group(1) in ORDER


def test_the_steps_show_only_what_the_role_opens(client, busy_call):
    _call, people, _apps = busy_call
    client.force_login(people["presenter"])
    assert step_labels(client.get(url("officials:work")).content.decode()) == [
        "Screening",
        "Assessment results",
        "Ranking and allocation",
        "Decisions",
        "Overdue follow-up",
    ]
    client.force_login(people["assessor"])
    assert 'class="process-steps"' not in client.get(url("officials:work")).content.decode()


# ── The assessor's queue ────────────────────────────────────────────────────


@pytest.fixture
def queue(busy_call):
    call, people, apps = busy_call
    assessor = people["assessor"]
    older = factories.call("digi-2019", opens_at=factories.OPENS_2020.replace(year=2019), closes_at=factories.CLOSES_2020.replace(year=2019))
    CallRole.objects.create(call=older, user=assessor, role="assessor")
    old_open = Assignment.objects.create(application=data.application(older, state=State.ELIGIBLE), assessor=assessor, assigned_by=people["preparer"])
    old_done = data.score(data.application(older, state=State.ELIGIBLE), assessor, 4)
    done = data.score(apps["eligible_bare"], assessor, 3)
    waiting = Assignment.objects.get(application=apps["eligible_assigned"])
    return call, older, assessor, {"old_open": old_open, "old_done": old_done, "done": done, "waiting": waiting}


def queue_rows(response):
    return [assignment.pk for assignment in response.context["page"].object_list]


def test_the_queue_shows_the_current_call_first(client, queue):
    call, older, assessor, a = queue
    client.force_login(assessor)
    response = client.get(url("assessment:queue"))
    assert queue_rows(response) == [a["waiting"].pk, a["done"].pk, a["old_open"].pk, a["old_done"].pk]
    assert [c.pk for c in response.context["calls"]] == [call.pk, older.pk]


def test_the_queue_filters_by_call_and_by_state(client, queue):
    call, older, assessor, a = queue
    client.force_login(assessor)
    assert queue_rows(client.get(url("assessment:queue", call=older.pk))) == [a["old_open"].pk, a["old_done"].pk]
    assert queue_rows(client.get(url("assessment:queue", state="to_score"))) == [a["waiting"].pk, a["old_open"].pk]
    assert queue_rows(client.get(url("assessment:queue", state="submitted", call=call.pk))) == [a["done"].pk]
    # A call that is not the assessor's, or an unknown state, filters nothing.
    stranger = factories.call("digi-2018", opens_at=factories.OPENS_2020.replace(year=2018), closes_at=factories.CLOSES_2020.replace(year=2018))
    assert len(queue_rows(client.get(url("assessment:queue", call=stranger.pk, state="nonsense")))) == 4
    page = client.get(url("assessment:queue", call=older.pk, state="to_score")).content.decode()
    assert f'<option value="{older.pk}" selected>' in page and '<option value="to_score" selected>' in page


def test_an_empty_filter_says_so(client, queue):
    call, _older, assessor, _a = queue
    Assignment.objects.filter(assessor=assessor, application__call=call).update(submitted_at=AFTER_CLOSING)
    client.force_login(assessor)
    assert "No assignments match the filter." in client.get(url("assessment:queue", call=call.pk, state="to_score")).content.decode()


# ── The ranking: what each score rests on, and the tie-break ────────────────


def test_the_ranking_shows_the_number_of_assessments_and_the_tie_break(client, call_2020):
    preparer = data.role(call_2020, "preparer")
    first, second, third = (data.role(call_2020, "assessor") for _ in range(3))
    full = data.application(call_2020, minutes_after_opening=1)
    for assessor in (first, second):
        data.score(full, assessor, 4)
    partial = data.application(call_2020, minutes_after_opening=2)
    data.score(partial, first, 4)
    Assignment.objects.create(application=partial, assessor=third, assigned_by=preparer)
    unscored = data.application(call_2020, minutes_after_opening=3)
    client.force_login(preparer)
    response = client.get(url("decisions:ranking", call_2020.slug))
    rows = list(response.context["page"].object_list)
    # Equal scores (4.00): the earlier submission first; the unscored last.
    assert [row.application.pk for row in rows] == [full.pk, partial.pk, unscored.pk]
    page = re.sub(r"\s+", " ", response.content.decode())
    assert "2 assessments" in page and "1 assessment of 2 assigned" in page and "0 assessments" in page
    assert "Applications with the same score are ranked by submission time, the earlier first, and then by reference in alphabetical order." in page


def test_the_tie_break_reads_in_finnish_and_swedish(client, call_2020):
    preparer = data.role(call_2020, "preparer")
    client.force_login(preparer)
    for lang, words in (("fi", "aikaisemmin"), ("sv", "tidigare")):
        with translation.override(lang):
            page = client.get(url("decisions:ranking", call_2020.slug)).content.decode()
        tie_break = re.search(r'<p class="rule" id="tie-break">(.*?)</p>', page, re.S).group(1)
        assert words in tie_break, (lang, tie_break)

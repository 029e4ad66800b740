"""Ties and assignments: a tied assessor is refused with the reason, spreading balances the load and
respects ties, unassigning works until the assessor submits, and each step is in the audit trail."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation

from kuntadigi import clock
from kuntadigi.applications.errors import Refused
from kuntadigi.applications.lifecycle import State
from kuntadigi.applications.models import Application
from kuntadigi.assessment import services
from kuntadigi.assessment.models import Assignment, Tie
from kuntadigi.audit.models import AuditEvent
from tests import factories
from tests.integration import assessment_data as data


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def w(db):
    return data.world()


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# ── Ties ────────────────────────────────────────────────────────────────────


def test_an_assessor_declares_a_tie_by_typing_the_name(client, w):
    client.force_login(w.anna)
    response = client.post(reverse("assessment:ties"), {"organisation": "Borgå", "kind": "employer", "note": "Kehittämispäällikkö"}, follow=True)
    assert response.status_code == 200
    tie = Tie.objects.get(assessor=w.anna)
    assert (tie.organisation, tie.kind, tie.note) == (w.porvoo, "employer", "Kehittämispäällikkö")
    assert "Your tie to Porvoo was recorded." in response.content.decode()
    event = AuditEvent.objects.get(action="tie.declared")
    assert event.actor == w.anna
    assert event.after == {"organisation": w.porvoo.pk, "kind": "employer", "note": "Kehittämispäällikkö"}


def test_the_picker_accepts_the_suggestion_label_and_the_municipality_code(client, w):
    client.force_login(w.anna)
    client.post(reverse("assessment:ties"), {"organisation": "638 Porvoo – Borgå", "kind": "board"})
    client.post(reverse("assessment:ties"), {"organisation": "434", "kind": "relation"})
    assert set(Tie.objects.filter(assessor=w.anna).values_list("organisation__name_fi", "kind")) == {("Porvoo", "board"), ("Loviisa", "relation")}


def test_several_matches_are_offered_to_choose_from(client, w):
    factories.municipality("Porvoon seutu", code="999")
    client.force_login(w.anna)
    response = client.post(reverse("assessment:ties"), {"organisation": "porvo", "kind": "employer"})
    page = response.content.decode()
    assert "2 organisations match" in page
    assert not Tie.objects.exists()
    response = client.post(reverse("assessment:ties"), {"organisation_id": w.porvoo.pk, "kind": "employer", "note": ""})
    assert response.status_code == 302
    assert Tie.objects.get(assessor=w.anna).organisation == w.porvoo


def test_a_tie_form_with_errors_says_what_is_wrong(client, w):
    client.force_login(w.anna)
    page = client.post(reverse("assessment:ties"), {"organisation": "Atlantis", "kind": ""}).content.decode()
    assert "No organisation matches “Atlantis”." in page
    assert "Choose the kind of tie." in page
    assert 'href="#id_kind_0"' in page
    assert not Tie.objects.exists()


def test_the_same_tie_twice_is_refused(client, w):
    client.force_login(w.anna)
    client.post(reverse("assessment:ties"), {"organisation": "Porvoo", "kind": "employer"})
    page = client.post(reverse("assessment:ties"), {"organisation": "Porvoo", "kind": "employer"}).content.decode()
    assert "You have already declared this tie." in page
    assert Tie.objects.count() == 1


def test_an_assessor_removes_their_own_tie_but_not_anothers(client, w):
    kotka = factories.municipality("Kotka", code="285")  # has not applied in the call: the tie has not mattered
    own = data.tie(w.anna, kotka)
    other = data.tie(w.bertil, w.oulu)
    client.force_login(w.anna)
    assert client.post(reverse("assessment:remove_tie", args=[other.pk])).status_code == 404
    response = client.post(reverse("assessment:remove_tie", args=[own.pk]))
    assert response.status_code == 302
    assert list(Tie.objects.all()) == [other]
    event = AuditEvent.objects.get(action="tie.removed")
    assert event.before == {"organisation": kotka.pk, "kind": "employer", "note": ""}
    assert event.actor == w.anna


def test_a_tie_to_an_organisation_that_applied_stays_once_the_call_has_closed(client, w, mailoutbox):
    tie = data.tie(w.anna, w.porvoo)  # Porvoo leads app_a; the call closed a week ago
    client.force_login(w.anna)
    response = client.post(reverse("assessment:remove_tie", args=[tie.pk]), follow=True)
    assert Tie.objects.filter(pk=tie.pk).exists()
    [message] = _messages(response)
    assert message.startswith("Your tie to Porvoo cannot be removed: it applied in ")
    assert str(w.call.title) in message and message.endswith(", which has closed. Ask the call's preparer.")
    assert not AuditEvent.objects.filter(action="tie.removed").exists()
    assert mailoutbox == []


def test_a_tie_stays_once_an_application_of_the_organisation_is_assigned_to_the_declarer(w):
    clock.set_now(factories.DURING_2020)  # the call is open again: only the assignment holds the tie
    Assignment.objects.create(application=w.app_a, assessor=w.anna, assigned_by=w.preparer)
    tie = Tie.objects.create(assessor=w.anna, organisation=w.loviisa, kind=Tie.Kind.RELATION)
    with pytest.raises(Refused) as refused:
        services.remove_tie(w.anna, tie.pk)
    assert w.app_a.reference in refused.value.message and "has been assigned to you" in refused.value.message
    assert Tie.objects.filter(pk=tie.pk).exists()


def test_removing_a_tie_while_the_call_is_open_tells_its_preparers_in_their_language(client, w, mailoutbox, django_capture_on_commit_callbacks):
    clock.set_now(factories.DURING_2020)
    w.preparer.language = "sv"
    w.preparer.save()
    second_preparer = factories.official_in(w.call, "preparer", email="toinen@example.fi", language="fi")
    tie = data.tie(w.anna, w.porvoo)
    client.force_login(w.anna)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("assessment:remove_tie", args=[tie.pk]))
    assert response.status_code == 302
    assert not Tie.objects.filter(pk=tie.pk).exists()
    event = AuditEvent.objects.get(action="tie.removed")
    assert event.after == {"calls": [w.call.pk]}
    by_address = {message.to[0]: message for message in mailoutbox}
    assert set(by_address) == {w.preparer.email, second_preparer.email}
    assert by_address[w.preparer.email].subject == "En anmäld bindning har tagits bort: Borgå"  # the name in Swedish too
    assert "Anna Arvioija" in by_address[w.preparer.email].body and "arbetsgivare" in by_address[w.preparer.email].body
    assert by_address[second_preparer.email].subject == "Ilmoitettu sidonnaisuus on poistettu: Porvoo"
    with translation.override("fi"):
        assert reverse("assessment:assignments", args=[w.call.slug]) in by_address[second_preparer.email].body


def test_only_assessors_have_a_ties_page(client, w):
    for person in (w.preparer, w.lead_user, w.official):
        client.force_login(person)
        assert client.get(reverse("assessment:ties")).status_code == 404
        assert client.post(reverse("assessment:ties"), {"organisation": "Porvoo", "kind": "employer"}).status_code == 404
    flagged = factories.user(assessor=True)
    client.force_login(flagged)
    assert client.get(reverse("assessment:ties")).status_code == 200
    assert not Tie.objects.exists()


def test_preparers_see_the_assessors_ties(client, w):
    Tie.objects.create(assessor=w.anna, organisation=w.porvoo, kind="board", note="Kaupunginhallitus")
    client.force_login(w.preparer)
    page = client.get(reverse("assessment:assignments", args=[w.call.slug])).content.decode()
    assert "Porvoo (board or council membership): Kaupunginhallitus" in page


# ── Assigning by hand ───────────────────────────────────────────────────────


def test_a_preparer_assigns_an_assessor(client, w):
    client.force_login(w.preparer)
    response = client.post(reverse("assessment:assign", args=[w.call.slug]), {"application": w.app_a.pk, "assessor": w.anna.pk})
    assert response.status_code == 302
    assignment = Assignment.objects.get()
    assert (assignment.application, assignment.assessor, assignment.assigned_by) == (w.app_a, w.anna, w.preparer)
    assert _messages(response) == [f"Anna Arvioija will assess {w.app_a.reference}."]
    event = AuditEvent.objects.get(action="assessment.assigned")
    assert (event.actor, event.application_id, event.after) == (w.preparer, w.app_a.pk, {"assessor": w.anna.pk, "how": "by_hand"})


def test_a_tied_assessor_cannot_be_assigned_and_the_reason_is_shown(client, w):
    data.tie(w.anna, w.loviisa, "relation")
    data.tie(w.anna, w.porvoo, "employer")
    client.force_login(w.preparer)
    response = client.post(reverse("assessment:assign", args=[w.call.slug]), {"application": w.app_a.pk, "assessor": w.anna.pk}, follow=True)
    page = response.content.decode()
    assert "Anna Arvioija cannot assess this application: tied to Loviisa (close relation), Porvoo (employer)." in page
    assert not Assignment.objects.exists()
    assert not AuditEvent.objects.filter(action="assessment.assigned").exists()
    # The same assessor can assess the other application.
    services.assign(w.preparer, w.app_b.pk, w.anna.pk)
    assert Assignment.objects.filter(assessor=w.anna, application=w.app_b).exists()


def test_the_assignment_page_marks_tied_assessors_in_the_choices(client, w):
    data.tie(w.anna, w.porvoo)
    client.force_login(w.preparer)
    page = client.get(reverse("assessment:assignments", args=[w.call.slug])).content.decode()
    assert "Anna Arvioija – tied to Porvoo" in page


def test_only_the_calls_assessors_can_be_assigned(w):
    stranger = factories.user(assessor=True)
    with pytest.raises(Refused, match=re.escape("Choose one of the call's assessors.")):
        services.assign(w.preparer, w.app_a.pk, stranger.pk)
    with pytest.raises(Refused, match=re.escape("Choose one of the call's assessors.")):
        services.assign(w.preparer, w.app_a.pk, w.presenter.pk)


def test_the_same_assessor_twice_is_refused(w):
    services.assign(w.preparer, w.app_a.pk, w.anna.pk)
    with pytest.raises(Refused, match=re.escape("Anna Arvioija already assesses this application.")):
        services.assign(w.preparer, w.app_a.pk, w.anna.pk)


def test_only_preparers_assign(w):
    for person in (w.presenter, w.decision_maker, w.official, w.anna):
        with pytest.raises(Refused):
            services.assign(person, w.app_a.pk, w.bertil.pk)
    assert not Assignment.objects.exists()


def test_assignments_wait_for_the_call_to_close_and_for_a_state_that_is_assessed(w):
    clock.set_now(factories.DURING_2020)
    with pytest.raises(Refused, match="after the call has closed"):
        services.assign(w.preparer, w.app_a.pk, w.anna.pk)
    clock.set_now(data.AFTER_2020)
    Application.objects.filter(pk=w.app_a.pk).update(state=State.INELIGIBLE)
    with pytest.raises(Refused, match="Only eligible applications"):
        services.assign(w.preparer, w.app_a.pk, w.anna.pk)


def test_an_application_of_another_call_is_not_found_under_this_call(client, w):
    other_call = factories.call("digi-2021", opens_at=factories.OPENS_2020, closes_at=factories.CLOSES_2020)
    data.give_role(other_call, w.preparer, "preparer")
    client.force_login(w.preparer)
    response = client.post(reverse("assessment:assign", args=[other_call.slug]), {"application": w.app_a.pk, "assessor": w.anna.pk})
    assert response.status_code == 404


# ── Unassigning ─────────────────────────────────────────────────────────────


def test_unassign_until_the_assessor_submits(client, w):
    first = services.assign(w.preparer, w.app_a.pk, w.anna.pk)
    data.score_all(w.anna, first, [3, 4, 5], final=False)
    second = services.assign(w.preparer, w.app_a.pk, w.bertil.pk)
    data.score_all(w.bertil, second, [3, 4, 5])
    client.force_login(w.preparer)
    response = client.post(reverse("assessment:unassign", args=[w.call.slug, first.pk]))
    assert response.status_code == 302
    assert not Assignment.objects.filter(pk=first.pk).exists()
    event = AuditEvent.objects.get(action="assessment.unassigned")
    assert event.before == {"assessor": w.anna.pk, "draft_scores": 3}
    response = client.post(reverse("assessment:unassign", args=[w.call.slug, second.pk]), follow=True)
    assert "The assessor has submitted the assessment: the assignment can no longer be taken back." in response.content.decode()
    assert Assignment.objects.filter(pk=second.pk).exists()


def test_unassign_goes_back_to_a_safe_next_page_only(client, w):
    assignment = services.assign(w.preparer, w.app_a.pk, w.anna.pk)
    client.force_login(w.preparer)
    response = client.post(reverse("assessment:unassign", args=[w.call.slug, assignment.pk]), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("assessment:assignments", args=[w.call.slug])


# ── Spreading evenly ────────────────────────────────────────────────────────


def test_spreading_evenly_balances_and_respects_ties(client, w):
    apps = [w.app_a, w.app_b]
    helsinki = factories.municipality("Helsinki", code="091", name_sv="Helsingfors")
    espoo = factories.municipality("Espoo", code="049", name_sv="Esbo")
    apps.append(data.submitted(w.call, helsinki, [espoo]))
    apps.append(data.submitted(w.call, espoo, [w.vaasa]))
    unscreened = data.submitted(w.call, helsinki, [w.loviisa], eligible=False)
    data.tie(w.anna, w.porvoo)  # anna may not take app_a
    data.tie(w.cecilia, w.vaasa)  # cecilia may not take app_b nor the Espoo–Vaasa application
    client.force_login(w.preparer)
    response = client.post(reverse("assessment:spread", args=[w.call.slug]), {"per_application": "2"}, follow=True)
    assert "New assignments: 8 (applications considered: 4)." in response.content.decode()
    pairs = set(Assignment.objects.values_list("application_id", "assessor_id"))
    assert len(pairs) == 8
    for app in apps:
        assert len([p for p in pairs if p[0] == app.pk]) == 2
    assert (w.app_a.pk, w.anna.pk) not in pairs
    assert (w.app_b.pk, w.cecilia.pk) not in pairs
    assert (apps[3].pk, w.cecilia.pk) not in pairs
    assert not any(p[0] == unscreened.pk for p in pairs)
    loads = sorted(sum(1 for p in pairs if p[1] == a.pk) for a in w.assessors)
    assert max(loads) - min(loads) <= 1
    events = AuditEvent.objects.filter(action="assessment.assigned")
    assert events.count() == 8
    assert all(e.after["how"] == "spread_evenly" and e.actor == w.preparer for e in events)
    # Spreading again adds nothing; ticking the box brings the unscreened application in.
    client.post(reverse("assessment:spread", args=[w.call.slug]), {"per_application": "2"})
    assert Assignment.objects.count() == 8
    client.post(reverse("assessment:spread", args=[w.call.slug]), {"per_application": "2", "include_unscreened": "on"})
    assert Assignment.objects.filter(application=unscreened).count() == 2


def test_spreading_reports_applications_that_lack_free_assessors(client, w):
    data.tie(w.anna, w.porvoo)
    data.tie(w.bertil, w.loviisa)
    client.force_login(w.preparer)
    response = client.post(reverse("assessment:spread", args=[w.call.slug]), {"per_application": "3"}, follow=True)
    page = response.content.decode()
    assert f"{w.app_a.reference}: assessors missing: 2. There are not enough assessors without ties to its organisations." in page
    assert list(Assignment.objects.filter(application=w.app_a).values_list("assessor", flat=True)) == [w.cecilia.pk]
    assert Assignment.objects.filter(application=w.app_b).count() == 3


def test_spreading_refuses_a_bad_number(client, w):
    client.force_login(w.preparer)
    for value in ("0", "11", "kaksi", ""):
        response = client.post(reverse("assessment:spread", args=[w.call.slug]), {"per_application": value}, follow=True)
        assert response.status_code == 200
        assert "assessors per application" in response.content.decode()
    assert not Assignment.objects.exists()


def test_spreading_without_assessors_says_so(w):
    from kuntadigi.calls.models import CallRole

    CallRole.objects.filter(role="assessor").delete()
    with pytest.raises(Refused, match=re.escape("The call has no assessors yet.")):
        services.spread(w.preparer, w.call, 2)


def test_the_assignments_page_takes_a_constant_number_of_queries(client, w):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    data.tie(w.anna, w.porvoo)
    services.spread(w.preparer, w.call, 2)
    client.force_login(w.preparer)
    url = reverse("assessment:assignments", args=[w.call.slug])
    with CaptureQueriesContext(connection) as two:
        assert client.get(url).status_code == 200
    for n in range(8):
        data.submitted(w.call, factories.municipality(code=str(400 + 2 * n)), [factories.municipality(code=str(401 + 2 * n))])
    services.spread(w.preparer, w.call, 2)
    with CaptureQueriesContext(connection) as ten:
        page = client.get(url).content.decode()
    assert page.count('class="assign-form"') == 10
    assert len(ten) == len(two), [q["sql"] for q in ten.captured_queries]

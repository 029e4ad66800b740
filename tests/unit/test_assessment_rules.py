"""The pure rules of assessment: conflicts, the weighted score, disagreement, checking scores, spreading."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from kuntadigi.assessment import rules
from kuntadigi.assessment.rules import ScoreEntry, TieFact

D = Decimal


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


# ── conflicts ───────────────────────────────────────────────────────────────


def test_conflicts_are_the_shared_organisations():
    assert rules.conflicts({1, 2, 3}, {3, 4}) == {3}
    assert rules.conflicts({1, 2}, {3, 4}) == set()
    assert rules.conflicts(set(), {3}) == set()


def test_conflict_check_names_the_organisations_and_kinds():
    ties = [TieFact(7, "Porvoo", "employer"), TieFact(8, "Loviisa", "close relation"), TieFact(9, "Oulu", "other tie")]
    answer = rules.conflict_check(ties, {7, 8, 10}, assessor_name="Anna Arvioija")
    assert not answer
    assert answer.organisation_ids == {7, 8}
    assert answer.reason == "Anna Arvioija cannot assess this application: tied to Loviisa (close relation), Porvoo (employer)."
    assert "Oulu" not in answer.reason


def test_conflict_check_speaks_to_the_assessor_without_a_name():
    answer = rules.conflict_check([TieFact(7, "Porvoo", "employer")], {7})
    assert answer.reason == "You cannot assess this application: tied to Porvoo (employer)."


def test_no_conflict_is_allowed_without_reason():
    answer = rules.conflict_check([TieFact(7, "Porvoo", "employer")], {8, 9})
    assert answer
    assert answer.reason == ""
    assert rules.conflict_check([], {1})


# ── weighted_score ──────────────────────────────────────────────────────────


def test_weighted_mean_of_the_assessors_means():
    # criterion 1 (40): mean 4; criterion 2 (40): mean 3; criterion 3 (20): mean 5  → (160 + 120 + 100) / 100 = 3.8
    score = rules.weighted_score({1: D("40"), 2: D("40"), 3: D("20")}, {1: [3, 5], 2: [3, 3], 3: [5, 5]})
    assert score == D("3.8")


def test_different_weights_change_the_result():
    scores = {1: [5], 2: [1]}
    assert rules.weighted_score({1: D("3"), 2: D("1")}, scores) == D("4")
    assert rules.weighted_score({1: D("1"), 2: D("3")}, scores) == D("2")
    assert rules.weighted_score({1: D("1"), 2: D("1")}, scores) == D("3")


def test_criteria_without_scores_do_not_count():
    # Criterion 2 has no scores: only criterion 1 counts, with its own weight.
    assert rules.weighted_score({1: D("40"), 2: D("60")}, {1: [4, 2]}) == D("3")
    assert rules.weighted_score({1: D("40"), 2: D("60")}, {1: [4, 2], 2: []}) == D("3")


def test_scores_of_criteria_without_weight_are_ignored():
    assert rules.weighted_score({1: D("1")}, {1: [2], 99: [5]}) == D("2")


def test_nothing_scored_is_none():
    assert rules.weighted_score({1: D("40")}, {}) is None
    assert rules.weighted_score({1: D("40")}, {1: []}) is None
    assert rules.weighted_score({}, {1: [3]}) is None
    assert rules.weighted_score({1: D("0")}, {1: [3]}) is None


def test_full_precision_is_kept_and_display_rounds_half_up():
    score = rules.weighted_score({1: D("1")}, {1: [1, 2, 2]})  # 5/3
    assert score == D("1.666666666666666666666666667")
    assert rules.for_display(score) == D("1.67")
    assert rules.for_display(D("3.125")) == D("3.13")
    assert rules.for_display(D("3.135")) == D("3.14")
    assert rules.for_display(None) is None


def test_equal_fractions_give_equal_scores_for_ranking_ties():
    a = rules.weighted_score({1: D("2"), 2: D("1")}, {1: [1, 2, 2], 2: [3]})  # (2·5/3 + 3) / 3 = 19/9
    b = rules.weighted_score({1: D("1")}, {1: [2, 2, 2, 2, 2, 2, 2, 1, 4]})  # 19/9
    assert a == b
    close = rules.weighted_score({1: D("1")}, {1: [2, 2, 2, 2, 2, 2, 2, 2, 3]})  # 19/9 as well
    assert close == a
    different = rules.weighted_score({1: D("1")}, {1: [2, 2, 2, 2, 2, 2, 2, 2, 2]})
    assert different < a


def test_weights_with_decimals():
    assert rules.weighted_score({1: D("0.25"), 2: D("0.75")}, {1: [4], 2: [2]}) == D("2.5")


def test_mean():
    assert rules.mean([]) is None
    assert rules.mean([3, 4]) == D("3.5")


# ── disagreement ────────────────────────────────────────────────────────────


def test_disagreement_flags_criteria_where_scores_differ_more_than_the_spread():
    assert rules.disagreement({1: [1, 4], 2: [3, 4], 3: [2, 5, 3]}, D("2")) == [1, 3]


def test_a_difference_of_exactly_the_spread_is_not_flagged():
    assert rules.disagreement({1: [1, 3]}, D("2")) == []
    assert rules.disagreement({1: [1, 3]}, D("1.99")) == [1]
    assert rules.disagreement({1: [2, 2]}, D("0")) == []
    assert rules.disagreement({1: [2, 3]}, D("0")) == [1]


def test_one_score_or_none_is_no_disagreement():
    assert rules.disagreement({1: [5], 2: []}, D("0")) == []


# ── check_scores ────────────────────────────────────────────────────────────


def test_a_score_outside_the_scale_is_refused_even_in_a_draft():
    problems = rules.check_scores([1, 2], {1: ScoreEntry(0, "x"), 2: ScoreEntry(6, "")}, 1, 5, final=False)
    assert [(p.criterion_id, p.field, p.message) for p in problems] == [
        (1, "score", "Give a score from 1 to 5."),
        (2, "score", "Give a score from 1 to 5."),
    ]


def test_a_draft_may_be_incomplete():
    assert rules.check_scores([1, 2, 3], {1: ScoreEntry(3, ""), 2: ScoreEntry(None, "perustelu")}, 1, 5, final=False) == []


def test_to_submit_every_criterion_needs_a_score_and_a_justification():
    problems = rules.check_scores([1, 2, 3], {1: ScoreEntry(3, "ok"), 2: ScoreEntry(None, "perustelu"), 3: ScoreEntry(5, "   ")}, 1, 5, final=True)
    assert [(p.criterion_id, p.field) for p in problems] == [(2, "score"), (3, "justification")]
    assert problems[0].message == "Give a score for every criterion before submitting."
    assert problems[1].message == "Write a justification for the score."


def test_scale_edges_are_accepted():
    entries = {1: ScoreEntry(0, "a"), 2: ScoreEntry(3, "b")}
    assert rules.check_scores([1, 2], entries, 0, 3, final=True) == []


# ── spread_evenly ───────────────────────────────────────────────────────────


def test_spreading_balances_the_load():
    applications = [(app, {100 + app}) for app in range(1, 7)]
    assessors = [(10, set(), 0), (11, set(), 0), (12, set(), 0)]
    plan = rules.spread_evenly(applications, assessors, 2)
    assert len(plan.pairs) == 12
    assert plan.short == {}
    loads = {a: sum(1 for _app, b in plan.pairs if b == a) for a, _t, _l in assessors}
    assert loads == {10: 4, 11: 4, 12: 4}
    for app, _orgs in applications:
        assert len({b for a, b in plan.pairs if a == app}) == 2


def test_spreading_breaks_ties_by_id_and_is_deterministic():
    plan = rules.spread_evenly([(1, set())], [(30, set(), 0), (20, set(), 0), (10, set(), 0)], 2)
    assert plan.pairs == [(1, 10), (1, 20)]
    again = rules.spread_evenly([(1, set())], [(10, set(), 0), (30, set(), 0), (20, set(), 0)], 2)
    assert again.pairs == plan.pairs


def test_spreading_starts_from_the_current_load():
    # Assessor 10 already has 3 applications: 11 gets the next three, the third by the smaller id.
    plan = rules.spread_evenly([(1, set()), (2, set()), (3, set()), (4, set())], [(10, set(), 3), (11, set(), 0)], 1)
    assert plan.pairs == [(1, 11), (2, 11), (3, 11), (4, 10)]


def test_spreading_never_assigns_a_tied_assessor():
    # Assessor 10 is tied to organisation 500, which takes part in application 1.
    plan = rules.spread_evenly([(1, {500, 501}), (2, {502})], [(10, {500}, 0), (11, set(), 0), (12, set(), 0)], 2)
    assert (1, 10) not in plan.pairs
    assert sorted(b for a, b in plan.pairs if a == 1) == [11, 12]
    assert len([p for p in plan.pairs if p[0] == 2]) == 2
    assert plan.short == {}


def test_spreading_reports_applications_without_enough_free_assessors():
    plan = rules.spread_evenly([(1, {500}), (2, {600})], [(10, {500}, 0), (11, {500}, 0), (12, set(), 0)], 2)
    assert [b for a, b in plan.pairs if a == 1] == [12]
    assert plan.short == {1: 1}
    assert sorted(b for a, b in plan.pairs if a == 2) == [10, 11]


def test_spreading_keeps_existing_pairs_and_counts_them():
    plan = rules.spread_evenly([(1, set()), (2, set())], [(10, set(), 1), (11, set(), 0)], 2, existing=[(1, 10)])
    assert (1, 10) not in plan.pairs
    assert sorted(plan.pairs) == [(1, 11), (2, 10), (2, 11)]
    assert plan.short == {}


def test_spreading_a_fully_assigned_call_adds_nothing():
    existing = [(1, 10), (1, 11)]
    plan = rules.spread_evenly([(1, set())], [(10, set(), 1), (11, set(), 1), (12, set(), 0)], 2, existing=existing)
    assert plan.pairs == []
    assert plan.short == {}


def test_spreading_serves_the_most_constrained_application_first():
    # Application 2 can only have assessor 11; serving it first leaves 10 for application 1, so both loads are 1.
    plan = rules.spread_evenly([(1, set()), (2, {500})], [(10, {500}, 0), (11, set(), 0)], 1)
    assert plan.pairs == [(1, 10), (2, 11)]


def test_spreading_with_no_assessors_reports_every_application():
    plan = rules.spread_evenly([(1, set()), (2, set())], [], 2)
    assert plan.pairs == []
    assert plan.short == {1: 2, 2: 2}


# ── Removing a declared tie ─────────────────────────────────────────────────


def test_a_tie_that_has_not_mattered_may_be_removed():
    assert rules.tie_removal_check(rules.TieRemovalFacts("Porvoo"))


def test_a_tie_stays_after_a_call_in_which_the_organisation_applied_has_closed():
    answer = rules.tie_removal_check(rules.TieRemovalFacts("Porvoo", closed_calls=("Haku 2020",)))
    assert not answer
    assert answer.reason == "Your tie to Porvoo cannot be removed: it applied in Haku 2020, which has closed. Ask the call's preparer."


def test_a_tie_stays_once_an_application_is_assigned_and_the_reason_names_it_first():
    answer = rules.tie_removal_check(rules.TieRemovalFacts("Porvoo", closed_calls=("Haku 2020",), assigned_references=("DIGI-2020-0002", "DIGI-2020-0001")))
    assert not answer
    assert answer.reason == (
        "Your tie to Porvoo cannot be removed: its application DIGI-2020-0001, DIGI-2020-0002 has been assigned to you. Ask the call's preparer."
    )

"""Which audit events the ministry reads while an application is being supplemented (screening.timeline)."""

from kuntadigi.screening.timeline import submitted_history


def test_everything_is_read_when_the_application_is_not_being_supplemented():
    actions = ["application.submit", "screening.supplement_requested", "application.budget_saved", "application.submit_supplement"]
    assert submitted_history(actions, being_supplemented=False) == [True, True, True, True]


def test_the_municipalitys_edits_since_the_request_wait_for_the_submission():
    actions = [
        "application.budget_saved",  # before the first submission: part of what was submitted
        "application.submit",
        "screening.supplement_requested",
        "application.budget_saved",
        "application.read",
        "screening.marked",
        "application.saved",
    ]
    assert submitted_history(actions, being_supplemented=True) == [True, True, True, False, True, True, False]


def test_a_second_request_hides_only_what_came_after_it():
    actions = [
        "screening.supplement_requested",
        "application.saved",
        "application.submit_supplement",
        "screening.supplement_requested",
        "application.saved",
    ]
    assert submitted_history(actions, being_supplemented=True) == [True, True, True, True, False]

"""The application form's tab checklist: each problem counts against the tab where it is fixed."""

from kuntadigi.applications.rules import Problem
from kuntadigi.applications.submission import missing_by_section, section_of_problem


def problem(field: str) -> Problem:
    return Problem(field, "x", "message")


def test_every_problem_belongs_to_the_tab_where_it_is_fixed():
    assert section_of_problem(problem("summary")) == "project"
    assert section_of_problem(problem("target_areas")) == "project"
    assert section_of_problem(problem("confirmations")) == "partners"
    assert section_of_problem(problem("lead")) == "partners"
    assert section_of_problem(problem("budget-3")) == "budget"
    assert section_of_problem(problem("requested_grant")) == "budget"
    assert section_of_problem(problem("attachments")) == "attachments"


def test_the_counts_name_every_section_even_a_complete_one():
    assert missing_by_section([]) == {"project": 0, "partners": 0, "budget": 0, "attachments": 0}
    counts = missing_by_section([problem("summary"), problem("objectives"), problem("budget"), problem("partners")])
    assert counts == {"project": 2, "partners": 1, "budget": 1, "attachments": 0}

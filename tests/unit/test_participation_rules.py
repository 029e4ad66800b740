"""Who counts towards the call's minimum of municipalities, and the call's rule on Åland's municipalities:
the pure rules that submission (applications/rules.py) and screening (screening/rules.py) share."""

from django.utils import translation

from kuntadigi.applications import rules


def codes(problems) -> set[str]:
    return {problem.code for problem in problems}


def test_only_a_municipality_counts_towards_the_minimum():
    assert rules.counts_towards_minimum("municipality")
    assert not rules.counts_towards_minimum("joint_authority")
    assert not rules.counts_towards_minimum(None)
    assert rules.municipality_count(["municipality", "joint_authority", "municipality", None]) == 2


def test_a_joint_authority_partner_does_not_make_up_the_second_municipality():
    with translation.override("en"):
        problems = rules.check_participants("municipality", ["joint_authority"], 2)
        assert codes(problems) == {"too_few_municipalities"}
        assert str(problems[0].message) == (
            "The project needs at least 2 municipalities, the lead applicant included. "
            "Joint municipal authorities take part but do not count towards the minimum."
        )


def test_a_joint_authority_lead_with_two_municipalities_is_enough():
    assert rules.check_participants("joint_authority", ["municipality", "municipality"], 2) == []
    assert codes(rules.check_participants("joint_authority", ["municipality", "joint_authority"], 2)) == {"too_few_municipalities"}


def test_the_message_says_it_in_finnish_and_swedish():
    with translation.override("fi"):
        message = str(rules.check_participants("municipality", [], 2)[-1].message)
        assert "kuntayhtymät" in message.lower() and "2" in message
    with translation.override("sv"):
        message = str(rules.check_participants("municipality", [], 2)[-1].message)
        assert "samkommuner" in message.lower() and "2" in message


def test_a_municipality_of_aland_takes_part_only_when_the_call_allows():
    assert not rules.may_take_part("municipality", "21", aland_may_apply=False)
    assert rules.may_take_part("municipality", "21", aland_may_apply=True)
    assert rules.may_take_part("municipality", "01", aland_may_apply=False)
    # A joint authority is not a municipality of Åland, whatever its region.
    assert rules.may_take_part("joint_authority", "21", aland_may_apply=False)


def test_check_aland_names_each_municipality_of_aland_on_its_field():
    parties = [
        rules.Party("Maarianhamina", "municipality", "21", is_lead=True),
        rules.Party("Porvoo", "municipality", "01"),
        rules.Party("Jomala", "municipality", "21"),
    ]
    with translation.override("en"):
        problems = rules.check_aland(parties, aland_may_apply=False)
        assert [(p.field, p.code) for p in problems] == [("lead", "aland_not_allowed"), ("partners", "aland_not_allowed")]
        assert problems[0].message == "Maarianhamina is a municipality of Åland, and Åland's municipalities may not apply in this call."
        assert "Jomala" in problems[1].message
    assert rules.check_aland(parties, aland_may_apply=True) == []

"""load_calls: the calls are data files, loaded idempotently, checked before anything is written."""

import json
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import translation

from kuntadigi.calls.models import Call, Contact, CostCategory, Criterion, Exclusion, FaqEntry, TargetArea
from tests import factories

pytestmark = pytest.mark.django_db

CALLS_DIR = Path(settings.BASE_DIR) / "data" / "calls"
FILE_2020 = CALLS_DIR / "digi-2020.json"


def load(*files) -> str:
    out = StringIO()
    call_command("load_calls", *[str(f) for f in files], stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    """Every row of every call, to compare before and after."""
    models = (Call, TargetArea, Exclusion, CostCategory, Criterion, FaqEntry, Contact)
    return {model.__name__: list(model.objects.order_by("pk").values_list()) for model in models}


def edited(tmp_path, change) -> Path:
    data = json.loads(FILE_2020.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "digi-2020.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_loads_both_calls_with_every_language():
    output = load()

    assert set(Call.objects.values_list("slug", flat=True)) == {"digi-2019-2", "digi-2020", "digi-2021"}
    assert "digi-2020: created" in output and "digi-2021: created" in output
    call = Call.objects.get(slug="digi-2020")
    assert call.title_fi == "Valtionavustus kuntien digitalisaation edistämiseen 2020"
    assert call.title_sv == "Statsunderstöd för främjande av digitalisering i kommunerna 2020"
    assert call.title_en == "State grant for promoting digitalisation in municipalities 2020"
    with translation.override("sv"):
        assert call.funder == "Finansministeriet"
    for obj in [call, *call.target_areas.all(), *call.exclusions.all(), *call.cost_categories.all(), *call.criteria.all(), *call.faq.all()]:
        for name in ("title", "summary", "purpose", "name", "question", "answer", "description", "cooperation_rule", "assessment_intro"):
            if hasattr(obj, f"{name}_fi"):
                assert all(getattr(obj, f"{name}_{lang}") for lang in ("fi", "sv", "en")), (obj, name)


def test_the_2020_call_rules_come_from_the_file():
    load()

    call = Call.objects.get(slug="digi-2020")
    assert call.appropriation == Decimal("10000000.00")
    assert call.opens_at == factories.OPENS_2020
    assert call.closes_at == factories.CLOSES_2020
    assert call.project_end_latest.isoformat() == "2022-10-31"
    assert (call.min_municipalities, call.max_grant_share, call.vat_eligible) == (2, Decimal("0.85"), False)
    assert (call.summary_max_chars, call.score_min, call.score_max, call.is_published) == (2000, 1, 5, True)
    assert [a.number for a in call.target_areas.all()] == [1, 2, 3, 4, 5]
    assert call.target_areas.get(number=4).name_sv == "Distansarbete och arbete på flera olika ställen"
    assert [c.code for c in call.cost_categories.all()] == ["staff", "travel", "rent", "services", "other"]
    assert call.cost_categories.get(code="staff").name_fi == "Henkilöstökulut"
    assert sum(c.weight for c in call.criteria.all()) == 100
    assert call.exclusions.count() == 3
    assert "arkisto" in call.exclusions.get(name_en="Development of archiving").keywords.splitlines()
    assert 6 <= call.faq.count() <= 8
    assert [c.name for c in call.contacts.all()] == ["Anne-Marie Välikangas", "Suvi Savolainen", "Jani Heikkinen"]
    assert call.contacts.get(name="Suvi Savolainen").email == "suvi.savolainen@vm.fi"
    assert call.contacts.get(name="Anne-Marie Välikangas").role_sv == "finansråd"


def test_the_2021_call_is_different_data():
    load()

    call = Call.objects.get(slug="digi-2021")
    assert call.opens_at.isoformat() == "2021-02-18T08:00:00+00:00"
    assert call.closes_at.isoformat() == "2021-05-04T13:15:00+00:00"
    assert call.project_end_latest.isoformat() == "2023-10-31"
    assert call.target_areas.count() == 2
    assert call.exclusions.count() == 2
    assert call.exclusions.filter(name_en="Projects concerning the built environment").count() == 0


def test_running_twice_changes_nothing():
    load()
    before = snapshot()

    output = load()

    assert snapshot() == before
    assert "digi-2020: unchanged (0 rows created, 0 updated, 0 removed)" in output
    assert "digi-2021: unchanged" in output


def test_loading_one_named_file_loads_only_that_call():
    load(FILE_2020)

    assert list(Call.objects.values_list("slug", flat=True)) == ["digi-2020"]


def test_a_changed_file_updates_the_call_and_keeps_the_rows_applications_point_at(tmp_path):
    load()
    call = Call.objects.get(slug="digi-2020")
    area_ids = {a.number: a.pk for a in call.target_areas.all()}
    category_ids = {c.code: c.pk for c in call.cost_categories.all()}

    def change(data):
        data["title"]["sv"] = "Ny titel"
        data["target_areas"][0]["name"]["en"] = "Electronic decision-making"
        data["cost_categories"].reverse()
        data["faq"] = data["faq"][:6]

    output = load(edited(tmp_path, change))

    call.refresh_from_db()
    assert call.title_sv == "Ny titel"
    assert call.target_areas.get(number=1).name_en == "Electronic decision-making"
    assert {a.number: a.pk for a in call.target_areas.all()} == area_ids
    assert {c.code: c.pk for c in call.cost_categories.all()} == category_ids
    assert [c.code for c in call.cost_categories.all()] == ["other", "services", "rent", "travel", "staff"]
    assert call.faq.count() == 6
    assert "digi-2020: updated" in output and "2 removed" in output


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["title"].pop("sv"), "title: missing language 'sv'"),
        (lambda d: d["target_areas"][2]["name"].pop("en"), "target_areas[2].name: missing language 'en'"),
        (lambda d: d["faq"][0]["answer"].update(fi=""), "faq[0].answer: the 'fi' text is empty"),
        (lambda d: d.update(closes_at="2020-10-05T16:15:00"), "closes_at: '2020-10-05T16:15:00' has no UTC offset"),
        (lambda d: d.update(max_grant_share=0.85), "max_grant_share: must be a string"),
        (lambda d: d.update(max_grant_share="1.5"), "max_grant_share: must be at most 1"),
        (lambda d: d.update(closes_at="2020-06-01T16:15:00+03:00"), "closes_at: must be after opens_at"),
        (lambda d: d["cost_categories"].append({"code": "staff", "name": {"fi": "a", "sv": "b", "en": "c"}}), "'staff' appears twice"),
        (lambda d: d.pop("criteria"), "file: missing 'criteria'"),
        (lambda d: d.update(colour="blue"), "file: unknown key 'colour'"),
        (lambda d: d.update(aland_may_apply="no"), "aland_may_apply: must be true or false"),
        (lambda d: d.update(acceptance_days=0), "acceptance_days: must be at least 1"),
        (lambda d: d["eligible_cost_types"].pop("sv"), "eligible_cost_types: missing language 'sv'"),
        (lambda d: d["ineligible_cost_types"]["en"].append(""), "ineligible_cost_types: the 'en' items must be a list of non-empty one-line strings"),
        (lambda d: d["ineligible_cost_types"]["fi"].pop(), "ineligible_cost_types: every language must have the same number of items"),
        (lambda d: d["cost_categories"][4]["description"].update(sv=""), "cost_categories[4].description: the 'sv' text is empty"),
        (lambda d: d.update(held_back_share="1"), "held_back_share: must be at most 0.99"),
        (lambda d: d.update(final_report_months=0), "final_report_months: must be at least 1"),
        (lambda d: d.update(interim_report_dates=["2021-13-01"]), "interim_report_dates[0]"),
        (lambda d: d.update(interim_report_dates="2021-06-30"), "interim_report_dates: must be a list of dates"),
        (lambda d: d.update(accounting_codes={"account": 4100}), "accounting_codes: must be an object of names and codes, both text"),
    ],
)
def test_an_invalid_file_is_refused_with_a_clear_message_and_nothing_is_written(tmp_path, change, message):
    path = edited(tmp_path, change)

    with pytest.raises(CommandError) as error:
        load(path)

    assert message in str(error.value)
    assert "digi-2020.json" in str(error.value)
    assert not Call.objects.exists()


def test_a_broken_file_stops_the_whole_run_before_anything_is_written(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")

    with pytest.raises(CommandError, match="not valid JSON"):
        load(FILE_2020, broken)

    assert not Call.objects.exists()


def test_a_cost_category_in_use_cannot_be_removed(tmp_path, django_user_model):
    from kuntadigi.applications.models import Application, BudgetLine, Participant

    load(FILE_2020)
    call = Call.objects.get(slug="digi-2020")
    lead = factories.municipality()
    application = Application.objects.create(call=call, reference="KD-TEST-1", lead=lead, created_by=factories.user())
    participant = Participant.objects.create(application=application, organisation=lead, role=Participant.Role.LEAD)
    BudgetLine.objects.create(application=application, participant=participant, category=call.cost_categories.get(code="rent"), amount=Decimal("100"))

    path = edited(tmp_path, lambda d: d.update(cost_categories=[c for c in d["cost_categories"] if c["code"] != "rent"]))
    with pytest.raises(CommandError, match="cannot remove cost category rent: applications use it"):
        load(path)

    assert call.cost_categories.filter(code="rent").exists()


FILE_2019 = CALLS_DIR / "digi-2019-2.json"


def test_the_2019_joint_projects_call_comes_from_its_file():
    output = load(FILE_2019)

    assert "digi-2019-2: created" in output
    call = Call.objects.get(slug="digi-2019-2")
    assert call.title_sv == "Statsunderstöd för främjande av digitalisering i kommunerna 2019: kommunernas samarbetsprojekt"
    # 13.11.2019 to 19.12.2019 at 16.15 Helsinki time (winter: UTC+2).
    assert call.opens_at.isoformat() == "2019-11-13T08:00:00+00:00"
    assert call.closes_at.isoformat() == "2019-12-19T14:15:00+00:00"
    assert call.project_end_latest.isoformat() == "2021-11-30"
    assert (call.min_municipalities, call.max_grant_share, call.vat_eligible, call.is_published) == (2, Decimal("0.85"), False, True)
    assert call.appropriation == Decimal("10000000.00")
    assert call.generated_content is False  # only the demo generator marks its applications as fictional
    areas = list(call.target_areas.all())
    assert len(areas) == 6
    assert areas[3].name_en == "Knowledge-based management"
    assert "programvarurobotik" in areas[5].name_sv and "tekoäly" in areas[5].name_fi
    assert [e.name_en for e in call.exclusions.all()] == [
        "Development projects in social and health care",
        "Projects concerning the built environment",
        "Development of case management or archiving",
    ]
    assert "ärendehantering" in call.exclusions.get(order=2).keywords.splitlines()
    assert [c.code for c in call.cost_categories.all()] == ["staff", "travel", "rent", "services", "other"]
    assert sum(c.weight for c in call.criteria.all()) == 100
    assert [r.code for r in call.no_grant_reasons.order_by("order")] == ["conditions-not-met", "not-within-appropriation", "excluded-field"]
    with translation.override("en"):
        assert "several municipalities carry out together" in call.cooperation_rule
    # The ministry's registry, not a named person.
    assert [(c.email, c.role_en) for c in call.contacts.all()] == [("valtiovarainministerio@gov.fi", "Registry (general questions about the call)")]
    for obj in [call, *areas, *call.exclusions.all(), *call.criteria.all(), *call.faq.all(), *call.no_grant_reasons.all()]:
        for name in ("title", "summary", "purpose", "name", "question", "answer", "description", "cooperation_rule", "assessment_intro", "text"):
            if hasattr(obj, f"{name}_fi"):
                assert all(getattr(obj, f"{name}_{lang}") for lang in ("fi", "sv", "en")), (obj, name)


def test_reloading_the_2019_call_keeps_the_generated_content_mark():
    load(FILE_2019)
    Call.objects.filter(slug="digi-2019-2").update(generated_content=True)

    output = load(FILE_2019)

    assert "digi-2019-2: unchanged" in output
    assert Call.objects.get(slug="digi-2019-2").generated_content is True


@pytest.mark.parametrize("slug", ["digi-2019-2", "digi-2020", "digi-2021"])
def test_each_call_file_states_its_rule_on_aland_and_the_cost_types_of_the_decree(slug):
    raw = json.loads((CALLS_DIR / f"{slug}.json").read_text(encoding="utf-8"))
    assert raw["aland_may_apply"] is False  # said explicitly, not left to the default
    load(CALLS_DIR / f"{slug}.json")
    call = Call.objects.get(slug=slug)
    assert call.aland_may_apply is False
    eligible_fi, ineligible_fi = call.cost_types_in("fi")
    eligible_sv, ineligible_sv = call.cost_types_in("sv")
    assert len(eligible_fi) == len(eligible_sv) == 5 and len(ineligible_fi) == len(ineligible_sv) == 6
    assert eligible_fi[0].startswith("Hankkeen henkilöstökustannukset")
    assert ineligible_fi[0] == "Arvonlisävero" and ineligible_sv[0] == "Mervärdesskatt"
    assert "Laitehankinnat sellaisenaan ja käyttöomaisuuden hankinta" in ineligible_fi
    assert any("kustannusten hyväksyttävyysaikaa" in item for item in ineligible_fi)
    assert any("tid för godtagbara kostnader" in item for item in ineligible_sv)
    other = call.cost_categories.get(code="other")
    assert "Laitehankintoja ei rahoiteta suoraan." in other.description_fi
    assert "Anskaffning av utrustning finansieras inte direkt." in other.description_sv
    assert "Equipment purchases are not funded directly." in other.description_en
    # The widened words of the social and health care exclusion, still only words for a person to judge.
    keywords = call.exclusions.get(name_fi="Sosiaali- ja terveydenhuollon kehittämishankkeet").keywords.splitlines()
    for word in ("kotihoi", "vanhuspalvel", "lastensuojel", "mielenterve", "neuvola", "hemvård", "äldreomsorg", "barnskydd", "mentalvård", "home care"):
        assert word in keywords


def test_cost_types_in_a_language_whatever_the_readers_language():
    load(FILE_2020)
    call = Call.objects.get(slug="digi-2020")
    with translation.override("en"):
        eligible, ineligible = call.cost_types_in("sv")
        assert eligible[2] == "Skäliga resekostnader för genomförandet av projektet"
        assert ineligible[0] == "Mervärdesskatt"
        assert call.ineligible_cost_type_list[0] == "Value added tax"
    with pytest.raises(ValueError):
        call.cost_types_in("de")


def test_a_file_without_the_new_keys_loads_with_the_defaults(tmp_path):
    path = edited(tmp_path, lambda d: [d.pop(key) for key in ("aland_may_apply", "eligible_cost_types", "ineligible_cost_types")])
    load(path)
    call = Call.objects.get(slug="digi-2020")
    assert call.aland_may_apply is False
    assert call.cost_types_in("fi") == ((), ())


def test_a_call_may_set_its_period_for_accepting_a_grant(tmp_path):
    """Left out, a grant is accepted within 30 days of the decision (Call.acceptance_days)."""
    load(FILE_2020)
    assert Call.objects.get(slug="digi-2020").acceptance_days == 30
    load(edited(tmp_path, lambda d: d.update(acceptance_days=14)))
    assert Call.objects.get(slug="digi-2020").acceptance_days == 14


def test_the_rules_after_the_decision_come_from_the_file(tmp_path):
    """The 2020 call's payment terms hold back 10 % until the final report, which is due four months
    after the cost period; payments are booked on budget item 28.90.32. Left out, the model's defaults."""
    load(FILE_2020)
    call = Call.objects.get(slug="digi-2020")
    assert (call.held_back_share, call.final_report_months, call.budget_item) == (Decimal("0.10"), 4, "28.90.32")
    assert call.interim_report_dates == []

    load(
        edited(tmp_path, lambda d: d.update(interim_report_dates=["2021-06-30"], accounting_codes={"account": "41000000"}, payer_iban="FI21 1234 5600 0007 85"))
    )
    call.refresh_from_db()
    assert call.interim_report_dates == ["2021-06-30"]
    assert call.accounting_codes == {"account": "41000000"}
    assert call.payer_iban == "FI2112345600000785"

    load(edited(tmp_path, lambda d: [d.pop(key) for key in ("held_back_share", "cost_tolerance", "final_report_months", "budget_item")]))
    call.refresh_from_db()
    assert (call.held_back_share, call.cost_tolerance, call.final_report_months, call.budget_item) == (Decimal("0"), Decimal("0.10"), 4, "")

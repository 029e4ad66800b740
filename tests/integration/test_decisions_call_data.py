"""The call files carry the texts a decision needs: reasons for not granting, conditions, reporting duties."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from kuntadigi.calls.models import Call, NoGrantReason

pytestmark = pytest.mark.django_db

FILE_2020 = Path(settings.BASE_DIR) / "data" / "calls" / "digi-2020.json"


def load(*files) -> str:
    out = StringIO()
    call_command("load_calls", *[str(f) for f in files], stdout=out)
    return out.getvalue()


def edited(tmp_path, change) -> Path:
    data = json.loads(FILE_2020.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "digi-2020.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_both_calls_have_the_reasons_for_not_granting_in_every_language():
    load()

    for slug in ("digi-2020", "digi-2021"):
        call = Call.objects.get(slug=slug)
        reasons = list(call.no_grant_reasons.order_by("order"))
        assert [r.code for r in reasons] == ["conditions-not-met", "not-within-appropriation", "excluded-field"]
        assert reasons[0].text_en == "The application did not meet the call's conditions."
        assert reasons[1].text_en == "Other applications ranked higher within the appropriation."
        assert reasons[2].text_en == "The project concerns a field the call does not fund."
        assert all(r.text_fi and r.text_sv for r in reasons)


def test_the_conditions_and_reporting_duties_cite_the_state_subsidies_act():
    load(FILE_2020)

    call = Call.objects.get(slug="digi-2020")
    assert "7 §:n 3 momentti" in call.decision_conditions_fi
    # Suspension 19 §; recovery under 21 § is mandatory ("on perittävä"), under 22 § discretionary ("voi");
    # interest and late-payment interest 24–25 §.
    conditions = call.decision_conditions_fi
    assert "20 §" in conditions and "19 §:ssä" in conditions
    assert "on perittävä avustus takaisin valtionavustuslain 21 §:ssä" in conditions and "voi periä avustuksen takaisin 22 §:ssä" in conditions
    assert "viivästyskorkoa valtionavustuslain 24 ja 25 §:n mukaisesti" in conditions
    assert "ska återkräva understödet i de fall som avses i 21 §" in call.decision_conditions_sv
    assert "Projektadministratören svarar" in call.decision_conditions_sv
    assert "15 och 16 §" in call.decision_conditions_sv
    assert "section 7(3)" in call.decision_conditions_en
    assert "loppuraportin" in call.reporting_duties_fi and "selvityksen avustuksen käytöstä" in call.reporting_duties_fi
    assert "slutrapport" in call.reporting_duties_sv and "fyra månader" in call.reporting_duties_sv
    assert "final report" in call.reporting_duties_en
    assert "maksatushakemusten perusteella" in call.payment_terms_fi and "90 procent" in call.payment_terms_sv
    assert call.applied_provisions_fi.splitlines()[0] == "Valtionavustuslaki (688/2001) 5–7, 9–12, 14–16, 19–22 ja 34 §"
    assert "Förvaltningslagen (434/2003) 45–47 § och 7 a kap." in call.applied_provisions_sv


def test_loading_the_decision_texts_twice_changes_nothing():
    load()
    before = list(NoGrantReason.objects.order_by("pk").values_list())

    output = load()

    assert list(NoGrantReason.objects.order_by("pk").values_list()) == before
    assert "digi-2020: unchanged (0 rows created, 0 updated, 0 removed)" in output


def test_a_changed_reason_text_updates_the_same_row(tmp_path):
    load(FILE_2020)
    reason = NoGrantReason.objects.get(call__slug="digi-2020", code="excluded-field")

    load(edited(tmp_path, lambda d: d["no_grant_reasons"][2]["text"].update(sv="Ny text")))

    reason.refresh_from_db()
    assert reason.text_sv == "Ny text"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["no_grant_reasons"][0]["text"].pop("sv"), "no_grant_reasons[0].text: missing language 'sv'"),
        (lambda d: d["no_grant_reasons"][1].update(code="not within"), "no_grant_reasons[1].code: must be letters"),
        (lambda d: d["no_grant_reasons"].append(dict(d["no_grant_reasons"][0])), "'conditions-not-met' appears twice"),
        (lambda d: d["no_grant_reasons"][0].update(extra=1), "no_grant_reasons[0]: unknown key 'extra'"),
        (lambda d: d["decision_conditions"].update(en=""), "decision_conditions: the 'en' text is empty"),
    ],
)
def test_invalid_decision_texts_are_refused_before_anything_is_written(tmp_path, change, message):
    with pytest.raises(CommandError) as error:
        load(edited(tmp_path, change))

    assert message in str(error.value)
    assert not Call.objects.exists()

"""The audit sentences of payment batches (kuntadigi.audit.describe), without the database."""

from datetime import UTC, datetime

import pytest

from kuntadigi.audit.describe import Event, Lookups, Role, describe, known_kinds

NB = "\u00a0"
AT = datetime(2021, 3, 1, 8, 0, tzinfo=UTC)
LOOKUPS = Lookups(users={2: "Pertti Valmistelija"}, roles={2: (Role("call", "preparer"),)})
KINDS = {
    "payment_batch.created": ({}, {"call": "digi-2020", "number": 3, "due_date": "2021-03-08"}),
    "payment_batch.payment_added": ({}, {"payment": 7, "number": 3, "amount": "5737.50"}),
    "payment_batch.payment_removed": ({"payment": 7, "number": 3, "amount": "5737.50"}, {}),
    "payment_batch.exported": (
        {"state": "open"},
        {"state": "exported", "number": 3, "payments": 2, "total": "10237.50", "message_id": "KD1-3", "credit_transfer_sha256": "ab" * 32},
    ),
    "payment_batch.paid": ({"state": "exported"}, {"state": "paid", "number": 3, "value_date": "2021-03-08"}),
    "payment.paid": ({}, {"amount": "5737.50", "value_date": "2021-03-08", "batch": 3}),
}


@pytest.mark.parametrize(
    ("action", "fi", "sv", "en"),
    [
        (
            "payment_batch.created",
            "Maksuerä 3 muodostettu, eräpäivä 8.3.2021",
            "Betalningsparti 3 skapat, förfallodag 8.3.2021",
            "Payment batch 3 made, due on 8 March 2021",
        ),
        (
            "payment_batch.payment_added",
            f"Maksu 5{NB}737,50{NB}€ lisätty maksuerään 3",
            f"Utbetalning på 5{NB}737,50{NB}€ lagd i betalningsparti 3",
            f"Payment of 5,737.50{NB}€ put into payment batch 3",
        ),
        (
            "payment_batch.payment_removed",
            f"Maksu 5{NB}737,50{NB}€ poistettu maksuerästä 3",
            f"Utbetalning på 5{NB}737,50{NB}€ tagen ur betalningsparti 3",
            f"Payment of 5,737.50{NB}€ taken out of payment batch 3",
        ),
        (
            "payment_batch.exported",
            f"Maksuerän 3 aineistot muodostettu pankille ja valtion kirjanpitoon: 2 maksua, yhteensä 10{NB}237,50{NB}€",
            f"Material för betalningsparti 3 skapat för banken och statens bokföring: 2 utbetalningar, sammanlagt 10{NB}237,50{NB}€",
            f"Payment batch 3 exported for the bank and the State's accounting: 2 payments, 10,237.50{NB}€ in total",
        ),
        (
            "payment_batch.paid",
            "Maksuerä 3 merkitty maksetuksi, arvopäivä 8.3.2021",
            "Betalningsparti 3 markerat som betalt, valutadag 8.3.2021",
            "Payment batch 3 marked paid, value date 8 March 2021",
        ),
        (
            "payment.paid",
            f"Maksu 5{NB}737,50{NB}€ maksettu, arvopäivä 8.3.2021",
            f"Utbetalning på 5{NB}737,50{NB}€ betald, valutadag 8.3.2021",
            f"Payment of 5,737.50{NB}€ paid, value date 8 March 2021",
        ),
    ],
)
def test_each_batch_step_reads_as_a_sentence_in_each_language(action, fi, sv, en):
    before, after = KINDS[action]
    event = Event(action, AT, 2, before, after)
    assert [describe(event, LOOKUPS, lang).what for lang in ("fi", "sv", "en")] == [fi, sv, en]
    assert "sha256" not in describe(event, LOOKUPS, "en").what.lower()


def test_every_batch_kind_is_known_and_has_a_plain_sentence_without_its_payload():
    assert set(KINDS) <= known_kinds()
    assert describe(Event("payment_batch.exported", AT, 2, {}, {}), LOOKUPS, "en").what == "Payment batch exported"
    assert describe(Event("payment.paid", AT, 2, {}, {}), LOOKUPS, "fi").what == "Maksu maksettu"

"""Money, dates and times in each language (kuntadigi.core.formats)."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from kuntadigi.core import formats

NB = "\u00a0"


@pytest.mark.parametrize(
    "language, expected, whole",
    [
        ("fi", f"10{NB}000{NB}000,00{NB}€", f"10{NB}000{NB}000{NB}€"),
        ("sv", f"10{NB}000{NB}000,00{NB}€", f"10{NB}000{NB}000{NB}€"),
        ("en", f"10,000,000.00{NB}€", f"10,000,000{NB}€"),
    ],
)
def test_one_money_format_per_language(language, expected, whole):
    assert formats.money(Decimal("10000000"), language) == expected
    assert formats.money(Decimal("10000000"), language, whole_if_even=True) == whole


def test_cents_stay_and_a_negative_sum_has_its_sign_first():
    assert formats.money(Decimal("-1234.5"), "en", whole_if_even=True) == f"-1,234.50{NB}€"
    assert formats.money(Decimal("-1234.5"), "fi") == f"-1{NB}234,50{NB}€"


def test_dates_and_times_in_helsinki_time():
    at = datetime(2021, 1, 31, 14, 15, tzinfo=UTC)  # 16.15 in Helsinki (winter time)
    assert formats.instant(at, "fi") == "31.1.2021 klo 16.15"
    assert formats.instant(at, "sv") == "31.1.2021 kl. 16.15"
    assert formats.instant(at, "en") == "31 January 2021 at 16:15"
    assert formats.day(date(2021, 1, 31), "fi") == "31.1.2021"
    assert formats.day(date(2021, 1, 31), "en") == "31 January 2021"

"""The pure date rules of a call: when it is open, how long is left, whether a project ends in time."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kuntadigi.calls.rules import call_phase, project_ends_in_time, time_left

HKI = ZoneInfo("Europe/Helsinki")
OPENS = datetime(2020, 6, 25, 10, 0, tzinfo=HKI)
CLOSES = datetime(2020, 10, 5, 16, 15, tzinfo=HKI)


def hki(*args) -> datetime:
    return datetime(*args, tzinfo=HKI)


@pytest.mark.parametrize(
    ("at", "phase"),
    [
        (hki(2020, 6, 25, 9, 59, 59), "upcoming"),
        (hki(2020, 6, 25, 10, 0, 0), "open"),
        (hki(2020, 8, 1, 12, 0), "open"),
        (hki(2020, 10, 5, 16, 14, 59), "open"),
        (hki(2020, 10, 5, 16, 14, 59, 999999), "open"),
        (hki(2020, 10, 5, 16, 15, 0), "closed"),
        (hki(2020, 10, 5, 16, 15, 1), "closed"),
        (hki(2021, 1, 1), "closed"),
    ],
)
def test_phase_around_opening_and_deadline(at, phase):
    assert call_phase(OPENS, CLOSES, at) == phase


def test_summer_time_deadline_is_13_15_utc():
    """5.10.2020 is summer time (EEST, UTC+3): 16.15 in Helsinki is 13.15 UTC."""
    assert CLOSES.astimezone(UTC) == datetime(2020, 10, 5, 13, 15, tzinfo=UTC)
    assert call_phase(OPENS, CLOSES, datetime(2020, 10, 5, 13, 14, 59, tzinfo=UTC)) == "open"
    assert call_phase(OPENS, CLOSES, datetime(2020, 10, 5, 13, 15, tzinfo=UTC)) == "closed"


def test_winter_time_deadline_is_14_15_utc():
    """2.12.2021 is winter time (EET, UTC+2): 16.15 in Helsinki is 14.15 UTC."""
    opens, closes = hki(2021, 10, 1, 10, 0), hki(2021, 12, 2, 16, 15)
    assert closes.astimezone(UTC) == datetime(2021, 12, 2, 14, 15, tzinfo=UTC)
    assert call_phase(opens, closes, datetime(2021, 12, 2, 14, 14, 59, tzinfo=UTC)) == "open"
    assert call_phase(opens, closes, datetime(2021, 12, 2, 14, 15, tzinfo=UTC)) == "closed"
    # 13.15 UTC would be the summer-time reading: still open in winter.
    assert call_phase(opens, closes, datetime(2021, 12, 2, 13, 15, tzinfo=UTC)) == "open"


def test_offsets_in_the_call_file_mean_the_same_instant():
    """The 2021 call opens in winter (+02:00) and closes in summer (+03:00)."""
    opens = datetime.fromisoformat("2021-02-18T10:00:00+02:00")
    closes = datetime.fromisoformat("2021-05-04T16:15:00+03:00")
    assert opens == hki(2021, 2, 18, 10, 0)
    assert closes == hki(2021, 5, 4, 16, 15)
    assert call_phase(opens, closes, datetime(2021, 2, 18, 7, 59, 59, tzinfo=UTC)) == "upcoming"
    assert call_phase(opens, closes, datetime(2021, 2, 18, 8, 0, tzinfo=UTC)) == "open"
    assert call_phase(opens, closes, datetime(2021, 5, 4, 13, 15, tzinfo=UTC)) == "closed"


@pytest.mark.parametrize(
    ("opens", "closes", "at"),
    [
        (OPENS.replace(tzinfo=None), CLOSES, hki(2020, 8, 1)),
        (OPENS, CLOSES.replace(tzinfo=None), hki(2020, 8, 1)),
        (OPENS, CLOSES, datetime(2020, 8, 1, 12, 0)),
    ],
)
def test_naive_datetimes_are_refused(opens, closes, at):
    with pytest.raises(ValueError, match="aware"):
        call_phase(opens, closes, at)


def test_time_left_counts_down_to_the_deadline():
    assert time_left(CLOSES, hki(2020, 10, 5, 12, 0)) == timedelta(hours=4, minutes=15)
    assert time_left(CLOSES, hki(2020, 10, 5, 16, 14, 59)) == timedelta(seconds=1)


def test_time_left_is_zero_at_and_after_the_deadline():
    assert time_left(CLOSES, CLOSES) == timedelta(0)
    assert time_left(CLOSES, hki(2020, 10, 6)) == timedelta(0)
    assert time_left(CLOSES, hki(2030, 1, 1)) == timedelta(0)


def test_time_left_refuses_naive_datetimes():
    with pytest.raises(ValueError, match="aware"):
        time_left(CLOSES, datetime(2020, 10, 5, 12, 0))


@pytest.mark.parametrize(
    ("end", "in_time"),
    [
        (date(2022, 10, 30), True),
        (date(2022, 10, 31), True),
        (date(2022, 11, 1), False),
        (date(2023, 10, 31), False),
    ],
)
def test_project_ends_in_time(end, in_time):
    assert project_ends_in_time(end, date(2022, 10, 31)) is in_time

"""kuntadigi.clock: the one "now" of the service, set by tests and by the demo's KUNTADIGI_NOW."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from kuntadigi import clock

HKI = ZoneInfo("Europe/Helsinki")
DEADLINE = datetime(2020, 10, 5, 16, 15, tzinfo=HKI)


@pytest.fixture
def fake_monotonic(monkeypatch):
    """Seconds that pass only when the test says so."""

    class Ticker:
        seconds = 1000.0

        def __call__(self):
            return self.seconds

        def advance(self, seconds: float) -> None:
            self.seconds += seconds

    ticker = Ticker()
    monkeypatch.setattr(clock.time, "monotonic", ticker)
    return ticker


def test_unset_clock_is_real_time():
    before = timezone.now()
    now = clock.now()
    assert before <= now <= timezone.now()
    assert not clock.is_set()


def test_set_now_freezes_the_clock_by_default(fake_monotonic):
    clock.set_now(DEADLINE)
    fake_monotonic.advance(3600)
    assert clock.now() == DEADLINE
    assert clock.is_set()


def test_running_clock_moves_on_from_the_instant(fake_monotonic):
    clock.set_now(DEADLINE, frozen=False)
    assert clock.now() == DEADLINE
    fake_monotonic.advance(90)
    assert clock.now() == DEADLINE + timedelta(seconds=90)


def test_set_now_refuses_a_naive_datetime():
    with pytest.raises(ValueError):
        clock.set_now(datetime(2020, 10, 5, 16, 15))


def test_set_now_none_goes_back_to_real_time():
    clock.set_now(DEADLINE)
    clock.set_now(None)
    assert not clock.is_set()
    assert abs(clock.now() - timezone.now()) < timedelta(seconds=5)


def test_frozen_at_restores_the_previous_clock():
    earlier = datetime(2020, 6, 25, 10, 0, tzinfo=HKI)
    clock.set_now(earlier)
    with clock.frozen_at(DEADLINE):
        assert clock.now() == DEADLINE
    assert clock.now() == earlier


@pytest.mark.parametrize(
    ("value", "expected_utc"),
    [
        # Naive values are Helsinki wall time: summer time (UTC+3) in October, winter time (UTC+2) in December.
        ("2020-10-05T16:15", datetime(2020, 10, 5, 13, 15, tzinfo=UTC)),
        ("2020-12-11 10:00:00", datetime(2020, 12, 11, 8, 0, tzinfo=UTC)),
        # Aware values keep their instant.
        ("2020-10-05T12:00:00+03:00", datetime(2020, 10, 5, 9, 0, tzinfo=UTC)),
        ("2020-10-05T09:00:00Z", datetime(2020, 10, 5, 9, 0, tzinfo=UTC)),
        ("  2020-10-05T09:00:00+00:00 ", datetime(2020, 10, 5, 9, 0, tzinfo=UTC)),
    ],
)
def test_parse_instant(value, expected_utc):
    parsed = clock.parse_instant(value)
    assert parsed == expected_utc
    assert parsed.utcoffset() == timedelta(0)


def test_parse_instant_rejects_nonsense():
    with pytest.raises(ValueError):
        clock.parse_instant("next Monday")


def test_settings_frozen_clock(settings, fake_monotonic):
    settings.KUNTADIGI_NOW = "2020-10-05T12:00:00+03:00"
    settings.KUNTADIGI_CLOCK_FROZEN = True
    clock.reset()
    fake_monotonic.advance(600)
    assert clock.now() == datetime(2020, 10, 5, 12, 0, tzinfo=HKI)
    assert clock.is_set()


def test_settings_running_clock(settings, fake_monotonic):
    """`make run`: KUNTADIGI_NOW without KUNTADIGI_CLOCK_FROZEN starts there and runs on."""
    settings.KUNTADIGI_NOW = "2020-10-05T12:00"
    settings.KUNTADIGI_CLOCK_FROZEN = False
    clock.reset()
    start = clock.now()
    assert start == datetime(2020, 10, 5, 12, 0, tzinfo=HKI)
    fake_monotonic.advance(4 * 3600 + 15 * 60 + 1)
    assert clock.now() > DEADLINE


def test_settings_without_now_is_real_time(settings):
    settings.KUNTADIGI_NOW = ""
    clock.reset()
    assert not clock.is_set()
    assert abs(clock.now() - timezone.now()) < timedelta(seconds=5)


def test_reset_forgets_an_override(settings):
    settings.KUNTADIGI_NOW = ""
    clock.set_now(DEADLINE)
    clock.reset()
    assert not clock.is_set()


def test_helsinki_shows_wall_time():
    instant = datetime(2020, 10, 5, 13, 15, tzinfo=UTC)
    local = clock.helsinki(instant)
    assert (local.hour, local.minute) == (16, 15)
    assert local.utcoffset() == timedelta(hours=3)
    assert clock.helsinki(datetime(2020, 12, 11, 8, 0, tzinfo=UTC)).hour == 10


def test_started_at_and_is_frozen_tell_how_the_clock_runs():
    start = datetime(2020, 10, 5, 12, 0, tzinfo=HKI)
    clock.set_now(start, frozen=False)
    assert clock.started_at() == start and not clock.is_frozen()
    assert clock.now() >= start
    clock.set_now(start, frozen=True)
    assert clock.started_at() == start and clock.is_frozen()
    clock.set_now(None)
    assert clock.started_at() is None and not clock.is_frozen()

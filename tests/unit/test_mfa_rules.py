"""The second factor's pure rules: who needs one, session limits, step-up freshness, typed codes."""

from datetime import UTC, datetime, timedelta

from kuntadigi.mfa import rules

T0 = datetime(2020, 12, 11, 8, 0, tzinfo=UTC)
OFFICIAL = rules.limits_for(official=True, official_idle=timedelta(minutes=30), official_absolute=timedelta(hours=10), applicant_idle=timedelta(hours=8))
APPLICANT = rules.limits_for(official=False, official_idle=timedelta(minutes=30), official_absolute=timedelta(hours=10), applicant_idle=timedelta(hours=8))


def test_officials_always_need_a_second_factor_and_applicants_once_they_turned_it_on():
    assert rules.needs_second_factor(official=True, has_device=False)
    assert rules.needs_second_factor(official=True, has_device=True)
    assert rules.needs_second_factor(official=False, has_device=True)
    assert not rules.needs_second_factor(official=False, has_device=False)


def test_an_officials_session_ends_after_thirty_idle_minutes():
    assert rules.session_ended(T0 + timedelta(minutes=30), signed_in_at=T0, last_seen_at=T0, limits=OFFICIAL) is None
    assert rules.session_ended(T0 + timedelta(minutes=30, seconds=1), signed_in_at=T0, last_seen_at=T0, limits=OFFICIAL) == rules.IDLE


def test_an_officials_session_ends_after_a_working_day_however_busy():
    seen = T0 + timedelta(hours=9, minutes=59)
    assert rules.session_ended(T0 + timedelta(hours=10), signed_in_at=T0, last_seen_at=seen, limits=OFFICIAL) is None
    assert rules.session_ended(T0 + timedelta(hours=10, seconds=1), signed_in_at=T0, last_seen_at=seen, limits=OFFICIAL) == rules.ABSOLUTE


def test_an_applicants_session_has_a_longer_idle_time_and_no_day_limit():
    assert rules.session_ended(T0 + timedelta(hours=8), signed_in_at=T0, last_seen_at=T0, limits=APPLICANT) is None
    assert rules.session_ended(T0 + timedelta(hours=8, seconds=1), signed_in_at=T0, last_seen_at=T0, limits=APPLICANT) == rules.IDLE
    busy = T0 + timedelta(days=3)
    assert rules.session_ended(busy + timedelta(hours=1), signed_in_at=T0, last_seen_at=busy, limits=APPLICANT) is None


def test_a_clock_set_back_never_ends_a_session():
    assert rules.session_ended(T0 - timedelta(days=400), signed_in_at=T0, last_seen_at=T0, limits=OFFICIAL) is None


def test_step_up_is_fresh_for_the_given_minutes_and_never_without_a_second_factor():
    ten = timedelta(minutes=10)
    assert rules.is_fresh(T0 + ten, T0, ten)
    assert not rules.is_fresh(T0 + ten + timedelta(seconds=1), T0, ten)
    assert not rules.is_fresh(T0, None, ten)


def test_typed_codes_lose_spaces_and_dashes_and_case():
    assert rules.normalise_code(" 123 456 ") == "123456"
    assert rules.normalise_code("ABCD-EFGH") == "abcdefgh"
    assert rules.looks_like_totp("123456")
    assert not rules.looks_like_totp("12345")
    assert not rules.looks_like_totp("abcdefgh")

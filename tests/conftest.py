import pytest

from kuntadigi import clock
from tests import factories


@pytest.fixture(autouse=True)
def _reset_clock():
    """Every test starts on real time unless it sets the clock; no test leaks its clock to the next."""
    clock.set_now(None)
    yield
    clock.reset()


@pytest.fixture
def call_2020(db):
    return factories.call()


@pytest.fixture
def during_call():
    clock.set_now(factories.DURING_2020)
    return factories.DURING_2020

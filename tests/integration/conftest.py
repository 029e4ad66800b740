import pytest


@pytest.fixture(scope="session", autouse=True)
def _uploads_are_scanned(virus_scanner):
    """Every upload in these tests is scanned by the session's own clamd (tests/conftest.py)."""
    return virus_scanner

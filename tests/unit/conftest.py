import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _rules_speak_english():
    """Rule messages are read in English (the source language), whatever the default language is."""
    with translation.override("en"):
        yield

"""Pure helpers of people and organisations: no database."""

import hashlib

import pytest
from django.core.exceptions import ValidationError

from kuntadigi.accounts import services
from kuntadigi.registry.services import normalise_business_id


@pytest.mark.parametrize("typed", ["0201256-6", "02012566", " 0201256-6 ", "0201256 6"])
def test_valid_business_ids_are_stored_in_one_form(typed):
    assert normalise_business_id(typed) == "0201256-6"


@pytest.mark.parametrize("typed", ["1234567-8", "", "0201256-7", "abc", "0201256-66"])
def test_invalid_business_ids_are_refused(typed):
    with pytest.raises(ValidationError) as error:
        normalise_business_id(typed)
    assert error.value.messages == ["This is not a valid business ID (Y-tunnus)"]


def test_only_a_sha256_of_the_token_is_stored():
    assert services.hash_token("secret") == hashlib.sha256(b"secret").hexdigest()
    assert len(services.hash_token("secret")) == 64


def test_addresses_are_compared_in_lower_case():
    assert services.normalise_email("  Maija.Meikalainen@Porvoo.FI ") == "maija.meikalainen@porvoo.fi"


def test_token_lifetime_is_fifteen_minutes():
    assert services.TOKEN_LIFETIME.total_seconds() == 15 * 60
    assert services.TOKEN_BYTES >= 32

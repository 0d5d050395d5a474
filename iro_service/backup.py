"""Backup and restore: the PostgreSQL database and the private documents, in one archive.

An archive (`iro-YYYYmmdd-HHMMSS.tar`) holds:

- `manifest.json`: when, which database and server, the SHA-256 of the dump, every table's
  row count, and every document file with its size and SHA-256;
- `database.dump`: `pg_dump --format=custom --no-owner --no-privileges`;
- `documents/...`: the private documents tree as it was.

The row counts and the dump come from one snapshot (a REPEATABLE READ transaction exports it
and pg_dump reads it), so they agree with each other even while the service runs. Before
writing the archive, every document row's file is checked against its `Document.sha256`:
a backup never silently carries a damaged document.

Restore goes only into an EMPTY database (unless forced) and an empty documents folder: the
archive is checked first (nothing is touched if the dump or any document differs from the
manifest), then pg_restore runs in one transaction, the documents are copied back, and every
document is checked again against the manifest and against its `Document.sha256` row, and every
table's row count against the manifest. Any difference fails loudly.
"""

import hashlib
import json
import os
import re
import shutil
import subprocess  # nosec B404
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

import environ
import psycopg
from psycopg import sql
from psycopg.rows import TupleRow

from iro_service.dbroles import grant_all, schema_tables

MANIFEST = "manifest.json"
DUMP = "database.dump"
DOCUMENTS = "documents"
FORMAT = 1
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on, with a message for the operator."""


@dataclass(frozen=True)
class Database:
    name: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""

    @classmethod
    def from_settings(cls, settings_dict: dict[str, Any]) -> "Database":
        if "postgresql" not in settings_dict["ENGINE"]:
            raise BackupError(
                "Backup and restore need PostgreSQL (set DATABASE_URL=postgres://...); "
                f"this database is {settings_dict['ENGINE'].rsplit('.', 1)[-1]}."
            )
        return cls(
            name=str(settings_dict["NAME"]),
            user=settings_dict.get("USER") or "",
            password=settings_dict.get("PASSWORD") or "",
            host=settings_dict.get("HOST") or "",
            port=str(settings_dict.get("PORT") or ""),
        )

    @classmethod
    def from_url(cls, url: str) -> "Database":
        try:
            return cls.from_settings(environ.Env.db_url_config(url))
        except (KeyError, ValueError) as error:
            raise BackupError(f"Not a database URL: {error}") from error

    def connect(self) -> psycopg.Connection[TupleRow]:
        try:
            return psycopg.connect(
                dbname=self.name,
                user=self.user or None,
                password=self.password or None,
                host=self.host or None,
                port=self.port or None,
            )
        except psycopg.OperationalError as error:
            raise BackupError(f"Cannot connect to the database {self.name!r}: {str(error).strip()}") from error

    def client_arguments(self) -> list[str]:
        arguments = ["--dbname", self.name]
        if self.host:
            arguments += ["--host", self.host]
        if self.port:
            arguments += ["--port", self.port]
        if self.user:
            arguments += ["--username", self.user]
        return arguments

    def client_environment(self) -> dict[str, Any]:
        # The password goes through the environment, never the command line (visible in ps).
        environment = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
        if self.password:
            environment["PGPASSWORD"] = self.password
        return environment


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _client_major(tool: str) -> int:
    executable = shutil.which(tool)
    if executable is None:
        raise BackupError(
            f"{tool} is not installed: install the PostgreSQL client (apt-get install postgresql-client)."
        )
    output = subprocess.run([executable, "--version"], capture_output=True, text=True, check=True).stdout  # noqa: S603  # nosec B603
    match = re.search(r"(\d+)(?:\.\d+)?", output)
    if not match:
        raise BackupError(f"Cannot read the version of {tool}: {output!r}")
    return int(match.group(1))


def _run(arguments: list[str], database: Database, what: str) -> None:
    result = subprocess.run(  # noqa: S603  # nosec B603
        arguments, capture_output=True, text=True, env=database.client_environment(), check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{what} failed (exit {result.returncode}): {result.stderr.strip()[-2000:]}")


def _one_row(cursor: psycopg.Cursor[TupleRow]) -> TupleRow:
    """The row of a query that always returns exactly one (an aggregate or a setting)."""
    row = cursor.fetchone()
    if row is None:
        raise BackupError("The database returned no row where one was expected.")
    return row


def _count_rows(cursor: psycopg.Cursor[TupleRow], tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
        counts[table] = _one_row(cursor)[0]
    return counts


def _document_rows(cursor: psycopg.Cursor[TupleRow], tables: list[str]) -> list[tuple[int, str, str]]:
    if "reviews_document" not in tables:
        return []
    cursor.execute("SELECT id, file_name, sha256 FROM reviews_document WHERE file_name <> '' ORDER BY id")
    return cursor.fetchall()


def _inside(root: Path, relative: str) -> Path:
    """`relative` under `root`, refusing anything that would leave it."""
    pure = PurePosixPath(relative)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts:
        raise BackupError(f"Refusing the document path {relative!r}: it is not inside the documents folder.")
    return root.joinpath(*pure.parts)


def _document_files(root: Path) -> list[str]:
    if not root.exists():
        return []
    return sorted(path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file())


def _check_document_rows(
    rows: list[tuple[int, str, str]], root: Path, expected: dict[str, str] | None = None
) -> list[str]:
    """Every document row's file exists under `root` with the SHA-256 in its row (and, when
    given, the one in the manifest). Returns the problems found."""
    problems = []
    for document_id, file_name, row_sha256 in rows:
        path = _inside(root, file_name)
        if not path.is_file():
            problems.append(f"document {document_id}: its file {file_name} is missing")
            continue
        actual = sha256_file(path)
        if actual != row_sha256:
            problems.append(
                f"document {document_id}: {file_name} has SHA-256 {actual}, but Document.sha256 is {row_sha256}"
            )
        if expected is not None and expected.get(file_name) != actual:
            problems.append(f"document {document_id}: {file_name} is not the file listed in the manifest")
    return problems


def backup(database: Database, documents_root: Path, output_dir: Path, *, now: datetime) -> Path:
    """Write one archive into `output_dir` and return its path."""
    documents_root, output_dir = Path(documents_root), Path(output_dir)
    pg_dump_major = _client_major("pg_dump")
    connection = database.connect()
    try:
        connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        connection.read_only = True
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('server_version_num')::int, version()")
            server_version_num, server_version = _one_row(cursor)
            if pg_dump_major < server_version_num // 10000:
                raise BackupError(
                    f"pg_dump {pg_dump_major} cannot dump a PostgreSQL {server_version_num // 10000} server: "
                    "install the client of the server's version."
                )
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = _one_row(cursor)[0]
            tables = schema_tables(cursor)
            counts = _count_rows(cursor, tables)
            document_rows = _document_rows(cursor, tables)
            output_dir.mkdir(parents=True, exist_ok=True)
            work = Path(tempfile.mkdtemp(prefix=".backup-", dir=output_dir))
            try:
                dump = work / DUMP
                _run(
                    [
                        shutil.which("pg_dump") or "pg_dump",
                        "--format=custom",
                        "--no-owner",
                        "--no-privileges",
                        f"--snapshot={snapshot}",
                        f"--file={dump}",
                        *database.client_arguments(),
                    ],
                    database,
                    "pg_dump",
                )
                connection.rollback()  # the snapshot is no longer needed
                problems = _check_document_rows(document_rows, documents_root)
                if problems:
                    raise BackupError(
                        "No backup written: documents do not match the database:\n  " + "\n  ".join(problems)
                    )
                files = _document_files(documents_root)
                manifest = {
                    "format": FORMAT,
                    "created_at": now.isoformat(),
                    "database": {
                        "name": database.name,
                        "file": DUMP,
                        "sha256": sha256_file(dump),
                        "size": dump.stat().st_size,
                        "server_version": server_version,
                        "pg_dump_major": pg_dump_major,
                    },
                    "tables": counts,
                    "document_rows": len(document_rows),
                    "documents": [
                        {
                            "path": name,
                            "sha256": sha256_file(documents_root / name),
                            "size": (documents_root / name).stat().st_size,
                        }
                        for name in files
                    ],
                }
                (work / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
                target = output_dir / f"iro-{now:%Y%m%d-%H%M%S}.tar"
                if target.exists():
                    raise BackupError(f"{target} exists already; backups are never overwritten.")
                partial = work / "archive.tar"
                with tarfile.open(partial, "w") as archive:
                    archive.add(work / MANIFEST, arcname=MANIFEST)
                    archive.add(dump, arcname=DUMP)
                    for name in files:
                        archive.add(documents_root / name, arcname=f"{DOCUMENTS}/{name}")
                partial.rename(target)  # appears whole or not at all
            finally:
                shutil.rmtree(work, ignore_errors=True)
    finally:
        connection.close()
    return target


@dataclass
class RestoreReport:
    tables: int
    rows: int
    documents: int


def _open_archive(archive_path: Path) -> tarfile.TarFile:
    """The archive opened for reading, or a BackupError saying why it cannot be (the caller closes it)."""
    if not archive_path.is_file():
        raise BackupError(f"No such backup file: {archive_path}")
    try:
        return tarfile.open(archive_path, "r")
    except tarfile.TarError as error:
        raise BackupError(f"{archive_path} is not a backup archive: {error}") from error


def _extract(archive: tarfile.TarFile, member: tarfile.TarInfo, destination: Path) -> str:
    """Copy one member to `destination` in chunks; returns the SHA-256 of what was written."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    source_file = archive.extractfile(member)
    if source_file is None:  # the caller passes regular files only
        raise BackupError(f"{member.name}: not a regular file")
    with source_file as source, destination.open("wb") as target:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            target.write(chunk)
    return digest.hexdigest()


def _read_archive(archive_path: Path, work: Path) -> dict[str, Any]:
    """Unpack into `work` after checking every member against the manifest; nothing else is touched."""
    with _open_archive(archive_path) as archive:
        members = {member.name: member for member in archive.getmembers()}
        if MANIFEST not in members or DUMP not in members:
            raise BackupError(f"{archive_path} is not a backup archive: it has no {MANIFEST} or no {DUMP}.")
        manifest_file = archive.extractfile(members[MANIFEST])
        if manifest_file is None:
            raise BackupError(f"{archive_path} is not a backup archive: its {MANIFEST} is not a file.")
        manifest: dict[str, Any] = json.loads(manifest_file.read())
        if manifest.get("format") != FORMAT:
            raise BackupError(f"Unknown archive format {manifest.get('format')!r} (this version reads {FORMAT}).")
        listed = {entry["path"]: entry["sha256"] for entry in manifest["documents"]}
        problems = []
        seen = set()
        for name, member in members.items():
            if name == MANIFEST:
                continue
            if not member.isfile():
                problems.append(f"{name}: not a regular file")
                continue
            if name == DUMP:
                destination, expected = work / DUMP, manifest["database"]["sha256"]
            elif name.startswith(f"{DOCUMENTS}/"):
                relative = name[len(DOCUMENTS) + 1 :]
                if relative not in listed:
                    problems.append(f"{name}: in the archive but not in the manifest")
                    continue
                destination, expected = _inside(work / DOCUMENTS, relative), listed[relative]
                seen.add(relative)
            else:
                problems.append(f"{name}: not part of a backup")
                continue
            sha256 = _extract(archive, member, destination)
            if sha256 != expected:
                problems.append(f"{name}: SHA-256 {sha256} differs from the manifest's {expected}")
        problems += [
            f"{DOCUMENTS}/{name}: in the manifest but missing from the archive" for name in listed.keys() - seen
        ]
    if problems:
        raise BackupError(
            f"The archive {archive_path.name} is damaged; nothing was restored:\n  " + "\n  ".join(sorted(problems))
        )
    return manifest


def restore(
    archive_path: Path,
    database: Database,
    documents_root: Path,
    *,
    force: bool = False,
    runtime_role: str = "",
) -> RestoreReport:
    documents_root = Path(documents_root)
    pg_restore_major = _client_major("pg_restore")
    work = Path(tempfile.mkdtemp(prefix="iro-restore-"))
    try:
        manifest = _read_archive(Path(archive_path), work)
        dumped_by = manifest["database"]["pg_dump_major"]
        if pg_restore_major < dumped_by:
            raise BackupError(f"pg_restore {pg_restore_major} cannot read a dump made by pg_dump {dumped_by}.")
        connection = database.connect()
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
                )
                existing = _one_row(cursor)[0]
            if existing and not force:
                raise BackupError(
                    f"The database {database.name!r} is not empty ({existing} tables): restore only into an empty "
                    "database (createdb a new one), or pass --force (FORCE=1) to replace what is there."
                )
            present = _document_files(documents_root)
            if present and not force:
                raise BackupError(
                    f"The documents folder {documents_root} is not empty ({len(present)} files): restore into an "
                    "empty folder, or pass --force (FORCE=1) to replace what is there."
                )
            _run(
                [
                    shutil.which("pg_restore") or "pg_restore",
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--single-transaction",
                    *(["--clean", "--if-exists"] if force else []),
                    *database.client_arguments(),
                    str(work / DUMP),
                ],
                database,
                "pg_restore",
            )
            for entry in manifest["documents"]:
                destination = _inside(documents_root, entry["path"])
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(_inside(work / DOCUMENTS, entry["path"]), destination)
            with connection.cursor() as cursor:
                problems = _verify(cursor, manifest, documents_root)
                if problems:
                    raise BackupError(
                        "Restored, but the check FAILED; do not use this database or these documents:\n  "
                        + "\n  ".join(problems)
                    )
            if runtime_role:
                with connection.transaction(), connection.cursor() as cursor:  # one transaction
                    grant_all(cursor, runtime_role)
        finally:
            connection.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return RestoreReport(
        tables=len(manifest["tables"]), rows=sum(manifest["tables"].values()), documents=len(manifest["documents"])
    )


def _verify(cursor: psycopg.Cursor[TupleRow], manifest: dict[str, Any], documents_root: Path) -> list[str]:
    problems = []
    listed = {entry["path"]: entry["sha256"] for entry in manifest["documents"]}
    for name, expected in listed.items():
        actual = sha256_file(_inside(documents_root, name))
        if actual != expected:
            problems.append(f"{DOCUMENTS}/{name}: SHA-256 {actual} on disk, {expected} in the manifest")
    tables = schema_tables(cursor)
    missing = sorted(set(manifest["tables"]) - set(tables))
    if missing:
        problems.append(f"tables missing after restore: {', '.join(missing)}")
    counts = _count_rows(cursor, [table for table in manifest["tables"] if table in tables])
    for table, count in counts.items():
        if count != manifest["tables"][table]:
            problems.append(f"{table}: {count} rows restored, {manifest['tables'][table]} in the backup")
    rows = _document_rows(cursor, tables)
    if len(rows) != manifest["document_rows"]:
        problems.append(f"{len(rows)} document rows with a file, {manifest['document_rows']} in the backup")
    problems += _check_document_rows(rows, documents_root, expected=listed)
    return problems

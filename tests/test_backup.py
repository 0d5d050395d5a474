"""`make backup` then `make restore` into an empty database brings back every row and document.

Real pg_dump and pg_restore against this machine's PostgreSQL; the data is committed first
(transactional tests), the restore goes into a database made for the test and a fresh folder.
"""

import hashlib
import io
import json
import os
import re
import subprocess  # nosec B404
import tarfile
from datetime import date
from pathlib import Path

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection
from psycopg import sql

from accounts.models import AccessLog
from audits.models import Escalation
from iro_service.celery import app
from reviews.codes import DocumentState
from reviews.documents import private_storage
from reviews.models import Document, Visit
from reviews.services import document_request, review_record_held
from tests.factories import child_in_care

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db(transaction=True)


def _server(dbname: str):
    settings = connection.settings_dict
    return psycopg.connect(
        dbname=dbname,
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
    )


def _url(dbname: str) -> str:
    settings = connection.settings_dict
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    return (
        f"postgres://{settings['USER']}{password}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{dbname}"
    )


@pytest.fixture
def empty_database():
    """A new, empty database beside the test database, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restore"
    server = _server("postgres")
    server.autocommit = True
    with server.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield name
    with server.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    server.close()


@pytest.fixture
def documents(settings, tmp_path):
    settings.IRO_PRIVATE_DOCUMENTS_ROOT = str(tmp_path / "documents")
    return Path(settings.IRO_PRIVATE_DOCUMENTS_ROOT)


@pytest.fixture
def records(documents, iro, other_iro):
    """Two children with held reviews, a rendered PDF (WeasyPrint), stored files, a visit, an escalation."""
    first, review = child_in_care(iro)
    held = review_record_held(review=review, held_on=date(2025, 2, 3), chair=iro, participation_code="PN1")
    app.conf.task_always_eager = True
    try:
        rendered = document_request(review=held, kind="outcomes", requested_by=iro)
    finally:
        app.conf.task_always_eager = False
    rendered.refresh_from_db()
    assert rendered.state == DocumentState.READY, rendered.failure_reason
    second, review = child_in_care(other_iro, born=date(2010, 3, 4))
    held = review_record_held(review=review, held_on=date(2025, 2, 4), chair=other_iro, participation_code="PN2")
    for version, content in ((1, b"%PDF-1.7 first version\n"), (2, b"%PDF-1.7 second version, \x00\xff binary\n")):
        Document.objects.create(
            review=held,
            kind="minutes",
            version=version,
            state="ready",
            created_by=other_iro,
            file_name=private_storage().save(f"{held.pk}/minutes-v{version}.pdf", ContentFile(content)),
            sha256=hashlib.sha256(content).hexdigest(),
        )
    Visit.objects.create(child=first, iro=iro, visited_on=date(2025, 1, 20), seen_alone=True, notes="At school.")
    Escalation.objects.create(child=second, raised_by=other_iro, raised_on=date(2025, 2, 5), theme="pep", concern="x")
    return Document.objects.exclude(file_name="").count()


def _tables_and_contents(dbname: str) -> dict[str, tuple[int, str]]:
    """Every table's row count and a digest of all its rows."""
    server = _server(dbname)
    with server.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        tables = [row[0] for row in cursor.fetchall()]
        result = {}
        for table in tables:
            cursor.execute(
                sql.SQL(
                    "SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {} t"
                ).format(sql.Identifier(table))
            )
            result[table] = cursor.fetchone()
    server.close()
    return result


def _files(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*") if path.is_file()}


def _make(*arguments: str, **environment: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603  # nosec B603
        ["make", "--no-print-directory", *arguments],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "iro_service.settings.test", **environment},
        timeout=300,
        check=False,
    )


def test_make_backup_then_make_restore_brings_back_every_row_and_document(records, documents, empty_database, tmp_path):
    source = connection.settings_dict["NAME"]
    backups, restored = tmp_path / "backups", tmp_path / "restored-documents"
    made = _make(
        "backup",
        DATABASE_URL=_url(source),
        IRO_BACKUP_DIR=str(backups),
        IRO_PRIVATE_DOCUMENTS_ROOT=str(documents),
    )
    assert made.returncode == 0, made.stderr
    archive = Path(made.stdout.strip().splitlines()[-1])
    assert archive.parent == backups
    assert archive.name.startswith("iro-")
    assert archive.suffix == ".tar"
    assert AccessLog.objects.filter(object_type="backup", method="CLI").count() == 1

    with tarfile.open(archive) as opened:
        names = set(opened.getnames())
        manifest = json.loads(opened.extractfile("manifest.json").read())
    assert {"manifest.json", "database.dump"} <= names
    assert len(manifest["documents"]) == records == 3
    assert {f"documents/{entry['path']}" for entry in manifest["documents"]} == names - {
        "manifest.json",
        "database.dump",
    }
    for entry in manifest["documents"]:
        assert entry["sha256"] == hashlib.sha256((documents / entry["path"]).read_bytes()).hexdigest()

    restored_run = _make(
        "restore",
        f"FILE={archive}",
        DATABASE_URL=_url(empty_database),
        IRO_PRIVATE_DOCUMENTS_ROOT=str(restored),
    )
    assert restored_run.returncode == 0, restored_run.stderr
    assert "3 documents" in restored_run.stdout

    before, after = _tables_and_contents(source), _tables_and_contents(empty_database)
    assert set(after) == set(before)
    for table, (count, digest) in before.items():
        assert after[table] == (count, digest), table
    assert before["children_child"][0] == 2
    assert before["reviews_review"][0] >= 4
    assert before["children_historicalchild"][0] > 0
    assert before["accounts_accesslog"][0] >= 1
    assert _files(restored) == _files(documents)
    assert len(_files(restored)) == 3

    # The restored database is not empty any more: a second restore is refused, with the reason.
    again = _make(
        "restore", f"FILE={archive}", DATABASE_URL=_url(empty_database), IRO_PRIVATE_DOCUMENTS_ROOT="/nowhere"
    )
    assert again.returncode != 0
    assert f"The database '{empty_database}' is not empty" in again.stderr
    assert "make restore FILE=" in _make("restore").stderr


def _rewrite(archive: Path, target: Path, change) -> None:
    """A copy of `archive` with `change(name, bytes) -> bytes` applied to each member."""
    with tarfile.open(archive) as source, tarfile.open(target, "w") as copy:
        for member in source.getmembers():
            content = change(member.name, source.extractfile(member).read())
            member.size = len(content)
            copy.addfile(member, io.BytesIO(content))


def _backup(documents: Path, tmp_path: Path) -> Path:
    output = io.StringIO()
    call_command("backup", output_dir=str(tmp_path / "backups"), documents_root=str(documents), stdout=output)
    return Path(output.getvalue().strip())


def _count_tables(dbname: str) -> int:
    server = _server(dbname)
    with server.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        count = cursor.fetchone()[0]
    server.close()
    return count


def test_a_corrupted_document_in_the_archive_stops_the_restore_before_anything_is_touched(
    records, documents, empty_database, tmp_path
):
    archive = _backup(documents, tmp_path)
    victim = sorted(_files(documents))[0]
    corrupted = tmp_path / "corrupted.tar"
    _rewrite(archive, corrupted, lambda name, data: data[:-1] + b"?" if name == f"documents/{victim}" else data)
    with pytest.raises(CommandError) as refusal:
        call_command(
            "restore", str(corrupted), database_url=_url(empty_database), documents_root=str(tmp_path / "restored")
        )
    message = str(refusal.value)
    assert "is damaged; nothing was restored" in message
    assert f"documents/{victim}: SHA-256" in message
    assert "differs from the manifest" in message
    assert _count_tables(empty_database) == 0
    assert not (tmp_path / "restored").exists()


def test_a_document_that_differs_from_its_database_row_fails_the_restore_loudly(
    records, documents, empty_database, tmp_path
):
    """Even when the archive agrees with itself (file and manifest both changed), the restored
    Document.sha256 column catches the change."""
    archive = _backup(documents, tmp_path)
    victim = Document.objects.filter(kind="minutes", version=2).get()
    forged = b"%PDF-1.7 not what was issued\n"

    def change(name, data):
        if name == f"documents/{victim.file_name}":
            return forged
        if name == "manifest.json":
            manifest = json.loads(data)
            for entry in manifest["documents"]:
                if entry["path"] == victim.file_name:
                    entry["sha256"], entry["size"] = hashlib.sha256(forged).hexdigest(), len(forged)
            return json.dumps(manifest).encode()
        return data

    tampered = tmp_path / "tampered.tar"
    _rewrite(archive, tampered, change)
    with pytest.raises(CommandError) as refusal:
        call_command(
            "restore", str(tampered), database_url=_url(empty_database), documents_root=str(tmp_path / "restored")
        )
    message = str(refusal.value)
    assert "Restored, but the check FAILED" in message
    assert f"document {victim.pk}: {victim.file_name} has SHA-256 {hashlib.sha256(forged).hexdigest()}" in message
    assert f"but Document.sha256 is {victim.sha256}" in message


def test_a_backup_refuses_to_carry_a_document_damaged_on_disk(records, documents, tmp_path):
    victim = Document.objects.exclude(file_name="").order_by("pk").first()
    (documents / victim.file_name).write_bytes(b"damaged")
    with pytest.raises(
        CommandError, match=rf"(?s)No backup written.*document {victim.pk}: {re.escape(victim.file_name)} has SHA-256"
    ):
        _backup(documents, tmp_path)
    assert not list((tmp_path / "backups").glob("*.tar"))


def test_restore_refuses_a_documents_folder_that_is_not_empty_and_a_file_that_is_not_a_backup(
    records, documents, empty_database, tmp_path
):
    archive = _backup(documents, tmp_path)
    with pytest.raises(CommandError, match=r"documents folder .* is not empty"):
        call_command("restore", str(archive), database_url=_url(empty_database), documents_root=str(documents))
    assert _count_tables(empty_database) == 0
    not_a_backup = tmp_path / "notes.tar"
    not_a_backup.write_bytes(b"hello")
    with pytest.raises(CommandError, match="is not a backup archive"):
        call_command("restore", str(not_a_backup), database_url=_url(empty_database))
    with pytest.raises(CommandError, match="No such backup file"):
        call_command("restore", str(tmp_path / "missing.tar"), database_url=_url(empty_database))


def test_restore_with_force_replaces_a_database_and_grants_the_runtime_role(
    records, documents, empty_database, tmp_path
):
    archive = _backup(documents, tmp_path)
    restored = tmp_path / "restored"
    call_command("restore", str(archive), database_url=_url(empty_database), documents_root=str(restored))
    server = _server(empty_database)
    server.autocommit = True
    with server.cursor() as cursor:
        cursor.execute("UPDATE reviews_review SET child_own_words = 'changed after the restore'")
    output = io.StringIO()
    call_command(
        "restore",
        str(archive),
        database_url=_url(empty_database),
        documents_root=str(restored),
        force=True,
        runtime_role="iro_app",
        stdout=output,
    )
    assert "every document's SHA-256 and every table's row count checked" in output.getvalue()
    with server.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM reviews_review WHERE child_own_words = 'changed after the restore'")
        assert cursor.fetchone() == (0,)
        cursor.execute("SELECT has_table_privilege('iro_app', 'children_child', 'DELETE')")
        assert cursor.fetchone() == (False,)
        cursor.execute("SELECT has_table_privilege('iro_app', 'django_session', 'DELETE')")
        assert cursor.fetchone() == (True,)
    server.close()

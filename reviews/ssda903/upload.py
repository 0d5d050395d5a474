"""The upload page's files and session (reviews.views.ssda903_import).

Uploaded files are kept (copied a chunk at a time) in private storage under a token no one can
guess, checked from there (a dry run: the preview), and the token, year and mode are held in the
user's session; confirming with that token checks and imports the stored files again, with the
same choices, then deletes them. Stored files are read a row at a time, never whole into memory.

Not imported by reviews.ssda903 itself: it needs the document storage (reviews.documents), which
the import command has no use for.
"""

import io
import secrets
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.sessions.backends.base import SessionBase
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile

from ..documents import private_storage
from .apply import import_files
from .problems import ImportProblems
from .summary import ImportSummary, write_report

SESSION_KEY = "ssda903_upload"


class UploadExpired(Exception):
    """The confirmation names no upload this session holds (expired, already imported, or foreign)."""


@dataclass
class UploadOutcome:
    """A preview or an import: its summary, or the problems that refused it."""

    summary: ImportSummary | None = None
    problems: list[str] = field(default_factory=list)
    problem_count: int = 0
    token: str = ""  # a preview's: the confirmation gives it back
    file_names: list[str] = field(default_factory=list)
    valid_children_only: bool = False
    report_token: str | None = None  # the report's (upload_report_path), when there is one


def upload_report_path(token: str) -> str:
    """Where an import's report is kept in private storage."""
    return f"imports/reports/{token}.csv"


def _report_store(summary: ImportSummary) -> str | None:
    """Keep the import's report (refused children, records the files no longer mention) for
    download by business support, under a name no one can guess; None when there is nothing to
    report."""
    if not summary.refused and not summary.unmentioned_count:
        return None
    handle = io.StringIO()
    write_report(summary, handle)
    token = secrets.token_urlsafe(16)
    private_storage().save(upload_report_path(token), ContentFile(handle.getvalue().encode("utf-8")))
    return token


def _file_name(upload: UploadedFile[bytes]) -> str:
    # Django names every file it parses from an upload (a part without a file name is not a file).
    if upload.name is None:
        raise ValueError("an uploaded file without a name")
    return Path(upload.name).name


def upload_preview(
    *, session: SessionBase, uploads: list[UploadedFile[bytes]], year: int | None, valid_children_only: bool
) -> UploadOutcome:
    """Keep the uploaded files and check them (nothing written). Without problems, the session
    holds the upload for upload_import; with problems, the files are deleted."""
    storage = private_storage()
    token = secrets.token_urlsafe(16)
    stored = [storage.save(f"imports/{token}/{_file_name(upload)}", upload) for upload in uploads]
    try:
        with ExitStack() as stack:
            files = {Path(name).name: stack.enter_context(storage.open(name, "rb")) for name in stored}
            summary = import_files(files, dry_run=True, year=year, valid_children_only=valid_children_only)
    except ImportProblems as error:
        for name in stored:
            storage.delete(name)
        return UploadOutcome(problems=error.problems, problem_count=error.count)
    session[SESSION_KEY] = {"token": token, "year": year, "valid_children_only": valid_children_only}
    return UploadOutcome(
        summary=summary,
        token=token,
        file_names=sorted(files),
        valid_children_only=valid_children_only,
        report_token=_report_store(summary),
    )


def upload_import(*, session: SessionBase, token: str) -> UploadOutcome:
    """Import the files this session's preview kept, checked again with the same year and mode;
    the files and the session's hold on them go either way. UploadExpired when the session holds
    no upload under `token`."""
    upload = session.get(SESSION_KEY)
    held_token = upload.get("token") if isinstance(upload, dict) else None
    if not isinstance(upload, dict) or not held_token or token != held_token:
        raise UploadExpired
    storage = private_storage()
    folder = f"imports/{held_token}"
    names = storage.listdir(folder)[1]
    try:
        with ExitStack() as stack:
            files = {name: stack.enter_context(storage.open(f"{folder}/{name}", "rb")) for name in names}
            summary = import_files(
                files, year=upload.get("year"), valid_children_only=upload.get("valid_children_only", False)
            )
    except ImportProblems as error:
        return UploadOutcome(problems=error.problems, problem_count=error.count)
    finally:
        for name in names:
            storage.delete(f"{folder}/{name}")
        del session[SESSION_KEY]
    return UploadOutcome(summary=summary, report_token=_report_store(summary))

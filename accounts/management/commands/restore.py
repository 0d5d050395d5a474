from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS

from iro_service.backup import BackupError, Database, restore


class Command(BaseCommand):
    help = (
        "Restore an archive written by `manage.py backup` into an EMPTY database and documents folder, "
        "then check every document's SHA-256 and every table's row count (README: Backup and restore)."
    )
    # Nothing here may need the database to be there already: it is empty.
    requires_system_checks = ()

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="the .tar file written by manage.py backup")
        parser.add_argument("--database-url", help="restore into this database instead of DATABASE_URL's")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)
        parser.add_argument("--documents-root", help="default: IRO_PRIVATE_DOCUMENTS_ROOT")
        parser.add_argument(
            "--force", action="store_true", help="replace a database or documents folder that is not empty"
        )
        parser.add_argument(
            "--runtime-role", help="grant this role its privileges afterwards (default: IRO_DB_RUNTIME_ROLE)"
        )

    def handle(
        self,
        *args: Any,
        archive: str,
        database_url: str | None = None,
        database: str = DEFAULT_DB_ALIAS,
        **options: Any,
    ) -> None:
        try:
            target = (
                Database.from_url(database_url)
                if database_url
                else Database.from_settings(settings.DATABASES[database])
            )
            report = restore(
                Path(archive),
                target,
                Path(options["documents_root"] or settings.IRO_PRIVATE_DOCUMENTS_ROOT),
                force=options["force"],
                runtime_role=settings.IRO_DB_RUNTIME_ROLE
                if options["runtime_role"] is None
                else options["runtime_role"],
            )
        except (BackupError, LookupError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Restored {report.rows} rows in {report.tables} tables and {report.documents} documents into "
            f"{target.name}; every document's SHA-256 and every table's row count checked."
        )

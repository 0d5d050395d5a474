from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone

from accounts.audit import command_log_write
from accounts.models import AccessAction
from iro_service.backup import BackupError, Database, backup


class Command(BaseCommand):
    help = (
        "One archive of the database (pg_dump, custom format) and the private documents, with a manifest of "
        "SHA-256 sums and row counts, in IRO_BACKUP_DIR (README: Backup and restore)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output-dir", help="where to write the archive (default: IRO_BACKUP_DIR)")
        parser.add_argument("--documents-root", help="default: IRO_PRIVATE_DOCUMENTS_ROOT")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(
        self,
        *args: Any,
        output_dir: str | None = None,
        documents_root: str | None = None,
        database: str = DEFAULT_DB_ALIAS,
        **options: Any,
    ) -> None:
        try:
            target = Database.from_settings(settings.DATABASES[database])
        except BackupError as error:
            raise CommandError(str(error)) from error
        now = timezone.localtime()
        # Every child's record leaves the service: the access log says so (and the backup holds that row).
        command_log_write(
            action=AccessAction.EXPORT, object_type="backup", object_id=f"{now:%Y%m%d-%H%M%S}", command="backup"
        )
        try:
            archive = backup(
                target,
                Path(documents_root or settings.IRO_PRIVATE_DOCUMENTS_ROOT),
                Path(output_dir or settings.IRO_BACKUP_DIR),
                now=now,
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(str(archive))

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.audit import command_log_write
from accounts.models import AccessAction
from reviews.ssda903 import ImportProblems, import_files, read_folder


class Command(BaseCommand):
    help = (
        "Import SSDA903 header, episodes and reviews CSV files from a folder (recognised by their "
        "header rows). All or nothing: any problem is listed (the first 1,000, then how many more) and nothing "
        "is written. Files over IRO_SSDA903_MAX_BYTES are refused."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("folder", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")

    def handle(self, *args, folder: Path, dry_run: bool, **options) -> None:
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder")
        try:
            with transaction.atomic():  # the import and its access-log row land together
                summary = import_files(read_folder(folder), dry_run=dry_run)
                if not dry_run:
                    command_log_write(
                        action=AccessAction.CHANGE, object_type="ssda903_import", command=f"import_ssda903 {folder}"
                    )
        except ImportProblems as error:
            for problem in error.problems:
                self.stderr.write(problem)
            raise CommandError(f"{error.count:,} problem(s); nothing was imported.") from error
        for line in summary.lines():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("Checked; nothing written (dry run)." if dry_run else "Imported."))

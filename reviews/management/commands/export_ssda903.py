from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.audit import command_log_write
from accounts.models import AccessAction
from reviews.ssda903 import ExportRefused, export_folder


class Command(BaseCommand):
    help = "Write SSDA903 header, episodes and reviews CSVs for the collection year ending 31 March YEAR."

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--year", type=int, help="e.g. 2025 for April 2024 to March 2025")
        which.add_argument("--all", action="store_true", help="the whole history (for moving data between systems)")
        parser.add_argument("folder", type=Path)

    def handle(self, *args: Any, year: int | None, folder: Path, **options: Any) -> None:
        if year is not None and not 2000 <= year <= 2100:
            raise CommandError("--year is the year the collection ends, e.g. 2025")
        try:
            counts = export_folder(year, folder)
        except ExportRefused as error:
            for problem in error.problems:
                self.stderr.write(problem)
            raise CommandError(
                "Some CHILD ids are not SSDA903 ids (letters and digits, at most 10): correct them; nothing was "
                "written."
            ) from error
        command_log_write(
            action=AccessAction.EXPORT,
            object_type="ssda903_export",
            object_id=year or "all",
            command=f"export_ssda903 {'--year ' + str(year) if year else '--all'} {folder}",
        )
        self.stdout.write(", ".join(f"{table}: {count} rows" for table, count in counts.items()))

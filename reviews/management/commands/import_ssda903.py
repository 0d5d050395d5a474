from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from accounts.audit import command_log_write
from accounts.models import AccessAction
from children.code_years import FIRST_YEAR, LAST_YEAR, collection_year_label
from reviews.ssda903 import ImportProblems, ImportSummary, import_files, read_folder, write_report


class Command(BaseCommand):
    help = (
        "Import SSDA903 header, episodes and reviews CSV files from a folder (recognised by their "
        "header rows), checked against the code lists of their collection year (--year, or the year of the "
        "latest date in the files). All or nothing: any problem is listed (the first 1,000, then how many "
        "more) and nothing is written; with --valid-children-only, every child whose rows are all valid is "
        "imported and the others are refused and listed (--report PATH writes them as CSV). What the database "
        "holds for the year that the files no longer mention is listed, never deleted. Files over "
        "IRO_SSDA903_MAX_BYTES are refused."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
        parser.add_argument(
            "--year",
            type=int,
            help=f"the collection year the files belong to, e.g. 2025 for April 2024 to March 2025 "
            f"({FIRST_YEAR} to {LAST_YEAR}); default: the year of the latest DECOM, DEC or REVIEW date",
        )
        parser.add_argument(
            "--valid-children-only",
            action="store_true",
            help="import every child whose rows are all valid; refuse and list the others",
        )
        parser.add_argument("--report", type=Path, help="write the refused children and what the files no "
                            "longer mention to this CSV file")  # fmt: skip

    def handle(
        self,
        *args: Any,
        folder: Path,
        dry_run: bool,
        year: int | None,
        valid_children_only: bool,
        report: Path | None,
        **options: Any,
    ) -> None:
        _check_arguments(folder=folder, year=year, report=report)
        try:
            with transaction.atomic():  # the import and its access-log row land together
                summary = import_files(
                    read_folder(folder), dry_run=dry_run, year=year, valid_children_only=valid_children_only
                )
                if not dry_run:
                    command_log_write(
                        action=AccessAction.CHANGE, object_type="ssda903_import", command=f"import_ssda903 {folder}"
                    )
        except ImportProblems as error:
            for problem in error.problems:
                self.stderr.write(problem)
            raise CommandError(f"{error.count:,} problem(s); nothing was imported.") from error
        self._write_summary(summary, valid_children_only=valid_children_only)
        if report is not None:
            with report.open("w", newline="", encoding="utf-8") as handle:
                rows = write_report(summary, handle)
            self.stdout.write(f"Report: {report} ({rows} row(s))")
        self.stdout.write(self.style.SUCCESS("Checked; nothing written (dry run)." if dry_run else "Imported."))

    def _write_summary(self, summary: ImportSummary, *, valid_children_only: bool) -> None:
        """What was (or would be) imported, who was refused and why, and what the files no longer mention."""
        self.stdout.write(summary.year_line())
        for line in summary.lines():
            self.stdout.write(line)
        if valid_children_only:
            self.stdout.write(summary.refused_line())
            for child, problems in summary.refused.items():
                for problem in problems:
                    self.stderr.write(f"refused {child}: {problem}")
        if summary.unmentioned_count:
            self.stdout.write(
                f"{summary.unmentioned_count:,} record(s) held for {collection_year_label(summary.year)} that these "
                "files no longer mention (kept; check them):"
            )
            for line in summary.unmentioned_lines():
                self.stdout.write(f"  {line}")


def _check_arguments(*, folder: Path, year: int | None, report: Path | None) -> None:
    """Refuse a missing folder, a year with no code lists, or a report in a folder that is not there."""
    if not folder.is_dir():
        raise CommandError(f"{folder} is not a folder")
    if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
        raise CommandError(
            f"--year is the year the collection ends: code lists are held for {collection_year_label(FIRST_YEAR)} "
            f"({FIRST_YEAR}) to {collection_year_label(LAST_YEAR)} ({LAST_YEAR})"
        )
    if report is not None and not report.parent.is_dir():
        raise CommandError(f"--report: the folder {report.parent} does not exist")

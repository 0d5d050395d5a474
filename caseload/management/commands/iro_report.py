import json
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from accounts.audit import command_log_write
from accounts.models import AccessAction
from caseload.annual_report import render_report_pdf
from caseload.statistics import annual_report
from iro_service.inputs import date_problem


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"{value!r} is not a date: use YYYY-MM-DD.") from error


class Command(BaseCommand):
    help = (
        "The annual IRO report for a period, for the whole authority: JSON (to standard output unless "
        "--output is given) or PDF (needs --output). A period reaching past today stops at today (to date)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--start", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--end", required=True, help="last day, YYYY-MM-DD")
        parser.add_argument("--format", choices=["json", "pdf"], default="json")
        parser.add_argument("--output", help="write to this file instead of standard output")

    def handle(self, *args: Any, start: str, end: str, format: str, output: str | None, **options: Any) -> None:
        first, last = _day(start), _day(end)
        for flag, day in (("--start", first), ("--end", last)):
            if problem := date_problem(day):
                raise CommandError(f"{flag} {day}: {problem}")
        if last < first:
            raise CommandError(f"--end {last} is before --start {first}.")
        if first > timezone.localdate():
            raise CommandError(f"--start {first} is after today: nothing has happened in that period yet.")
        if format == "pdf" and not output:
            raise CommandError("A PDF needs --output FILE.")
        command_log_write(
            action=AccessAction.EXPORT,
            object_type="annual_report",
            object_id=format,
            command=f"iro_report --start {first} --end {last} --format {format}",
        )
        if format == "pdf" and output:  # (a PDF without --output was refused above)
            Path(output).write_bytes(render_report_pdf(start=first, end=last))
            self.stderr.write(f"Wrote {output}")
            return
        text = json.dumps(annual_report(start=first, end=last), indent=2) + "\n"
        if output:
            Path(output).write_text(text)
            self.stderr.write(f"Wrote {output}")
        else:
            self.stdout.write(text, ending="")

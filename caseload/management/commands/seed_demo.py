from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from caseload.demo import DEMO_PASSWORD, DemoDataError, build_demo, existing_demo_size


class Command(BaseCommand):
    help = (
        "Fill an empty database with a demo authority shaped like the seed report "
        "(about 300 children in care, 6 IROs). Deterministic; a second run changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--children", type=int, default=300, help="children in care today (default 300)")
        parser.add_argument("--years", type=int, default=3, help="years of history (default 3)")
        parser.add_argument("--today", type=date.fromisoformat, help="the demo's today, YYYY-MM-DD")
        parser.add_argument("--seed", type=int, default=2014, help="random seed (default 2014)")

    def handle(self, *args: Any, children: int, years: int, today: date | None, seed: int, **options: Any) -> None:
        try:
            present = existing_demo_size()
        except DemoDataError as error:
            raise CommandError(str(error)) from error
        if present is not None:
            self.stdout.write(f"Demo data already loaded ({present} children); nothing to do.")
            return
        if children < 1 or years < 1:
            raise CommandError("--children and --years must be at least 1.")
        started = timezone.now()
        summary = build_demo(children=children, today=today or timezone.localdate(), years=years, seed=seed)
        seconds = (timezone.now() - started).total_seconds()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo authority created in {seconds:.1f} s: {summary.children} children "
                f"({summary.in_care} in care), {summary.periods} periods of care, {summary.episodes} episodes, "
                f"{summary.reviews} reviews, {summary.decisions} decisions."
            )
        )
        self.stdout.write(f"Demo logins (password {DEMO_PASSWORD}): " + ", ".join(summary.logins))

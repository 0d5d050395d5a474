"""Times the reminders sweep on whatever database DATABASE_URL points at (seeded by seed_demo).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/iro_bench .venv/bin/python bench/sweep.py

Runs the sweep three times inside transactions that are rolled back (so every run does the
full work of a first sweep), then once for real and once more (the steady state: nothing new).
Tasks are not sent: the delivery messages are counted, not published.
"""

import os
import statistics
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iro_service.settings.local")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "false")
django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Notification  # noqa: E402
from accounts.tasks import deliver_notification  # noqa: E402
from audits.reminders import reminders_sweep  # noqa: E402
from children.models import Child  # noqa: E402

published = []
deliver_notification.delay = lambda pk: published.append(pk)  # count, do not send


class Rollback(Exception):
    pass


def main() -> None:
    today = timezone.localdate()
    print(f"{Child.objects.count()} children on {connection.vendor}; today {today}")
    Notification.objects.all().delete()
    timings = []
    for _ in range(3):
        try:
            with transaction.atomic():
                started = time.perf_counter()
                with CaptureQueriesContext(connection) as queries:
                    reminders_sweep(today=today)
                timings.append(time.perf_counter() - started)
                created = Notification.objects.count()
                raise Rollback
        except Rollback:
            pass
    print(
        f"first sweep: median {statistics.median(timings):.2f} s of 3, {len(queries)} queries, {created} notifications"
    )
    reminders_sweep(today=today)
    published.clear()
    started = time.perf_counter()
    reminders_sweep(today=today)
    print(
        f"a second sweep the same day: {time.perf_counter() - started:.2f} s, "
        f"{Notification.objects.count()} notifications in all"
    )
    Notification.objects.all().delete()


if __name__ == "__main__":
    main()

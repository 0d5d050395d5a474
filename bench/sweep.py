"""Times the reminders sweep on whatever database DATABASE_URL points at (seeded by seed_demo).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/iro_bench .venv/bin/python bench/sweep.py

Runs the sweep three times inside transactions that are rolled back (so every run does the
full work of a first sweep), then once for real and once more (the steady state: nothing new).
Tasks are not sent: the delivery messages are counted, not published.

With `--publish`, the sweep for real publishes its messages to the broker (CELERY_BROKER_URL,
the local Redis by default) on a queue of its own, timed with the sweep, then deletes that queue;
`--batch-size N` sets IRO_NOTIFICATION_BATCH_SIZE (1: one message per notification, as before):

    DATABASE_URL=... .venv/bin/python bench/sweep.py --publish [--batch-size 1]
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

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Notification  # noqa: E402
from accounts.tasks import deliver_notifications  # noqa: E402
from audits.reminders import reminders_sweep  # noqa: E402
from children.models import Child  # noqa: E402
from iro_service.celery import app  # noqa: E402

PUBLISH = "--publish" in sys.argv
if "--batch-size" in sys.argv:  # to compare: --batch-size 1 is one message per notification, as before batching
    settings.IRO_NOTIFICATION_BATCH_SIZE = int(sys.argv[sys.argv.index("--batch-size") + 1])
published: list[list[int]] = []
if PUBLISH:
    app.conf.task_default_queue = QUEUE = f"bench-sweep-{os.getpid()}"
else:
    deliver_notifications.delay = lambda batch: published.append(batch)  # count, do not send


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
    started = time.perf_counter()
    reminders_sweep(today=today)
    elapsed = time.perf_counter() - started
    if PUBLISH:
        with app.connection_for_write() as broker:
            client = broker.channel().client
            messages = client.llen(QUEUE)
            client.delete(QUEUE)
        print(f"the sweep for real, publishing: {elapsed:.2f} s, {messages} messages on the broker")
    else:
        print(f"the sweep for real: {elapsed:.2f} s, {len(published)} messages (batches) counted")
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

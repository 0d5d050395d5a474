"""Times the manager's dashboard and the annual report on whatever database DATABASE_URL points
at (seeded by bench/seed_demo.sh), each beside the time of the bare SQL it issues.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/iro_bench_2000 .venv/bin/python bench/dashboard.py

For each page: the median of RUNS requests through Django (views, ORM, templates), and the
median of RUNS runs of the same SQL statements sent straight to the database cursor, so the
ratio is the application's overhead on top of the aggregates themselves (target: within 3×).
"""

import os
import statistics
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iro_service.settings.local")
django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from caseload.annual_report import render_report_pdf  # noqa: E402
from caseload.statistics import annual_report  # noqa: E402
from children.models import Child  # noqa: E402

RUNS = int(os.environ.get("RUNS", "7"))


def _median_ms(action) -> float:
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000


def _bare_sql_ms(action) -> tuple[float, int]:
    """Capture the statements `action` sends, then time them alone on the cursor."""
    with CaptureQueriesContext(connection) as captured:
        action()
    statements = [query["sql"] for query in captured.captured_queries if "SAVEPOINT" not in query["sql"]]

    def run() -> None:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                if cursor.description:
                    cursor.fetchall()

    return _median_ms(run), len(statements)


def _report_year() -> tuple:
    today = timezone.localdate()
    first = today.replace(month=4, day=1) if today.month >= 4 else today.replace(year=today.year - 1, month=4, day=1)
    previous = first.replace(year=first.year - 1)
    return previous, first.replace(day=1) - timezone.timedelta(days=1)


@override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False)
def main() -> None:
    start, end = _report_year()
    print(f"{Child.objects.count()} children on {connection.vendor}; report year {start} to {end}; median of {RUNS}")
    manager = User.objects.get(username="manager")
    iro = User.objects.get(username="iro")
    period = f"start={start}&end={end}"

    def page(user, url):
        client = Client()
        client.force_login(user)

        def get() -> None:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return get

    cases = [
        ("Dashboard, whole authority (manager)", page(manager, f"/caseload/dashboard/?{period}")),
        ("Dashboard, one IRO's caseload (IRO)", page(iro, f"/caseload/dashboard/?{period}")),
        ("Annual report JSON (page)", page(manager, f"/caseload/report/?{period}&format=json")),
        ("Annual report figures (function)", lambda: annual_report(start=start, end=end)),
    ]
    print(f"{'':42} {'Django':>10} {'bare SQL':>10} {'ratio':>6} {'queries':>8}")
    for name, action in cases:
        action()  # warm caches (bank holidays, templates, connection)
        django_ms = _median_ms(action)
        sql_ms, statements = _bare_sql_ms(action)
        print(f"{name:42} {django_ms:8.1f}ms {sql_ms:8.1f}ms {django_ms / sql_ms:5.2f}× {statements:8}")
    pdf_ms = _median_ms(lambda: render_report_pdf(start=start, end=end))
    print(f"{'Annual report PDF (figures and WeasyPrint)':42} {pdf_ms:8.1f}ms")


if __name__ == "__main__":
    main()

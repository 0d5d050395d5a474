"""Times the manager's dashboard and the annual report on whatever database DATABASE_URL points
at (seeded by bench/seed_demo.sh), each beside the time of the bare SQL it issues.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/iro_bench_2000 .venv/bin/python bench/dashboard.py

For each page: the median of RUNS requests through Django (views, ORM, templates), and the
median of RUNS runs of the same SQL statements sent straight to the database cursor, so the
ratio is the application's overhead on top of the aggregates themselves (target: within 2×).
The two are run by turns and the ratio is the median of the pairwise ratios, so a change in the
machine's load between them does not skew it.
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
from django.test.utils import override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from bench.alternating import alternating, bare_sql  # noqa: E402
from caseload.models import ReportPDF, ReportPDFKind  # noqa: E402
from caseload.report_pdfs import report_pdf_render  # noqa: E402
from caseload.statistics import annual_report  # noqa: E402
from children.models import Child  # noqa: E402

RUNS = int(os.environ.get("RUNS", "7"))
PDF_RUNS = int(os.environ.get("PDF_RUNS", "3"))


def _median_ms(action, runs: int = RUNS) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000


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
    team = iro.iro_profile.team_id
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")  # as the runtime role has it (scripts/ensure_db_roles.py)
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
        ("Dashboard, one team (manager)", page(manager, f"/caseload/dashboard/?{period}&team={team}")),
        ("Dashboard, one IRO's caseload (IRO)", page(iro, f"/caseload/dashboard/?{period}")),
        ("Annual report JSON (page)", page(manager, f"/caseload/report/?{period}&format=json")),
        ("Annual report figures (function)", lambda: annual_report(start=start, end=end)),
        ("QA report page", page(manager, f"{reverse('audits:qa_report')}?{period}")),
    ]
    print(f"{'':42} {'Django':>10} {'bare SQL':>10} {'ratio':>6} {'queries':>8}")
    for name, action in cases:
        action()  # warm caches (bank holidays, templates, connection)
        bare, statements = bare_sql(action)
        django_ms, sql_ms, ratio = alternating(action, bare, RUNS)
        print(f"{name:42} {django_ms:8.1f}ms {sql_ms:8.1f}ms {ratio:5.2f}× {statements:8}")
    # The whole-authority PDFs: the work their Celery task does (figures, layout, writing), off
    # the request since #19; the pages only record the request and show its progress.
    for kind in ReportPDFKind:
        job = ReportPDF(
            kind=kind, period_start=start, period_end=end, asked_on=timezone.localdate(), requested_by=manager
        )
        pdf_ms = _median_ms(lambda job=job: report_pdf_render(job, lambda step, percent: None), PDF_RUNS)
        print(f"{kind.label + ' PDF (the task)':42} {pdf_ms:8.1f}ms")


if __name__ == "__main__":
    main()

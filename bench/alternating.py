"""Timing a page beside its bare SQL, by turns (issue #19's method), for the bench scripts.

`bare_sql(action)` captures the statements `action` sends and gives a function that sends them
alone on the cursor, fetching every row (a server-side cursor's DECLARE is followed by FETCH ALL
and CLOSE). `alternating(action, bare, runs)` runs the two by turns, so a change in the machine's
load hits both alike: the median of each (ms) and the median of the pairwise ratios.
"""

import re
import statistics
import time

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

_DECLARE = re.compile(r'^\s*DECLARE\s+"?([^"\s]+)"?', re.IGNORECASE)


def bare_sql(action) -> tuple[object, int]:
    """Capture the statements `action` sends; a function that sends them alone on the cursor and
    fetches every row (a server-side cursor's DECLARE is followed by FETCH ALL and CLOSE, so its
    rows are counted too); and the number of statements."""
    with CaptureQueriesContext(connection) as captured:
        action()
    statements = [query["sql"] for query in captured.captured_queries if "SAVEPOINT" not in query["sql"]]

    def run() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                declared = _DECLARE.match(sql)
                if declared:
                    cursor.execute(f'FETCH ALL FROM "{declared.group(1)}"')
                    cursor.fetchall()
                    cursor.execute(f'CLOSE "{declared.group(1)}"')
                elif cursor.description:
                    cursor.fetchall()

    return run, len(statements)


def alternating(action, bare, runs: int) -> tuple[float, float, float]:
    """Django and its bare SQL run by turns (so a change in the machine's load hits both alike):
    the median of each, and the median of the pairwise ratios."""
    django_times, sql_times, ratios = [], [], []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        django_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        bare()
        sql_times.append(time.perf_counter() - started)
        ratios.append(django_times[-1] / sql_times[-1])
    return statistics.median(django_times) * 1000, statistics.median(sql_times) * 1000, statistics.median(ratios)

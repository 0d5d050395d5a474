"""Times the caseload pages on whatever database DATABASE_URL points at (seeded by seed_demo).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/iro_bench .venv/bin/python bench/caseload_page.py

Prints, for each page, the median of 15 requests through Django beside its bare SQL, run by
turns (bench/alternating.py), and the statements each sends.
"""

import os
import sys
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iro_service.settings.local")
django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from accounts.models import User  # noqa: E402
from bench.alternating import alternating, bare_sql  # noqa: E402
from children.models import Child  # noqa: E402

RUNS = 15


def measure(client: Client, url: str) -> tuple[float, float, float, int]:
    def get() -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    get()  # warm
    bare, statements = bare_sql(get)
    return (*alternating(get, bare, RUNS), statements)


@override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False)
def main() -> None:
    print(f"{Child.objects.count()} children on {connection.vendor}")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # as the application's role has it (scripts/ensure_db_roles.py)
            cursor.execute("SET jit = off")
    iro, manager = User.objects.get(username="iro"), User.objects.get(username="manager")
    support = User.objects.get(username="support")
    pages = [
        (iro, "/caseload/mine/", "IRO: my caseload"),
        (manager, "/caseload/all/", "Manager: all caseloads, page 1"),
        (manager, f"/caseload/all/?iro={iro.pk}", "Manager: filtered by one IRO"),
        (manager, "/caseload/all/?page=last", "Manager: all caseloads, last page"),
        (support, "/reviews/to-book/", "Business support: reviews to book"),
    ]
    for user, url, name in pages:
        client = Client()
        client.force_login(user)
        django_ms, sql_ms, ratio, statements = measure(client, url)
        print(f"{name:40} {django_ms:8.1f} ms, bare SQL {sql_ms:6.1f} ms ({ratio:4.2f}×), {statements} statements")


if __name__ == "__main__":
    main()

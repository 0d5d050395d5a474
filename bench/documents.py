"""Median render times of the three review documents on the demo data (no timing in tests).

.venv/bin/python bench/documents.py            # the make-run SQLite database
DATABASE_URL=postgres://postgres@127.0.0.1:5432/iro_bench .venv/bin/python bench/documents.py
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

from reviews.codes import DocumentKind, ReviewStatus  # noqa: E402
from reviews.documents import render_pdf  # noqa: E402
from reviews.models import Review  # noqa: E402

RUNS = 11


def main() -> None:
    reviews = list(
        Review.objects.filter(status=ReviewStatus.HELD).select_related("child", "chair").order_by("-pk")[:RUNS]
    )
    render_pdf(DocumentKind.LETTER, reviews[0])  # warm up fonts and templates
    for kind in DocumentKind:
        timings = []
        for review in reviews:
            started = time.perf_counter()
            pdf = render_pdf(kind, review)
            timings.append(time.perf_counter() - started)
        print(
            f"{kind.label:22} median {statistics.median(timings) * 1000:6.0f} ms over {len(timings)} reviews "
            f"({len(pdf) // 1024} KiB)"
        )


if __name__ == "__main__":
    main()

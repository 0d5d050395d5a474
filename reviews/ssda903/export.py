"""SSDA903 export: the year's header, episodes and reviews files, streamed from the database (a
server-side cursor, a chunk of rows at a time), each file appearing only once it is complete.

Every CHILD id is checked before the first row is written: one that is not an SSDA903 id refuses
the export (ExportRefused), so that no formula, markup or newline leaves in a file.
"""

import csv
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from django.db.models import Exists, OuterRef, Q, Value

from children.code_years import codes_for_year
from children.codes import SHORT_BREAK_LEGAL_STATUSES
from children.models import Child, Episode, PeriodOfCare
from children.validators import CHILD_ID_MAX_LENGTH, child_id_problem

from ..codes import ReviewStatus
from ..models import Review
from .problems import MAX_PROBLEMS_LISTED, show
from .records import CURSOR_CHUNK, DATE_FORMAT, TABLES, collection_year


class ExportRefused(Exception):
    """Some children's CHILD ids are not SSDA903 ids: nothing was written."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"{len(problems)} child id(s) cannot be exported")
        self.problems = problems


def _d(day: date | None) -> str:
    return day.strftime(DATE_FORMAT) if day else ""


def _exported_child_id(local_id: str) -> str:
    # Checked for every child before the first row is written (_refuse_bad_child_ids); this
    # guards a child changed while the export runs. No formula, markup or newline leaves here.
    problem = child_id_problem(local_id)
    if problem:
        raise ExportRefused([f"child {show(local_id)}: {problem}"])
    return local_id


def _short_breaks_only(start: date, end: date, child: str = "pk") -> Q:
    """The child (OuterRef `child`) is looked after between start and end only under V3/V4."""
    in_year = Episode.objects.filter(period_of_care__child_id=OuterRef(child), start__lte=end).exclude(end__lt=start)
    return Exists(in_year.filter(legal_status__in=SHORT_BREAK_LEGAL_STATUSES)) & ~Exists(
        in_year.exclude(legal_status__in=SHORT_BREAK_LEGAL_STATUSES)
    )


def export_tables(year: int | None) -> dict[str, Iterator[list[str]]]:
    """The year's rows as the return lays them out, table by table, streamed from the
    database; with year None, the whole history (for moving data between systems: every row as
    held, in today's coding).

    For a year, the return's rules on short breaks (docs/domain.md, "Short breaks in the return"): a
    child looked after only under V3/V4 has no reviews and no MOTHER (DfE rule 399; the reviews
    stay in the database, on the reg 48 clock), and V3/V4 episodes carry no postcodes or URN
    (rules 214, 398; the placement LA of rule 420 is derived from PL_POST). SEX is written in the
    year's coding (1/2 until 2023-24, rule 101)."""
    start, end = collection_year(year) if year else (date.min, date.max)
    codes = codes_for_year(year) if year else None
    periods = PeriodOfCare.objects.filter(start__lte=end).exclude(end__lt=start)
    child_ids = periods.values("child_id")
    children = (
        Child.objects.filter(pk__in=child_ids)
        .annotate(short_breaks_only=_short_breaks_only(start, end) if year else Value(False))
        .order_by("local_id")
        .values_list(
            "local_id", "sex", "date_of_birth", "ethnicity", "upn", "mother", "mother_child_date_of_birth",
            "short_breaks_only",
        )
    )  # fmt: skip
    episodes = (
        Episode.objects.filter(period_of_care__child_id__in=child_ids, start__lte=end)
        .exclude(end__lt=start)
        .order_by("period_of_care__child__local_id", "start")
        .values_list(
            "period_of_care__child__local_id", "start", "reason_new_episode", "legal_status", "category_of_need",
            "placement_type", "placement_provider", "end", "reason_ended", "reason_place_change", "home_postcode",
            "placement_postcode", "urn",
        )
    )  # fmt: skip
    held_reviews = Review.objects.filter(status=ReviewStatus.HELD, held_on__gte=start, held_on__lte=end)
    if year:
        held_reviews = held_reviews.exclude(_short_breaks_only(start, end, child="child_id"))
    reviews = held_reviews.order_by("child__local_id", "held_on").values_list(
        "child__local_id", "child__date_of_birth", "held_on", "participation_code"
    )
    _refuse_bad_child_ids(Q(pk__in=child_ids) | Q(pk__in=held_reviews.values("child_id")))

    def header() -> Iterator[list[str]]:
        for local_id, sex, born, ethnic, upn, mother, mc_dob, short_breaks_only in children.iterator(
            chunk_size=CURSOR_CHUNK
        ):
            if short_breaks_only:
                mother, mc_dob = "", None  # rule 399
            coded_sex = codes.exported_sex(sex) if codes else sex
            yield [_exported_child_id(local_id), coded_sex, _d(born), ethnic, upn, mother, _d(mc_dob)]

    def episode_rows() -> Iterator[list[str]]:
        for local_id, decom, rne, ls, cin, place, provider, dec, rec, change, home, placed, urn in episodes.iterator(
            chunk_size=CURSOR_CHUNK
        ):
            # As the return sees it on 31 March: an episode that ends later is still open then.
            ceased = ("", "") if dec is None or dec > end else (_d(dec), rec)
            child = _exported_child_id(local_id)
            if year and ls in SHORT_BREAK_LEGAL_STATUSES:
                home, placed, urn = "", "", ""  # rules 214, 398, 420
            yield [child, _d(decom), rne, ls, cin, place, provider, *ceased, change, home, placed, urn]

    def review_rows() -> Iterator[list[str]]:
        for local_id, born, held_on, code in reviews.iterator(chunk_size=CURSOR_CHUNK):
            yield [_exported_child_id(local_id), _d(born), _d(held_on), code]

    return {"header": header(), "episodes": episode_rows(), "reviews": review_rows()}


def _refuse_bad_child_ids(exported: Q) -> None:
    valid = rf"^[A-Za-z0-9]{{1,{CHILD_ID_MAX_LENGTH}}}$"  # as children.validators.child_id_problem
    bad = (
        Child.objects.filter(exported)
        .exclude(local_id__regex=valid)
        .order_by("pk")
        .values_list("pk", "local_id")[:MAX_PROBLEMS_LISTED]
    )
    problems = [f"child record {pk}: CHILD {show(local_id)}: {child_id_problem(local_id)}" for pk, local_id in bad]
    if problems:
        raise ExportRefused(problems)


def export_rows(year: int | None) -> dict[str, list[list[str]]]:
    """The year's rows, held in memory (for small exports and tests; files use export_folder)."""
    return {table: list(rows) for table, rows in export_tables(year).items()}


def export_folder(year: int | None, folder: Path) -> dict[str, int]:
    """Write header.csv, episodes.csv and reviews.csv a row at a time; each file appears only
    once it is complete."""
    folder.mkdir(parents=True, exist_ok=True)
    counts = {}
    written = []
    try:
        for table, rows in export_tables(year).items():
            part = folder / f"{table}.csv.part"
            written.append(part)
            with part.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(TABLES[table])
                count = 0
                for row in rows:
                    writer.writerow(row)
                    count += 1
            counts[table] = count
    except BaseException:
        for part in written:
            part.unlink(missing_ok=True)
        raise
    for part in written:
        part.replace(part.with_suffix(""))
    return counts

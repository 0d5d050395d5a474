"""SSDA903 import and export: every problem named by file, line and column; all or nothing;
idempotent; a round trip gives back the year's rows."""

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from caseload.demo import build_demo
from children.models import Child, Episode, PeriodOfCare
from reviews.codes import ReviewSequence, ReviewStatus
from reviews.models import Review
from reviews.ssda903 import EPISODES, HEADER, REVIEWS, ImportProblems, export_rows, import_files
from tests.caseload.test_seed_demo import _delete_demo

pytestmark = pytest.mark.django_db


def _csv(columns: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows(rows)
    return out.getvalue().encode()


HEADER_ROWS = [
    ["A1", "F", "01/06/2011", "WBRI", "", "0", ""],
    ["B2", "M", "10/01/2022", "MWBC", "", "", ""],
]
EPISODE_ROWS = [
    ["A1", "14/04/2014", "S", "C1", "N1", "U6", "PR1", "01/09/2014", "X1", "", "MK9 3EJ", "NN1 1DE", ""],
    ["A1", "01/09/2014", "P", "C2", "N1", "U4", "PR1", "", "", "CARPL", "MK9 3EJ", "MK6 5LD", ""],
    ["B2", "03/03/2025", "S", "V2", "N4", "U3", "PR1", "02/05/2025", "E4A", "", "MK9 3EJ", "MK6 5LD", ""],
]
REVIEW_ROWS = [
    ["A1", "01/06/2011", "13/05/2014", "PN0"],
    ["A1", "01/06/2011", "14/08/2014", "PN0"],
    ["B2", "10/01/2022", "31/03/2025", "PN0"],
]


def _files(header=HEADER_ROWS, episodes=EPISODE_ROWS, reviews=REVIEW_ROWS) -> dict[str, bytes]:
    # File names vary: tables are recognised by their header rows.
    return {"a.csv": _csv(HEADER, header), "eps 2025.csv": _csv(EPISODES, episodes), "rev.csv": _csv(REVIEWS, reviews)}


def _problems(**tables) -> list[str]:
    with pytest.raises(ImportProblems) as raised:
        import_files(_files(**tables))
    return raised.value.problems


def _snapshot():
    return (
        sorted(Child.objects.values_list("local_id", "sex", "date_of_birth", "ethnicity", "mother")),
        sorted(PeriodOfCare.objects.values_list("child__local_id", "start", "end", "reason_ended")),
        sorted(Episode.objects.values_list("period_of_care__child__local_id", "start", "end", "legal_status")),
        sorted(
            Review.objects.values_list("child__local_id", "status", "held_on", "due_date", "participation_code"),
            key=str,
        ),
    )


def test_import_builds_children_periods_episodes_and_reviews_on_the_clock():
    summary = import_files(_files())
    assert (summary.children_added, summary.periods_added, summary.episodes_added, summary.reviews_added) == (
        2,
        2,
        3,
        3,
    )
    a1 = PeriodOfCare.objects.get(child__local_id="A1")
    assert a1.end is None
    assert a1.episodes.count() == 2  # RNE P continues the period begun by S
    first, second = Review.objects.filter(child__local_id="A1", status=ReviewStatus.HELD).order_by("held_on")
    assert (first.sequence, first.due_date, first.in_timescale) == (ReviewSequence.FIRST, date(2014, 5, 15), True)
    assert (second.sequence, second.due_date, second.in_timescale) == (ReviewSequence.SECOND, date(2014, 8, 13), False)
    upcoming = Review.objects.get(child__local_id="A1", status=ReviewStatus.DUE)
    assert upcoming.due_date == date(2015, 2, 14)
    b2 = PeriodOfCare.objects.get(child__local_id="B2")
    assert (b2.end, b2.reason_ended) == (date(2025, 5, 2), "E4A")
    assert not Review.objects.filter(child__local_id="B2", status=ReviewStatus.DUE).exists()


def test_importing_the_same_files_again_changes_nothing():
    import_files(_files())
    before = _snapshot()
    summary = import_files(_files())
    assert summary.lines() == [
        "children: 0 added, 0 changed",
        "periods of care: 0 added, 0 changed",
        "episodes: 0 added, 0 changed",
        "reviews: 0 added, 0 changed",
    ]
    assert _snapshot() == before


def test_a_corrected_file_updates_what_changed():
    import_files(_files())
    corrected = [row[:] for row in HEADER_ROWS]
    corrected[1][3] = "MWBA"
    reviews = [row[:] for row in REVIEW_ROWS]
    reviews[1][3] = "PN0"
    summary = import_files(_files(header=corrected))
    assert summary.children_changed == 1
    assert summary.children_added == 0
    assert Child.objects.get(local_id="B2").ethnicity == "MWBA"


@pytest.mark.parametrize(
    ("table", "row", "column", "value", "message"),
    [
        ("episodes", 0, 1, "31/02/2014", "eps 2025.csv:2: DECOM: '31/02/2014' is not a date in the form DD/MM/YYYY"),
        ("episodes", 0, 3, "C9", "eps 2025.csv:2: LS: 'C9' is not a LS code"),
        ("reviews", 0, 2, "01/05/2011", "rev.csv:2: REVIEW: the review is before the child's date of birth"),
        (
            "reviews",
            2,
            3,
            "PN1",
            "rev.csv:4: REVIEW_CODE: REVIEW_CODE is PN1, but the child was 3 on the review date: "
            "a child under 4 is PN0",
        ),
        ("reviews", 0, 0, "Z9", "rev.csv:2: CHILD: child Z9 is not in the header file"),
        ("episodes", 2, 0, "Z9", "eps 2025.csv:4: CHILD: child Z9 is not in the header file"),
        (
            "reviews",
            1,
            1,
            "02/06/2015",
            "rev.csv:3: DOB: 02/06/2015 differs from the header's date of birth (01/06/2011)",
        ),
        ("episodes", 2, 7, "01/02/2025", "eps 2025.csv:4: DEC: the episode ends before it starts (03/03/2025)"),
        (
            "episodes",
            0,
            7,
            "05/09/2014",
            "eps 2025.csv:3: DECOM: this episode overlaps the one starting 14/04/2014 (eps 2025.csv:2)",
        ),
    ],
)
def test_each_problem_is_named_and_nothing_is_written(table, row, column, value, message):
    tables = {"header": HEADER_ROWS, "episodes": EPISODE_ROWS, "reviews": REVIEW_ROWS}
    changed = [list(r) for r in tables[table]]
    changed[row][column] = value
    problems = _problems(**{table: changed})
    assert message in problems
    assert not Child.objects.exists()
    assert not Review.objects.exists()


def test_pn0_at_four_or_over_is_refused():
    reviews = [row[:] for row in REVIEW_ROWS]
    reviews.append(["A1", "01/06/2011", "10/06/2015", "PN0"])  # just 4, care still open
    problems = _problems(reviews=reviews)
    assert (
        "rev.csv:5: REVIEW_CODE: REVIEW_CODE is PN0, but the child was 4 on the review date: "
        "PN0 is only for a child under 4"
    ) in problems


def test_every_problem_is_listed_at_once():
    episodes = [list(r) for r in EPISODE_ROWS]
    episodes[0][1] = "bad"
    episodes[2][3] = "XX"
    reviews = [list(r) for r in REVIEW_ROWS]
    reviews[2][0] = "Q1"
    problems = _problems(episodes=episodes, reviews=reviews)
    assert len(problems) >= 3


def test_a_failed_import_leaves_the_database_exactly_as_it_was():
    import_files(_files())
    before = _snapshot()
    corrected = [list(r) for r in HEADER_ROWS]
    corrected[0][3] = "WIRI"  # a valid change ...
    reviews = [list(r) for r in REVIEW_ROWS] + [["A1", "01/06/2011", "bad date", "PN0"]]  # ... and a bad row
    _problems(header=corrected, reviews=reviews)
    assert _snapshot() == before


def test_an_unrecognised_file_is_named():
    files = _files()
    files["notes.csv"] = b"NAME,AGE\nx,1\n"
    with pytest.raises(ImportProblems) as raised:
        import_files(files)
    assert "notes.csv:1: header: not an SSDA903 header, episodes or reviews header row" in raised.value.problems


def test_the_commands_import_and_export_a_folder(tmp_path: Path):
    source = tmp_path / "in"
    source.mkdir()
    for name, content in _files().items():
        (source / name).write_bytes(content)
    out = io.StringIO()
    call_command("import_ssda903", str(source), stdout=out)
    assert "children: 2 added, 0 changed" in out.getvalue()
    call_command("export_ssda903", str(tmp_path / "out"), year=2025, stdout=io.StringIO())
    exported = (tmp_path / "out" / "reviews.csv").read_text().splitlines()
    assert exported == ["CHILD,DOB,REVIEW,REVIEW_CODE", "B2,10/01/2022,31/03/2025,PN0"]


def test_the_import_command_lists_problems_and_fails(tmp_path: Path):
    reviews = [list(r) for r in REVIEW_ROWS]
    reviews[0][3] = "PN9"
    for name, content in _files(reviews=reviews).items():
        (tmp_path / name).write_bytes(content)
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_ssda903", str(tmp_path), stderr=err)
    assert "rev.csv:2: REVIEW_CODE: 'PN9' is not a REVIEW_CODE code" in err.getvalue()
    assert not Child.objects.exists()


def test_round_trip_import_then_export_gives_back_the_years_rows():
    """Build a demo authority, export a year, import it into an empty database, export again."""
    build_demo(children=40, today=date(2026, 11, 27), years=3)
    rows = export_rows(2026)
    # The year's files alone: episodes before the year are absent, so periods start in it.
    files = {
        "h.csv": _csv(HEADER, rows["header"]),
        "e.csv": _csv(EPISODES, [r for r in rows["episodes"]]),
        "r.csv": _csv(REVIEWS, rows["reviews"]),
    }
    _delete_demo()
    import_files(files)
    again = export_rows(2026)
    for table in ("header", "episodes", "reviews"):
        assert sorted(again[table]) == sorted(rows[table]), table


def _uploads(files: dict[str, bytes]):
    return [SimpleUploadedFile(name, content, content_type="text/csv") for name, content in files.items()]


def test_business_support_previews_then_imports_from_the_upload_page(client, business_support, settings, tmp_path):
    settings.IRO_PRIVATE_DOCUMENTS_ROOT = str(tmp_path)
    client.force_login(business_support)
    url = reverse("reviews:ssda903_import")
    response = client.post(url, {"files": _uploads(_files())})
    page = response.content.decode()
    assert "The files are valid." in page
    assert "children: 2 added, 0 changed" in page
    assert not Child.objects.exists()  # a preview writes nothing
    token = response.context["token"]
    response = client.post(url, {"confirm": "1", "token": token}, follow=True)
    assert "Imported: children: 2 added" in response.content.decode()
    assert Child.objects.count() == 2


def test_the_upload_page_lists_every_problem_and_writes_nothing(client, business_support, settings, tmp_path):
    settings.IRO_PRIVATE_DOCUMENTS_ROOT = str(tmp_path)
    reviews = [list(r) for r in REVIEW_ROWS]
    reviews[0][3] = "PN9"
    client.force_login(business_support)
    response = client.post(reverse("reviews:ssda903_import"), {"files": _uploads(_files(reviews=reviews))})
    page = response.content.decode()
    assert "nothing was imported" in page
    assert "rev.csv:2: REVIEW_CODE: &#x27;PN9&#x27; is not a REVIEW_CODE code" in page
    assert not Child.objects.exists()


def test_an_expired_or_foreign_upload_token_imports_nothing(client, business_support):
    client.force_login(business_support)
    response = client.post(reverse("reviews:ssda903_import"), {"confirm": "1", "token": "guess"}, follow=True)
    assert "That upload has expired" in response.content.decode()
    assert not Child.objects.exists()

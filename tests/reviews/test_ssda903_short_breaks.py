"""Short breaks in the return (docs/domain.md, "Short breaks in the return"; DfE rules 399, 214,
398, 420): a child looked after only under V3/V4 has no reviews and no MOTHER in the return, and
V3/V4 episodes carry no postcodes or URN. The reviews stay in the database, on the reg 48 clock;
only the return leaves them out."""

from datetime import date

import pytest

from caseload.demo import build_demo
from children.models import Child
from reviews.codes import ReviewStatus
from reviews.models import Review
from reviews.ssda903 import EPISODES, HEADER, REVIEWS, export_folder, export_rows, import_files
from tests.caseload.test_seed_demo import _delete_demo
from tests.reviews.test_ssda903 import _csv
from tests.reviews.test_validator import _validate

pytestmark = pytest.mark.django_db

# SB1: a girl looked after only for short breaks (V3, one episode per break), with a review held
# on the reg 48 clock and a MOTHER value in the database. MX: a boy in care (C2) who had a short
# break first (V3), so his reviews belong in the return.
HEADER_ROWS = [
    ["SB1", "F", "14/03/2012", "WBRI", "", "0", ""],
    ["MX", "M", "02/02/2011", "WBRI", "", "", ""],
]
EPISODE_ROWS = [
    ["SB1", "05/05/2024", "S", "V3", "N2", "U6", "PR1", "07/05/2024", "E4A", "", "MK9 3EJ", "MK6 5LD", "SC123456"],
    ["SB1", "02/08/2024", "S", "V3", "N2", "U6", "PR1", "04/08/2024", "E4A", "", "MK9 3EJ", "MK6 5LD", "SC123456"],
    ["MX", "01/06/2024", "S", "V3", "N2", "U6", "PR1", "03/06/2024", "E4A", "", "MK9 3EJ", "MK6 5LD", ""],
    ["MX", "10/06/2024", "S", "C2", "N1", "U4", "PR1", "", "", "", "MK9 3EJ", "MK6 5LD", ""],
]
REVIEW_ROWS = [
    ["SB1", "14/03/2012", "02/08/2024", "PN1"],
    ["MX", "02/02/2011", "05/07/2024", "PN1"],
]


def _files(header=HEADER_ROWS, episodes=EPISODE_ROWS, reviews=REVIEW_ROWS) -> dict[str, bytes]:
    return {"h.csv": _csv(HEADER, header), "e.csv": _csv(EPISODES, episodes), "r.csv": _csv(REVIEWS, reviews)}


def _rows(rows: list[list[str]], child: str) -> list[list[str]]:
    return [row for row in rows if row[0] == child]


def test_a_short_break_only_child_has_no_reviews_and_no_mother_in_the_return():
    import_files(_files())
    rows = export_rows(2025)
    assert _rows(rows["reviews"], "SB1") == []
    assert _rows(rows["header"], "SB1") == [["SB1", "F", "14/03/2012", "WBRI", "", "", ""]]
    # ... and are kept in the database, on the clock.
    assert Review.objects.filter(child__local_id="SB1", status=ReviewStatus.HELD).count() == 1
    assert Child.objects.get(local_id="SB1").mother == "0"


def test_short_break_episodes_carry_no_postcodes_or_urn():
    import_files(_files())
    episodes = export_rows(2025)["episodes"]
    for row in _rows(episodes, "SB1"):
        assert row[10:13] == ["", "", ""], row
    short_break, in_care = _rows(episodes, "MX")
    assert short_break[3] == "V3"
    assert short_break[10:13] == ["", "", ""]
    assert in_care[3] == "C2"
    assert in_care[10:12] == ["MK9 3EJ", "MK6 5LD"]


def test_a_child_also_in_care_keeps_reviews_in_the_return():
    import_files(_files())
    assert _rows(export_rows(2025)["reviews"], "MX") == [["MX", "02/02/2011", "05/07/2024", "PN1"]]


def test_the_whole_history_export_keeps_every_row_as_held():
    """--all moves data between systems: nothing is left out."""
    import_files(_files())
    rows = export_rows(None)
    assert _rows(rows["reviews"], "SB1") == [["SB1", "14/03/2012", "02/08/2024", "PN1"]]
    assert _rows(rows["header"], "SB1")[0][5] == "0"
    assert _rows(rows["episodes"], "SB1")[0][10:13] == ["MK9 3EJ", "MK6 5LD", "SC123456"]


def _short_break_children(count: int) -> tuple[list[list[str]], list[list[str]]]:
    """Short-break-only children as a return gives them: V3, one episode per break (each starts
    with RNE S and ends with the child home as planned, E4A), no reviews, no MOTHER."""
    header, episodes = [], []
    for number in range(count):
        child = f"SBK{number:03d}"
        sex = "F" if number % 2 else "M"
        header.append([child, sex, f"{1 + number % 27:02d}/0{1 + number % 9}/2013", "WBRI", "", "", ""])
        for month in (5, 8, 11):
            start = date(2024, month, 3 + number % 20)
            end = date(2024, month, 5 + number % 20)
            episodes.append(
                [child, f"{start:%d/%m/%Y}", "S", "V3", "N2", "U6", "PR1", f"{end:%d/%m/%Y}", "E4A", "", "", "", ""]
            )
    return header, episodes


def test_an_authority_with_short_break_children_exports_a_2024_25_return_the_validator_passes(tmp_path):
    """The whole case: an authority plus short-break-only children (V3, one episode per
    break, no reviews in the file) imported, then held reviews and MOTHER recorded for them as the
    application does (reg 48 clock); the 2024-25 export passes every DfE rule."""
    build_demo(children=60, today=date(2026, 11, 27))
    authority = export_rows(2025)
    _delete_demo()
    header, episodes = _short_break_children(12)
    summary = import_files(
        {
            "h.csv": _csv(HEADER, authority["header"] + header),
            "e.csv": _csv(EPISODES, authority["episodes"] + episodes),
            "r.csv": _csv(REVIEWS, authority["reviews"]),
        }
    )
    assert summary.children_added == len(authority["header"]) + 12
    # What the return must leave out, held in the database all the same.
    short_break = Child.objects.filter(local_id__startswith="SBK")
    short_break.filter(sex="F").update(mother="0")
    for child in short_break:
        period = child.periods_of_care.order_by("start").last()
        Review.objects.create(
            child=child, period_of_care=period, sequence="first", due_date=period.end, status=ReviewStatus.HELD,
            held_on=period.end, participation_code="PN1",
        )  # fmt: skip
    counts = export_folder(2025, tmp_path / "return")
    assert counts["reviews"] == len(authority["reviews"])
    report = _validate(tmp_path / "return", 2025)
    assert report["errors"] == [], report["errors"][:10]
    # The check can fail: the same return with the short-break reviews in it breaks rule 399.
    broken = tmp_path / "broken"
    broken.mkdir()
    for table in ("header", "episodes"):
        (broken / f"{table}.csv").write_bytes((tmp_path / "return" / f"{table}.csv").read_bytes())
    held = [
        [review.child.local_id, f"{review.child.date_of_birth:%d/%m/%Y}", f"{review.held_on:%d/%m/%Y}", "PN1"]
        for review in Review.objects.filter(child__in=short_break, status=ReviewStatus.HELD).select_related("child")
    ]
    (broken / "reviews.csv").write_bytes(_csv(REVIEWS, export_rows(2025)["reviews"] + held))
    assert "399" in {error["rule_code"] for error in _validate(broken, 2025)["errors"]}

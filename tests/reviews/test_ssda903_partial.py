"""The SSDA903 import's valid-children-only mode, its CSV report, and what a later file no longer
mentions: every child whose rows are all valid is imported in one transaction; a refused
child leaves no row; a corrected file brings the rest in; nothing held is ever deleted."""

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from children.models import Child, Episode, PeriodOfCare
from reviews.codes import ReviewStatus
from reviews.models import Review
from reviews.ssda903 import ImportProblems, import_files
from tests.factories import ChildFactory
from tests.reviews.test_ssda903 import EPISODE_ROWS, HEADER_ROWS, REVIEW_ROWS, _files, _uploads

pytestmark = pytest.mark.django_db

# Three more children: C3 valid; D4 with a bad placement code and a review before birth; E5 with
# an episode ending before it starts. A1 and B2 (tests/reviews/test_ssda903.py) are valid.
MORE_HEADER = [
    ["C3", "M", "05/05/2015", "WBRI", "", "", ""],
    ["D4", "F", "06/06/2016", "WBRI", "", "0", ""],
    ["E5", "M", "07/07/2017", "WBRI", "", "", ""],
]
MORE_EPISODES = [
    ["C3", "01/04/2025", "S", "C1", "N1", "U4", "PR1", "", "", "", "MK9 3EJ", "MK6 5LD", ""],
    ["D4", "01/04/2025", "S", "C1", "N1", "XX", "PR1", "", "", "", "MK9 3EJ", "MK6 5LD", ""],
    ["E5", "01/04/2025", "S", "C1", "N1", "U4", "PR1", "01/02/2025", "E4A", "", "MK9 3EJ", "MK6 5LD", ""],
]
MORE_REVIEWS = [
    ["C3", "05/05/2015", "10/04/2025", "PN1"],
    ["D4", "06/06/2016", "01/01/2016", "PN1"],
]
REFUSED = {"D4", "E5"}


def _with_invalid_children():
    return _files(
        header=HEADER_ROWS + MORE_HEADER, episodes=EPISODE_ROWS + MORE_EPISODES, reviews=REVIEW_ROWS + MORE_REVIEWS
    )


def _rows_of(local_ids: set[str]) -> int:
    return (
        Child.objects.filter(local_id__in=local_ids).count()
        + PeriodOfCare.objects.filter(child__local_id__in=local_ids).count()
        + Episode.objects.filter(period_of_care__child__local_id__in=local_ids).count()
        + Review.objects.filter(child__local_id__in=local_ids).count()
    )


def test_all_or_nothing_is_still_the_default():
    with pytest.raises(ImportProblems):
        import_files(_with_invalid_children())
    assert not Child.objects.exists()


def test_valid_children_only_imports_the_rest_and_lists_each_refused_child_with_its_problems():
    summary = import_files(_with_invalid_children(), valid_children_only=True)
    assert set(Child.objects.values_list("local_id", flat=True)) == {"A1", "B2", "C3"}
    assert _rows_of(REFUSED) == 0  # no row of a refused child
    assert set(summary.refused) == REFUSED
    assert summary.refused["D4"] == [
        "eps 2025.csv:6: PLACE: 'XX' is not a PLACE code",
        "rev.csv:6: REVIEW: the review is before the child's date of birth",
    ]
    assert summary.refused["E5"] == ["eps 2025.csv:7: DEC: the episode ends before it starts (01/04/2025)"]
    assert summary.refused_line() == "2 children refused (their rows are not valid); nothing of theirs written"
    assert Review.objects.filter(child__local_id="C3", status=ReviewStatus.HELD).count() == 1


def test_a_later_corrected_file_brings_the_rest_in():
    import_files(_with_invalid_children(), valid_children_only=True)
    episodes = [row[:] for row in EPISODE_ROWS + MORE_EPISODES]
    episodes[4][5] = "U4"  # D4's placement
    episodes[5][7:9] = ["", ""]  # E5's episode is open
    reviews = [row[:] for row in REVIEW_ROWS + MORE_REVIEWS]
    reviews[4][2] = "01/05/2025"  # D4's review date
    summary = import_files(
        _files(header=HEADER_ROWS + MORE_HEADER, episodes=episodes, reviews=reviews), valid_children_only=True
    )
    assert summary.refused == {}
    assert summary.children_added == 2
    assert summary.children_changed == 0
    assert Child.objects.count() == 5


def test_a_child_whose_period_clashes_with_one_held_is_refused_and_the_rest_imported():
    held = ChildFactory(local_id="C3", date_of_birth=date(2015, 5, 5))
    PeriodOfCare.objects.create(child=held, start=date(2025, 3, 1))  # open, and not in the files
    summary = import_files(_with_invalid_children(), valid_children_only=True)
    assert set(summary.refused) == REFUSED | {"C3"}
    assert "would overlap it" in summary.refused["C3"][0]
    assert set(Child.objects.values_list("local_id", flat=True)) == {"A1", "B2", "C3"}
    assert not Episode.objects.filter(period_of_care__child__local_id="C3").exists()
    assert Episode.objects.filter(period_of_care__child__local_id="A1").count() == 2


def test_a_problem_that_names_no_child_still_refuses_everything():
    files = _with_invalid_children()
    del files["rev.csv"]
    with pytest.raises(ImportProblems) as raised:
        import_files(files, valid_children_only=True)
    assert "(folder):0: reviews: no reviews file found (recognised by its header row)" in raised.value.problems
    assert not Child.objects.exists()


def test_the_command_imports_the_valid_children_and_writes_the_report(tmp_path: Path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name, content in _with_invalid_children().items():
        (folder / name).write_bytes(content)
    out, err = io.StringIO(), io.StringIO()
    report = tmp_path / "report.csv"
    call_command("import_ssda903", str(folder), valid_children_only=True, report=report, stdout=out, stderr=err)
    assert "children: 3 added, 0 changed" in out.getvalue()
    assert "2 children refused" in out.getvalue()
    assert "refused E5: eps 2025.csv:7: DEC: the episode ends before it starts (01/04/2025)" in err.getvalue()
    rows = list(csv.reader(report.open(newline="")))
    assert rows[0] == ["CHILD", "STATUS", "DETAIL"]
    assert ["D4", "refused", "eps 2025.csv:6: PLACE: 'XX' is not a PLACE code"] in rows
    assert {row[0] for row in rows[1:]} == REFUSED
    assert _rows_of(REFUSED) == 0


def test_the_command_refuses_everything_by_default(tmp_path: Path):
    for name, content in _with_invalid_children().items():
        (tmp_path / name).write_bytes(content)
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_ssda903", str(tmp_path), stdout=io.StringIO(), stderr=io.StringIO())
    assert not Child.objects.exists()


def test_the_upload_page_imports_the_valid_children_and_offers_the_report(client, business_support, settings, tmp_path):
    settings.IRO_PRIVATE_DOCUMENTS_ROOT = str(tmp_path)
    client.force_login(business_support)
    url = reverse("reviews:ssda903_import")
    response = client.post(url, {"files": _uploads(_with_invalid_children()), "mode": "valid_children_only"})
    page = response.content.decode()
    assert "2 children refused" in page
    assert "children: 3 added, 0 changed" in page
    assert not Child.objects.exists()  # the preview writes nothing
    response = client.post(url, {"confirm": "1", "token": response.context["token"]})
    page = response.content.decode()
    assert "Imported" in page
    assert "D4: eps 2025.csv:6: PLACE: &#x27;XX&#x27; is not a PLACE code" in page
    assert set(Child.objects.values_list("local_id", flat=True)) == {"A1", "B2", "C3"}
    assert _rows_of(REFUSED) == 0
    report = client.get(reverse("reviews:ssda903_import_report", args=[response.context["report_token"]]))
    assert report.status_code == 200
    assert report["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(b"".join(report.streaming_content).decode())))
    assert {row[0] for row in rows[1:]} == REFUSED


def test_an_unknown_report_is_not_found(client, business_support):
    client.force_login(business_support)
    assert client.get(reverse("reviews:ssda903_import_report", args=["x" * 22])).status_code == 404
    assert client.get(reverse("reviews:ssda903_import_report", args=["..%2F..%2Fsecret"])).status_code == 404


# --- What a later file no longer mentions -------------------------------------------------------

LATER_HEADER = [["A1", "F", "01/06/2011", "WBRI", "", "0", ""]]  # B2 is no longer in the files
LATER_EPISODES = [EPISODE_ROWS[1]]  # A1's first episode (2014) is outside the year; the open one stays
LATER_REVIEWS = [["A1", "01/06/2011", "20/02/2025", "PN1"]]


def test_a_later_file_lists_what_the_database_holds_that_it_no_longer_mentions_and_deletes_nothing():
    import_files(_files(reviews=[*REVIEW_ROWS, ["A1", "01/06/2011", "10/01/2025", "PN1"]]))
    before = (Child.objects.count(), Episode.objects.count(), Review.objects.filter(status="held").count())
    summary = import_files(_files(header=LATER_HEADER, episodes=LATER_EPISODES, reviews=LATER_REVIEWS))
    assert summary.year == 2025
    assert summary.unmentioned == [
        "child A1: the review held on 10/01/2025 is held, but these files no longer mention it",
        "child B2: looked after in 2024-25 as the database holds it, but these files do not name this child",
    ]
    after = (Child.objects.count(), Episode.objects.count(), Review.objects.filter(status="held").count())
    assert after == (before[0], before[1], before[2] + 1)  # nothing deleted; the new review added


def test_an_episode_no_longer_in_a_later_file_is_listed():
    # First B2's care is two episodes (a placement change on 01/04/2025) ...
    split = [
        ["B2", "03/03/2025", "S", "V2", "N4", "U3", "PR1", "01/04/2025", "X1", "", "MK9 3EJ", "MK6 5LD", ""],
        ["B2", "01/04/2025", "P", "V2", "N4", "U6", "PR1", "02/05/2025", "E4A", "CARPL", "MK9 3EJ", "MK6 5LD", ""],
    ]
    import_files(_files(episodes=EPISODE_ROWS[:2] + split))
    # ... then a corrected file holds one episode: the second is listed, and kept.
    summary = import_files(_files())
    assert summary.unmentioned == [
        "child B2: the episode from 01/04/2025 (V2, U6) is held, but these files no longer mention it"
    ]
    assert Episode.objects.filter(period_of_care__child__local_id="B2").count() == 2


def test_the_same_files_again_mention_everything():
    import_files(_files())
    assert import_files(_files()).unmentioned == []

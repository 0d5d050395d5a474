"""SSDA903 import and export are bounded and never crash: each bad input is a problem line
(`file:line: column: message`) through the command and through the upload page; problems are
capped at 1,000 with a count of the rest; files over the size limit are refused; a CHILD already
held with an open period of care is a problem, or the period it continues."""

import io
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from children.models import Child, Episode, PeriodOfCare
from children.postcodes import distance_in_miles
from reviews.codes import ReviewStatus
from reviews.models import Review
from reviews.ssda903 import EPISODES, HEADER, REVIEWS, import_files
from tests.reviews.test_ssda903 import EPISODE_ROWS, HEADER_ROWS, REVIEW_ROWS, _csv, _files, _snapshot

pytestmark = pytest.mark.django_db


def _command_problems(tmp_path: Path, files: dict[str, bytes]) -> tuple[str, str]:
    """Run import_ssda903 on the files; it must fail. Returns (stderr, the error's message)."""
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    for name, content in files.items():
        (folder / name).write_bytes(content)
    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_ssda903", str(folder), stdout=io.StringIO(), stderr=err)
    return err.getvalue(), str(raised.value)


def _page(client, business_support, settings, tmp_path: Path, files: dict[str, bytes]) -> str:
    settings.IRO_PRIVATE_DOCUMENTS_ROOT = str(tmp_path / "documents")
    client.force_login(business_support)
    uploads = [SimpleUploadedFile(name, content, content_type="text/csv") for name, content in files.items()]
    response = client.post(reverse("reviews:ssda903_import"), {"files": uploads})
    assert response.status_code == 200
    return response.content.decode()


def _changed(table: str, row: int, column: str, value: str) -> dict[str, bytes]:
    rows = {"header": HEADER_ROWS, "episodes": EPISODE_ROWS, "reviews": REVIEW_ROWS}
    columns = {"header": HEADER, "episodes": EPISODES, "reviews": REVIEWS}
    changed = [list(r) for r in rows[table]]
    changed[row][columns[table].index(column)] = value
    return _files(**{table: changed})


BAD_INPUTS = [
    pytest.param(
        _changed("header", 0, "UPN", "x" * 140_000),
        "a.csv:2: row: a field is over 131,072 characters (or a quote is never closed); "
        "the rest of the file was not read",
        id="field-over-128KB",
    ),
    pytest.param(
        _changed("header", 1, "ETHNIC", "MW\x00BC"),
        "a.csv:3: ETHNIC: contains a NUL character (byte 0), which no SSDA903 value has",
        id="NUL",
    ),
    pytest.param(
        _changed("episodes", 2, "DECOM", "31/12/9999"),
        "eps 2025.csv:4: DECOM: '31/12/9999' is outside the years 1900 to 2100",
        id="DECOM-9999",
    ),
    pytest.param(
        _changed("reviews", 0, "REVIEW", "01/01/1899"),
        "rev.csv:2: REVIEW: '01/01/1899' is outside the years 1900 to 2100",
        id="REVIEW-1899",
    ),
    pytest.param(
        _changed("episodes", 0, "HOME_POST", "=HYPERLINK(1)"),
        "eps 2025.csv:2: HOME_POST: '=HYPERLINK(1)' is longer than 8 characters",
        id="postcode-too-long",
    ),
    pytest.param(
        _changed("episodes", 0, "URN", "=1+1"),
        "eps 2025.csv:2: URN: '=1+1' may hold only letters, digits and spaces",
        id="URN-formula",
    ),
    pytest.param(
        {"h.csv": _csv(HEADER, []), "e.csv": _csv(EPISODES, []), "r.csv": _csv(REVIEWS, [])},
        "(folder):0: rows: the files hold header lines but no rows; nothing to import",
        id="header-only",
    ),
]


@pytest.mark.parametrize(("files", "message"), BAD_INPUTS)
def test_the_command_names_each_bad_input_and_imports_nothing(tmp_path, files, message):
    stderr, error = _command_problems(tmp_path, files)
    assert message in stderr.splitlines()
    assert "nothing was imported" in error
    assert not Child.objects.exists()


@pytest.mark.parametrize(("files", "message"), BAD_INPUTS)
def test_the_upload_page_names_each_bad_input_and_imports_nothing(
    client, business_support, settings, tmp_path, files, message
):
    page = _page(client, business_support, settings, tmp_path, files)
    assert "nothing was imported" in page
    assert message.replace("'", "&#x27;") in page
    assert not Child.objects.exists()
    assert not list((tmp_path / "documents").rglob("*.csv"))  # the upload is not kept


CHILD_IDS = ["=1+1", "@SUM(1+1)", "+cmd|'/C", "<b>A1</b>", "A\n1", "A1234567890"]


@pytest.mark.parametrize("child_id", CHILD_IDS)
def test_a_child_id_that_is_not_a_short_code_is_refused(tmp_path, client, business_support, settings, child_id):
    files = _changed("header", 0, "CHILD", child_id)
    stderr, _ = _command_problems(tmp_path, files)
    line = next(line for line in stderr.splitlines() if line.startswith("a.csv:2: CHILD: "))
    assert "letters and digits" in line or "at most 10 characters" in line
    # The same id in the other files is not reported again as "not in the header file".
    assert "is not in the header file" not in stderr.replace("child A1 is not in the header file", "")
    page = _page(client, business_support, settings, tmp_path, files)
    assert "a.csv:2: CHILD: " in page
    assert "nothing was imported" in page
    assert not Child.objects.exists()


def test_problems_stop_at_a_thousand_and_say_how_many_more(tmp_path, client, business_support, settings):
    # 1,500 reviews with an unknown code, each on its own day while A1 is looked after.
    bad = [["A1", "01/06/2011", f"{day:02d}/{month:02d}/{year}", "PN9"] for year in range(2015, 2020)
           for month in range(1, 13) for day in range(1, 26)]  # fmt: skip
    files = _files(reviews=bad)
    assert len(bad) == 1500
    stderr, error = _command_problems(tmp_path, files)
    lines = stderr.splitlines()
    assert len(lines) == 1001
    assert lines[0] == "rev.csv:2: REVIEW_CODE: 'PN9' is not a REVIEW_CODE code"
    assert lines[-1] == "… and 500 more problems"
    assert error == "1,500 problem(s); nothing was imported."
    page = _page(client, business_support, settings, tmp_path, files)
    assert "1500 problems: nothing was imported." in page
    assert "… and 500 more problems" in page
    assert page.count("is not a REVIEW_CODE code") == 1000


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path, client, business_support, settings):
    settings.IRO_SSDA903_MAX_BYTES = 200
    files = _files()
    size = len(files["eps 2025.csv"])
    assert size > 200
    assert len(files["a.csv"]) < 200
    stderr, _ = _command_problems(tmp_path, files)
    assert (
        f"eps 2025.csv:0: file: {size:,} bytes is over the 200 bytes limit for one SSDA903 file "
        "(IRO_SSDA903_MAX_BYTES); nothing was read"
    ) in stderr.splitlines()
    page = _page(client, business_support, settings, tmp_path, files)
    assert (
        f"eps 2025.csv is {size:,} bytes, over the 200 bytes limit for one SSDA903 file (IRO_SSDA903_MAX_BYTES)."
    ) in page
    assert "The files are valid" not in page
    assert not Child.objects.exists()


def _held_open_period() -> None:
    """A1 in care from 14/04/2014 (the files' full history), still looked after."""
    import_files(_files())
    assert PeriodOfCare.objects.get(child__local_id="A1").end is None


def test_a_new_open_period_beside_one_already_held_open_is_a_problem(tmp_path, client, business_support, settings):
    _held_open_period()
    before = _snapshot()
    # A file that holds only a later period for A1, starting on another day, also open.
    episodes = [["A1", "01/03/2020", "S", "C2", "N1", "U4", "PR1", "", "", "", "MK9 3EJ", "MK6 5LD", ""]]
    files = _files(episodes=episodes, reviews=[])
    message = (
        "eps 2025.csv:2: DECOM: child A1 already has a period of care open since 14/04/2014, which these files do "
        "not hold; this period (from 01/03/2020) would overlap it. Give the held period's episodes (with DEC and "
        "REC where it ended) or correct DECOM"
    )
    stderr, error = _command_problems(tmp_path, files)
    assert message in stderr.splitlines()
    assert error == "1 problem(s); nothing was imported."
    page = _page(client, business_support, settings, tmp_path, files)
    assert message.replace("'", "&#x27;") in page
    assert _snapshot() == before


def test_closing_the_held_period_and_opening_a_new_one_in_the_same_files_imports(tmp_path):
    _held_open_period()
    episodes = [list(r) for r in EPISODE_ROWS]
    episodes[1][7:9] = ["01/02/2016", "E4A"]  # A1's care ends ...
    episodes.append(["A1", "01/03/2020", "S", "C2", "N1", "U4", "PR1", "", "", "", "MK9 3EJ", "MK6 5LD", ""])
    for name, content in _files(episodes=episodes).items():
        (tmp_path / name).write_bytes(content)
    out = io.StringIO()
    call_command("import_ssda903", str(tmp_path), stdout=out)  # ... and begins again
    assert "periods of care: 1 added, 1 changed" in out.getvalue()
    periods = list(PeriodOfCare.objects.filter(child__local_id="A1").order_by("start").values_list("start", "end"))
    assert periods == [(date(2014, 4, 14), date(2016, 2, 1)), (date(2020, 3, 1), None)]


def test_a_file_beginning_mid_period_continues_the_period_already_held(tmp_path):
    """docs/domain.md, "Periods of care and episodes": RNE other than S continues a period. A later
    year's file that begins in the middle of a held period adds to that period instead of starting a
    second one."""
    _held_open_period()
    header = [HEADER_ROWS[0]]
    episodes = [
        ["A1", "01/09/2014", "P", "C2", "N1", "U4", "PR1", "01/06/2015", "X1", "CARPL", "MK9 3EJ", "MK6 5LD", ""],
        ["A1", "01/06/2015", "T", "C2", "N1", "U5", "PR1", "", "", "CARPL", "MK9 3EJ", "MK6 5LD", ""],
    ]
    reviews = [["A1", "01/06/2011", "10/02/2015", "PN0"]]
    for name, content in _files(header=header, episodes=episodes, reviews=reviews).items():
        (tmp_path / name).write_bytes(content)
    call_command("import_ssda903", str(tmp_path), stdout=io.StringIO())
    period = PeriodOfCare.objects.get(child__local_id="A1")  # still one period, from 14/04/2014
    assert (period.start, period.end, period.began_before_records) == (date(2014, 4, 14), None, False)
    assert list(Episode.objects.filter(period_of_care=period).order_by("start").values_list("start", flat=True)) == [
        date(2014, 4, 14),
        date(2014, 9, 1),
        date(2015, 6, 1),
    ]
    # The third review of the period: due six months after the second (14/08/2014), held on time.
    third = Review.objects.get(child__local_id="A1", held_on=date(2015, 2, 10))
    assert (third.sequence, third.due_date) == ("subsequent", date(2015, 2, 14))
    assert Review.objects.get(child__local_id="A1", status=ReviewStatus.DUE).due_date == date(2015, 8, 10)


def _exported_children(folder: Path) -> list[str]:
    return [line.split(",")[0] for line in (folder / "header.csv").read_text().splitlines()[1:]]


@pytest.mark.parametrize("child_id", ["=1+1", "@SUM(1+1)", "+cmd|'/C", "<b>x</b>"])
def test_the_export_never_writes_a_child_id_that_is_not_a_code(tmp_path, child_id):
    import_files(_files())
    Child.objects.filter(local_id="A1").update(local_id=child_id)  # held from before ids were checked
    err = io.StringIO()
    with pytest.raises(CommandError, match="Some CHILD ids are not SSDA903 ids"):
        call_command("export_ssda903", str(tmp_path / "out"), all=True, stdout=io.StringIO(), stderr=err)
    assert "A CHILD id has only letters and digits" in err.getvalue()
    assert not list((tmp_path / "out").iterdir())  # no file, not even a part of one
    Child.objects.filter(local_id=child_id).update(local_id="A1")
    call_command("export_ssda903", str(tmp_path / "out"), all=True, stdout=io.StringIO())
    assert _exported_children(tmp_path / "out") == ["A1", "B2"]


def test_imported_episodes_carry_the_placement_distance_as_a_single_episode_would():
    import_files(_files())
    for episode in Episode.objects.all():
        assert episode.placement_distance_miles == distance_in_miles(episode.home_postcode, episode.placement_postcode)
    assert Episode.objects.filter(placement_distance_miles__gt=0).exists()

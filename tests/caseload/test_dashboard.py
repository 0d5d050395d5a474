"""The dashboard and the annual report through their pages and the command: the JSON
shape key by key, the PDF's sections, exports that neutralise formulas, who sees what, and a
fixed number of queries at two data sizes."""

import csv
import io
import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pypdf
import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Team, User
from caseload.annual_report import report_document
from caseload.demo import build_demo
from caseload.exports import csv_bytes, neutralise, xlsx_bytes
from caseload.models import ReportNarrative, ReportPDF
from tests.factories import IROProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

PERIOD = {"start": "2025-04-01", "end": "2026-03-31"}

# The first keys, in their order, then the later ones added after them in each object (the README,
# "Dashboards and the annual IRO report").
SHAPE = {
    "period": {"start": str, "end": str, "to_date": bool, "asked_end": str},
    "looked_after": {"at_start": int, "at_end": int, "during": int, "short_breaks_only": int, "throughout": int},
    "reviews": {
        "held": int,
        "in_timescale": int,
        "in_timescale_pct": float,
        "first": int,
        "second": int,
        "subsequent": int,
        "on_clock": int,
        "in_timescale_month_on_month_pct": float,
        "overdue_not_held": int,
        "children_all_in_time": int,
        "children_all_in_time_pct": float,
        "short_break_reviews_held": int,
    },
    "participation": {
        **{f"PN{n}": int for n in range(8)},
        "participated": int,
        "participated_pct": float,
        "participated_pct_aged_4_plus": float,
        "attended_no_view": int,
    },
    "pre_review_visits_pct": float,
    "parents_participated_pct": float,
    "monitoring_forms": {"completed": int, "completed_pct": float},
    "documents": {
        "outcomes_on_time_pct": float,
        "minutes_on_time_pct": float,
        "outcomes_on_time": int,
        "outcomes_due": int,
        "outcomes_not_yet_due": int,
        "minutes_on_time": int,
        "minutes_due": int,
        "minutes_not_yet_due": int,
    },
    "caseload": {"iro_fte": float, "children_per_fte": float, "basis": str, "funded_posts": type(None)},
    "escalations": {"raised": int, "resolved": int, "formal_dispute_resolution": int, "escalated_to_management": int},
    "my_review": {
        "held": int,
        "used": int,
        "used_pct": float,
        "chaired": int,
        "chaired_pct": float,
        "advocate": int,
        "advocate_pct": float,
        "not_safe": int,
        "not_safe_pct": float,
        "quarters": list,
    },
}


def _check_shape(value, shape, path="report"):
    if isinstance(shape, dict):
        assert isinstance(value, dict), path
        assert list(value) == list(shape), f"{path}: keys {list(value)} differ from {list(shape)}"
        for key, inner in shape.items():
            _check_shape(value[key], inner, f"{path}.{key}")
    else:
        assert type(value) is shape, f"{path} is {type(value).__name__}, not {shape.__name__}"
        if shape is float:
            assert round(value, 1) == value, f"{path} has more than one decimal"


@pytest.fixture
def demo(db):
    build_demo(children=40, today=date(2026, 5, 1), years=3)


def test_the_command_prints_json_of_exactly_the_issues_shape(demo):
    out = io.StringIO()
    call_command("iro_report", "--start", "2025-04-01", "--end", "2026-03-31", stdout=out)
    report = json.loads(out.getvalue())
    _check_shape(report, SHAPE)
    assert report["period"] == {"start": "2025-04-01", "end": "2026-03-31", "to_date": False, "asked_end": "2026-03-31"}
    assert report["reviews"]["held"] > 0


def test_a_percentage_with_no_denominator_is_null(db):
    out = io.StringIO()
    call_command("iro_report", "--start", "2025-04-01", "--end", "2026-03-31", stdout=out)
    report = json.loads(out.getvalue())
    assert report["reviews"]["in_timescale_pct"] is None
    assert report["participation"]["participated_pct"] is None
    assert report["caseload"]["children_per_fte"] is None


def test_the_command_writes_json_to_a_file(demo, tmp_path):
    target = tmp_path / "report.json"
    call_command("iro_report", "--start", "2025-04-01", "--end", "2026-03-31", "--output", str(target))
    _check_shape(json.loads(target.read_text()), SHAPE)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--start", "2025-13-01", "--end", "2026-03-31"], "'2025-13-01' is not a date"),
        (["--start", "2026-04-01", "--end", "2026-03-31"], "is before --start"),
        (["--start", "2025-04-01", "--end", "2026-03-31", "--format", "pdf"], "A PDF needs --output"),
    ],
)
def test_the_command_says_what_is_wrong(db, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("iro_report", *arguments)


def test_the_pdf_reads_like_the_annual_report_with_the_narrative_and_definitions_last(demo, tmp_path):
    manager = UserFactory(role="manager")
    ReportNarrative.objects.create(
        period_start=date(2025, 4, 1),
        period_end=date(2026, 3, 31),
        objectives="Minutes within 20 working days by 30 September.",
        updated_by=manager,
    )
    target = tmp_path / "report.pdf"
    call_command("iro_report", "--start", "2025-04-01", "--end", "2026-03-31", "--format", "pdf", "--output", target)
    pages = [" ".join(page.extract_text().split()) for page in pypdf.PdfReader(target).pages]
    text = "\n".join(pages)
    assert "Annual report of the Independent Reviewing Officer service" in pages[0]
    for section in (
        "1. Purpose of the service and legal context",
        "2. Quantitative information",
        "3. Children's participation",
        "4. Quality assurance",
        "5. Escalation",
        "6. Caseload and workload",
        "7. The year's objectives",
    ):
        assert section in text, section
    assert "Minutes within 20 working days by 30 September." in text
    objectives = next(i for i, page in enumerate(pages) if "7. The year's objectives" in page)
    definitions = next(i for i, page in enumerate(pages) if "Definitions" in page and i > objectives)
    assert "Looked after on a date" in "\n".join(pages[definitions:])
    assert "Percentages" in pages[-1]  # the definitions run to the last page


# The figures the report draws, in its order (templates/caseload/pdf/annual_report.html); the
# last three are tables without a chart.
REPORT_FIGURES_WITH_CHARTS = [
    "Children in care at each month end",
    "Reviews held in timescale by month",
    "Age bands",
    "Legal status",
    "Placement distance",
    "Participation by PN code",
    "My review: the child's say, by quarter",
    "Visits, parents, monitoring forms and documents",
    "Caseload trend by month",
]
REPORT_TABLES_ONLY = ["Escalations by stage and theme", "Caseload per IRO", "IRO continuity"]


def _laid_out_figures(**period) -> dict[str, dict[str, list[tuple[int, float]]]]:
    """The report laid out into pages by WeasyPrint, as the PDF is written: for each figure, by its
    title, the (page, height on the page) of its title, its chart and each of its table's rows."""
    figures: dict[str, dict[str, list[tuple[int, float]]]] = {}

    def walk(box, page: int, figure: dict | None) -> None:
        element = getattr(box, "element", None)
        if element is not None and box.element_tag == "div" and "figure" in element.get("class", "").split():
            figure = figures.setdefault(id(element), {"title": [], "chart": [], "rows": []})
        if figure is not None and type(box).__name__ == "BlockBox" and box.element_tag == "h3":
            figure["title"].append((page, box.position_y))
            figure["name"] = "".join(element.itertext()).strip()
        elif figure is not None and box.element_tag == "{http://www.w3.org/2000/svg}svg":
            figure["chart"].append((page, box.position_y))
        elif figure is not None and type(box).__name__ == "TableRowBox" and box.element_tag == "tr":
            figure["rows"].append((page, box.position_y))
        for child in getattr(box, "children", ()):
            walk(child, page, figure)

    for number, page in enumerate(report_document(**period).render().pages, start=1):
        walk(page._page_box, number, None)
    return {figure.pop("name"): figure for figure in figures.values()}


def test_each_report_figure_is_its_title_then_its_chart_then_its_table_on_one_page(demo):
    figures = _laid_out_figures(start=date(2025, 4, 1), end=date(2026, 3, 31), today=date(2026, 5, 1))
    assert list(figures) == [
        *REPORT_FIGURES_WITH_CHARTS[:8],
        REPORT_TABLES_ONLY[0],
        REPORT_FIGURES_WITH_CHARTS[8],
        *REPORT_TABLES_ONLY[1:],
    ]
    for name, figure in figures.items():
        [(page, title_y)] = figure["title"]
        pages = {row_page for row_page, _y in figure["rows"]}
        assert pages == {page}, f"{name}: title on page {page}, table rows on pages {sorted(pages)}"
        if name in REPORT_FIGURES_WITH_CHARTS:
            [(chart_page, chart_y)] = figure["chart"]
            assert chart_page == page, f"{name}: title on page {page}, chart on page {chart_page}"
            assert title_y < chart_y < min(y for _page, y in figure["rows"]), name
        else:
            assert figure["chart"] == [], name


def test_a_table_longer_than_a_page_breaks_but_its_title_and_chart_stay_together(demo):
    """Three years of months: the timeliness table (37 rows) cannot share a page with its chart."""
    figures = _laid_out_figures(start=date(2023, 4, 1), end=date(2026, 3, 31), today=date(2026, 5, 1))
    timeliness = figures["Reviews held in timescale by month"]
    [(page, _title_y)] = timeliness["title"]
    [(chart_page, _chart_y)] = timeliness["chart"]
    row_pages = [row_page for row_page, _y in timeliness["rows"]]
    assert chart_page == page
    assert row_pages[0] == page  # the table starts under its chart, not on the next page
    assert max(row_pages) > page  # and, being longer than the rest of the page, runs on
    for name, figure in figures.items():  # every figure starts whole: title, chart and first rows
        starts = {figure["title"][0][0], *(chart_page for chart_page, _y in figure["chart"]), figure["rows"][0][0]}
        assert len(starts) == 1, f"{name} starts over pages {sorted(starts)}"


def test_the_managers_narrative_is_kept_per_report_year(client, demo):
    manager = UserFactory(role="manager")
    client.force_login(manager)
    url = reverse("caseload:report_narrative") + "?start=2025-04-01&end=2026-03-31"
    response = client.post(url, {"purpose": "Our purpose.", "objectives": "Objective one."})
    assert response.status_code == 302
    client.post(reverse("caseload:report_narrative") + "?start=2024-04-01&end=2025-03-31", {"purpose": "Last year."})
    assert ReportNarrative.objects.get(period_start=date(2025, 4, 1)).purpose == "Our purpose."
    assert ReportNarrative.objects.get(period_start=date(2024, 4, 1)).purpose == "Last year."
    page = client.get(reverse("caseload:report"), PERIOD)
    assert b"Edit the narrative" in page.content


def test_the_narrative_page_needs_a_period(client, db):
    client.force_login(UserFactory(role="manager"))
    response = client.get(reverse("caseload:report_narrative") + "?start=2026-01-01&end=2025-01-01", follow=True)
    assert b"Choose the report&#x27;s period first." in response.content


def test_the_report_page_offers_json_of_the_same_shape(client, demo):
    client.force_login(UserFactory(role="manager"))
    response = client.get(reverse("caseload:report"), {**PERIOD, "format": "json"})
    assert response["Content-Disposition"].startswith("attachment")
    _check_shape(json.loads(response.content), SHAPE)


def test_the_report_page_gives_a_pdf(client, demo, eager_tasks, django_capture_on_commit_callbacks):
    """Made in the background (tests/caseload/test_report_pdfs.py): asked for, then downloaded."""
    client.force_login(UserFactory(role="manager"))
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(reverse("caseload:report_pdf_ask"), {"kind": "annual", **PERIOD})
    report_pdf = ReportPDF.objects.get()
    assert asked.url == reverse("caseload:report_pdf", args=[report_pdf.pk])
    response = client.get(reverse("caseload:report_pdf_download", args=[report_pdf.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_the_dashboard_shows_every_panel_with_a_chart_and_a_table(client, demo):
    client.force_login(UserFactory(role="manager"))
    content = client.get(reverse("caseload:dashboard"), PERIOD).content.decode()
    for title in (
        "Caseload per IRO",
        "Caseload trend by month",
        "Children in care at each month end",
        "Age bands",
        "Legal status",
        "Placement distance",
        "Reviews held in timescale by month",
        "Participation by PN code",
        "My review: the child&#x27;s say, by quarter",
        "Visits, parents, monitoring forms and documents",
        "Escalations by stage and theme",
        "IRO continuity",
    ):
        assert title in content, title
    assert content.count("<svg") == 12
    assert content.count("<caption") >= 12
    assert "cdn" not in content.lower()


def test_bad_dates_in_the_filter_give_a_message_and_the_report_year(client, demo):
    client.force_login(UserFactory(role="manager"))
    response = client.get(reverse("caseload:dashboard"), {"start": "2026-03-31", "end": "2025-04-01"})
    assert response.status_code == 200
    assert "The end date is before the start date." in response.content.decode()


def test_an_iro_sees_only_their_own_figures_whatever_they_ask_for(client, demo):
    iro = User.objects.get(username="iro")
    colleague = User.objects.get(username="iro2")
    client.force_login(iro)
    own = client.get(reverse("caseload:dashboard"), PERIOD).content.decode()
    asked = client.get(reverse("caseload:dashboard"), {**PERIOD, "iro": colleague.pk}).content.decode()
    assert iro.get_full_name() in own
    assert colleague.get_full_name() not in own
    assert colleague.get_full_name() not in asked
    exported = client.get(reverse("caseload:dashboard_export", args=["caseload", "csv"]), {"iro": colleague.pk})
    assert colleague.get_full_name() not in exported.content.decode()
    report = json.loads(client.get(reverse("caseload:report"), {**PERIOD, "format": "json"}).content)
    assert report["caseload"]["iro_fte"] == float(iro.iro_profile.fte)


def test_a_manager_can_narrow_to_a_team_or_an_iro(client, demo):
    manager = User.objects.get(username="manager")
    colleague = User.objects.get(username="iro2")
    client.force_login(manager)
    whole = json.loads(client.get(reverse("caseload:report"), {**PERIOD, "format": "json"}).content)
    one = json.loads(client.get(reverse("caseload:report"), {**PERIOD, "format": "json", "iro": colleague.pk}).content)
    assert 0 < one["reviews"]["held"] < whole["reviews"]["held"]
    team = Team.objects.first()
    by_team = json.loads(client.get(reverse("caseload:report"), {**PERIOD, "format": "json", "team": team.pk}).content)
    assert by_team["reviews"]["held"] <= whole["reviews"]["held"]


def test_a_manager_finds_an_iro_for_the_figures_by_part_of_a_name(client, demo):
    """The dashboard's and the report's IRO filter is a box for part of a name (accounts.iro_picker)."""
    manager = User.objects.get(username="manager")
    colleague = User.objects.get(username="iro2")
    client.force_login(manager)
    url = reverse("caseload:report")
    by_id = json.loads(client.get(url, {**PERIOD, "format": "json", "iro": colleague.pk}).content)
    by_name = json.loads(client.get(url, {**PERIOD, "format": "json", "iro_name": colleague.last_name}).content)
    assert by_name == by_id
    whole = json.loads(client.get(url, {**PERIOD, "format": "json"}).content)
    blank = json.loads(client.get(url, {**PERIOD, "format": "json", "iro": colleague.pk, "iro_name": ""}).content)
    assert blank == whole  # the box sent empty: all IROs, whatever the link carried
    page = client.get(reverse("caseload:dashboard"), {**PERIOD, "iro_name": colleague.last_name})
    assert page.context["form"].pick.chosen == colleague
    assert f'value="{colleague.get_full_name()}"' in page.content.decode()
    everyone = client.get(reverse("caseload:dashboard"), {**PERIOD, "iro_name": "no such name"}).content.decode()
    assert "No IRO&#x27;s name holds" in everyone
    assert 'name="iro"' not in everyone  # no drop-down of every IRO


HOSTILE = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "=cmd|' /C calc'!A0"]


@pytest.mark.parametrize("value", HOSTILE)
def test_formula_like_text_is_neutralised(value):
    assert neutralise(value) == "'" + value


def test_numbers_stay_numbers_and_plain_text_stays_plain():
    assert neutralise(-3) == -3
    assert neutralise(Decimal("1.5")) == Decimal("1.5")
    assert neutralise("Alex Morgan") == "Alex Morgan"
    assert neutralise(None) == ""


def test_csv_and_xlsx_hold_hostile_text_as_text():
    rows = [[value, 1] for value in HOSTILE]
    text = csv_bytes(["Name", "Count"], rows).decode("utf-8-sig")
    parsed = list(csv.reader(io.StringIO(text)))
    assert [row[0] for row in parsed[1:]] == ["'" + value for value in HOSTILE]
    sheet = load_workbook(io.BytesIO(xlsx_bytes("T", ["Name", "Count"], rows))).active
    cells = list(sheet.iter_rows(min_row=2, values_only=False))
    assert [row[0].value for row in cells] == ["'" + value for value in HOSTILE]
    assert all(row[0].data_type == "s" for row in cells)
    assert [row[1].value for row in cells] == [1] * len(HOSTILE)


def test_dashboard_exports_neutralise_names_from_the_records(client, db):
    iro = UserFactory(username="evil", role="iro", first_name='=HYPERLINK("http://evil.example")', last_name="X")
    IROProfileFactory(user=iro, team=Team.objects.create(name="@team"))
    client.force_login(UserFactory(role="manager"))
    csv_response = client.get(reverse("caseload:dashboard_export", args=["caseload", "csv"]), PERIOD)
    assert csv_response["Content-Type"].startswith("text/csv")
    assert "'=HYPERLINK" in csv_response.content.decode("utf-8-sig")
    assert "'@team" in csv_response.content.decode("utf-8-sig")
    xlsx_response = client.get(reverse("caseload:dashboard_export", args=["caseload", "xlsx"]), PERIOD)
    sheet = load_workbook(io.BytesIO(xlsx_response.content)).active
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert any(isinstance(value, str) and value.startswith("'=HYPERLINK") for value in values)
    assert not any(isinstance(value, str) and value.startswith("=") for value in values)


def test_an_unknown_table_or_format_is_not_found(client, db):
    client.force_login(UserFactory(role="manager"))
    assert client.get(reverse("caseload:dashboard_export", args=["nothing", "csv"])).status_code == 404
    assert client.get(reverse("caseload:dashboard_export", args=["caseload", "exe"])).status_code == 404


def _queries(client, url, params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len([q for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]])


# The count is fixed whatever the data size: session (read, and saved again: the idle timeout),
# user and its roles, the page's own context (unread reminders, the filter's team list for a
# manager; the IRO is a box for part of a name, accounts.iro_picker, not a list), then the six
# report aggregates (children, reviews held with their months, FTE, escalations, reviews overdue
# and not held, My review by quarter) and one per dashboard panel (the timeliness and My review
# panels read the report's figures; the caseload per IRO is one for a past period and two, the
# IROs and the reviews due, for one that runs to today); a download adds its access-log row.
# The month-end figures (caseload.month_ends: the caseload trend's allocations, and the children
# in care for the whole authority; an IRO's in-care panel reads the allocations) cost, each, on
# the first view: the kept figures read, the advisory lock taken, the past month ends counted and
# kept; and on any later view the kept figures read; plus one count of the month ends not yet past
# when the period runs to today. "Today" is 1 May 2026: PERIOD is past, TO_DATE runs past today.
TO_DATE = {"start": "2026-04-01", "end": "2027-03-31"}
PAGES = {  # first view, later views
    "manager-dashboard": ("manager", "caseload:dashboard", PERIOD, (28, 22)),
    "manager-dashboard-to-date": ("manager", "caseload:dashboard", TO_DATE, (31, 25)),
    "iro-dashboard": ("iro", "caseload:dashboard", PERIOD, (22, 19)),
    "report-json": ("manager", "caseload:report", {**PERIOD, "format": "json"}, (11, 11)),
    "report-page": ("manager", "caseload:report", PERIOD, (14, 14)),
}


@pytest.mark.parametrize("size", [20, 90])
@pytest.mark.parametrize("case", list(PAGES))
def test_pages_run_a_fixed_number_of_queries_at_any_size(client, db, case, size):
    username, page, params, expected = PAGES[case]
    build_demo(children=size, today=date(2026, 5, 1), years=2)
    client.force_login(User.objects.get(username=username))
    with time_machine.travel(datetime(2026, 5, 1, 12, 0, tzinfo=UTC), tick=False):
        assert _queries(client, reverse(page), params) == expected[0]
        assert _queries(client, reverse(page), params) == expected[1]


def test_the_caseload_per_iro_table_is_shown_a_page_of_iros_at_a_time(client, db, monkeypatch):
    """At national scale a page listed 1,334 IROs: the dashboard shows IRO_TABLE_PAGE by name with
    links to the next and previous pages, at the same number of queries on every page; the
    downloads keep every IRO."""
    monkeypatch.setattr("caseload.dashboard.IRO_TABLE_PAGE", 2)
    build_demo(children=30, today=date(2026, 5, 1), years=2)
    client.force_login(User.objects.get(username="manager"))
    with time_machine.travel(datetime(2026, 5, 1, 12, 0, tzinfo=UTC), tick=False):
        everyone = list(
            csv.reader(
                io.StringIO(
                    client.get(reverse("caseload:dashboard_export", args=["caseload", "csv"]), PERIOD).content.decode(
                        "utf-8-sig"
                    )
                )
            )
        )
        names = [row[0] for row in everyone[1:]]
        assert len(names) > 4  # three pages at least
        seen, page, counts = [], 1, []
        while True:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(reverse("caseload:dashboard"), {**PERIOD, "iro_page": page})
            counts.append(len([q for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]))
            panel = next(p for p in response.context["panels"] if p.slug == "caseload")
            assert 1 <= len(panel.rows) <= 2
            seen += [row[0] for row in panel.rows]
            html = response.content.decode()
            if not panel.extra["paging"]["has_next"]:
                assert "Next 2 IROs" not in html
                break
            assert f"iro_page={page + 1}#caseload" in html
            page += 1
        assert seen == names  # every IRO once, in the order of the download
        assert "Previous 2 IROs" in html
        # A page past the last IRO (an old link) shows the first.
        far = client.get(reverse("caseload:dashboard"), {**PERIOD, "iro_page": 999})
        assert [row[0] for row in next(p for p in far.context["panels"] if p.slug == "caseload").rows] == names[:2]
    # Every page after the first costs the same (the first also keeps the month-end figures).
    assert len(counts) > 2
    assert len(set(counts[1:])) == 1

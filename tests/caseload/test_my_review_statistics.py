"""My review for managers (issue #18): of the reviews held in each quarter, how many the child
used My review for, chaired, asked for an advocate in, or said they did not feel safe before;
counts and shares only, on the dashboard and in the annual report (page, JSON, PDF), never the
child's words; one query at any size."""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pypdf
import pytest
import time_machine
from django.urls import reverse

from caseload.annual_report import render_report_pdf
from caseload.dashboard import Dashboard
from caseload.statistics import WHOLE_AUTHORITY, Scope, annual_report, my_review_counts, quarters
from reviews.codes import ChildChaired, ParticipationCode, ReviewSequence, ReviewStatus
from reviews.models import MyReviewResponse
from reviews.timescales import Schedule
from tests.factories import IROProfileFactory, PeriodOfCareFactory, ReviewFactory, UserFactory

pytestmark = pytest.mark.django_db

S, E = date(2025, 4, 1), date(2026, 3, 31)
TODAY = date(2026, 5, 1)
# What a child might write: none of it may reach a manager's figures.
WORDS = {
    "worries": "Zebrafinch worries about moving",
    "going_well": "Quokka football on Saturdays",
    "want_there": "Nan Marigold",
    "private_note": "Secret about Tangerine",
}


def _held(held_on, *, chair, chaired="", schedule=Schedule.REG33):
    return ReviewFactory(
        period_of_care=PeriodOfCareFactory(start=date(2024, 1, 1)),
        status=ReviewStatus.HELD,
        held_on=held_on,
        due_date=held_on,
        due_schedule=schedule,
        sequence=ReviewSequence.SUBSEQUENT,
        participation_code=ParticipationCode.PN1,
        chair=chair,
        child_chaired=chaired,
    )


def _answers(review, *, sent=None, advocate=None, unsafe=None, saved_only=False):
    answers = {**WORDS, "advocate": advocate, "chair": "all"}
    return MyReviewResponse.objects.create(
        review=review,
        advocate=advocate,
        feels_unsafe_at=unsafe,
        saved_at=sent or datetime(2025, 1, 1, tzinfo=UTC),
        submitted_at=None if saved_only else sent,
        sent_answers={} if saved_only else answers,
        **WORDS,
    )


@pytest.fixture
def iros(db):
    a = UserFactory(username="a", role="iro")
    IROProfileFactory(user=a, fte=Decimal("1.0"))
    b = UserFactory(username="b", role="iro")
    IROProfileFactory(user=b, fte=Decimal("1.0"))
    return a, b


@pytest.fixture
def authority(iros):
    a, b = iros
    # April to June: sent the day before, asked for an advocate, chaired all of it, and pressed
    # "I don't feel safe" the day before; and one with no answers, the child not chairing.
    first = _held(date(2025, 5, 20), chair=a, chaired=ChildChaired.ALL)
    _answers(first, sent=datetime(2025, 5, 19, 10, tzinfo=UTC), advocate=True, unsafe=datetime(2025, 5, 19, tzinfo=UTC))
    _held(date(2025, 6, 2), chair=a, chaired=ChildChaired.NO)
    # July to September: sent at 23:30 UTC on 10 August, 00:30 on the review day in London (counted),
    # no advocate wanted, chaired part; and answers saved but never sent, "I don't feel safe" pressed
    # the day after the review (neither counted).
    on_the_day = _held(date(2025, 8, 11), chair=b, chaired=ChildChaired.PART)
    _answers(on_the_day, sent=datetime(2025, 8, 10, 23, 30, tzinfo=UTC), advocate=False)
    never_sent = _held(date(2025, 9, 3), chair=b)
    _answers(never_sent, advocate=True, unsafe=datetime(2025, 9, 4, 9, tzinfo=UTC), saved_only=True)
    # October to December: sent at 00:30 London time the day after the review (recorded late): not
    # counted, and so neither is the advocate it asked for.
    late = _held(date(2025, 11, 9), chair=a)
    _answers(late, sent=datetime(2025, 11, 10, 0, 30, tzinfo=UTC), advocate=True)
    # January to March: one held review, nothing recorded; a short-break review (reg 48) with
    # answers, never counted; a review not yet held with answers sent.
    _held(date(2026, 2, 10), chair=b)
    short_break = _held(date(2026, 2, 11), chair=a, chaired=ChildChaired.ALL, schedule=Schedule.REG48)
    _answers(short_break, sent=datetime(2026, 2, 1, tzinfo=UTC), advocate=True)
    not_held = ReviewFactory(status=ReviewStatus.DUE, due_date=date(2026, 3, 20), chair=a)
    _answers(not_held, sent=datetime(2026, 3, 1, tzinfo=UTC), advocate=True)
    # Held before the period (March 2025): not counted.
    before = _held(date(2025, 3, 28), chair=a, chaired=ChildChaired.ALL)
    _answers(before, sent=datetime(2025, 3, 20, tzinfo=UTC), advocate=True)
    return a, b


def _at(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 12, 0, tzinfo=UTC), tick=False)


def _quarter(start, end, held, used, chaired, advocate, not_safe):
    counts = {"used": used, "chaired": chaired, "advocate": advocate, "not_safe": not_safe}
    row = {"start": start, "end": end, "held": held}
    for name, n in counts.items():
        row[name] = n
        row[f"{name}_pct"] = round(n * 100 / held, 1) if held else None
    return row


def test_each_measure_is_counted_by_the_quarter_the_review_was_held_in(authority):
    figures = annual_report(start=S, end=E, today=TODAY)["my_review"]
    assert figures["quarters"] == [
        _quarter("2025-04-01", "2025-06-30", 2, 1, 1, 1, 1),
        _quarter("2025-07-01", "2025-09-30", 2, 1, 1, 0, 0),
        _quarter("2025-10-01", "2025-12-31", 1, 0, 0, 0, 0),
        _quarter("2026-01-01", "2026-03-31", 1, 0, 0, 0, 0),
    ]
    whole = {key: value for key, value in figures.items() if key != "quarters"}
    assert whole == {
        "held": 6,
        "used": 2,
        "used_pct": 33.3,
        "chaired": 2,
        "chaired_pct": 33.3,
        "advocate": 1,
        "advocate_pct": 16.7,
        "not_safe": 1,
        "not_safe_pct": 16.7,
    }


def test_an_iro_sees_only_the_reviews_they_chaired(authority):
    _a, b = authority
    figures = annual_report(start=S, end=E, today=TODAY, scope=Scope((b.pk,), "b"))["my_review"]
    assert (figures["held"], figures["used"], figures["chaired"], figures["advocate"]) == (3, 1, 1, 0)


def test_a_period_cut_mid_quarter_gives_its_days_and_stops_at_today(authority):
    # From 15 May, reported to date on 20 August 2025: two part quarters.
    with _at(date(2025, 8, 20)):
        board = Dashboard(start=date(2025, 5, 15), end=E, today=date(2025, 8, 20), scope=WHOLE_AUTHORITY)
        panel = board.my_review_panel()
    assert [row[:4] for row in panel.rows] == [
        ["15 May–30 Jun 2025", 2, 1, 50.0],
        ["1 Jul–20 Aug 2025 (to date)", 1, 1, 100.0],
        ["Whole period", 3, 2, 66.7],
    ]


def test_quarters_are_the_report_years_quarters():
    assert quarters(date(2025, 4, 1), date(2026, 3, 31)) == [
        date(2025, 4, 1),
        date(2025, 7, 1),
        date(2025, 10, 1),
        date(2026, 1, 1),
    ]
    assert quarters(date(2025, 6, 30), date(2025, 7, 1)) == [date(2025, 4, 1), date(2025, 7, 1)]


def test_a_quarter_with_no_review_held_has_no_share(iros):
    figures = annual_report(start=S, end=E, today=TODAY)["my_review"]
    assert figures["held"] == 0
    assert figures["used_pct"] is None
    assert all(quarter["held"] == 0 and quarter["not_safe_pct"] is None for quarter in figures["quarters"])


def test_the_dashboard_shows_counts_and_shares_by_quarter_and_never_the_words(client, authority):
    client.force_login(UserFactory(role="manager"))
    with _at(TODAY):
        page = client.get(reverse("caseload:dashboard"), {"start": S, "end": E}).content.decode()
        exported = client.get(reverse("caseload:dashboard_export", args=["my_review", "csv"]), {"start": S, "end": E})
    section = page.split('id="my_review"', 1)[1].split("</section>", 1)[0]
    assert "<caption" in section
    assert '<th scope="col">% not safe</th>' in section
    assert '<th scope="row">Apr–Jun 2025</th><td>2</td><td>1</td><td>50.0</td>' in section
    assert '<th scope="row">Whole period</th><td>6</td><td>2</td><td>33.3</td><td>2</td><td>33.3</td>' in section
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Quarter", "Reviews held", "Used My review"]
    assert rows[-1] == ["Whole period", "6", "2", "33.3", "2", "33.3", "1", "16.7", "1", "16.7"]
    for text in (page, exported.content.decode("utf-8-sig")):
        for words in WORDS.values():
            assert words not in text
        assert "Marigold" not in text


def test_the_annual_report_shows_the_figures_in_its_participation_section_and_never_the_words(client, authority):
    client.force_login(UserFactory(role="manager"))
    with _at(TODAY):
        page = client.get(reverse("caseload:report"), {"start": S, "end": E}).content.decode()
        json_text = client.get(reverse("caseload:report"), {"start": S, "end": E, "format": "json"}).content.decode()
    assert "Participation: My review, the child&#x27;s say before the review" in page
    assert "The child used My review (%)</th><td>33.3<" in page
    assert "The child said they did not feel safe (%)</th><td>16.7<" in page
    table = page.split('id="my-review-heading"', 1)[1].split("</section>", 1)[0]
    assert '<th scope="row">Jul–Sep 2025</th><td>2</td><td>1</td><td>50.0</td><td>1</td><td>50.0</td>' in table
    text = _pdf_text()
    assert "My review: the child's say, by quarter" in text
    assert "Before 2 of the 6 reviews held (33.3%), the child told their IRO" in text
    assert "in 1 (16.7%) they asked for an advocate" in text
    assert "Jul–Sep 2025 2 1 50.0 1 50.0 0 0.0 0 0.0" in text
    assert "Whole period 6 2 33.3 2 33.3 1 16.7 1 16.7" in text
    for shown in (page, json_text, text):
        for words in WORDS.values():
            assert words not in shown
        assert "Marigold" not in shown


def _pdf_text() -> str:
    reader = pypdf.PdfReader(io.BytesIO(render_report_pdf(start=S, end=E, today=TODAY)))
    return "\n".join(" ".join(page.extract_text().split()) for page in reader.pages)


@pytest.mark.parametrize("reviews", [3, 30])
def test_one_query_whatever_the_number_of_reviews(iros, reviews, django_assert_num_queries):
    a, _b = iros
    for i in range(reviews):
        review = _held(date(2025, 4 + i % 12, 1) if i % 12 < 9 else date(2026, i % 12 - 8, 1), chair=a)
        _answers(review, sent=datetime(2025, 4, 1, tzinfo=UTC), advocate=i % 2 == 0)
    with django_assert_num_queries(1):
        counts = my_review_counts(start=S, end=E)
    assert sum(counts[f"q{i}_held"] for i in range(4)) == reviews
    assert sum(counts[f"q{i}_used"] for i in range(4)) == reviews

"""The report definitions (docs/domain.md, "Report definitions"), each against a small authority
worked out by hand: short-break-only children and their reviews, timeliness pooled and month on
month, reviews overdue and not held, children whose every review was in time, outcomes and minutes
not yet due, PN4, escalations raised / taken to management / resolved (one definition with the QA
report), children per FTE on either basis, and the report period (the last complete year by default;
"to date" stops at today)."""

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from io import BytesIO

import pypdf
import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.urls import reverse

from audits.codes import EscalationOutcome, EscalationStage, EscalationTheme
from audits.selectors import quarterly_qa_report
from audits.services import escalation_close, escalation_move, escalation_raise
from caseload.annual_report import REPORT_SECTIONS, render_report_pdf, report_context
from caseload.dashboard import Dashboard
from caseload.definitions import FIGURE_LABELS, caseload_basis, definitions, last_complete_report_year
from caseload.statistics import WHOLE_AUTHORITY, Scope, annual_report
from children.codes import AllocationKind, LegalStatus, ReasonNewEpisode
from children.models import Allocation
from reviews.codes import ParticipationCode, ReviewSequence, ReviewStatus
from reviews.timescales import Schedule, minutes_due, outcomes_due
from tests.factories import (
    ChildFactory,
    EpisodeFactory,
    IROProfileFactory,
    PeriodOfCareFactory,
    ReviewFactory,
    UserFactory,
)

S, E = date(2025, 4, 1), date(2026, 3, 31)
TODAY = date(2026, 5, 1)


def _held(period, held_on, due_date, code, chair, **extra):
    return ReviewFactory(
        period_of_care=period,
        status=ReviewStatus.HELD,
        held_on=held_on,
        due_date=due_date,
        due_schedule=extra.pop("due_schedule", Schedule.REG33),
        sequence=ReviewSequence.SUBSEQUENT,
        participation_code=code,
        chair=chair,
        outcomes_due_on=outcomes_due(held_on),
        minutes_due_on=minutes_due(held_on),
        **extra,
    )


def _in_care(start, *, end=None, status=LegalStatus.C2, iro=None, allocated=True):
    child = ChildFactory(date_of_birth=date(2012, 1, 1))
    fields = {"end": end, "reason_ended": "E13"} if end else {}
    period = PeriodOfCareFactory(child=child, start=start, **fields)
    EpisodeFactory(period_of_care=period, legal_status=status, **fields)
    if allocated:
        Allocation.objects.create(child=child, iro=iro, kind=AllocationKind.CASE_HOLDING, start=start)
    return child, period


@pytest.fixture
def authority(db):
    a = UserFactory(username="a", role="iro")
    IROProfileFactory(user=a, fte=Decimal("1.0"))
    b = UserFactory(username="b", role="iro")
    IROProfileFactory(user=b, fte=Decimal("0.25"))

    # a, b, c: looked after throughout, on a care order.
    child_a, pa = _in_care(date(2024, 1, 1), iro=a)
    _child_b, pb = _in_care(date(2024, 1, 1), iro=a)
    _child_c, pc = _in_care(date(2024, 1, 1), iro=b)
    # d: came into care in the period. e: left care on 30 September 2025.
    _child_d, pd = _in_care(date(2025, 5, 1), iro=a)
    _child_e, pe = _in_care(date(2025, 2, 1), end=date(2025, 9, 30), iro=a)

    # May: one review, a day late. June: three in time. Pooled 3/4 = 75%; month on month (0 + 100) / 2 = 50%.
    _held(pa, date(2025, 5, 10), date(2025, 5, 9), ParticipationCode.PN1, a)
    _held(pb, date(2025, 6, 10), date(2025, 6, 30), ParticipationCode.PN1, a, minutes_issued_on=date(2025, 6, 20))
    _held(pc, date(2025, 6, 11), date(2025, 6, 30), ParticipationCode.PN7, b)
    _held(pd, date(2025, 6, 12), date(2025, 6, 13), ParticipationCode.PN4, a)  # attends, conveys no view
    # Held on Friday 20 March 2026 with no due date known: outcomes due Friday 27 March (issued on
    # the 25th, in time); minutes due in April, after the period: not yet due.
    late_minutes = _held(pd, date(2026, 3, 20), None, ParticipationCode.PN5, a, outcomes_issued_on=date(2026, 3, 25))
    assert late_minutes.minutes_due_on > E

    # Overdue and not held at the end: c's review due 15 January 2026 (never held), and a's due
    # 25 March 2026 but held on 10 April. Not counted: e's review due after e left care, and a
    # review marked not needed.
    ReviewFactory(period_of_care=pc, status=ReviewStatus.DUE, due_date=date(2026, 1, 15))
    _held(pa, date(2026, 4, 10), date(2026, 3, 25), ParticipationCode.PN1, a)
    ReviewFactory(period_of_care=pe, status=ReviewStatus.DUE, due_date=date(2025, 10, 15))
    ReviewFactory(period_of_care=pb, status=ReviewStatus.CANCELLED, due_date=date(2025, 8, 1))

    # s: looked after only on short breaks (V3), a break in June and one running over the last day,
    # with a short-break review (reg 48) in September.
    child_s = ChildFactory(date_of_birth=date(2015, 1, 1))
    ps1 = PeriodOfCareFactory(child=child_s, start=date(2025, 6, 1), end=date(2025, 6, 3), reason_ended="E4A")
    EpisodeFactory(period_of_care=ps1, legal_status=LegalStatus.V3, end=date(2025, 6, 3), reason_ended="E4A")
    ps2 = PeriodOfCareFactory(child=child_s, start=date(2026, 3, 30))
    EpisodeFactory(period_of_care=ps2, legal_status=LegalStatus.V3)
    Allocation.objects.create(child=child_s, iro=a, kind=AllocationKind.CASE_HOLDING, start=date(2025, 6, 1))
    _held(
        ps1, date(2025, 9, 1), date(2025, 9, 1), ParticipationCode.PN1, a, due_schedule=Schedule.REG48
    )  # fmt: skip
    # m: on a short break on the first day, then a care order from 5 April in the same period.
    child_m = ChildFactory(date_of_birth=date(2014, 1, 1))
    pm = PeriodOfCareFactory(child=child_m, start=date(2025, 3, 30))
    EpisodeFactory(period_of_care=pm, legal_status=LegalStatus.V3, end=date(2025, 4, 5), reason_ended="X1")
    EpisodeFactory(
        period_of_care=pm, start=date(2025, 4, 5), legal_status=LegalStatus.C2,
        reason_new_episode=ReasonNewEpisode.LEGAL_STATUS,
    )  # fmt: skip
    Allocation.objects.create(child=child_m, iro=b, kind=AllocationKind.CASE_HOLDING, start=date(2025, 3, 30))

    def raised(on):
        return escalation_raise(
            child=child_a, raised_by=a, raised_on=on, theme=EscalationTheme.PEP_NOT_COMPLETED, concern="No PEP."
        )

    # 1 May: stayed informal with the social worker, resolved. 1 July: to the team manager on 10 July.
    # 1 March 2026: to the team manager and resolved only after the period. Raised before it, resolved in it.
    informal = raised(date(2025, 5, 1))
    escalation_close(
        escalation=informal, outcome=EscalationOutcome.RESOLVED, on=date(2025, 5, 20), closed_by=a, how="Done."
    )
    escalation_move(
        escalation=raised(date(2025, 7, 1)), to_stage=EscalationStage.INFORMAL_TEAM_MANAGER, on=date(2025, 7, 10),
        moved_by=a,
    )  # fmt: skip
    late = raised(date(2026, 3, 1))
    escalation_move(escalation=late, to_stage=EscalationStage.INFORMAL_TEAM_MANAGER, on=date(2026, 4, 5), moved_by=a)
    escalation_close(
        escalation=late, outcome=EscalationOutcome.RESOLVED, on=date(2026, 4, 20), closed_by=a, how="Done."
    )
    before = raised(date(2025, 3, 1))
    escalation_close(
        escalation=before, outcome=EscalationOutcome.RESOLVED, on=date(2025, 4, 10), closed_by=a, how="Done."
    )
    return {"a": a, "b": b}


def _report(**kwargs):
    return annual_report(start=S, end=E, today=TODAY, **kwargs)


def test_short_break_only_children_are_on_their_own_line(authority):
    looked = _report()["looked_after"]
    # At the start: a, b, c, e (m on a break). At the end: a, b, c, d, m (s on a break).
    # During: a, b, c, d, e, m; s only had breaks.
    assert looked == {"at_start": 4, "at_end": 5, "during": 6, "short_breaks_only": 1, "throughout": 3}


def test_short_break_reviews_enter_no_reg_33_figure(authority):
    reviews = _report()["reviews"]
    assert reviews["short_break_reviews_held"] == 1
    assert reviews["held"] == 5  # a, b, c, d (twice): not s's
    assert reviews["on_clock"] == 4


def test_timeliness_pooled_and_month_on_month(authority):
    reviews = _report()["reviews"]
    assert (reviews["in_timescale"], reviews["in_timescale_pct"]) == (3, 75.0)
    assert reviews["in_timescale_month_on_month_pct"] == 50.0


def test_reviews_overdue_and_not_held_and_children_with_every_review_in_time(authority):
    reviews = _report()["reviews"]
    assert reviews["overdue_not_held"] == 2  # c's, never held; a's, held after the end
    # Of a, b, c (throughout): a had a late review, c one never held; b's were all in time.
    assert (reviews["children_all_in_time"], reviews["children_all_in_time_pct"]) == (1, 33.3)


def test_outcomes_and_minutes_count_only_reviews_whose_deadline_passed(authority):
    documents = _report()["documents"]
    assert documents == {
        "outcomes_on_time_pct": 20.0,  # 1 of 5
        "minutes_on_time_pct": 25.0,  # b's, of 4: the review of 20 March is not yet due
        "outcomes_on_time": 1,
        "outcomes_due": 5,
        "outcomes_not_yet_due": 0,
        "minutes_on_time": 1,
        "minutes_due": 4,
        "minutes_not_yet_due": 1,
    }


def test_pn4_is_not_participation_and_is_shown_on_its_own(authority):
    participation = _report()["participation"]
    assert participation["PN4"] == participation["attended_no_view"] == 1
    assert (participation["participated"], participation["participated_pct"]) == (3, 60.0)  # PN1 ×2, PN5


def test_escalations_raised_taken_to_management_and_resolved(authority):
    assert _report()["escalations"] == {
        "raised": 3,
        "resolved": 1,  # the informal one; the one resolved after the end was open at it
        "formal_dispute_resolution": 0,
        "escalated_to_management": 1,  # the July one; March's reached the team manager after the end
    }


def test_the_qa_report_counts_resolved_escalations_as_the_annual_report_does(authority):
    qa = dict(quarterly_qa_report(start=S, end=E)["escalations_by_outcome"])
    assert qa == {"Open": 2, "Resolved": 1, "Withdrawn": 0}
    assert qa["Resolved"] == _report()["escalations"]["resolved"]


def test_children_per_fte_in_post(authority):
    caseload = _report()["caseload"]
    assert caseload == {"iro_fte": 1.25, "children_per_fte": 4.0, "basis": "fte", "funded_posts": None}
    words = dict(definitions())
    assert "IRO_CASELOAD_BASIS = fte" in words["Children per FTE (against FTE in post)"]


@override_settings(IRO_CASELOAD_BASIS="funded_posts", IRO_FUNDED_POSTS="2")
def test_children_per_fte_against_funded_posts(authority):
    caseload = _report()["caseload"]
    assert caseload == {"iro_fte": 1.25, "children_per_fte": 2.5, "basis": "funded_posts", "funded_posts": 2.0}
    words = dict(definitions())["Children per FTE (against funded posts)"]
    assert "2 funded full-time IRO posts" in words
    # One IRO's figures have no funded-post figure: their own FTE.
    own = annual_report(start=S, end=E, today=TODAY, scope=Scope((authority["a"].pk,), "a"))["caseload"]
    assert (own["basis"], own["iro_fte"]) == ("fte", 1.0)


@pytest.mark.parametrize(
    ("basis", "posts", "message"),
    [
        ("headcount", "", 'use "fte" or "funded_posts"'),
        ("funded_posts", "", "set IRO_FUNDED_POSTS"),
        ("funded_posts", "four", "give the number of funded posts"),
        ("fte", "-1", "give the number of funded posts"),
    ],
)
def test_a_wrong_caseload_setting_says_what_to_set(basis, posts, message):
    with (
        override_settings(IRO_CASELOAD_BASIS=basis, IRO_FUNDED_POSTS=posts),
        pytest.raises(ImproperlyConfigured, match=message),
    ):
        caseload_basis()


def test_the_dashboard_leaves_short_breaks_out_of_month_ends(authority):
    board = Dashboard(start=S, end=E, today=TODAY, scope=WHOLE_AUTHORITY)
    in_care = dict(board.in_care().rows)
    assert in_care["Jun 2025"] == 6  # a, b, c, d, e, m: s's June break had ended on the 3rd
    assert in_care["Mar 2026"] == 5  # s is on a break, e has left
    timeliness = {row[0]: row[1:] for row in board.timeliness().rows}
    assert timeliness["Sep 2025"] == [0, 0, None]  # s's short-break review is not a reg 33 review
    assert timeliness["May 2025"] == [1, 0, 0.0]
    legal = {row[0][:2]: row[1] for row in board.legal_status().rows}
    assert legal == {"C2": 5}  # s's V3 is not counted as looked after


# --- The period ------------------------------------------------------------------------------


def test_the_last_complete_report_year():
    assert last_complete_report_year(date(2026, 11, 28)) == (date(2025, 4, 1), date(2026, 3, 31))
    assert last_complete_report_year(date(2026, 3, 31)) == (date(2024, 4, 1), date(2025, 3, 31))
    assert last_complete_report_year(date(2026, 4, 1)) == (date(2025, 4, 1), date(2026, 3, 31))


def _at(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 12, 0, tzinfo=UTC), tick=False)


def test_the_report_page_opens_on_the_last_complete_year_and_the_dashboard_on_this_year_to_date(client, authority):
    with _at(date(2026, 11, 28)):
        client.force_login(UserFactory(role="manager"))
        report = client.get(reverse("caseload:report")).content.decode()
        dashboard = client.get(reverse("caseload:dashboard")).content.decode()
    assert 'data-testid="report-period">1 April 2025 to 31 March 2026</p>' in report
    assert "1 April 2026 to 28 November 2026 (to date: the period runs to 31 March 2027)" in dashboard


def test_the_report_page_shows_every_figure_in_words_and_no_key(client, authority):
    with _at(TODAY):
        client.force_login(UserFactory(role="manager"))
        page = client.get(reverse("caseload:report"), {"start": S, "end": E}).content.decode()
        figures = client.get(reverse("caseload:report"), {"start": S, "end": E, "format": "json"}).json()
    keys = set()

    def walk(value):
        for key, inner in value.items():
            keys.add(key)
            if isinstance(inner, dict):
                walk(inner)

    walk(figures)
    body = page.split("<main", 1)[1]
    shown = [key for key in keys if "_" in key and key in body]
    assert shown == []
    for _caption, paths in REPORT_SECTIONS:
        for path in paths:
            if path != "caseload.funded_posts":  # shown only when the authority sets funded posts
                assert FIGURE_LABELS[path].replace("'", "&#x27;") in body, path
    assert "Children on short breaks only (not counted above)</th><td>1<" in body
    assert "Held in timescale, month on month (%)</th><td>50.0<" in body
    assert "Held in timescale, pooled over the period (%)</th><td>75.0<" in body


def test_a_period_reaching_past_today_stops_at_today(client, authority):
    with _at(date(2025, 11, 28)):
        client.force_login(UserFactory(role="manager"))
        page = client.get(reverse("caseload:report"), {"start": S, "end": E}).content.decode()
        figures = client.get(reverse("caseload:report"), {"start": S, "end": E, "format": "json"}).json()
        dashboard = client.get(reverse("caseload:dashboard"), {"start": S, "end": E}).content.decode()
    assert figures["period"] == {"start": "2025-04-01", "end": "2025-11-28", "to_date": True, "asked_end": "2026-03-31"}
    assert "1 April 2025 to 28 November 2025 (to date: the period runs to 31 March 2026)" in page
    for month in ("Dec 2025", "Jan 2026", "Feb 2026", "Mar 2026"):
        assert month not in dashboard, month
    assert "28 Nov 2025 (to date)" in dashboard  # the in-care and caseload series end today
    assert "Nov 2025 (to date)" in dashboard  # the month in progress in the timeliness table


def test_a_period_not_started_is_refused_with_the_reason(client, authority):
    with _at(date(2025, 11, 28)):
        client.force_login(UserFactory(role="manager"))
        page = client.get(reverse("caseload:report"), {"start": "2026-04-01", "end": "2027-03-31"}).content.decode()
    assert "The period starts after today: nothing has happened in it yet." in page
    assert "Showing the last complete report year instead." in page


def _pdf_text(**kwargs) -> str:
    reader = pypdf.PdfReader(BytesIO(render_report_pdf(start=S, end=E, **kwargs)))
    return "\n".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_the_pdf_of_a_past_year_has_no_future_month_and_no_reviews_due_columns(authority):
    text = _pdf_text(today=date(2026, 11, 28))
    assert not re.search(
        r"Reviews due (January|February|March|April|May|June|July|August|September|October|"
        r"November|December)",
        text,
    )  # no "this month" in a past year
    assert "Apr 2026" not in text
    assert "Nov 2026" not in text
    for key in ("participated_pct", "in_timescale", "short_breaks_only", "attended_no_view"):
        assert key not in text, key


def test_the_pdf_of_a_year_in_progress_stops_at_today(authority):
    text = _pdf_text(today=date(2025, 11, 28))
    assert "to 28 November 2025 (to date)" in text
    assert "Dec 2025" not in text
    assert "Mar 2026" not in text
    assert "Reviews due November" in text
    assert "Reviews due December" in text  # as of today


def test_the_report_context_names_the_period_asked_for(authority):
    context = report_context(start=S, end=E, today=date(2025, 11, 28))
    assert (context["end"], context["asked_end"], context["to_date"]) == (date(2025, 11, 28), E, True)

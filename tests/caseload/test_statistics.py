"""The annual report's figures against a hand-built authority whose answers are worked out by
hand, including the edges: a period that starts on the report's first day or ends on
its last, a child who leaves and comes back, a review held on its due date and one a day late,
PN0 the day before the fourth birthday, a visit on the previous review's day."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import Team
from audits.codes import EscalationOutcome, EscalationStage, EscalationTheme, RatingScheme
from audits.models import Escalation, MonitoringForm
from caseload.dashboard import Dashboard
from caseload.statistics import WHOLE_AUTHORITY, Scope, annual_report, percentage, scope_for
from children.ages import age_on, latest_birth_date_for_age
from children.codes import AllocationKind, LegalStatus
from children.models import Allocation
from reviews.codes import ParticipationCode, ReviewSequence, ReviewStatus
from reviews.facts import review_facts_refresh
from reviews.models import Visit
from reviews.timescales import minutes_due, outcomes_due
from tests.factories import (
    ChildFactory,
    EpisodeFactory,
    IROProfileFactory,
    ManagerFactory,
    PeriodOfCareFactory,
    ReviewFactory,
    UserFactory,
)

S, E = date(2025, 4, 1), date(2026, 3, 31)


def _held(period, *, held_on, due_date, sequence, code, chair, **extra):
    return ReviewFactory(
        period_of_care=period,
        status=ReviewStatus.HELD,
        held_on=held_on,
        due_date=due_date,
        sequence=sequence,
        participation_code=code,
        chair=chair,
        outcomes_due_on=outcomes_due(held_on),
        minutes_due_on=minutes_due(held_on),
        **extra,
    )


@pytest.fixture
def authority(db):
    """Seven children, eight reviews (six in the period), four escalations, three IROs."""
    team = Team.objects.create(name="North")
    a = UserFactory(username="a", role="iro")
    IROProfileFactory(user=a, fte=Decimal("1.0"), team=team)
    b = UserFactory(username="b", role="iro")
    IROProfileFactory(user=b, fte=Decimal("0.5"))
    c = UserFactory(username="c", role="iro")
    IROProfileFactory(user=c, fte=Decimal("0.8"), active_to=date(2026, 3, 30))  # left the day before the end

    # 1: comes into care on the report's first day.
    child1 = ChildFactory(date_of_birth=date(2010, 5, 1))
    p1 = PeriodOfCareFactory(child=child1, start=S)
    EpisodeFactory(period_of_care=p1, legal_status=LegalStatus.C2)  # MK9 3EJ to NN1 1DE: 15 miles
    # 2: leaves care on the report's last day; four on 15 June 2025.
    child2 = ChildFactory(date_of_birth=date(2021, 6, 15))
    p2 = PeriodOfCareFactory(child=child2, start=date(2024, 1, 10), end=E, reason_ended="E11")
    # 3: leaves and comes back; sixteen on the last day.
    child3 = ChildFactory(date_of_birth=date(2010, 3, 31))
    p3a = PeriodOfCareFactory(child=child3, start=date(2023, 5, 1), end=date(2025, 6, 30), reason_ended="E11")
    p3b = PeriodOfCareFactory(child=child3, start=date(2025, 10, 1))
    EpisodeFactory(period_of_care=p3b, legal_status=LegalStatus.V2, placement_postcode="EX1 1UR")  # 150 miles
    # 4: left the day before the period; 5: left on its first day; 6: came in the day after.
    child4 = ChildFactory()
    p4 = PeriodOfCareFactory(child=child4, start=date(2022, 1, 1), end=date(2025, 3, 31), reason_ended="E11")
    child5 = ChildFactory()
    p5 = PeriodOfCareFactory(child=child5, start=date(2024, 6, 1), end=S, reason_ended="E11")
    child6 = ChildFactory()
    p6 = PeriodOfCareFactory(child=child6, start=date(2026, 4, 1))
    # 7: came in on the last day, aged 3.
    child7 = ChildFactory(date_of_birth=date(2022, 4, 1))
    p7 = PeriodOfCareFactory(child=child7, start=E)
    EpisodeFactory(period_of_care=p7, legal_status=LegalStatus.C1, placement_postcode="ZZ9 9ZZ")  # not known

    for child, iro, start, end in [
        (child1, a, S, None),
        (child2, b, date(2024, 1, 10), date(2025, 8, 1)),
        (child2, a, date(2025, 8, 2), E),
        (child3, a, date(2023, 5, 1), None),
        (child5, b, date(2024, 6, 1), S),
        (child7, b, E, None),
    ]:
        Allocation.objects.create(child=child, iro=iro, kind=AllocationKind.CASE_HOLDING, start=start, end=end)

    reviews = {
        # Held exactly on its due date; visited on the day the period began; outcomes on the
        # last day allowed, minutes a day late.
        "r1": _held(
            p1, held_on=date(2025, 4, 29), due_date=date(2025, 4, 29), sequence=ReviewSequence.FIRST,
            code=ParticipationCode.PN1, chair=a, parents_participated=True,
            outcomes_issued_on=outcomes_due(date(2025, 4, 29)),
            minutes_issued_on=date.fromordinal(minutes_due(date(2025, 4, 29)).toordinal() + 1),
        ),
        # A day late; the only visit since the first review was on that review's own day.
        "r2": _held(
            p1, held_on=date(2025, 7, 30), due_date=date(2025, 7, 29), sequence=ReviewSequence.SECOND,
            code=ParticipationCode.PN7, chair=b,
        ),
        # The previous review (before the period) came before the visit.
        "r0": _held(
            p3a, held_on=date(2025, 1, 1), due_date=date(2025, 1, 2), sequence=ReviewSequence.SECOND,
            code=ParticipationCode.PN1, chair=a,
        ),
        "r3": _held(
            p3a, held_on=date(2025, 5, 15), due_date=date(2025, 6, 1), sequence=ReviewSequence.SUBSEQUENT,
            code=ParticipationCode.PN5, chair=a, parents_participated=True,
            outcomes_issued_on=date.fromordinal(outcomes_due(date(2025, 5, 15)).toordinal() + 1),
        ),
        # PN0 the day before the fourth birthday.
        "r4": _held(
            p2, held_on=date(2025, 6, 14), due_date=date(2025, 7, 1), sequence=ReviewSequence.SUBSEQUENT,
            code=ParticipationCode.PN0, chair=b, parents_participated=False, outcomes_issued_on=date(2025, 6, 16),
        ),
        # On the last day, with no due date known (not on the clock).
        "r5": _held(
            p2, held_on=E, due_date=None, sequence=ReviewSequence.SUBSEQUENT, code=ParticipationCode.PN6, chair=a
        ),
        # On the first day, the day the child left care.
        "r8": _held(
            p5, held_on=S, due_date=date(2025, 4, 5), sequence=ReviewSequence.FIRST, code=ParticipationCode.PN1,
            chair=a, outcomes_issued_on=S, minutes_issued_on=minutes_due(S),
        ),
        # Outside the period: the day before and the day after.
        "r6": _held(
            p4, held_on=date(2025, 3, 31), due_date=date(2025, 4, 1), sequence=ReviewSequence.FIRST,
            code=ParticipationCode.PN1, chair=a,
        ),
        "r7": _held(
            p6, held_on=date(2026, 4, 1), due_date=date(2026, 4, 29), sequence=ReviewSequence.FIRST,
            code=ParticipationCode.PN1, chair=a,
        ),
    }  # fmt: skip
    ReviewFactory(period_of_care=p3b, status=ReviewStatus.DUE, due_date=date(2025, 10, 29))  # not held: not counted

    visits = [(child1, S), (child1, date(2025, 4, 29)), (child3, date(2025, 5, 10)), (child5, date(2025, 3, 20))]
    for child, day in visits:
        Visit.objects.create(child=child, iro=a, visited_on=day)
    review_facts_refresh()  # the rows above are written directly, not by the services that store the facts

    for review in (reviews["r2"], reviews["r4"]):
        MonitoringForm.objects.create(
            review=review, completed_by=a, completed_on=review.held_on, scheme=RatingScheme.OFSTED_4
        )

    def escalation(raised_on, raised_by, **fields):
        fields.setdefault("stage", EscalationStage.INFORMAL_SOCIAL_WORKER)
        return Escalation.objects.create(
            child=child1, raised_by=raised_by, raised_on=raised_on, theme=EscalationTheme.PEP_NOT_COMPLETED,
            concern="PEP missing", **fields,
        )  # fmt: skip

    escalation(date(2025, 5, 1), a, outcome=EscalationOutcome.RESOLVED, closed_on=date(2025, 6, 1), resolution="Done")
    escalation(date(2025, 3, 1), a, outcome=EscalationOutcome.RESOLVED, closed_on=date(2025, 4, 2), resolution="Done")
    escalation(date(2025, 12, 1), b, formal_started_on=date(2026, 1, 5), stage=EscalationStage.FORMAL_SERVICE_MANAGER)
    escalation(date(2026, 4, 1), a)
    return {"a": a, "b": b, "c": c, "team": team, "reviews": reviews, "child2": child2}


def test_the_pn0_review_is_valid_data_the_day_before_the_fourth_birthday(authority):
    review = authority["reviews"]["r4"]
    assert age_on(authority["child2"].date_of_birth, review.held_on) == 3
    review.full_clean()


def test_every_figure_of_the_report_for_the_whole_authority(authority):
    report = annual_report(start=S, end=E, today=date(2026, 5, 1))
    assert report == {
        "period": {"start": "2025-04-01", "end": "2026-03-31", "to_date": False, "asked_end": "2026-03-31"},
        # at the start: 1 (came in that day), 2, 3; at the end: 1, 3 (back), 7 (came in that day);
        # during: 1, 2, 3 (once, though two periods), 5 (left on the first day); throughout: 1 only
        # (2 left on the last day, 3 had a gap, 7 came in on the last day).
        "looked_after": {"at_start": 3, "at_end": 3, "during": 4 + 1, "short_breaks_only": 0, "throughout": 1},
        # held: r1, r2, r3, r4, r5, r8; on the clock: all but r5; in timescale: r1 (on the day), r3, r4, r8.
        # Month on month: April 2/2, May 1/1, June 1/1, July 0/1 (r2), March no review on the clock:
        # (100 + 100 + 100 + 0) / 4 = 75.0, against 4/5 = 80.0 pooled.
        # Overdue and not held: child 3's review due 29 October 2025. Child 1, the only child looked
        # after throughout, had r2 a day late: none of 1 had every review in time.
        "reviews": {
            "held": 6, "in_timescale": 4, "in_timescale_pct": 80.0, "first": 2, "second": 1, "subsequent": 3,
            "on_clock": 5, "in_timescale_month_on_month_pct": 75.0, "overdue_not_held": 1,
            "children_all_in_time": 0, "children_all_in_time_pct": 0.0, "short_break_reviews_held": 0,
        },
        "participation": {
            "PN0": 1, "PN1": 2, "PN2": 0, "PN3": 0, "PN4": 0, "PN5": 1, "PN6": 1, "PN7": 1,
            "participated": 4, "participated_pct": 66.7, "participated_pct_aged_4_plus": 80.0,
            "attended_no_view": 0,
        },
        # visits before r1 (on the period's first day), r3 (after the previous review), r8.
        "pre_review_visits_pct": 50.0,
        "parents_participated_pct": 33.3,
        "monitoring_forms": {"completed": 2, "completed_pct": 33.3},
        # r5, held on the last day, has both deadlines after it: not yet due. Of the other five,
        # outcomes on time: r1 (last day allowed), r4, r8; minutes: r8 only (r1's a day late).
        "documents": {
            "outcomes_on_time_pct": 60.0, "minutes_on_time_pct": 20.0,
            "outcomes_on_time": 3, "outcomes_due": 5, "outcomes_not_yet_due": 1,
            "minutes_on_time": 1, "minutes_due": 5, "minutes_not_yet_due": 1,
        },
        # IRO c left the day before the end.
        "caseload": {"iro_fte": 1.5, "children_per_fte": 2.0, "basis": "fte", "funded_posts": None},
        # Raised in the period: 1 May (resolved 1 June) and 1 December (at service manager, with no
        # stage history: its stage counts). The one raised in March and resolved in April is not
        # among those raised in the period.
        "escalations": {
            "raised": 2, "resolved": 1, "formal_dispute_resolution": 1, "escalated_to_management": 1,
        },
        # No child used My review or chaired: only each quarter's reviews held (April to June r1,
        # r2, r3, r4; July r8; none October to December; March r5).
        "my_review": {
            **_no_my_review(6),
            "quarters": [
                {"start": "2025-04-01", "end": "2025-06-30", **_no_my_review(4)},
                {"start": "2025-07-01", "end": "2025-09-30", **_no_my_review(1)},
                {"start": "2025-10-01", "end": "2025-12-31", **_no_my_review(0)},
                {"start": "2026-01-01", "end": "2026-03-31", **_no_my_review(1)},
            ],
        },
    }  # fmt: skip


def _no_my_review(held: int) -> dict[str, int | float | None]:
    share = 0.0 if held else None
    figures: dict[str, int | float | None] = {"held": held}
    for name in ("used", "chaired", "advocate", "not_safe"):
        figures |= {name: 0, f"{name}_pct": share}
    return figures


def test_an_iros_own_figures(authority):
    report = annual_report(start=S, end=E, scope=Scope((authority["a"].pk,), "a"), today=date(2026, 5, 1))
    # a held children 1 and 3 on both days; child 2 from August (so during, not at the start).
    assert report["looked_after"] == {"at_start": 2, "at_end": 2, "during": 3, "short_breaks_only": 0, "throughout": 1}
    assert report["reviews"]["held"] == 4  # r1, r3, r5, r8: the ones a chaired
    assert report["reviews"]["in_timescale"] == 3
    assert report["participation"]["PN6"] == 1
    assert report["caseload"] == {"iro_fte": 1.0, "children_per_fte": 2.0, "basis": "fte", "funded_posts": None}
    assert report["escalations"] == {
        "raised": 1,
        "resolved": 1,
        "formal_dispute_resolution": 0,
        "escalated_to_management": 0,
    }


def test_a_team_is_its_iros(authority):
    scope = scope_for(user=ManagerFactory(), team=authority["team"])
    assert scope.iro_ids == (authority["a"].pk,)
    assert annual_report(start=S, end=E, scope=scope)["reviews"]["held"] == 4


def test_an_iro_only_ever_gets_their_own_scope_whatever_they_ask_for(authority):
    scope = scope_for(user=authority["b"], team=authority["team"], iro=authority["a"])
    assert scope.iro_ids == (authority["b"].pk,)


def test_an_empty_period_gives_null_percentages_not_errors(db):
    report = annual_report(start=S, end=E, today=date(2026, 5, 1))
    assert report["reviews"]["in_timescale_pct"] is None
    assert report["reviews"]["in_timescale_month_on_month_pct"] is None
    assert report["participation"]["participated_pct"] is None
    assert report["caseload"]["children_per_fte"] is None
    assert (report["documents"]["outcomes_on_time_pct"], report["documents"]["minutes_on_time_pct"]) == (None, None)


def test_percentages_have_one_decimal_and_round_halves_up():
    assert percentage(754, 789) == 95.6
    assert percentage(1, 8) == 12.5
    assert percentage(1, 16) == 6.3  # 6.25
    assert percentage(0, 0) is None


def _panel(authority, slug, scope=WHOLE_AUTHORITY):
    board = Dashboard(start=S, end=E, today=date(2026, 4, 15), scope=scope)
    return next(panel for panel in board.panels() if panel.slug == slug)


def test_age_bands_on_the_last_day(authority):
    rows = {row[0]: row[1] for row in _panel(authority, "ages").rows}
    # child 7 is 3, child 1 is 15, child 3 turns 16 that day.
    assert rows == {"0–4": 1, "5–9": 0, "10–15": 1, "16+": 1}


def test_legal_status_and_distance_bands_on_the_last_day(authority):
    statuses = {row[0][:2]: row[1] for row in _panel(authority, "legal_status").rows}
    assert statuses == {"C1": 1, "C2": 1, "V2": 1}
    bands = {row[0]: row[1] for row in _panel(authority, "distance").rows}
    assert bands == {"0–20 miles": 1, "21–50 miles": 0, "51–100 miles": 0, "Over 100 miles": 1, "Not known": 1}


def test_children_in_care_at_month_ends_and_the_caseload_trend(authority):
    in_care = dict(_panel(authority, "in_care").rows)
    assert in_care["Apr 2025"] == 3  # 1, 2, 3
    assert in_care["Jul 2025"] == 2  # 3 left on 30 June
    assert in_care["Oct 2025"] == 3  # 3 came back on 1 October
    assert in_care["Mar 2026"] == 3  # 2 left on the last day, 7 came in
    trend = {row[0]: row[1:] for row in _panel(authority, "caseload_trend").rows}
    assert trend["Apr 2025"] == [3, 2.3, 1.3]  # allocations 1→a, 2→b, 3→a; FTE a+b+c
    assert trend["Mar 2026"] == [4, 1.5, 2.7]  # 1, 2 (last day), 3, 7; c has left


def test_timeliness_by_month(authority):
    rows = {row[0]: row[1:] for row in _panel(authority, "timeliness").rows}
    assert rows["Apr 2025"] == [2, 2, 100.0]  # r8 and r1 (on its due date)
    assert rows["Jul 2025"] == [1, 0, 0.0]  # r2, a day late
    assert rows["Mar 2026"] == [1, 0, None]  # r5: not on the clock
    assert len(rows) == 12


def test_escalations_by_theme_and_stage(authority):
    panel = _panel(authority, "escalations")
    pep = next(row for row in panel.rows if row[0] == EscalationTheme.PEP_NOT_COMPLETED.label)
    stages = list(EscalationStage)
    assert pep[1 + stages.index(EscalationStage.INFORMAL_SOCIAL_WORKER)] == 1
    assert pep[1 + stages.index(EscalationStage.FORMAL_SERVICE_MANAGER)] == 1
    assert pep[-1] == 2


def test_iro_continuity_counts_children_with_more_than_one_case_holding_iro(authority):
    rows = {row[0]: row[1:] for row in _panel(authority, "continuity").rows}
    assert rows["Had more than one case-holding IRO"] == [1, 20.0]  # child 2, of 5


def test_caseload_per_iro_against_the_guidance(authority):
    rows = {row[0]: row for row in _panel(authority, "caseload").rows}
    a = rows[authority["a"].get_full_name()]
    assert a[2:6] == [1.0, 3, 3.0, "Below 50"]  # children 1, 2 (to the last day), 3
    assert set(rows) == {user.get_full_name() for user in (authority["a"], authority["b"], authority["c"])}


def test_an_iros_dashboard_shows_only_their_figures(authority):
    rows = _panel(authority, "caseload", scope=Scope((authority["b"].pk,), "b")).rows
    assert [row[0] for row in rows] == [authority["b"].get_full_name()]


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31)), st.integers(0, 20))
def test_the_birth_date_threshold_agrees_with_age_on(day, years):
    threshold = latest_birth_date_for_age(day, years)
    assert age_on(threshold, day) >= years
    assert age_on(date.fromordinal(threshold.toordinal() + 1), day) < years


def test_an_iro_without_a_profile_is_listed_without_an_fte(authority):
    newcomer = UserFactory(username="newcomer", role="iro")
    rows = {row[0]: row for row in _panel(authority, "caseload").rows}
    assert rows[newcomer.get_full_name()][2:6] == [None, 0, None, "No FTE recorded"]

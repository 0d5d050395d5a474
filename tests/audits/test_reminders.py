"""The reminders sweep: the right people, the right windows in working days, once."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Notification, NotificationKind
from audits.codes import EscalationTheme
from audits.models import Escalation
from audits.reminders import reminders_sweep
from caseload.demo import build_demo
from children.codes import AllocationKind, LegalStatus
from children.models import Allocation, PeriodOfCare
from reviews.models import Review
from reviews.services import child_come_into_care, child_leave_care, review_due_dates_refresh, review_record_held
from tests.caseload.test_seed_demo import _delete_demo
from tests.factories import ChildFactory

pytestmark = pytest.mark.django_db

EPISODE = {"legal_status": LegalStatus.C2, "category_of_need": "N1", "placement_type": "U4"}
FRIDAY_BEFORE_BANK_HOLIDAY = date(2026, 5, 1)  # Monday 4 May 2026 is the early May bank holiday


def _review_due_on(iro, due: date) -> Review:
    child = ChildFactory(date_of_birth=date(2012, 1, 1))
    review = child_come_into_care(child=child, start=due - timedelta(days=40), episode_fields=EPISODE)
    Allocation.objects.create(child=child, iro=iro, kind=AllocationKind.CASE_HOLDING, start=due - timedelta(days=40))
    Review.objects.filter(pk=review.pk).update(due_date=due)
    return review


def _kinds(review: Review, recipient) -> set[str]:
    return set(
        Notification.objects.filter(object_key=f"review:{review.pk}", recipient=recipient).values_list(
            "kind", flat=True
        )
    )


@pytest.mark.parametrize(
    ("due", "kind"),
    [
        (date(2026, 5, 5), NotificationKind.REVIEW_DUE_5),  # 1 working day: Monday is a holiday
        (date(2026, 5, 11), NotificationKind.REVIEW_DUE_5),  # 5 working days, 10 calendar days
        (date(2026, 5, 12), NotificationKind.REVIEW_DUE_15),  # 6 working days
        (date(2026, 5, 26), NotificationKind.REVIEW_DUE_15),  # 15 working days (25 May is a bank holiday)
    ],
)
def test_review_windows_count_working_days_over_a_bank_holiday(iro, business_support, due, kind):
    review = _review_due_on(iro, due)
    reminders_sweep(today=FRIDAY_BEFORE_BANK_HOLIDAY)
    assert _kinds(review, iro) == {kind}
    assert _kinds(review, business_support) == {kind}


def test_no_reminder_before_the_fifteen_working_day_window(iro):
    review = _review_due_on(iro, date(2026, 5, 27))  # 16 working days (25 May is a bank holiday)
    reminders_sweep(today=FRIDAY_BEFORE_BANK_HOLIDAY)
    assert _kinds(review, iro) == set()


def test_a_booked_review_is_not_chased_to_be_booked(iro, business_support):
    review = _review_due_on(iro, date(2026, 5, 11))
    Review.objects.filter(pk=review.pk).update(status="booked", booked_for="2026-05-08T10:00:00+01:00")
    reminders_sweep(today=FRIDAY_BEFORE_BANK_HOLIDAY)
    assert _kinds(review, iro) == set()


def test_due_today_and_overdue_go_to_the_iro_and_overdue_to_managers(iro, business_support, manager):
    today_review = _review_due_on(iro, FRIDAY_BEFORE_BANK_HOLIDAY)
    late_review = _review_due_on(iro, date(2026, 4, 28))
    reminders_sweep(today=FRIDAY_BEFORE_BANK_HOLIDAY)
    assert _kinds(today_review, iro) == {NotificationKind.REVIEW_DUE_TODAY}
    assert _kinds(today_review, manager) == set()
    assert _kinds(late_review, iro) == {NotificationKind.REVIEW_OVERDUE}
    assert _kinds(late_review, business_support) == {NotificationKind.REVIEW_OVERDUE}
    assert _kinds(late_review, manager) == {NotificationKind.REVIEW_OVERDUE}


def test_outcomes_and_minutes_reminders_go_to_the_chair(iro, manager):
    review = _review_due_on(iro, date(2026, 5, 20))
    review_record_held(review=review, held_on=date(2026, 4, 24), chair=iro, participation_code="PN1")
    # Outcomes due Fri 1 May (5 working days), minutes due Tue 26 May (20 working days); the
    # monitoring form, due 5 working days after the review too, is reminded alongside.
    reminders_sweep(today=FRIDAY_BEFORE_BANK_HOLIDAY)
    assert _kinds(review, iro) == {NotificationKind.OUTCOMES_DUE, NotificationKind.MONITORING_FORM_DUE}
    reminders_sweep(today=date(2026, 5, 5))
    assert _kinds(review, iro) == {
        NotificationKind.OUTCOMES_DUE,
        NotificationKind.OUTCOMES_OVERDUE,
        NotificationKind.MONITORING_FORM_DUE,
        NotificationKind.MONITORING_FORM_OVERDUE,
    }
    reminders_sweep(today=date(2026, 5, 15))  # minutes due in 6 working days: not yet
    assert NotificationKind.MINUTES_DUE not in _kinds(review, iro)
    reminders_sweep(today=date(2026, 5, 18))  # 5 working days
    assert NotificationKind.MINUTES_DUE in _kinds(review, iro)
    assert _kinds(review, manager) == set()


def test_issued_outcomes_are_not_chased(iro):
    review = _review_due_on(iro, date(2026, 5, 20))
    review_record_held(review=review, held_on=date(2026, 4, 24), chair=iro, participation_code="PN1")
    Review.objects.filter(pk=review.pk).update(outcomes_issued_on=date(2026, 4, 27))
    reminders_sweep(today=date(2026, 5, 5))
    assert NotificationKind.OUTCOMES_OVERDUE not in _kinds(review, iro)


def test_an_escalation_past_its_stage_deadline_goes_to_managers(iro, manager):
    review = _review_due_on(iro, date(2026, 6, 1))
    Escalation.objects.create(
        child=review.child,
        raised_by=iro,
        raised_on=date(2026, 4, 1),
        theme=EscalationTheme.PEP_NOT_COMPLETED,
        concern="No PEP.",
        stage_deadline=date(2026, 4, 15),
    )
    reminders_sweep(today=FRIDAY_BEFORE_BANK_HOLIDAY)
    assert Notification.objects.get(recipient=manager, kind=NotificationKind.ESCALATION_OVERDUE).deadline == date(
        2026, 4, 15
    )


def test_running_the_sweep_twice_adds_nothing(iro, business_support, manager):
    _review_due_on(iro, date(2026, 5, 11))
    _review_due_on(iro, date(2026, 4, 20))
    reminders_sweep(today=FRIDAY_BEFORE_BANK_HOLIDAY)
    first = sorted(Notification.objects.values_list("kind", "object_key", "deadline", "recipient_id"))
    reminders_sweep(today=FRIDAY_BEFORE_BANK_HOLIDAY)
    assert sorted(Notification.objects.values_list("kind", "object_key", "deadline", "recipient_id")) == first
    assert len(first) == 2 + 3  # due within 5: IRO + support; overdue: IRO + support + manager


def test_a_moved_due_date_is_reminded_afresh(iro):
    review = _review_due_on(iro, date(2026, 5, 11))
    reminders_sweep(today=FRIDAY_BEFORE_BANK_HOLIDAY)
    Review.objects.filter(pk=review.pk).update(due_date=date(2026, 5, 8))
    reminders_sweep(today=FRIDAY_BEFORE_BANK_HOLIDAY)
    assert Notification.objects.filter(object_key=f"review:{review.pk}", recipient=iro).count() == 2


def _sweep_queries(today: date) -> int:
    with CaptureQueriesContext(connection) as queries:
        reminders_sweep(today=today)
    return len([q for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]])


def test_the_sweep_runs_the_same_queries_for_100_and_5000_children():
    today = date(2026, 11, 27)
    build_demo(children=100, today=today)
    small = _sweep_queries(today)
    small_rows = Notification.objects.count()
    _delete_demo()
    build_demo(children=5000, today=today)
    large = _sweep_queries(today)
    assert Notification.objects.count() > 20 * small_rows > 0
    # 7 review queries (3 bands of outstanding reviews, outcomes, minutes, support, managers),
    # 2 for escalations, the insert, and the unsent ids to deliver.
    # Two more bands for the clock (care ends at 18, clock unknown) and one for
    # the monitoring forms due within 2 working days or overdue, in one query.
    assert small == large == 14


# --- Every child on the right clock ---------------------------------------------------------


def test_a_short_break_child_is_reminded_on_the_reg_48_clock(iro, business_support):
    child = ChildFactory(date_of_birth=date(2015, 6, 1))
    start = date(2026, 2, 2)  # reg 48: first review by 2 May 2026 (3 months)
    short_breaks = {"legal_status": "V3", "category_of_need": "N2", "placement_type": "U6"}
    review = child_come_into_care(child=child, start=start, episode_fields=short_breaks)
    Allocation.objects.create(child=child, iro=iro, kind=AllocationKind.CASE_HOLDING, start=start)
    assert Review.objects.get(pk=review.pk).due_date == date(2026, 5, 2)
    reminders_sweep(today=date(2026, 4, 27))  # 4 working days before (1 May is a Friday; 4 May a holiday)
    assert _kinds(review, iro) == {NotificationKind.REVIEW_DUE_5}
    assert _kinds(review, business_support) == {NotificationKind.REVIEW_DUE_5}


def test_nothing_is_reminded_for_a_child_who_has_left_care(iro, business_support):
    review = _review_due_on(iro, date(2026, 5, 5))
    child_leave_care(period_of_care=review.period_of_care, end=date(2026, 4, 20), reason_ended="E4A")
    reminders_sweep(today=FRIDAY_BEFORE_BANK_HOLIDAY)
    assert not Notification.objects.filter(object_key=f"review:{review.pk}").exists()


def test_turning_18_no_review_is_reminded_but_care_ending_is(iro, business_support):
    child = ChildFactory(date_of_birth=date(2008, 3, 15))  # 18 on Sun 15 Mar 2026
    start = date(2025, 12, 1)
    review = child_come_into_care(child=child, start=start, episode_fields=EPISODE)
    Allocation.objects.create(child=child, iro=iro, kind=AllocationKind.CASE_HOLDING, start=start)
    held = review_record_held(review=review, held_on=date(2026, 1, 5), chair=iro, participation_code="PN1")
    following = Review.objects.get(period_of_care=held.period_of_care, status="due")
    assert following.due_date is None  # 3 months after 5 Jan would be after the 18th birthday
    reminders_sweep(today=date(2026, 1, 20))
    assert _kinds(following, iro) == {NotificationKind.CARE_ENDS_AT_18}
    assert _kinds(following, business_support) == {NotificationKind.CARE_ENDS_AT_18}
    assert Notification.objects.get(kind=NotificationKind.CARE_ENDS_AT_18, recipient=iro).deadline == date(2026, 3, 15)


def test_a_clock_unknown_is_reminded_to_business_support_as_such(iro, business_support):
    review = _review_due_on(iro, date(2026, 9, 1))
    PeriodOfCare.objects.filter(pk=review.period_of_care_id).update(began_before_records=True)

    waiting = review_due_dates_refresh(period_of_care=review.period_of_care)
    assert waiting.due_date is None
    assert waiting.due_rule == "clock unknown: check the last review date"
    reminders_sweep(today=FRIDAY_BEFORE_BANK_HOLIDAY)
    assert _kinds(waiting, business_support) == {NotificationKind.CLOCK_UNKNOWN}
    subject = Notification.objects.get(kind=NotificationKind.CLOCK_UNKNOWN).subject
    assert "clock unknown" in subject
    assert "short break" not in subject.lower()

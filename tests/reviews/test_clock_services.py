"""The clock as stored (docs/domain.md, "Which schedule wins"): review_due_dates_refresh keeps every child's outstanding
review on the schedule that applies, with the rule in words, through care events."""

from datetime import date
from io import StringIO
from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from children.admin import ChildAdmin
from children.models import Child, PeriodOfCare
from children.services import episode_add
from reviews.codes import ReviewStatus
from reviews.models import Review
from reviews.services import child_come_into_care, child_leave_care, review_due_dates_refresh, review_record_held
from reviews.timescales import Schedule, first_review_due
from tests.factories import BusinessSupportFactory, ChildFactory, IROFactory

pytestmark = pytest.mark.django_db

BREAK = {"legal_status": "V3", "category_of_need": "N2", "placement_type": "U6"}
ORDER = {"legal_status": "C2", "category_of_need": "N1", "placement_type": "U4"}


def _outstanding(child) -> Review:
    return Review.objects.get(child=child, status__in=[ReviewStatus.DUE, ReviewStatus.BOOKED])


def test_a_series_of_short_breaks_is_one_case_on_the_reg_48_clock():
    iro = IROFactory()
    child = ChildFactory(date_of_birth=date(2015, 6, 1))
    first = child_come_into_care(child=child, start=date(2025, 1, 10), episode_fields=BREAK)
    assert (first.due_date, first.due_schedule) == (date(2025, 4, 10), Schedule.REG48)
    assert first.due_rule == "short breaks (reg 48): 3 months after the first break on Fri 10 Jan 2025"
    # The weekend break ends as planned: the series goes on, so does its review.
    child_leave_care(period_of_care=first.period_of_care, end=date(2025, 1, 12), reason_ended="E4A")
    waiting = _outstanding(child)
    assert waiting.pk == first.pk
    assert waiting.due_date == date(2025, 4, 10)
    # The next break is its own period; the review moves on to it, still on the series' clock.
    second = child_come_into_care(child=child, start=date(2025, 2, 7), episode_fields=BREAK)
    assert second.pk == first.pk
    assert second.period_of_care.start == date(2025, 2, 7)
    assert second.due_date == date(2025, 4, 10)
    child_leave_care(period_of_care=second.period_of_care, end=date(2025, 2, 9), reason_ended="E4A")
    # Held between breaks (the plan for the breaks is reviewed, not a stay): allowed.
    held = review_record_held(review=second, held_on=date(2025, 4, 1), chair=iro, participation_code="PN1")
    assert held.due_date == date(2025, 4, 10)
    following = _outstanding(child)
    assert (following.due_date, following.due_rule) == (
        date(2025, 10, 1),
        "short breaks (reg 48): 6 months after Tue 1 Apr 2025",
    )
    # Coming into care on an order: reg 33 from that day; the series' review is not needed.
    order = child_come_into_care(child=child, start=date(2025, 6, 2), episode_fields=ORDER)
    assert Review.objects.get(pk=following.pk).status == ReviewStatus.CANCELLED
    assert (order.due_date, order.due_schedule) == (first_review_due(date(2025, 6, 2)), Schedule.REG33)


def test_a_short_break_ending_otherwise_ends_the_series():
    child = ChildFactory(date_of_birth=date(2015, 6, 1))
    review = child_come_into_care(child=child, start=date(2025, 1, 10), episode_fields=BREAK)
    child_leave_care(period_of_care=review.period_of_care, end=date(2025, 1, 12), reason_ended="E3")
    assert Review.objects.get(pk=review.pk).status == ReviewStatus.CANCELLED


def test_from_short_breaks_to_a_care_order_past_due_dates_stay_as_they_were():
    iro = IROFactory()
    child = ChildFactory(date_of_birth=date(2015, 6, 1))
    review = child_come_into_care(child=child, start=date(2025, 1, 10), episode_fields={**BREAK, "legal_status": "V4"})
    held = review_record_held(review=review, held_on=date(2025, 4, 1), chair=iro, participation_code="PN1")
    period = PeriodOfCare.objects.get(pk=review.period_of_care_id)
    episode_add(period_of_care=period, start=date(2025, 6, 2), episode_fields={**ORDER, "reason_new_episode": "L"})

    following = review_due_dates_refresh(period_of_care=period)
    assert Review.objects.get(pk=held.pk).due_date == date(2025, 4, 10)  # as it was: reg 48
    assert (following.due_date, following.due_schedule) == (first_review_due(date(2025, 6, 2)), Schedule.REG33)


def test_placed_for_adoption_the_next_review_is_28_days_after_the_placement():
    iro = IROFactory()
    child = ChildFactory(date_of_birth=date(2020, 6, 1))
    review = child_come_into_care(child=child, start=date(2024, 1, 8), episode_fields={**ORDER, "legal_status": "E1"})
    review = review_record_held(review=review, held_on=date(2024, 2, 5), chair=iro, participation_code="PN0")
    period = PeriodOfCare.objects.get(pk=review.period_of_care_id)
    episode_add(
        period_of_care=period,
        start=date(2024, 3, 4),
        episode_fields={"legal_status": "E1", "category_of_need": "N1", "placement_type": "A6",
                        "reason_new_episode": "P"},
    )  # fmt: skip

    following = review_due_dates_refresh(period_of_care=period)
    assert (following.due_date, following.due_schedule) == (date(2024, 4, 1), Schedule.ADOPTION)
    assert following.due_rule == "adoption review: 28 days after placement on Mon 4 Mar 2024"


def test_no_review_is_due_after_the_18th_birthday():
    iro = IROFactory()
    child = ChildFactory(date_of_birth=date(2008, 3, 15))
    review = child_come_into_care(child=child, start=date(2025, 12, 1), episode_fields=ORDER)
    review_record_held(review=review, held_on=date(2026, 1, 5), chair=iro, participation_code="PN1")
    following = _outstanding(child)
    assert (following.due_date, following.due_schedule) == (None, Schedule.ENDS_AT_18)
    assert following.due_rule == "care ends at 18 on Sun 15 Mar 2026"


def test_business_support_see_a_clock_unknown_on_their_worklist(client):
    child = ChildFactory(date_of_birth=date(2015, 6, 1), first_name="Ava", last_name="Unknown")
    review = child_come_into_care(child=child, start=date(2024, 5, 1), episode_fields=ORDER)
    PeriodOfCare.objects.filter(pk=review.period_of_care_id).update(began_before_records=True)

    review_due_dates_refresh(period_of_care=review.period_of_care)
    client.force_login(BusinessSupportFactory())
    page = client.get(reverse("reviews:to_book")).content.decode()
    assert "Clock unknown: check the last review date" in page
    assert "Ava Unknown" in page
    assert child.local_id in page
    assert "short break" not in page.lower()
    child_page = client.get(reverse("caseload:child", args=[child.pk])).content.decode()
    assert "Clock unknown: check the last review date" in child_page


def test_refresh_review_clocks_stores_every_open_rule_again():
    child = ChildFactory(date_of_birth=date(2015, 6, 1))
    review = child_come_into_care(child=child, start=date(2025, 1, 10), episode_fields=BREAK)
    Review.objects.filter(pk=review.pk).update(due_date=None, due_schedule="", due_rule="")
    out = StringIO()
    call_command("refresh_review_clocks", stdout=out)
    assert "for 1 period(s) of care" in out.getvalue()
    stored = Review.objects.get(pk=review.pk)
    assert (stored.due_date, stored.due_schedule) == (date(2025, 4, 10), Schedule.REG48)


def test_a_date_of_birth_corrected_in_the_admin_moves_the_clock(rf):
    iro = IROFactory()
    child = ChildFactory(date_of_birth=date(2015, 6, 1))
    review = child_come_into_care(child=child, start=date(2025, 12, 1), episode_fields=ORDER)
    review_record_held(review=review, held_on=date(2026, 1, 5), chair=iro, participation_code="PN1")
    assert _outstanding(child).due_date == date(2026, 4, 5)
    child.date_of_birth = date(2008, 3, 15)  # really 17: 18 on 15 Mar 2026
    request = rf.post("/")
    request.user = iro
    ChildAdmin(Child, admin.site).save_model(
        request, child, SimpleNamespace(changed_data=["date_of_birth"]), change=True
    )
    assert (_outstanding(child).due_date, _outstanding(child).due_schedule) == (None, Schedule.ENDS_AT_18)

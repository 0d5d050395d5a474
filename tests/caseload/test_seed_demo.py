"""seed_demo: a seed-shaped authority, valid by the model rules, deterministic and idempotent."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Sum
from django.test import RequestFactory
from django.utils import timezone

from accounts.models import IROProfile, User
from audits.models import Escalation, MonitoringForm
from caseload.demo import DEMO_PASSWORD
from caseload.statistics import annual_report
from children.models import Allocation, Child, Episode, PeriodOfCare
from reviews.codes import PARTICIPATED_CODES, BookingAction, ChildChaired, ParticipationCode, ReviewStatus
from reviews.models import Booking, Decision, Invitee, ReportReceived, Review, Visit
from reviews.my_review import CHILD_FIELDS
from reviews.my_review_models import MyReviewResponse
from reviews.services import booking_clashes, review_book, review_chair_on
from reviews.timescales import Spell, review_due_series
from tests.factories import ChildFactory

pytestmark = pytest.mark.django_db

TODAY = "2026-11-27"


def _seed(children: int = 40, **options) -> str:
    out = StringIO()
    call_command("seed_demo", children=children, today=date.fromisoformat(TODAY), stdout=out, **options)
    return out.getvalue()


def _snapshot() -> dict:
    """Every demo row by natural keys (primary keys differ between runs)."""
    return {
        "children": sorted(
            Child.objects.values_list("local_id", "first_name", "last_name", "date_of_birth", "sex", "ethnicity")
        ),
        "periods": sorted(PeriodOfCare.objects.values_list("child__local_id", "start", "end", "reason_ended")),
        "episodes": sorted(
            Episode.objects.values_list(
                "period_of_care__child__local_id",
                "start",
                "end",
                "legal_status",
                "placement_type",
                "placement_postcode",
                "reason_ended",
            )
        ),
        "allocations": sorted(Allocation.objects.values_list("child__local_id", "iro__username", "start", "end")),
        "reviews": sorted(
            Review.objects.values_list(
                "child__local_id",
                "sequence",
                "due_date",
                "status",
                "held_on",
                "participation_code",
                "outcomes_issued_on",
                "minutes_issued_on",
                "chair__username",
            ),
            key=str,
        ),
        "decisions": sorted(Decision.objects.values_list("review__child__local_id", "review__held_on", "text")),
        "forms": MonitoringForm.objects.count(),
        "escalations": Escalation.objects.count(),
        "users": sorted(User.objects.values_list("username", "first_name")),
    }


def _delete_demo() -> None:
    # The application refuses to delete a child's records (and PostgreSQL's triggers refuse
    # DELETE); a test clears its own demo data by truncating, which rolls back with the test.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE accounts_user, children_child CASCADE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def test_every_generated_row_obeys_the_model_rules():
    _seed(children=60)
    for model in (
        Child,
        PeriodOfCare,
        Episode,
        Allocation,
        Review,
        Decision,
        MonitoringForm,
        Escalation,
        Visit,
        Booking,
        Invitee,
        ReportReceived,
        MyReviewResponse,
    ):
        for row in model.objects.all():
            row.full_clean()


def test_some_children_of_11_and_over_used_my_review_and_chaired():
    _seed(children=60)
    responses = MyReviewResponse.objects.select_related("review__child")
    assert responses.count() > 5
    for response in responses:
        review = response.review
        assert review.status == ReviewStatus.HELD
        assert response.submitted_at.date() < review.held_on
        assert (review.held_on - review.child.date_of_birth).days >= 11 * 365
        # What was sent is kept as "Send to my IRO" keeps it: every answer, by name.
        assert set(response.sent_answers) == CHILD_FIELDS
        assert response.sent_answers["advocate"] == response.advocate
    assert responses.filter(advocate=True).exists()
    chaired = Review.objects.filter(child_chaired__in=[ChildChaired.ALL, ChildChaired.PART])
    assert chaired.exists()
    assert not chaired.exclude(status=ReviewStatus.HELD).exists()
    report = annual_report(start=date(2025, 4, 1), end=date(2026, 3, 31), today=date.fromisoformat(TODAY))
    assert report["my_review"]["used"] > 0
    assert report["my_review"]["chaired"] > 0


def test_stored_due_dates_follow_the_statutory_clock():
    """The demo's due dates and rules are the clock's (reg 33, short breaks, adoption, 18), as
    review_due_dates_refresh would store them."""
    _seed(children=60)
    seen = set()
    for period in PeriodOfCare.objects.select_related("child").prefetch_related("reviews", "episodes"):
        spells = [Spell(e.start, e.legal_status, e.placement_type) for e in period.episodes.all()]
        reviews = sorted(
            (r for r in period.reviews.all() if r.status != ReviewStatus.CANCELLED),
            key=lambda r: (r.held_on is None, r.held_on),
        )
        held = [r.held_on for r in reviews if r.status == ReviewStatus.HELD]
        series = review_due_series(
            date_of_birth=period.child.date_of_birth, period_start=period.start, spells=spells, reviews_held_on=held
        )
        for review, due in zip(reviews, series, strict=False):
            assert (review.due_date, review.due_schedule, review.due_rule) == (due.due, due.schedule, due.rule)
            seen.add(due.schedule)
    assert "reg33" in seen
    assert len(seen) >= 3  # more than one schedule in play (adoption, 18, short breaks)


def test_a_second_run_changes_nothing():
    _seed()
    first = _snapshot()
    output = _seed()
    assert "already loaded (48 children); nothing to do" in output
    assert _snapshot() == first


def test_the_same_arguments_give_the_same_data():
    _seed()
    first = _snapshot()
    _delete_demo()
    _seed()
    assert _snapshot() == first


def test_a_different_seed_gives_different_data():
    _seed()
    first = _snapshot()
    _delete_demo()
    _seed(seed=7)
    assert _snapshot()["children"] != first["children"]


def test_refuses_a_database_holding_real_children():
    ChildFactory(local_id="123456")
    with pytest.raises(CommandError, match="not demo data"):
        _seed()
    assert Child.objects.count() == 1


def test_default_demo_is_shaped_like_the_seed_authority():
    output = _seed(children=300)
    assert "Demo logins" in output
    assert "iro" in output
    assert "manager" in output
    assert "support" in output
    profiles = IROProfile.objects.all()
    assert profiles.count() == 6
    assert profiles.filter(fte=Decimal("1.0")).count() == 4
    assert profiles.filter(fte=Decimal("0.5")).count() == 1
    assert PeriodOfCare.objects.looked_after_on(date.fromisoformat(TODAY)).count() == 300
    assert PeriodOfCare.objects.filter(end__isnull=False).exists()  # some have left care
    returned = [c for c in Child.objects.prefetch_related("periods_of_care") if len(c.periods_of_care.all()) > 1]
    assert returned  # and some came back
    held = Review.objects.filter(status=ReviewStatus.HELD)
    late = sum(1 for review in held if review.held_on > review.due_date)
    assert 0.02 <= late / held.count() <= 0.09  # the seed: about 5% late
    participated = held.filter(participation_code__in=PARTICIPATED_CODES).count()
    assert 0.65 <= participated / held.count() <= 0.85  # the seed: 75%
    assert held.filter(participation_code=ParticipationCode.PN0).exists()
    assert Episode.objects.exclude(reason_new_episode="S").exists()  # placement changes
    assert profiles.aggregate(total=Sum("fte"))["total"] == Decimal("5.1")


def test_each_role_can_sign_in_with_the_printed_password():
    _seed(children=10)
    for username, role in (("iro", "iro"), ("manager", "manager"), ("support", "business_support")):
        user = authenticate(RequestFactory().post("/accounts/login/"), username=username, password=DEMO_PASSWORD)
        assert user is not None
        assert user.has_role(role)


def test_the_demo_iro_has_a_caseload():
    _seed(children=300)
    iro = User.objects.get(username="iro")
    assert 30 <= Allocation.objects.filter(iro=iro, end__isnull=True).count() <= 90


def _as_the_booking_page_leaves_it(review: Review) -> dict:
    """What a booking made on the booking page (reviews.services.review_book) leaves behind."""
    day = timezone.localtime(review.booked_for).date()
    entries = list(review.bookings.all())
    first = entries[0] if entries else None
    return {
        "has a venue": bool(review.venue),
        "one booking history entry": len(entries) == 1,
        "booked": first is not None and first.action == BookingAction.BOOKED and first.reason == "",
        "for the time and venue booked": first is not None
        and (first.booked_for, first.venue) == (review.booked_for, review.venue),
        "by business support": first is not None and first.recorded_by.is_business_support,
        "recorded before the review": first is not None and first.recorded_at < review.booked_for,
        "why late, when after the due date": bool(review.lateness_reason)
        == bool(review.due_date and day > review.due_date),
        "a chair that day": review_chair_on(review=review, day=day) is not None,
    }


EVERY_WAY = dict.fromkeys(
    [
        "has a venue",
        "one booking history entry",
        "booked",
        "for the time and venue booked",
        "by business support",
        "recorded before the review",
        "why late, when after the due date",
        "a chair that day",
    ],
    True,
)


def test_every_booked_review_is_as_the_booking_page_would_have_left_it():
    """The demo's bookings have the shape the booking service writes: the same check passes on a
    review booked through the service itself."""
    _seed(children=20)
    booked = list(
        Review.objects.filter(status=ReviewStatus.BOOKED).prefetch_related("bookings__recorded_by", "invitees")
    )
    assert booked
    for review in booked:
        assert _as_the_booking_page_leaves_it(review) == EVERY_WAY, review
        assert review.invitees.exists()  # the booking page invites people; the demo's did too
        chair = review_chair_on(review=review, day=timezone.localtime(review.booked_for).date())
        assert not booking_clashes(iro=chair, booked_for=review.booked_for, exclude=review).exists(), review
    # The check itself, on a review booked the way the page books it.
    due = Review.objects.filter(status=ReviewStatus.DUE, due_date__isnull=False, child__periods_of_care__end=None)
    due = due.order_by("due_date").first()
    tomorrow = date.fromisoformat(TODAY) + timedelta(days=1)
    when = datetime.combine(tomorrow, time(8), tzinfo=timezone.get_current_timezone())  # before the demo's slots
    # The page books in the demo's present (its "today"), whatever the machine's date is now.
    with time_machine.travel(when - timedelta(days=1), tick=False):
        review_book(
            review=due,
            booked_for=when,
            venue="School",
            venue_chosen_by_child=False,
            booked_by=User.objects.get(username="support"),
            lateness_reason="Late." if when.date() > due.due_date else "",
        )
    assert _as_the_booking_page_leaves_it(Review.objects.get(pk=due.pk)) == EVERY_WAY


def test_every_held_review_was_booked_and_prepared_as_the_pages_leave_it():
    _seed(children=20)
    held = list(Review.objects.filter(status=ReviewStatus.HELD).prefetch_related("bookings__recorded_by"))
    assert held
    for review in held:
        assert _as_the_booking_page_leaves_it(review) == EVERY_WAY, review
        # *Before the review* stores the day the wishes and feelings form came with "received".
        assert review.wishes_and_feelings_received == (review.wishes_and_feelings_received_on is not None)
        if review.wishes_and_feelings_received_on:
            assert review.wishes_and_feelings_received_on <= review.held_on
    assert ReportReceived.objects.exists()
    assert Invitee.objects.filter(attended=True).exists()

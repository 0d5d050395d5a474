"""Care events (docs/domain.md, "Care events that move the clock"): each event through its service
and its page, the clock refreshed in the same transaction, the early-review prompt and its answer,
reminders withdrawn when a child leaves care, and the admin refusing what would move the clock
without the refresh."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts import services as notification_services
from accounts.models import Notification, NotificationKind
from audits.reminders import reminders_sweep
from children.codes import AllocationKind, LegalStatus, PlacementType, ReasonEpisodeCeased, ReasonNewEpisode
from children.models import Allocation, Episode, PeriodOfCare
from reviews import care_events
from reviews.codes import EarlyReviewReason, ReviewStatus
from reviews.models import CareEvent, Review
from reviews.services import child_come_into_care
from reviews.timescales import add_working_days
from tests.factories import ChildFactory, UserFactory, child_in_care

pytestmark = pytest.mark.django_db

TODAY = date(2025, 6, 2)
START = date(2025, 1, 6)


def _in_care(iro, *, legal_status=LegalStatus.C2, placement_type=PlacementType.U4, born=date(2012, 1, 1), start=START):
    child = ChildFactory(date_of_birth=born)
    review = child_come_into_care(
        child=child,
        start=start,
        episode_fields={"legal_status": legal_status, "category_of_need": "N1", "placement_type": placement_type},
    )

    Allocation.objects.create(child=child, iro=iro, kind=AllocationKind.CASE_HOLDING, start=start)
    return child, review.period_of_care, review


def _outstanding(period) -> Review:
    return Review.objects.get(period_of_care=period, status__in=("due", "booked"))


# --- Changes of placement and legal status -------------------------------------------------------


def test_placement_change_starts_a_new_episode_with_the_same_legal_status(iro):
    _child, period, review = _in_care(iro)
    event = care_events.placement_change(
        period_of_care=period,
        start=date(2025, 3, 3),
        reason_new_episode=ReasonNewEpisode.PLACEMENT_AND_CARER,
        placement_type=PlacementType.K2,
        placement_postcode="MK9 3EJ",
        urn="SC123456",
        reason_place_change="CARPL",
        recorded_by=iro,
        today=TODAY,
    )
    first, second = Episode.objects.filter(period_of_care=period).order_by("start")
    assert (first.end, first.reason_ended) == (date(2025, 3, 3), ReasonEpisodeCeased.X1)
    assert (second.start, second.reason_new_episode, second.legal_status, second.placement_type, second.urn) == (
        date(2025, 3, 3),
        "P",
        LegalStatus.C2,
        PlacementType.K2,
        "SC123456",
    )
    assert (event.kind, event.episode, event.previous_placement_type) == ("placement", second, PlacementType.U4)
    # reg 32(2): a change of placement is a significant change to the care plan: the prompt waits.
    assert (event.early_review_reason, event.early_review_choice) == (EarlyReviewReason.SIGNIFICANT_CHANGE, "pending")
    # The clock ran: still one outstanding review, its due date the clock's.
    assert _outstanding(period).pk == review.pk


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"placement_type": PlacementType.U4}, "placement_type", "This is the current placement"),
        ({"start": START}, "start", "must be after the current episode began on"),
        ({"start": TODAY + timedelta(days=29)}, "start", "too far ahead"),
        ({"start": date(2011, 1, 1)}, "start", "before the child's date of birth"),
        ({"placement_type": PlacementType.A4}, "placement_type", "Placed for adoption"),
        ({"reason_new_episode": ReasonNewEpisode.LEGAL_STATUS}, "reason_new_episode", "RNE P or T"),
    ],
)
def test_a_placement_change_is_refused_with_a_clear_message(iro, changes, field, message):
    _child, period, _review = _in_care(iro)
    arguments = {
        "period_of_care": period,
        "start": date(2025, 3, 3),
        "reason_new_episode": ReasonNewEpisode.PLACEMENT_SAME_CARER,
        "placement_type": PlacementType.K2,
        "recorded_by": iro,
        "today": TODAY,
        **changes,
    }
    with pytest.raises(ValidationError) as refused:
        care_events.placement_change(**arguments)
    assert message in " ".join(refused.value.message_dict[field])
    assert Episode.objects.filter(period_of_care=period).count() == 1
    assert not CareEvent.objects.exists()


def test_a_temporary_move_calls_for_no_early_review(iro):
    _child, period, _review = _in_care(iro)
    event = care_events.placement_change(
        period_of_care=period,
        start=date(2025, 3, 3),
        reason_new_episode=ReasonNewEpisode.PLACEMENT_SAME_CARER,
        placement_type=PlacementType.T2,
        recorded_by=iro,
        today=TODAY,
    )
    assert (event.early_review_reason, event.early_review_choice) == ("", "")


def test_legal_status_change_keeps_the_placement(iro):
    _child, period, _review = _in_care(iro, legal_status=LegalStatus.C1)
    event = care_events.legal_status_change(
        period_of_care=period, start=date(2025, 4, 1), legal_status=LegalStatus.C2, recorded_by=iro, today=TODAY
    )
    assert (event.episode.reason_new_episode, event.episode.legal_status, event.episode.placement_type) == (
        "L",
        LegalStatus.C2,
        PlacementType.U4,
    )
    assert (event.previous_legal_status, event.early_review_reason) == (LegalStatus.C1, "")


def test_legal_status_change_to_the_same_status_is_refused(iro):
    _child, period, _review = _in_care(iro)
    with pytest.raises(ValidationError, match="C2 is the current legal status"):
        care_events.legal_status_change(
            period_of_care=period, start=date(2025, 4, 1), legal_status=LegalStatus.C2, recorded_by=iro, today=TODAY
        )


def test_a_legal_status_change_marked_significant_prompts_reg_32_2(iro):
    _child, period, _review = _in_care(iro, legal_status=LegalStatus.C1)
    event = care_events.legal_status_change(
        period_of_care=period,
        start=date(2025, 4, 1),
        legal_status=LegalStatus.C2,
        significant_change=True,
        recorded_by=iro,
        today=TODAY,
    )
    assert (event.significant_change, event.early_review_reason) == (True, EarlyReviewReason.SIGNIFICANT_CHANGE)


@pytest.mark.parametrize("remand", [LegalStatus.J1, LegalStatus.J2])
def test_remand_or_pace_ending_prompts_reg_33_3_c(iro, remand):
    _child, period, _review = _in_care(iro, legal_status=remand)
    event = care_events.legal_status_change(
        period_of_care=period, start=date(2025, 4, 1), legal_status=LegalStatus.C1, recorded_by=iro, today=TODAY
    )
    assert event.early_review_reason == EarlyReviewReason.S21_ACCOMMODATION_ENDING


def test_leaving_a_young_offender_institution_prompts_reg_33_3_d(iro):
    _child, period, _review = _in_care(iro, placement_type=PlacementType.R5)
    event = care_events.placement_change(
        period_of_care=period,
        start=date(2025, 4, 1),
        reason_new_episode=ReasonNewEpisode.PLACEMENT_AND_CARER,
        placement_type=PlacementType.K2,
        recorded_by=iro,
        today=TODAY,
    )
    assert event.early_review_reason == EarlyReviewReason.SECURE_DETENTION


def test_leaving_a_secure_childrens_home_is_not_the_end_of_stc_or_yoi_detention(iro):
    """K1 is a secure children's home, not an STC or YOI: a move out of it is a placement change (reg 32(2))."""
    _child, period, _review = _in_care(iro, placement_type=PlacementType.K1)
    event = care_events.placement_change(
        period_of_care=period,
        start=date(2025, 4, 1),
        reason_new_episode=ReasonNewEpisode.PLACEMENT_AND_CARER,
        placement_type=PlacementType.K2,
        recorded_by=iro,
        today=TODAY,
    )
    assert event.early_review_reason == EarlyReviewReason.SIGNIFICANT_CHANGE


def test_placement_and_legal_status_change_together(iro):
    _child, period, _review = _in_care(iro, legal_status=LegalStatus.V2)
    event = care_events.placement_and_legal_status_change(
        period_of_care=period,
        start=date(2025, 4, 1),
        reason_new_episode=ReasonNewEpisode.LEGAL_STATUS_PLACEMENT_SAME_CARER,
        legal_status=LegalStatus.C1,
        placement_type=PlacementType.U1,
        recorded_by=iro,
        today=TODAY,
    )
    assert (event.kind, event.episode.reason_new_episode, event.episode.legal_status, event.episode.placement_type) == (
        "placement_and_legal_status",
        "U",
        LegalStatus.C1,
        PlacementType.U1,
    )
    with pytest.raises(ValidationError) as refused:
        care_events.placement_and_legal_status_change(
            period_of_care=period,
            start=date(2025, 5, 1),
            reason_new_episode=ReasonNewEpisode.LEGAL_STATUS_PLACEMENT_AND_CARER,
            legal_status=LegalStatus.C1,
            placement_type=PlacementType.U1,
            recorded_by=iro,
            today=TODAY,
        )
    assert set(refused.value.message_dict) == {"legal_status", "placement_type"}


# --- Placed for adoption -----------------------------------------------------------------------


def test_placed_for_adoption_with_current_carers_is_rne_t_and_the_clock_follows(iro):
    _child, period, review = _in_care(iro, legal_status=LegalStatus.E1, placement_type=PlacementType.U5)
    reg33_due = review.due_date
    event = care_events.adoption_placement(
        period_of_care=period,
        placed_on=date(2025, 1, 20),
        placement_type=PlacementType.A5,
        recorded_by=iro,
        today=TODAY,
    )
    assert (event.kind, event.occurred_on) == ("adoption_placement", date(2025, 1, 20))
    assert (event.episode.placement_type, event.episode.reason_new_episode, event.episode.legal_status) == (
        PlacementType.A5,
        ReasonNewEpisode.PLACEMENT_SAME_CARER,
        LegalStatus.E1,
    )
    outstanding = _outstanding(period)
    # The clock refreshed in the same transaction: the earlier of reg 33 (first review within 20
    # working days of 6 Jan) and AAR reg 36 (28 days after the placement on 20 Jan).
    assert outstanding.due_date == min(reg33_due, date(2025, 1, 20) + timedelta(days=28))


def test_placed_for_adoption_with_a_placement_order_the_same_day_is_rne_b(iro):
    _child, period, _review = _in_care(iro, legal_status=LegalStatus.C2)
    event = care_events.adoption_placement(
        period_of_care=period,
        placed_on=date(2025, 3, 3),
        placement_type=PlacementType.A6,
        legal_status=LegalStatus.E1,
        recorded_by=iro,
        today=TODAY,
    )
    assert (event.episode.reason_new_episode, event.episode.legal_status) == ("B", LegalStatus.E1)


# --- Leaving care -------------------------------------------------------------------------------


def test_leaving_care_ends_the_period_cancels_the_review_and_withdraws_its_reminders(iro, business_support, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _child, period, review = _in_care(iro)
    # Reminders for the review due on 4 Feb 2025 were created (not sent yet) on 27 Jan.
    reminders_sweep(today=date(2025, 1, 27))
    reminders = list(Notification.objects.filter(object_key=f"review:{review.pk}"))
    assert reminders
    assert all(n.sent_at is None for n in reminders)

    event = care_events.leave_care(
        period_of_care=period,
        end=date(2025, 1, 29),
        reason_ended=ReasonEpisodeCeased.E4A,
        recorded_by=business_support,
        today=date(2025, 1, 29),
    )

    period.refresh_from_db()
    review.refresh_from_db()
    assert (period.end, period.reason_ended) == (date(2025, 1, 29), "E4A")
    assert Episode.objects.get(period_of_care=period).reason_ended == "E4A"
    assert review.status == ReviewStatus.CANCELLED
    assert review.get_status_display() == "Not needed"
    assert (event.kind, event.reason_ended, event.early_review_reason) == ("left_care", "E4A", "")
    mail.outbox = []
    for reminder in reminders:
        assert notification_services.notification_deliver(notification_id=reminder.pk) is False
    assert mail.outbox == []
    assert Notification.objects.filter(pk__in=[n.pk for n in reminders], withdrawn_at__isnull=False).count() == len(
        reminders
    )
    # Later sweeps neither queue the withdrawn reminders nor make new ones for the review.
    assert reminders_sweep(today=date(2025, 2, 4)) == 0
    assert Notification.objects.filter(object_key=f"review:{review.pk}").count() == len(reminders)


@pytest.mark.parametrize(
    ("end", "reason", "field", "message"),
    [
        (date(2025, 6, 3), "E4A", "end", "in the future"),
        (date(2025, 1, 5), "E4A", "end", "after the current episode began"),
        (date(2025, 3, 3), "X1", "reason_ended", "X1 continues care"),
        (date(2025, 3, 3), "", "reason_ended", "Choose the reason"),
    ],
)
def test_leaving_care_is_refused_with_a_clear_message(iro, end, reason, field, message):
    _child, period, review = _in_care(iro)
    with pytest.raises(ValidationError) as refused:
        care_events.leave_care(period_of_care=period, end=end, reason_ended=reason, recorded_by=iro, today=TODAY)
    assert message in " ".join(refused.value.message_dict[field])
    period.refresh_from_db()
    assert period.end is None
    assert _outstanding(period).pk == review.pk


def test_care_cannot_end_after_the_18th_birthday(iro):
    _child, period, _review = _in_care(iro, born=date(2007, 2, 10))
    with pytest.raises(ValidationError, match="turns 18 on"):
        care_events.leave_care(
            period_of_care=period, end=date(2025, 2, 11), reason_ended="E17", recorded_by=iro, today=TODAY
        )
    care_events.leave_care(
        period_of_care=period, end=date(2025, 2, 10), reason_ended="E17", recorded_by=iro, today=TODAY
    )


def test_s20_accommodation_of_a_16_year_old_ending_asks_about_the_reg_33_3_e_review(iro):
    _child, period, _review = _in_care(iro, legal_status=LegalStatus.V2, born=date(2008, 6, 1))
    with pytest.raises(ValidationError) as refused:
        care_events.leave_care(
            period_of_care=period, end=date(2025, 3, 3), reason_ended="E5", recorded_by=iro, today=TODAY
        )
    assert "early_review_choice" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        care_events.leave_care(
            period_of_care=period,
            end=date(2025, 3, 3),
            reason_ended="E5",
            early_review_choice="none",
            recorded_by=iro,
            today=TODAY,
        )
    assert "no_early_review_reason" in refused.value.message_dict
    event = care_events.leave_care(
        period_of_care=period,
        end=date(2025, 3, 3),
        reason_ended="E5",
        early_review_choice="none",
        no_early_review_reason="He moved out the day he was offered a flat.",
        recorded_by=iro,
        today=TODAY,
    )
    assert (event.early_review_reason, event.early_review_choice, event.early_review_decided_by) == (
        EarlyReviewReason.ACCOMMODATION_CEASING,
        "none",
        iro,
    )


def test_s20_accommodation_ending_with_a_return_home_needs_no_reg_33_3_e_review(iro):
    _child, period, _review = _in_care(iro, legal_status=LegalStatus.V2, born=date(2008, 6, 1))
    event = care_events.leave_care(
        period_of_care=period, end=date(2025, 3, 3), reason_ended="E4A", recorded_by=iro, today=TODAY
    )
    assert event.early_review_reason == ""


# --- Returning to care --------------------------------------------------------------------------


def test_returning_to_care_starts_a_new_period_with_the_first_review_in_20_working_days(iro):
    child, period, _review = _in_care(iro)
    care_events.leave_care(
        period_of_care=period, end=date(2025, 2, 3), reason_ended="E4A", recorded_by=iro, today=TODAY
    )
    event = care_events.return_to_care(
        child=child,
        start=date(2025, 4, 14),
        episode_fields={"legal_status": LegalStatus.V2, "category_of_need": "N4", "placement_type": PlacementType.U6},
        recorded_by=iro,
        today=TODAY,
    )
    new_period = PeriodOfCare.objects.get(child=child, end__isnull=True)
    assert (event.kind, event.period_of_care, event.episode.reason_new_episode) == ("returned_to_care", new_period, "S")
    # reg 33(1): Good Friday 18 Apr, Easter Monday 21 Apr and 5 May are skipped.
    assert _outstanding(new_period).due_date == add_working_days(date(2025, 4, 14), 20) == date(2025, 5, 15)


def test_returning_to_care_is_refused_while_in_care_or_before_care_last_ended(iro):
    child, period, _review = _in_care(iro)
    fields = {"legal_status": LegalStatus.V2, "category_of_need": "N4", "placement_type": PlacementType.U6}
    with pytest.raises(ValidationError, match="looked after now"):
        care_events.return_to_care(child=child, start=date(2025, 4, 14), episode_fields=fields, recorded_by=iro)
    care_events.leave_care(
        period_of_care=period, end=date(2025, 2, 3), reason_ended="E4A", recorded_by=iro, today=TODAY
    )
    with pytest.raises(ValidationError, match="Care last ended on"):
        care_events.return_to_care(
            child=child, start=date(2025, 2, 3), episode_fields=fields, recorded_by=iro, today=TODAY
        )


# --- The early-review choice -----------------------------------------------------------------------


def _placement_event(iro):
    _child, period, review = _in_care(iro)
    event = care_events.placement_change(
        period_of_care=period,
        start=date(2025, 3, 3),
        reason_new_episode=ReasonNewEpisode.PLACEMENT_AND_CARER,
        placement_type=PlacementType.K2,
        recorded_by=iro,
        today=TODAY,
    )
    return event, review


def test_choosing_to_book_an_early_review_records_the_review(iro):
    event, review = _placement_event(iro)
    event = care_events.early_review_decide(care_event=event, book=True, decided_by=iro)
    assert (event.early_review_choice, event.early_review, event.early_review_decided_by) == ("book", review, iro)
    with pytest.raises(ValidationError, match="made already"):
        care_events.early_review_decide(care_event=event, book=False, no_early_review_reason="x", decided_by=iro)


def test_no_early_review_needs_a_reason(iro):
    event, _review = _placement_event(iro)
    with pytest.raises(ValidationError, match="Say why"):
        care_events.early_review_decide(care_event=event, book=False, no_early_review_reason=" ", decided_by=iro)
    event = care_events.early_review_decide(
        care_event=event, book=False, no_early_review_reason="Review booked next week.", decided_by=iro
    )
    assert (event.early_review_choice, event.no_early_review_reason) == ("none", "Review booked next week.")


# --- Withdrawn notifications (accounts.services.notifications_withdraw) ------------------------


def test_a_withdrawn_notification_is_neither_queued_nor_claimed_and_a_sent_one_is_kept(iro):
    unsent, sent = (
        Notification.objects.create(
            recipient=iro, kind=NotificationKind.REVIEW_DUE_5, object_key="review:42", deadline=day, subject="Due"
        )
        for day in (date(2025, 2, 3), date(2025, 2, 4))
    )
    Notification.objects.filter(pk=sent.pk).update(sent_at=timezone.now())
    assert notification_services.notifications_withdraw(object_keys=["review:42", "review:43"]) == 1
    assert notification_services.notifications_enqueue_unsent() == 0
    assert notification_services.notification_claim(notification_id=unsent.pk) is None
    assert Notification.objects.get(pk=sent.pk).withdrawn_at is None
    assert notification_services.notifications_withdraw(object_keys=[]) == 0


# --- Pages ---------------------------------------------------------------------------------------


@pytest.fixture
def recent(iro):
    """A child held by `iro`, in care since 40 days ago (dates on pages are checked against today)."""
    today = timezone.localdate()
    child, review = child_in_care(iro, start=today - timedelta(days=40), born=today.replace(year=today.year - 10))
    return child, review.period_of_care, review


def test_the_child_page_links_to_care_events(client, iro, recent):
    child, _period, _review = recent
    client.force_login(iro)
    page = client.get(reverse("caseload:child", args=[child.pk])).content.decode()
    assert reverse("reviews:care_events", args=[child.pk]) in page


def test_a_placement_change_on_its_page_then_the_prompt_then_no_early_review(client, iro, recent):
    child, _period, _review = recent
    client.force_login(iro)
    today = timezone.localdate()
    response = client.post(
        reverse("reviews:care_event_placement", args=[child.pk]),
        {
            "start": (today - timedelta(days=2)).isoformat(),
            "reason_new_episode": "P",
            "placement_type": "K2",
            "placement_postcode": "MK9 3EJ",
            "reason_place_change": "CARPL",
        },
    )
    event = CareEvent.objects.get(child=child)
    assert response.status_code == 302
    assert response.url == reverse("reviews:care_event_early_review", args=[event.pk])
    prompt = client.get(response.url).content.decode()
    assert "reg 32(2)" in prompt
    assert "Book an early review" in prompt
    assert "No early review" in prompt

    refused = client.post(response.url, {"choice": "none"})
    assert "Say why no early review is needed." in refused.content.decode()
    done = client.post(response.url, {"choice": "none", "no_early_review_reason": "Reviewed at the planning meeting."})
    assert done.status_code == 302
    assert done.url == reverse("reviews:care_events", args=[child.pk])
    event.refresh_from_db()
    assert (event.early_review_choice, event.no_early_review_reason) == ("none", "Reviewed at the planning meeting.")
    listing = client.get(done.url).content.decode()
    assert "no early review" in listing
    assert "Reviewed at the planning meeting." in listing


def test_business_support_choosing_an_early_review_lands_on_the_booking_with_the_reason_preset(
    client, iro, business_support, recent
):
    _child, period, review = recent
    event = care_events.placement_change(
        period_of_care=period,
        start=timezone.localdate(),
        reason_new_episode="T",
        placement_type="U6",
        recorded_by=iro,
    )
    client.force_login(business_support)
    response = client.post(reverse("reviews:care_event_early_review", args=[event.pk]), {"choice": "book"})
    assert response.status_code == 302
    assert response.url == f"{reverse('reviews:book', args=[review.pk])}?early=significant_change"
    booking = client.get(response.url)
    assert booking.context["form"].initial["early_review_reason"] == "significant_change"
    assert '<option value="significant_change" selected>' in booking.content.decode()
    event.refresh_from_db()
    assert (event.early_review_choice, event.early_review_id) == ("book", review.pk)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"placement_type": "U4"}, "This is the current placement"),
        ({"start": "in 60 days"}, "too far ahead"),
        ({"start": "2999-01-01"}, "Enter a date between"),
        ({"start": ""}, "This field is required."),
        ({"placement_type": "A3"}, "Select a valid choice"),
    ],
)
def test_the_placement_page_explains_bad_input(client, iro, recent, data, message):
    child, _period, _review = recent
    client.force_login(iro)
    posted = {
        "start": timezone.localdate().isoformat(),
        "reason_new_episode": "T",
        "placement_type": "K2",
        "reason_place_change": "CARPL",
        **data,
    }
    if posted["start"] == "in 60 days":
        posted["start"] = (timezone.localdate() + timedelta(days=60)).isoformat()
    response = client.post(reverse("reviews:care_event_placement", args=[child.pk]), posted)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    assert not CareEvent.objects.exists()


def test_the_leaving_care_page_asks_about_the_reg_33_3_e_review_before_ending_care(client, business_support, iro):
    today = timezone.localdate()
    child = ChildFactory(date_of_birth=today.replace(year=today.year - 17) - timedelta(days=1))
    period = child_come_into_care(
        child=child,
        start=today - timedelta(days=30),
        episode_fields={"legal_status": "V2", "category_of_need": "N4", "placement_type": "K3"},
    ).period_of_care
    client.force_login(business_support)
    url = reverse("reviews:care_event_leave", args=[child.pk])
    first = client.post(url, {"end": today.isoformat(), "reason_ended": "E5"})
    page = first.content.decode()
    assert first.status_code == 200
    assert "reg 33(3)(e)" in page
    assert "book an early review" in page
    assert "?early=accommodation_ceasing" in page
    period.refresh_from_db()
    assert period.end is None
    second = client.post(
        url, {"end": today.isoformat(), "reason_ended": "E5", "early_review_choice": "already_reviewed"}
    )
    assert second.status_code == 302
    event = CareEvent.objects.get(child=child)
    assert (event.early_review_reason, event.early_review_choice) == ("accommodation_ceasing", "already_reviewed")
    listing = client.get(reverse("reviews:care_events", args=[child.pk])).content.decode()
    assert "No review due." in listing
    assert "Returning to care" in listing


def test_pages_for_a_child_not_in_care_say_so(client, business_support, iro, recent):
    child, period, _review = recent
    care_events.leave_care(period_of_care=period, end=timezone.localdate(), reason_ended="E4A", recorded_by=iro)
    client.force_login(business_support)
    page = client.get(reverse("reviews:care_event_placement", args=[child.pk])).content.decode()
    assert "is not looked after now: record a return to care first." in page
    page = client.post(reverse("reviews:care_event_leave", args=[child.pk]), {}).content.decode()
    assert "is not looked after now." in page


def test_managers_may_not_record_care_events(client, manager, recent):
    child, _period, _review = recent
    client.force_login(manager)
    assert client.get(reverse("reviews:care_events", args=[child.pk])).status_code == 403
    assert client.post(reverse("reviews:care_event_leave", args=[child.pk]), {}).status_code == 403


# --- The admin ------------------------------------------------------------------------------------


@pytest.fixture
def staff(client):
    user = UserFactory(username="admin.events", is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def test_the_admin_shows_periods_and_episodes_read_only_and_points_to_the_pages(client, staff, recent):
    child, period, review = recent
    episode = period.episodes.get()
    for model, row in (("periodofcare", period), ("episode", episode)):
        url = reverse(f"admin:children_{model}_change", args=[row.pk])
        page = client.get(url).content.decode()
        assert reverse("reviews:care_events", args=[child.pk]) in page
        assert 'name="start"' not in page
        assert 'name="end"' not in page
        assert client.get(reverse(f"admin:children_{model}_add")).status_code == 403
    due = review.due_date
    client.post(
        reverse("admin:children_periodofcare_change", args=[period.pk]),
        {"child": child.pk, "start": "2020-01-01", "end": timezone.localdate().isoformat(), "reason_ended": "E4A"},
    )
    period.refresh_from_db()
    review.refresh_from_db()
    assert (period.end, review.status, review.due_date) == (None, "due", due)


def test_the_admin_refuses_to_revert_a_period_to_an_old_version(client, staff, recent):
    _child, period, _review = recent
    version = period.history.earliest("history_date")
    care_events.leave_care(period_of_care=period, end=timezone.localdate(), reason_ended="E4A", recorded_by=staff)
    url = reverse("admin:children_periodofcare_simple_history", args=[period.pk, version.history_id])
    assert client.get(url).status_code == 200
    assert client.post(url, {}).status_code == 403
    period.refresh_from_db()
    assert period.end == timezone.localdate()

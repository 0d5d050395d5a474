"""Participant feedback and placement disruption meetings."""

from datetime import date

import pytest
from django.urls import reverse

from audits.models import DisruptionMeeting, ParticipantFeedback
from audits.selectors import feedback_by_quarter
from children.codes import AllocationKind, LegalStatus
from children.models import Allocation
from reviews.services import child_come_into_care, review_record_held
from tests.factories import ChildFactory

pytestmark = pytest.mark.django_db


def _held(iro, held_on):
    child = ChildFactory(date_of_birth=date(2005, 1, 1))
    review = child_come_into_care(
        child=child,
        start=date(2013, 4, 1),
        episode_fields={"legal_status": LegalStatus.C2, "category_of_need": "N1", "placement_type": "U4"},
    )
    Allocation.objects.create(child=child, iro=iro, kind=AllocationKind.CASE_HOLDING, start=date(2013, 4, 1))
    return review_record_held(review=review, held_on=held_on, chair=iro, participation_code="PN1")


def _feedback(**fields):
    return {
        "role": "parent",
        "received_on": "2013-06-20",
        "preparation": "well",
        "venue_suitable": "on",
        "child_voice_central": "on",
        "rating": "4",
        "comments": "",
        **fields,
    }


def test_feedback_is_recorded_from_the_review(client, iro):
    review = _held(iro, date(2013, 6, 10))
    client.force_login(iro)
    assert client.post(reverse("audits:feedback_new", args=[review.pk]), _feedback()).status_code == 302
    feedback = ParticipantFeedback.objects.get(review=review)
    assert (feedback.role, feedback.rating, feedback.child_voice_central) == ("parent", 4, True)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("rating", "6", "The rating is from 1 to 5."),
        ("rating", "", "This field is required."),
        ("role", "uncle", "Select a valid choice. uncle is not one of the available choices."),
        ("received_on", "2099-01-01", "This date is in the future."),
    ],
)
def test_bad_feedback_gets_a_clear_message(client, iro, field, value, message):
    review = _held(iro, date(2013, 6, 10))
    client.force_login(iro)
    response = client.post(reverse("audits:feedback_new", args=[review.pk]), _feedback(**{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ParticipantFeedback.objects.exists()


def test_the_quarterly_summary(iro):
    first, second, third = _held(iro, date(2013, 5, 1)), _held(iro, date(2013, 6, 1)), _held(iro, date(2013, 10, 1))
    for review, rating, central in ((first, 5, True), (second, 3, False), (third, 4, True)):
        ParticipantFeedback.objects.create(
            review=review,
            role="child",
            received_on=review.held_on,
            preparation="well",
            venue_suitable=True,
            child_voice_central=central,
            rating=rating,
            recorded_by=iro,
        )
    summary = feedback_by_quarter(start=date(2013, 4, 1), end=date(2014, 3, 31))
    assert [
        (row["quarter_start"].isoformat(), row["responses"], row["average_rating"], row["voice_central_pct"])
        for row in summary
    ] == [("2013-04-01", 2, 4.0, 50.0), ("2013-10-01", 1, 4.0, 100.0)]


def test_a_disruption_meeting_is_recorded_for_the_child(client, iro):
    review = _held(iro, date(2013, 6, 10))
    client.force_login(iro)
    url = reverse("audits:disruption_new", args=[review.child_id])
    response = client.post(url, {"held_on": "2013-07-01", "placement": "", "learning_points": "Match better."})
    assert "This field is required." in response.content.decode()
    response = client.post(url, {"held_on": "2013-07-01", "placement": "Oak House", "learning_points": "Match better."})
    assert response.status_code == 302
    assert DisruptionMeeting.objects.get(child_id=review.child_id).chaired_by == iro

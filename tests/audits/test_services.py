"""audits.services called directly: midway reviews, monitoring forms, participant feedback,
disruption meetings, and the check that an escalation has not moved since a page showed it."""

from datetime import date

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone

from audits.codes import EscalationStage, EscalationTheme, ParticipantRole, Preparation, RatingScheme
from audits.models import DisruptionMeeting, MidwayReview, MonitoringForm, ParticipantFeedback, RatingSchemeSetting
from audits.services import (
    disruption_meeting_record,
    escalation_changes_check,
    escalation_move,
    escalation_raise,
    midway_review_record,
    monitoring_form_record,
    participant_feedback_record,
)
from reviews.codes import ReviewStatus
from reviews.services import review_record_held
from tests.factories import ChildFactory, child_in_care

pytestmark = pytest.mark.django_db


def _held(iro, *, held_on=date(2025, 2, 3), born=date(2012, 1, 1)):
    _child, review = child_in_care(iro, start=date(2025, 1, 6), born=born)
    return review_record_held(review=review, held_on=held_on, chair=iro, participation_code="PN1")


# --- midway_review_record -----------------------------------------------------------------------


def test_midway_review_record_keeps_the_dated_note(iro):
    child = ChildFactory()
    midway = midway_review_record(child=child, author=iro, held_on=date(2025, 3, 4), note="Plan on track.")
    assert MidwayReview.objects.get() == midway
    assert (midway.child, midway.author, midway.held_on, midway.note) == (
        child,
        iro,
        date(2025, 3, 4),
        "Plan on track.",
    )


def test_midway_review_record_refuses_an_empty_note_and_writes_nothing(iro):
    with pytest.raises(ValidationError) as refused:
        midway_review_record(child=ChildFactory(), author=iro, held_on=date(2025, 3, 4), note="")
    assert "note" in refused.value.message_dict
    assert not MidwayReview.objects.exists()


# --- monitoring_form_record ---------------------------------------------------------------------


def test_monitoring_form_record_grades_a_held_review_on_the_scheme_in_force_that_day(iro):
    RatingSchemeSetting.objects.create(scheme=RatingScheme.LEGACY_5, effective_from=date(2025, 2, 1))
    review = _held(iro, held_on=date(2025, 2, 3))
    form = monitoring_form_record(
        review=review,
        completed_by=iro,
        ratings={"care_plan_rating": 5, "pep_rating": 2},
        comments={"comments_for_social_worker": "Update the PEP."},
        shared_on=date(2025, 2, 10),
    )
    stored = MonitoringForm.objects.get(review=review)
    assert stored == form
    assert (stored.scheme, stored.care_plan_rating, stored.pep_rating, stored.health_plan_rating) == (
        RatingScheme.LEGACY_5,
        5,
        2,
        None,
    )
    assert (stored.completed_by, stored.completed_on, stored.shared_on) == (
        iro,
        timezone.localdate(),
        date(2025, 2, 10),
    )
    assert stored.comments_for_social_worker == "Update the PEP."


def test_monitoring_form_record_refuses_a_review_not_yet_held(iro):
    _child, due = child_in_care(iro)
    with pytest.raises(ValidationError, match="follows a held review"):
        monitoring_form_record(review=due, completed_by=iro, ratings={"care_plan_rating": 1}, comments={})
    assert not MonitoringForm.objects.exists()


def test_monitoring_form_record_refuses_a_second_form_for_the_same_review(iro):
    review = _held(iro)
    monitoring_form_record(review=review, completed_by=iro, ratings={"care_plan_rating": 1}, comments={})
    with pytest.raises(ValidationError, match="already has a monitoring form"):
        monitoring_form_record(review=review, completed_by=iro, ratings={"care_plan_rating": 2}, comments={})
    assert MonitoringForm.objects.get(review=review).care_plan_rating == 1


def test_monitoring_form_record_refuses_a_rating_outside_the_scheme(iro):
    review = _held(iro)  # Ofsted 1-4 when no scheme is set
    with pytest.raises(ValidationError) as refused:
        monitoring_form_record(review=review, completed_by=iro, ratings={"care_plan_rating": 5}, comments={})
    assert "A rating is outside its scheme's range." in refused.value.message_dict[NON_FIELD_ERRORS]
    assert not MonitoringForm.objects.exists()


def test_the_pathway_plan_is_graded_only_from_the_day_the_young_person_turns_16(iro):
    fifteen = _held(iro, held_on=date(2025, 2, 3), born=date(2009, 2, 4))  # 16 the day after
    with pytest.raises(ValidationError) as refused:
        monitoring_form_record(review=fifteen, completed_by=iro, ratings={"pathway_plan_rating": 2}, comments={})
    assert "pathway_plan_rating" in refused.value.message_dict
    assert not MonitoringForm.objects.exists()
    sixteen = _held(iro, held_on=date(2025, 2, 3), born=date(2009, 2, 3))  # 16 that day
    form = monitoring_form_record(review=sixteen, completed_by=iro, ratings={"pathway_plan_rating": 2}, comments={})
    assert form.pathway_plan_rating == 2


# --- participant_feedback_record ----------------------------------------------------------------


def _feedback(review, iro, **fields):
    return participant_feedback_record(
        **{
            "review": review,
            "recorded_by": iro,
            "role": ParticipantRole.PARENT,
            "received_on": date(2025, 2, 10),
            "preparation": Preparation.WELL,
            "venue_suitable": True,
            "child_voice_central": False,
            "rating": 4,
            "comments": "Helpful.",
            **fields,
        }
    )


def test_participant_feedback_record_keeps_what_the_participant_said(iro):
    review = _held(iro)
    feedback = _feedback(review, iro)
    stored = ParticipantFeedback.objects.get()
    assert stored == feedback
    assert (
        stored.review,
        stored.recorded_by,
        stored.role,
        stored.received_on,
        stored.preparation,
        stored.venue_suitable,
        stored.child_voice_central,
        stored.rating,
        stored.comments,
    ) == (review, iro, "parent", date(2025, 2, 10), "well", True, False, 4, "Helpful.")


def test_a_held_review_takes_feedback_from_several_participants(iro):
    review = _held(iro)
    _feedback(review, iro, role=ParticipantRole.PARENT)
    _feedback(review, iro, role=ParticipantRole.CARER, rating=5)
    assert sorted(review.feedback.values_list("role", "rating")) == [("carer", 5), ("parent", 4)]


def test_participant_feedback_record_refuses_a_review_not_held(iro):
    _child, due = child_in_care(iro)
    assert due.status == ReviewStatus.DUE
    with pytest.raises(ValidationError, match="Feedback follows a held review"):
        _feedback(due, iro)
    assert not ParticipantFeedback.objects.exists()


@pytest.mark.parametrize("rating", [0, 6])
def test_participant_feedback_record_refuses_a_rating_outside_1_to_5(iro, rating):
    review = _held(iro)
    with pytest.raises(ValidationError) as refused:
        _feedback(review, iro, rating=rating)
    assert "The rating is from 1 to 5." in refused.value.message_dict[NON_FIELD_ERRORS]
    assert not ParticipantFeedback.objects.exists()


def test_participant_feedback_record_takes_ratings_1_and_5(iro):
    review = _held(iro)
    _feedback(review, iro, rating=1)
    _feedback(review, iro, rating=5)
    assert sorted(review.feedback.values_list("rating", flat=True)) == [1, 5]


def test_participant_feedback_record_refuses_a_role_not_on_the_list(iro):
    review = _held(iro)
    with pytest.raises(ValidationError) as refused:
        _feedback(review, iro, role="neighbour")
    assert "role" in refused.value.message_dict
    assert not ParticipantFeedback.objects.exists()


# --- disruption_meeting_record ------------------------------------------------------------------


def test_disruption_meeting_record_keeps_the_meeting_and_its_learning(iro):
    child = ChildFactory()
    meeting = disruption_meeting_record(
        child=child,
        chaired_by=iro,
        held_on=date(2025, 4, 1),
        placement="Oak House",
        learning_points="Matching missed the school move.",
    )
    stored = DisruptionMeeting.objects.get()
    assert stored == meeting
    assert (stored.child, stored.chaired_by, stored.held_on, stored.placement, stored.learning_points) == (
        child,
        iro,
        date(2025, 4, 1),
        "Oak House",
        "Matching missed the school move.",
    )


@pytest.mark.parametrize(("field", "value"), [("placement", ""), ("placement", "x" * 201), ("learning_points", "")])
def test_disruption_meeting_record_refuses_a_missing_or_overlong_field_and_writes_nothing(iro, field, value):
    fields = {"placement": "Oak House", "learning_points": "Learnt.", field: value}
    with pytest.raises(ValidationError) as refused:
        disruption_meeting_record(child=ChildFactory(), chaired_by=iro, held_on=date(2025, 4, 1), **fields)
    assert field in refused.value.message_dict
    assert not DisruptionMeeting.objects.exists()


# --- escalation_changes_check -------------------------------------------------------------------


@pytest.fixture
def escalation(iro):
    return escalation_raise(
        child=ChildFactory(),
        raised_by=iro,
        raised_on=date(2025, 4, 1),
        theme=EscalationTheme.PEP_NOT_COMPLETED,
        concern="No PEP.",
    )


def test_escalation_changes_check_passes_when_the_page_showed_every_change(escalation):
    assert escalation.stage_changes.count() == 1  # raised
    assert escalation_changes_check(escalation=escalation, changes_seen=1) is None


def test_escalation_changes_check_without_a_count_does_not_check(escalation):
    assert escalation_changes_check(escalation=escalation, changes_seen=None) is None


def test_escalation_changes_check_refuses_a_count_that_is_not_the_number_of_changes(escalation):
    for wrong in (0, 2):
        with pytest.raises(ValidationError, match="nothing was saved"):
            escalation_changes_check(escalation=escalation, changes_seen=wrong)


def test_escalation_changes_check_refuses_once_someone_else_moved_it(escalation, iro):
    escalation_move(
        escalation=escalation, to_stage=EscalationStage.INFORMAL_TEAM_MANAGER, on=date(2025, 4, 8), moved_by=iro
    )
    with pytest.raises(ValidationError, match="Someone else moved this escalation"):
        escalation_changes_check(escalation=escalation, changes_seen=1)
    assert escalation_changes_check(escalation=escalation, changes_seen=2) is None

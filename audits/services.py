from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from api.webhooks import EventType, escalation_payload, events_emit
from children.ages import age_on
from children.models import Child
from reviews.codes import ReviewStatus
from reviews.models import Review
from reviews.timescales import add_working_days

from .codes import (
    FORMAL_PROCESS_WORKING_DAYS,
    FORMAL_STAGES,
    STAGE_ORDER,
    STAGE_RESPONSE_WORKING_DAYS,
    EscalationOutcome,
    EscalationStage,
)
from .models import (
    DisruptionMeeting,
    Escalation,
    EscalationStageChange,
    MidwayReview,
    MonitoringForm,
    ParticipantFeedback,
)
from .selectors import scheme_on


@transaction.atomic
def midway_review_record(*, child: Child, author: User, held_on: date, note: str) -> MidwayReview:
    """The IRO's midway look at the care plan, kept as a dated case note."""
    midway = MidwayReview(child=child, author=author, held_on=held_on, note=note)
    midway.full_clean()
    midway.save()
    return midway


@transaction.atomic
def monitoring_form_record(
    *,
    review: Review,
    completed_by: User,
    ratings: dict[str, Any],
    comments: dict[str, Any],
    shared_on: date | None = None,
) -> MonitoringForm:
    """The IRO's grading of the plans after a held review, on the scheme in force that day."""
    if review.status != ReviewStatus.HELD or review.held_on is None:  # held means dated (a constraint)
        raise ValidationError("A monitoring form follows a held review.")
    if MonitoringForm.objects.filter(review=review).exists():
        raise ValidationError("This review already has a monitoring form.")
    if ratings.get("pathway_plan_rating") is not None and age_on(review.child.date_of_birth, review.held_on) < 16:
        raise ValidationError({"pathway_plan_rating": "The pathway plan is graded for young people aged 16 and over."})
    form = MonitoringForm(
        review=review,
        completed_by=completed_by,
        completed_on=timezone.localdate(),
        scheme=scheme_on(review.held_on),
        shared_on=shared_on,
        **ratings,
        **comments,
    )
    form.full_clean()
    form.save()
    return form


@transaction.atomic
def participant_feedback_record(
    *,
    review: Review,
    recorded_by: User,
    role: str,
    received_on: date,
    preparation: str,
    venue_suitable: bool,
    child_voice_central: bool,
    rating: int,
    comments: str = "",
) -> ParticipantFeedback:
    """One participant's view of a held review, as the IRO received it."""
    if review.status != ReviewStatus.HELD:
        raise ValidationError("Feedback follows a held review.")
    feedback = ParticipantFeedback(
        review=review,
        recorded_by=recorded_by,
        role=role,
        received_on=received_on,
        preparation=preparation,
        venue_suitable=venue_suitable,
        child_voice_central=child_voice_central,
        rating=rating,
        comments=comments,
    )
    feedback.full_clean()
    feedback.save()
    return feedback


@transaction.atomic
def disruption_meeting_record(
    *, child: Child, chaired_by: User, held_on: date, placement: str, learning_points: str
) -> DisruptionMeeting:
    """A placement disruption meeting the IRO chaired, and what was learnt."""
    meeting = DisruptionMeeting(
        child=child, chaired_by=chaired_by, held_on=held_on, placement=placement, learning_points=learning_points
    )
    meeting.full_clean()
    meeting.save()
    return meeting


# --- Escalations ---------------------------------------------------------------------------


def _stage_deadline(stage: str, on: date) -> date:
    return add_working_days(on, STAGE_RESPONSE_WORKING_DAYS[stage])


@transaction.atomic
def escalation_raise(
    *, child: Child, raised_by: User, raised_on: date, theme: str, concern: str, review: Review | None = None
) -> Escalation:
    """The IRO raises a concern; it starts informally with the social worker."""
    stage = EscalationStage.INFORMAL_SOCIAL_WORKER
    escalation = Escalation(
        child=child,
        review=review,
        raised_by=raised_by,
        raised_on=raised_on,
        theme=theme,
        concern=concern,
        stage=stage,
        stage_deadline=_stage_deadline(stage, raised_on),
    )
    escalation.full_clean()
    escalation.save()
    EscalationStageChange.objects.create(
        escalation=escalation,
        to_stage=stage,
        changed_on=raised_on,
        deadline=escalation.stage_deadline,
        changed_by=raised_by,
    )
    events_emit(EventType.ESCALATION_RAISED, escalation_payload(escalation))
    return escalation


@transaction.atomic
def escalation_changes_check(*, escalation: Escalation, changes_seen: int | None) -> None:
    """A page that moves or closes an escalation claims the number of stage changes it showed:
    if someone has moved or closed it since, nothing is saved (the caller holds the row lock)."""
    if changes_seen is not None and escalation.stage_changes.count() != changes_seen:
        raise ValidationError(
            "Someone else moved this escalation on or closed it since you opened the page, so nothing was saved. "
            "Check its stages below, then act again if it is still needed."
        )


@transaction.atomic
def escalation_move(
    *,
    escalation: Escalation,
    to_stage: str,
    on: date,
    moved_by: User,
    reason: str = "",
    changes_seen: int | None = None,
) -> Escalation:
    """Up the line to the next stage, or further with a recorded reason for bypassing."""
    escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
    escalation_changes_check(escalation=escalation, changes_seen=changes_seen)
    if escalation.outcome != EscalationOutcome.OPEN:
        raise ValidationError("This escalation is closed.")
    current, target = STAGE_ORDER.index(escalation.stage), STAGE_ORDER.index(to_stage)
    if target <= current:
        raise ValidationError({"to_stage": "An escalation moves up the line, to a later stage."})
    if target > current + 1 and not reason.strip():
        raise ValidationError({"reason": "Give the reason for bypassing a stage."})
    if on < escalation.raised_on:
        raise ValidationError({"on": "A stage cannot change before the escalation was raised."})
    EscalationStageChange.objects.create(
        escalation=escalation,
        from_stage=escalation.stage,
        to_stage=to_stage,
        changed_on=on,
        deadline=_stage_deadline(to_stage, on),
        reason=reason,
        changed_by=moved_by,
    )
    escalation.stage = to_stage
    escalation.stage_deadline = _stage_deadline(to_stage, on)
    if to_stage in FORMAL_STAGES and escalation.formal_started_on is None:
        escalation.formal_started_on = on
    escalation.save(update_fields=["stage", "stage_deadline", "formal_started_on"])
    return escalation


@transaction.atomic
def escalation_close(
    *, escalation: Escalation, outcome: str, on: date, closed_by: User, how: str, changes_seen: int | None = None
) -> Escalation:
    escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
    escalation_changes_check(escalation=escalation, changes_seen=changes_seen)
    if escalation.outcome != EscalationOutcome.OPEN:
        raise ValidationError("This escalation is closed already.")
    if outcome not in (EscalationOutcome.RESOLVED, EscalationOutcome.WITHDRAWN):
        raise ValidationError({"outcome": "Close as resolved or withdrawn."})
    if not how.strip():
        raise ValidationError({"how": "Say how it was resolved, or why it was withdrawn."})
    escalation.outcome, escalation.closed_on, escalation.resolution = outcome, on, how
    escalation.full_clean()
    escalation.save(update_fields=["outcome", "closed_on", "resolution"])
    EscalationStageChange.objects.create(
        escalation=escalation,
        from_stage=escalation.stage,
        outcome=outcome,
        changed_on=on,
        reason=how,
        changed_by=closed_by,
    )
    return escalation


def formal_process_within_timescale(escalation: Escalation) -> bool | None:
    """The formal process (from its first formal stage to closing) within 20 working days;
    None while it has not been formal or is still open."""
    if escalation.formal_started_on is None or escalation.closed_on is None:
        return None
    return escalation.closed_on <= add_working_days(escalation.formal_started_on, FORMAL_PROCESS_WORKING_DAYS)

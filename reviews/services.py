"""Writes for reviews, and the orchestration of care events that move the review clock."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Manager, Model, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import User
from api.webhooks import EventType, document_payload, events_emit, review_payload
from children import services as children_services
from children.codes import SHORT_BREAK_LEGAL_STATUSES, AllocationKind
from children.models import Child, PeriodOfCare
from children.predicates import allocated_on
from children.selectors import current_allocations
from iro_service.queue import task_send_on_commit

from .claims import ATTENDEE_FIELDS, BOOK, CANCEL, COVER, DECISION_FIELDS, PREPARE, RECORD, claim_check
from .codes import (
    OUTSTANDING_STATUSES,
    REVIEW_SLOT_MINUTES,
    BookingAction,
    DocumentKind,
    DocumentState,
    ReviewSequence,
    ReviewStatus,
)
from .facts import review_facts_refresh
from .models import Booking, Decision, Distribution, Document, Invitee, ReportReceived, Review, Visit
from .timescales import Spell, minutes_due, outcomes_due, review_due_series

T = TypeVar("T")
RowModel = TypeVar("RowModel", bound=Model)  # a row of a list on the chair's record


def _required(value: T | None, constraint: str) -> T:
    """A value a database check constraint (named) guarantees, e.g. a held review's date."""
    if value is None:
        raise ValueError(f"missing, though the constraint {constraint} requires it")
    return value


def sequence_for(position: int) -> ReviewSequence:
    """reg 33: the first review, the second, then subsequent ones (position counts from 0)."""
    if position == 0:
        return ReviewSequence.FIRST
    if position == 1:
        return ReviewSequence.SECOND
    return ReviewSequence.SUBSEQUENT


def _spells(period: PeriodOfCare) -> list[Spell]:
    return [
        Spell(start=start, legal_status=status, placement_type=placement, end=end)
        for start, status, placement, end in period.episodes.order_by("start").values_list(
            "start", "legal_status", "placement_type", "end"
        )
    ]


def short_break_series_continues(period: PeriodOfCare, spells: list[Spell]) -> bool:
    return period.continues_short_breaks([spell.legal_status for spell in spells])


def _short_break_series(
    period: PeriodOfCare, spells: list[Spell]
) -> tuple[date | None, list[date], list[PeriodOfCare]]:
    """For a period whose current spell is a short break: when the series began (its first
    break, perhaps in an earlier period), the reviews held in those earlier periods, and those
    periods. The series runs back through earlier short-break-only periods that ended as planned."""
    if not spells or spells[-1].legal_status not in SHORT_BREAK_LEGAL_STATUSES:
        return None, [], []
    run_start = spells[-1].start
    for spell in reversed(spells):
        if spell.legal_status not in SHORT_BREAK_LEGAL_STATUSES:
            return run_start, [], []
        run_start = spell.start
    earlier_periods = []
    for earlier in period.child.periods_of_care.filter(start__lt=period.start).order_by("-start"):
        earlier_spells = _spells(earlier)
        if not short_break_series_continues(earlier, earlier_spells):
            break
        earlier_periods.append(earlier)
        run_start = earlier.start
    held = [
        _required(held_on, "review_held_has_date_and_code")
        for held_on in Review.objects.filter(
            period_of_care__in=earlier_periods, status=ReviewStatus.HELD, held_on__gte=run_start
        )
        .order_by("held_on")
        .values_list("held_on", flat=True)
    ]
    return run_start, held, earlier_periods


@transaction.atomic
def review_due_dates_refresh(*, period_of_care: PeriodOfCare) -> Review | None:
    """Store every review's due date, the rule that set it, and its sequence.

    Called whenever a date the clock rests on is set or corrected. The schedule is decided by
    `reviews.timescales.review_due_series` (reg 33, reg 48 short breaks, AAR reg 36 adoption,
    turning 18), each held review on the facts as they stood while it was next. Keeps exactly
    one outstanding review while the period is open, cancels it once care has ended; a short
    break that ended as planned keeps its series' review outstanding, moved on to the next break.
    Returns the outstanding review, if any.
    """
    period = PeriodOfCare.objects.select_for_update().select_related("child").get(pk=period_of_care.pk)
    spells = _spells(period)
    series_start, earlier_held, earlier_periods = _short_break_series(period, spells)
    reviews = list(period.reviews.exclude(status=ReviewStatus.CANCELLED).order_by("held_on", "pk"))
    held = [review for review in reviews if review.status == ReviewStatus.HELD]
    outstanding = next((review for review in reviews if review.status in OUTSTANDING_STATUSES), None)
    # A review left outstanding by an earlier break of this series moves on to this break; one
    # left by a series that this period does not continue is no longer needed.
    for earlier in Review.objects.select_for_update().filter(
        child_id=period.child_id, status__in=OUTSTANDING_STATUSES, period_of_care__start__lt=period.start
    ):
        if outstanding is None and earlier.period_of_care_id in {p.pk for p in earlier_periods}:
            earlier.period_of_care = period
            earlier.save(update_fields=["period_of_care"])
            outstanding = earlier
        else:
            earlier.status = ReviewStatus.CANCELLED
            earlier.save(update_fields=["status"])
    dues = review_due_series(
        date_of_birth=period.child.date_of_birth,
        period_start=period.start,
        spells=spells,
        reviews_held_on=[_required(review.held_on, "review_held_has_date_and_code") for review in held],
        began_before_records=period.began_before_records,
        short_breaks_since=series_start,
        earlier_held_on=earlier_held,
    )

    series_waits_here = (
        short_break_series_continues(period, spells)
        and not period.child.periods_of_care.filter(start__gt=period.start).exists()
    )
    if period.end is not None and not series_waits_here:
        if outstanding is not None:
            outstanding.status = ReviewStatus.CANCELLED
            outstanding.save(update_fields=["status"])
        outstanding = None
    elif outstanding is None:
        outstanding = Review(child_id=period.child_id, period_of_care=period, status=ReviewStatus.DUE)

    to_update = held + ([outstanding] if outstanding is not None else [])
    for position, review in enumerate(to_update):
        review.sequence = ReviewSequence.SUBSEQUENT if period.began_before_records else sequence_for(position)
        review.due_date = dues[position].due
        review.due_schedule = dues[position].schedule
        review.due_rule = dues[position].rule
        review.outcomes_due_on = outcomes_due(review.held_on) if review.held_on else None
        review.minutes_due_on = minutes_due(review.held_on) if review.held_on else None
    if outstanding is not None and outstanding.pk is None:
        outstanding.full_clean()
        outstanding.save()
    Review.objects.bulk_update(
        [r for r in to_update if r.pk],
        ["sequence", "due_date", "due_schedule", "due_rule", "outcomes_due_on", "minutes_due_on"],
    )
    # Every change to a review's held date or status, or to a period's dates, comes through here.
    review_facts_refresh(child_ids=[period.child_id])
    return outstanding


@transaction.atomic
def child_come_into_care(*, child: Child, start: date, episode_fields: dict[str, Any]) -> Review | None:
    """A child starts to be looked after: the period, its first episode, and the first review due."""
    period = children_services.period_of_care_start(child=child, start=start, episode_fields=episode_fields)
    return review_due_dates_refresh(period_of_care=period)


@transaction.atomic
def child_new_in_care(
    *, details: dict[str, Any], looked_after_from: date, episode_fields: dict[str, Any], iro: User | None = None
) -> tuple[Child, Review | None]:
    """*New child in care*: the child's record (`details`: children.services.child_create's
    arguments), the period of care and its first episode, the first review's due date, and the
    case-holding IRO from the first day of care if one is chosen. All or nothing."""
    child = children_services.child_create(**details)
    review = child_come_into_care(child=child, start=looked_after_from, episode_fields=episode_fields)
    if iro is not None:
        children_services.allocation_case_holding_set(child=child, iro=iro, start=looked_after_from)
    return child, review


@transaction.atomic
def child_leave_care(*, period_of_care: PeriodOfCare, end: date, reason_ended: str) -> None:
    """Care ends: the period closes and the review that was due is no longer needed."""
    children_services.period_of_care_end(period_of_care=period_of_care, end=end, reason_ended=reason_ended)
    review_due_dates_refresh(period_of_care=period_of_care)


@transaction.atomic
def period_of_care_correct_start(*, period_of_care: PeriodOfCare, start: date) -> PeriodOfCare:
    """Correct the date a child became looked after; the first review's due date follows."""
    first_episode = period_of_care.episodes.order_by("start").first()
    period_of_care.start = start
    period_of_care.full_clean()
    period_of_care.save(update_fields=["start"])
    if first_episode is not None:
        first_episode.start = start
        first_episode.full_clean()
        first_episode.save(update_fields=["start"])
    review_due_dates_refresh(period_of_care=period_of_care)
    return period_of_care


@transaction.atomic
def review_record_held(
    *,
    review: Review,
    held_on: date,
    chair: User,
    participation_code: str,
    parents_participated: bool | None = None,
) -> Review:
    """Mark a review held: stores its date and code, and the next review's due date."""
    review = Review.objects.select_for_update().get(pk=review.pk)
    review.status = ReviewStatus.HELD
    review.held_on = held_on
    review.chair = chair
    review.participation_code = participation_code
    review.parents_participated = parents_participated
    review.version += 1
    review.full_clean()
    review.save(update_fields=["status", "held_on", "chair", "participation_code", "parents_participated", "version"])
    review_due_dates_refresh(period_of_care=review.period_of_care)
    review.refresh_from_db()
    events_emit(EventType.REVIEW_HELD, review_payload(review))
    return review


@transaction.atomic
def review_correct_held_on(*, review: Review, held_on: date) -> Review:
    """Correct the date a review was held; the due dates that follow from it are recomputed."""
    review.held_on = held_on
    review.full_clean()
    review.save(update_fields=["held_on"])
    review_due_dates_refresh(period_of_care=review.period_of_care)
    review.refresh_from_db()
    return review


# --- Booking -------------------------------------------------------------------------------


def review_chair_on(*, review: Review, day: date) -> User | None:
    """Who will chair: the covering IRO, else the child's case-holding IRO on that day."""
    if review.covering_iro_id:
        return review.covering_iro
    allocation = (
        current_allocations(today=day)
        .filter(child_id=review.child_id, kind=AllocationKind.CASE_HOLDING)
        .select_related("iro")
        .first()
    )
    return allocation.iro if allocation else None


def booking_clashes(*, iro: User, booked_for: datetime, exclude: Review | None = None) -> QuerySet[Review]:
    """Other booked reviews of this IRO within one review slot of `booked_for`."""
    slot = timedelta(minutes=REVIEW_SLOT_MINUTES)
    day = timezone.localtime(booked_for).date()
    holds_child = Q(covering_iro__isnull=True, child__allocations__iro=iro) & allocated_on(day, "child__allocations__")
    clashes = Review.objects.filter(
        Q(covering_iro=iro) | holds_child,
        status=ReviewStatus.BOOKED,
        booked_for__gt=booked_for - slot,
        booked_for__lt=booked_for + slot,
    )
    if exclude is not None:
        clashes = clashes.exclude(pk=exclude.pk)
    return clashes.distinct()


@transaction.atomic
def review_book(
    *,
    review: Review,
    booked_for: datetime,
    venue: str,
    venue_chosen_by_child: bool,
    booked_by: User,
    early_review_reason: str = "",
    lateness_reason: str = "",
    reschedule_reason: str = "",
    invitees: Iterable[dict[str, Any]] = (),
    claim: str | None = None,
) -> Review:
    """Book (or reschedule) a review. Refuses a late booking without a reason, a reschedule
    without a reason, and a time that overlaps another booking of the same IRO; and refuses
    (ReviewChanged) if the booking was changed since the page was opened (`claim`)."""
    review = Review.objects.select_for_update().select_related("child", "period_of_care").get(pk=review.pk)
    claim_check(review=review, page=BOOK, claim=claim)
    errors: dict[str, str] = {}
    if review.status not in OUTSTANDING_STATUSES:
        raise ValidationError("Only a review that is due can be booked.")
    rescheduling = review.status == ReviewStatus.BOOKED
    if rescheduling and not reschedule_reason.strip():
        errors["reschedule_reason"] = "Give a reason for moving this review."
    day = timezone.localtime(booked_for).date()
    if review.due_date and day > review.due_date and not lateness_reason.strip():
        errors["lateness_reason"] = (
            f"This is after the statutory due date ({date_format(review.due_date)}): record why it is late."
        )
    chair = review_chair_on(review=review, day=day)
    if chair is None:
        errors["booked_for"] = "The child has no case-holding IRO on that day: allocate one first."
    else:
        # Lock the IRO's row so that two bookings of the same IRO at once are checked in turn.
        User.objects.select_for_update().get(pk=chair.pk)
        clash = booking_clashes(iro=chair, booked_for=booked_for, exclude=review).select_related("child").first()
        if clash is not None:
            errors["booked_for"] = (
                f"{chair} already has a review booked at {timezone.localtime(clash.booked_for):%H:%M} that day "
                f"({clash.child.display_name}); reviews need {REVIEW_SLOT_MINUTES} minutes apart."
            )
    if errors:
        raise ValidationError(errors)
    review.status = ReviewStatus.BOOKED
    review.booked_for = booked_for
    review.venue = venue
    review.venue_chosen_by_child = venue_chosen_by_child
    review.early_review_reason = early_review_reason
    review.lateness_reason = lateness_reason
    review.version += 1
    review.full_clean()
    review.save(update_fields=[*BOOK.fields, "version"])
    Booking.objects.create(
        review=review,
        action=BookingAction.RESCHEDULED if rescheduling else BookingAction.BOOKED,
        booked_for=booked_for,
        venue=venue,
        reason=reschedule_reason,
        recorded_by=booked_by,
    )
    for invitee in invitees:
        Invitee(review=review, **invitee).full_clean()
        Invitee.objects.create(review=review, **invitee)
    events_emit(EventType.REVIEW_BOOKED, review_payload(review))
    return review


@transaction.atomic
def review_cancel_booking(*, review: Review, reason: str, cancelled_by: User, claim: str | None = None) -> Review:
    """The booking is cancelled; the review is due again and the history keeps the booking."""
    review = Review.objects.select_for_update().get(pk=review.pk)
    claim_check(review=review, page=CANCEL, claim=claim)
    if review.status != ReviewStatus.BOOKED:
        raise ValidationError("Only a booked review can have its booking cancelled.")
    if not reason.strip():
        raise ValidationError({"reason": "Give a reason for cancelling the booking."})
    Booking.objects.create(
        review=review,
        action=BookingAction.CANCELLED,
        booked_for=review.booked_for,
        venue=review.venue,
        reason=reason,
        recorded_by=cancelled_by,
    )
    review.status = ReviewStatus.DUE
    review.booked_for = None
    review.version += 1
    review.save(update_fields=[*CANCEL.fields, "version"])
    return review


@transaction.atomic
def review_set_cover(
    *, review: Review, iro: User | None, ends_on: date | None = None, claim: str | None = None
) -> Review:
    """An IRO covers this one review (or cover is removed with None) until `ends_on`, or, left
    blank, until the review's minutes are due (reviews.access.cover_is_active)."""
    if iro is not None and not iro.is_iro:
        raise ValidationError({"iro": f"{iro} is not an IRO."})
    if iro is None and ends_on is not None:
        raise ValidationError({"ends_on": "Choose the covering IRO, or leave the end date blank."})
    review = Review.objects.select_for_update().get(pk=review.pk)
    claim_check(review=review, page=COVER, claim=claim)
    if review.status not in OUTSTANDING_STATUSES:
        raise ValidationError("Cover can only be set for a review that has not been held.")
    if iro is not None and review.status == ReviewStatus.BOOKED:
        booked_for = _required(review.booked_for, "review_booked_has_time")
        clash = booking_clashes(iro=iro, booked_for=booked_for, exclude=review).first()
        if clash is not None:
            raise ValidationError({"iro": f"{iro} already has a review booked at that time."})
    review.covering_iro = iro
    review.cover_ends_on = ends_on
    review.version += 1
    review.save(update_fields=[*COVER.fields, "version"])
    return review


# --- Before, during and after the review ---------------------------------------------------


@transaction.atomic
def visit_record(*, child: Child, iro: User, visited_on: date, seen_alone: bool, notes: str) -> Visit:
    """The IRO saw the child; the next review notes the latest pre-review visit."""
    visit = Visit(child=child, iro=iro, visited_on=visited_on, seen_alone=seen_alone, notes=notes)
    visit.full_clean()
    visit.save()
    review_facts_refresh(child_ids=[child.pk])
    outstanding = (
        Review.objects.select_for_update()
        .filter(child=child, status__in=OUTSTANDING_STATUSES, period_of_care__start__lte=visited_on)
        .first()
    )
    if outstanding is not None and (outstanding.child_visited_on is None or outstanding.child_visited_on < visited_on):
        outstanding.child_visited_on = visited_on
        outstanding.save(update_fields=["child_visited_on"])
    return visit


@transaction.atomic
def visit_correct(
    *, visit: Visit, corrected_by: User, visited_on: date, seen_alone: bool, notes: str, reason: str
) -> Visit:
    """The IRO corrects a visit recorded in error. The visit's history keeps what it said before,
    who corrected it and why; the outstanding review's pre-review visit date follows the correction."""
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    visit.visited_on, visit.seen_alone, visit.notes = visited_on, seen_alone, notes
    visit.full_clean()
    visit._change_reason = reason
    visit._history_user = corrected_by
    visit.save()
    review_facts_refresh(child_ids=[visit.child_id])
    outstanding = Review.objects.select_for_update().filter(child=visit.child, status__in=OUTSTANDING_STATUSES).first()
    if outstanding is not None:
        latest = (
            Visit.objects.filter(child=visit.child, visited_on__gte=outstanding.period_of_care.start)
            .order_by("-visited_on")
            .values_list("visited_on", flat=True)
            .first()
        )
        if outstanding.child_visited_on != latest:
            outstanding.child_visited_on = latest
            outstanding.save(update_fields=["child_visited_on"])
    return visit


@transaction.atomic
def review_record_preparation(
    *,
    review: Review,
    wishes_and_feelings_received_on: date | None,
    child_own_words: str,
    reports: dict[str, date],
    claim: str | None = None,
) -> Review:
    """Wishes and feelings received (with the child's own words), and the reports received."""
    review = Review.objects.select_for_update().get(pk=review.pk)
    claim_check(review=review, page=PREPARE, claim=claim)
    review.wishes_and_feelings_received = wishes_and_feelings_received_on is not None
    review.wishes_and_feelings_received_on = wishes_and_feelings_received_on
    review.child_own_words = child_own_words
    review.version += 1
    review.full_clean()
    review.save(update_fields=[*PREPARE.fields, "version"])
    for kind, received_on in reports.items():
        ReportReceived.objects.update_or_create(review=review, kind=kind, defaults={"received_on": received_on})
    review.reports_received.exclude(kind__in=list(reports)).delete()
    return review


# --- Documents -----------------------------------------------------------------------------


@transaction.atomic
def document_request(*, review: Review, kind: str, requested_by: User, reason: str = "") -> Document:
    """Ask for a new version of a document; it renders in the background (eagerly under make run).

    A new version after one has been issued needs a reason. Nothing is ever overwritten.
    """
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.status != ReviewStatus.HELD:
        raise ValidationError("Documents are produced once the review has been held.")
    versions = Document.objects.filter(review=review, kind=kind)
    if versions.filter(issued_on__isnull=False).exists() and not reason.strip():
        raise ValidationError({"reason": "This document has been issued: give the reason for a new version."})
    latest = versions.order_by("-version").values_list("version", flat=True).first() or 0
    document = Document(review=review, kind=kind, version=latest + 1, reason=reason, created_by=requested_by)
    document.full_clean()
    document.save()
    task_send_on_commit("reviews.tasks.render_document", document.pk, robust=True)
    return document


def document_produce(*, document_id: int) -> Document:
    """Render a queued version: ready with its file and SHA-256, or failed with the reason."""
    from .documents import document_render  # noqa: PLC0415 - WeasyPrint loads only where documents are made

    with transaction.atomic():
        document = Document.objects.select_for_update().select_related("review__child").get(pk=document_id)
        if document.state != DocumentState.QUEUED:
            return document
        try:
            document_render(document)
        except Exception as error:  # any failure is shown to the IRO, who can try again
            document.state = DocumentState.FAILED
            document.failure_reason = f"{type(error).__name__}: {error}"[:500]
        else:
            document.state = DocumentState.READY
        document.save(update_fields=["state", "failure_reason", "file_name", "sha256", "letter_html"])
    return document


@transaction.atomic
def document_issue(*, document: Document, issued_on: date) -> Document:
    """Draft → issued. The first issue of outcomes or minutes dates the review's issue."""
    from .documents import issued_on_time  # noqa: PLC0415 - reviews.documents loads WeasyPrint: only where used

    document = Document.objects.select_for_update().select_related("review").get(pk=document.pk)
    if document.issued_on is not None:
        raise ValidationError("This version has been issued already.")
    if document.state != DocumentState.READY:
        raise ValidationError("Only a ready document can be issued.")
    if issued_on < _required(document.review.held_on, "review_held_has_date_and_code"):  # documents: held reviews only
        raise ValidationError({"issued_on": "A document cannot be issued before the review was held."})
    document.issued_on = issued_on
    document.issued_on_time = issued_on_time(document.kind, document.review, issued_on)
    document.full_clean()
    document.save(update_fields=["issued_on", "issued_on_time"])
    review = document.review
    issued: dict[str, str] = {
        DocumentKind.OUTCOMES: "outcomes_issued_on",
        DocumentKind.MINUTES: "minutes_issued_on",
    }
    field = issued.get(document.kind)
    if field and getattr(review, field) is None:
        setattr(review, field, issued_on)
        review.save(update_fields=[field])
    if field:
        events_emit(EventType.ISSUED[document.kind], document_payload(document))
    return document


@transaction.atomic
def distribution_record(
    *, document: Document, recipient: str, method: str, sent_on: date, recorded_by: User
) -> Distribution:
    document = Document.objects.get(pk=document.pk)  # as issued now, not as the caller last saw it
    distribution = Distribution(
        document=document, recipient=recipient, method=method, sent_on=sent_on, recorded_by=recorded_by
    )
    distribution.full_clean()
    distribution.save()
    return distribution


@dataclass(frozen=True)
class RowChange:
    """One row of a list on the chair's record (an attendee, a decision) as the chair typed it:
    `pk` None for a new row; `delete` to remove the row."""

    pk: int | None
    values: dict[str, object] = field(default_factory=dict)
    delete: bool = False


def _record_rows_save(
    *,
    review: Review,
    model: type[RowModel],
    rows: Manager[RowModel],
    fields: tuple[str, ...],
    changes: Sequence[RowChange],
    may_delete: bool,
) -> None:
    """Write the changed rows of one of the record's lists (`rows`: the review's own), each
    checked by the model first. A row of another review is refused as if it were gone."""
    existing = rows.in_bulk([change.pk for change in changes if change.pk is not None])
    for change in changes:
        unknown = set(change.values) - set(fields)
        if unknown:
            raise ValueError(f"{sorted(unknown)} are not fields of the chair's record")
        if change.pk is not None and change.pk not in existing:
            raise ValidationError("A row on this page is no longer part of the review: open the review again.")
        row = existing[change.pk] if change.pk is not None else model(review=review)
        if change.delete:
            if not may_delete:
                raise ValidationError("The decisions of a held review are part of the child's record and are kept.")
            if row.pk is not None:
                row.delete()
            continue
        for name, value in change.values.items():
            setattr(row, name, value)
        row.full_clean()
        row.save()


@transaction.atomic
def review_record_save(
    *,
    review: Review,
    claim: str | None,
    values: dict[str, Any],
    attendees: Sequence[RowChange] = (),
    decisions: Sequence[RowChange] = (),
    held_by: User | None = None,
) -> Review:
    """Save the chair's record (a draft, or corrections to a held review): only the record's
    own fields, attendees and decisions, and only if they are as the chair saw them (`claim`;
    else ReviewChanged).

    `values` holds the record's fields (reviews.claims.RECORD); `attendees` and `decisions` the
    rows added, changed or (decisions, while a draft) removed, written under the same lock. A
    held date in a draft is not kept: with `held_by` (the chair) the review is then marked held
    on `values["held_on"]`.
    """
    review = Review.objects.select_for_update().select_related("child", "period_of_care").get(pk=review.pk)
    claim_check(review=review, page=RECORD, claim=claim)
    was_held = review.status == ReviewStatus.HELD
    for name, value in values.items():
        if name not in RECORD.fields:
            raise ValueError(f"{name} is not a field of the chair's record")
        setattr(review, name, value)
    if not was_held:
        review.held_on = None
    review.version += 1
    review.full_clean()
    review.save(update_fields=[*RECORD.fields, "version"])
    _record_rows_save(
        review=review, model=Invitee, rows=review.invitees, fields=ATTENDEE_FIELDS, changes=attendees, may_delete=False
    )
    _record_rows_save(
        review=review,
        model=Decision,
        rows=review.decisions,
        fields=DECISION_FIELDS,
        changes=decisions,
        # Decisions typed in error go while the record is a draft; once held they are the child's record.
        may_delete=not was_held,
    )
    if was_held:
        review_due_dates_refresh(period_of_care=review.period_of_care)
    elif held_by is not None:
        return review_record_held(
            review=review,
            held_on=values["held_on"],
            chair=held_by,
            participation_code=review.participation_code,
            parents_participated=review.parents_participated,
        )
    return review

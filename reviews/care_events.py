"""Care events that move the review clock (docs/domain.md, "Care events that move the clock"): a
change of placement (RNE P/T), of legal status (L), of both (B/U), placement for adoption, leaving
care (REC) and returning to care (S).

Each service validates, then writes the episode or period through children.services and
refreshes the clock (reviews.services.review_due_dates_refresh) in the same transaction, so no
date the clock rests on changes without the due dates following. It records a CareEvent, and
where the regulations call for an early review it asks (the page shows the prompt) and
`early_review_decide` records the answer.

Early reviews (Care Planning, Placement and Case Review (England) Regulations 2010):
- reg 33(3)(c): remand or PACE accommodation (legal status J1/J2) ends;
- reg 33(3)(d): detention in a secure training centre or young offender institution ends. The
  2025/26 placement list has R5 "young offender institution or prison" for that; K1 is a secure
  children's home, which is not an STC or a YOI (a child may be there on welfare grounds,
  s25), so leaving K1 does not call for a 33(3)(d) review (interpretation, one place: DETENTION_PLACEMENTS);
- reg 33(3)(e): a child accommodated under s20 (V2) aged 16 or 17 whom the authority stops
  accommodating and who does not go back to a parent (REC other than E4A/E4B);
- reg 32(2): a placement change (other than a temporary move, T0–T4) or any change the person
  marks as a significant change to the care plan.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from accounts import services as notification_services
from accounts.models import User
from children import services as children_services
from children.ages import age_on
from children.codes import (
    ADOPTION_PLACEMENTS,
    EPISODE_CONTINUES,
    LegalStatus,
    PlacementType,
    ReasonEpisodeCeased,
    ReasonNewEpisode,
)
from children.models import EPISODE_DETAILS, Child, Episode, PeriodOfCare

from .care_event_models import CareEvent, CareEventKind, EarlyReviewChoice
from .codes import OUTSTANDING_STATUSES, EarlyReviewReason
from .models import Review
from .services import child_come_into_care, review_due_dates_refresh
from .timescales import eighteenth_birthday

# A change may be recorded a little ahead, when it is planned (a move next week), never months
# ahead: a date further on is more likely a typing slip (interpretation).
PLANNING_WINDOW = timedelta(days=28)
# Leaving care is recorded on or after the day: a future end would close the review that is due
# at once and stop its reminders while the child is still looked after, and reg 33(3)(e) wants
# the review before the authority stops accommodating them.
LEAVING_CARE_WINDOW = timedelta(days=0)

REMAND_OR_PACE = frozenset({LegalStatus.J1, LegalStatus.J2})  # s21(2)(b) and (c)
DETENTION_PLACEMENTS = frozenset({PlacementType.R5})  # STC or YOI; not K1 (see above)
TEMPORARY_PLACEMENTS = frozenset({PlacementType.T0, PlacementType.T1, PlacementType.T2, PlacementType.T3,
                                  PlacementType.T4})  # fmt: skip
RETURNED_TO_PARENTS = frozenset({ReasonEpisodeCeased.E4A, ReasonEpisodeCeased.E4B})
# reg 33(3)(e): a child 16 or 17 accommodated under s20.
ACCOMMODATION_CEASING_AGES = range(16, 18)

PLACEMENT_FIELDS = ("placement_type", "placement_provider", "placement_postcode", "urn")
PLACEMENT_REASONS = frozenset({ReasonNewEpisode.PLACEMENT_AND_CARER, ReasonNewEpisode.PLACEMENT_SAME_CARER})
BOTH_REASONS = frozenset(
    {ReasonNewEpisode.LEGAL_STATUS_PLACEMENT_AND_CARER, ReasonNewEpisode.LEGAL_STATUS_PLACEMENT_SAME_CARER}
)


@dataclass(frozen=True)
class EarlyReviewPrompt:
    """Why an early review is called for, in words, with the reason to preset on the booking."""

    reason: str
    why: str


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def current_episode(period_of_care: PeriodOfCare) -> Episode | None:
    return period_of_care.episodes.filter(end__isnull=True).order_by("-start").first()


def open_period(child: Child) -> PeriodOfCare | None:
    return child.periods_of_care.filter(end__isnull=True).first()


# --- Which events call for an early review -----------------------------------------------------


def early_review_for_episode_change(
    *, before: Episode, after: dict[str, Any], significant_change: bool
) -> EarlyReviewPrompt | None:
    """The early review a new episode calls for, the most specific reason first."""
    if before.legal_status in REMAND_OR_PACE and after["legal_status"] not in REMAND_OR_PACE:
        return EarlyReviewPrompt(
            EarlyReviewReason.S21_ACCOMMODATION_ENDING,
            f"Remand or PACE accommodation ({before.legal_status}) is ending: reg 33(3)(c) calls for a review "
            "before it ends if the next one would not otherwise come first.",
        )
    if before.placement_type in DETENTION_PLACEMENTS and after["placement_type"] not in DETENTION_PLACEMENTS:
        return EarlyReviewPrompt(
            EarlyReviewReason.SECURE_DETENTION,
            "Detention in a young offender institution or secure training centre is ending: reg 33(3)(d) calls for "
            "a review before it ends if the next one would not otherwise come first.",
        )
    placement_changed = any(before_value(before, name) != after[name] for name in PLACEMENT_FIELDS)
    if significant_change or (placement_changed and after["placement_type"] not in TEMPORARY_PLACEMENTS):
        what = "a significant change to the care plan" if significant_change else "a change of placement"
        return EarlyReviewPrompt(
            EarlyReviewReason.SIGNIFICANT_CHANGE,
            f"This is {what}: reg 32(2) says a significant change to the care plan is first considered at a review, "
            "unless that is not reasonably practicable.",
        )
    return None


def early_review_for_leaving_care(
    *, child: Child, before: Episode, end: date, reason_ended: str
) -> EarlyReviewPrompt | None:
    """The review the regulations want before care ends this way, if any."""
    if before.legal_status in REMAND_OR_PACE:
        return EarlyReviewPrompt(
            EarlyReviewReason.S21_ACCOMMODATION_ENDING,
            f"Remand or PACE accommodation ({before.legal_status}) is ending: reg 33(3)(c) calls for a review "
            "before it ends if the next one would not otherwise come first.",
        )
    if before.placement_type in DETENTION_PLACEMENTS:
        return EarlyReviewPrompt(
            EarlyReviewReason.SECURE_DETENTION,
            "Detention in a young offender institution or secure training centre is ending: reg 33(3)(d).",
        )
    if (
        before.legal_status == LegalStatus.V2
        and age_on(child.date_of_birth, end) in ACCOMMODATION_CEASING_AGES
        and reason_ended not in RETURNED_TO_PARENTS
    ):
        return EarlyReviewPrompt(
            EarlyReviewReason.ACCOMMODATION_CEASING,
            f"{child.display_name} is {age_on(child.date_of_birth, end)}, accommodated under section 20, and will not "
            "go back to a parent: reg 33(3)(e) says the authority reviews the case before it stops accommodating them.",
        )
    return None


def before_value(episode: Episode, name: str) -> str:
    return getattr(episode, name) or ""


# --- Validation shared by the services and their pages -----------------------------------------


def _check_child_day(
    *, child: Child, day: date, field: str, today: date, window: timedelta, ends_care: bool = False
) -> dict[str, str]:
    """A date a care event can have: not before birth, not too far ahead, and while care can last
    (a change up to the day before the 18th birthday; leaving care up to that day)."""
    errors: dict[str, str] = {}
    latest = today + window
    turns_18 = eighteenth_birthday(child.date_of_birth)
    if day > latest:
        errors[field] = (
            "This date is in the future: record it on or after the day it happens."
            if not window
            else f"This date is too far ahead: it can be at most {window.days} days from today ({date_format(latest)})."
        )
    elif day < child.date_of_birth:
        errors[field] = "This date is before the child's date of birth."
    elif day > turns_18 or (day == turns_18 and not ends_care):
        errors[field] = f"{child.display_name} turns 18 on {date_format(turns_18)}, when care ends: " + (
            "care cannot end after that day." if ends_care else "record leaving care instead."
        )
    return errors


def _locked_open_period(period_of_care: PeriodOfCare) -> tuple[PeriodOfCare, Episode]:
    period = PeriodOfCare.objects.select_for_update().select_related("child").get(pk=period_of_care.pk)
    if period.end is not None:
        raise ValidationError(
            f"{period.child.display_name} left care on {date_format(period.end)}: record a return to care first."
        )
    episode = current_episode(period)
    if episode is None:
        raise ValidationError("This period of care has no current episode: correct the record in the admin first.")
    return period, episode


def _check_after_current(*, episode: Episode, day: date, field: str, allow_same_day: bool = False) -> dict[str, str]:
    if day < episode.start or (day == episode.start and not allow_same_day):
        return {
            field: f"This must be after the current episode began on {date_format(episode.start)}"
            + (" (or on that day)." if allow_same_day else ".")
        }
    return {}


# --- The services ------------------------------------------------------------------------------


@transaction.atomic
def _episode_change(
    *,
    period_of_care: PeriodOfCare,
    kind: str,
    start: date,
    reason_new_episode: str,
    changes: dict[str, Any],
    significant_change: bool,
    recorded_by: User,
    today: date | None,
    check: Callable[[Episode, dict[str, Any]], dict[str, str]] | None = None,
) -> CareEvent:
    period, before = _locked_open_period(period_of_care)
    today = _today(today)
    errors = _check_child_day(child=period.child, day=start, field="start", today=today, window=PLANNING_WINDOW)
    errors = errors or _check_after_current(episode=before, day=start, field="start")
    after = {name: before_value(before, name) for name in EPISODE_DETAILS}  # carried over unless changed
    after.update({name: value or "" for name, value in changes.items()})
    if check is not None:
        for field, message in check(before, after).items():
            errors.setdefault(field, message)
    if errors:
        raise ValidationError(errors)
    episode = children_services.episode_add(
        period_of_care=period,
        start=start,
        episode_fields={**after, "reason_new_episode": reason_new_episode},
    )
    review_due_dates_refresh(period_of_care=period)
    prompt = early_review_for_episode_change(before=before, after=after, significant_change=significant_change)
    event = CareEvent(
        child=period.child,
        period_of_care=period,
        episode=episode,
        kind=kind,
        occurred_on=start,
        previous_legal_status=before.legal_status,
        previous_placement_type=before.placement_type,
        significant_change=significant_change,
        early_review_reason=prompt.reason if prompt else "",
        early_review_choice=EarlyReviewChoice.PENDING if prompt else EarlyReviewChoice.NOT_ASKED,
        recorded_by=recorded_by,
    )
    event.full_clean()
    event.save()
    return event


def _placement_differs(before: Episode, after: dict[str, Any]) -> dict[str, str]:
    if all(before_value(before, name) == after[name] for name in PLACEMENT_FIELDS):
        return {"placement_type": "This is the current placement: change the placement, its provider, postcode or URN."}
    return {}


def _legal_status_differs(before: Episode, after: dict[str, Any]) -> dict[str, str]:
    if before.legal_status == after["legal_status"]:
        return {"legal_status": f"{before.legal_status} is the current legal status: choose the new one."}
    return {}


def placement_change(
    *,
    period_of_care: PeriodOfCare,
    start: date,
    reason_new_episode: str,
    placement_type: str,
    placement_provider: str = "",
    placement_postcode: str = "",
    urn: str = "",
    reason_place_change: str = "",
    significant_change: bool = False,
    recorded_by: User,
    today: date | None = None,
) -> CareEvent:
    """RNE P (new carers) or T (same carers): a new episode with the new placement, same legal status."""
    if reason_new_episode not in PLACEMENT_REASONS:
        raise ValidationError({"reason_new_episode": "A change of placement is RNE P or T."})

    def check(before: Episode, after: dict[str, Any]) -> dict[str, str]:
        errors = _placement_differs(before, after)
        if after["placement_type"] in ADOPTION_PLACEMENTS:
            errors.setdefault("placement_type", "To record a placement for adoption, use “Placed for adoption”.")
        return errors

    return _episode_change(
        period_of_care=period_of_care,
        kind=CareEventKind.PLACEMENT,
        start=start,
        reason_new_episode=reason_new_episode,
        changes={
            "placement_type": placement_type,
            "placement_provider": placement_provider,
            "placement_postcode": placement_postcode,
            "urn": urn,
            "reason_place_change": reason_place_change,
        },
        significant_change=significant_change,
        recorded_by=recorded_by,
        today=today,
        check=check,
    )


def legal_status_change(
    *,
    period_of_care: PeriodOfCare,
    start: date,
    legal_status: str,
    significant_change: bool = False,
    recorded_by: User,
    today: date | None = None,
) -> CareEvent:
    """RNE L: a new episode with the new legal status, same placement."""
    return _episode_change(
        period_of_care=period_of_care,
        kind=CareEventKind.LEGAL_STATUS,
        start=start,
        reason_new_episode=ReasonNewEpisode.LEGAL_STATUS,
        changes={"legal_status": legal_status},
        significant_change=significant_change,
        recorded_by=recorded_by,
        today=today,
        check=_legal_status_differs,
    )


def placement_and_legal_status_change(
    *,
    period_of_care: PeriodOfCare,
    start: date,
    reason_new_episode: str,
    legal_status: str,
    placement_type: str,
    placement_provider: str = "",
    placement_postcode: str = "",
    urn: str = "",
    reason_place_change: str = "",
    significant_change: bool = False,
    recorded_by: User,
    today: date | None = None,
) -> CareEvent:
    """RNE B (new carers) or U (same carers): new legal status and new placement together."""
    if reason_new_episode not in BOTH_REASONS:
        raise ValidationError({"reason_new_episode": "A change of legal status and placement is RNE B or U."})
    return _episode_change(
        period_of_care=period_of_care,
        kind=CareEventKind.PLACEMENT_AND_LEGAL_STATUS,
        start=start,
        reason_new_episode=reason_new_episode,
        changes={
            "legal_status": legal_status,
            "placement_type": placement_type,
            "placement_provider": placement_provider,
            "placement_postcode": placement_postcode,
            "urn": urn,
            "reason_place_change": reason_place_change,
        },
        significant_change=significant_change,
        recorded_by=recorded_by,
        today=today,
        check=lambda before, after: {**_placement_differs(before, after), **_legal_status_differs(before, after)},
    )


# A3 and A5 are placements "with current foster carer(s)": the same carers (RNE T, or U with a
# new legal status); A4 and A6 are with new carers (P, or B).
ADOPTION_WITH_CURRENT_CARERS = frozenset({PlacementType.A3, PlacementType.A5})


@transaction.atomic
def adoption_placement(
    *,
    period_of_care: PeriodOfCare,
    placed_on: date,
    placement_type: str,
    legal_status: str = "",
    placement_provider: str = "",
    placement_postcode: str = "",
    urn: str = "",
    significant_change: bool = False,
    recorded_by: User,
    today: date | None = None,
) -> CareEvent:
    """Placed for adoption (A3–A6) on `placed_on`: a change of placement (and of legal status, when
    one is given that differs, e.g. a placement order E1 made that day). The clock then applies the
    adoption review schedule (AAR 2005 reg 36) where it is sooner."""
    if placement_type not in ADOPTION_PLACEMENTS:
        raise ValidationError({"placement_type": "Placed for adoption is one of A3, A4, A5 or A6."})
    period = PeriodOfCare.objects.select_for_update().get(pk=period_of_care.pk)
    before = current_episode(period)
    legal_status = legal_status or (before.legal_status if before else "")
    with_current_carers = placement_type in ADOPTION_WITH_CURRENT_CARERS
    status_changes = before is not None and legal_status != before.legal_status
    if status_changes:
        rne = (
            ReasonNewEpisode.LEGAL_STATUS_PLACEMENT_SAME_CARER
            if with_current_carers
            else ReasonNewEpisode.LEGAL_STATUS_PLACEMENT_AND_CARER
        )
    else:
        rne = ReasonNewEpisode.PLACEMENT_SAME_CARER if with_current_carers else ReasonNewEpisode.PLACEMENT_AND_CARER

    def check(before: Episode, after: dict[str, Any]) -> dict[str, str]:
        if before.placement_type == placement_type:
            return {"placement_type": f"{placement_type} is the current placement already."}
        return {}

    return _episode_change(
        period_of_care=period_of_care,
        kind=CareEventKind.ADOPTION_PLACEMENT,
        start=placed_on,
        reason_new_episode=rne,
        changes={
            "legal_status": legal_status,
            "placement_type": placement_type,
            "placement_provider": placement_provider,
            "placement_postcode": placement_postcode,
            "urn": urn,
            "reason_place_change": "CARPL",  # an adoption placement implements the care plan
        },
        significant_change=significant_change,
        recorded_by=recorded_by,
        today=today,
        check=check,
    )


def leaving_care_prompt(*, period_of_care: PeriodOfCare, end: date, reason_ended: str) -> EarlyReviewPrompt | None:
    """The early review the regulations want before care ends this way (the page asks first)."""
    before = current_episode(period_of_care)
    if before is None:
        return None
    return early_review_for_leaving_care(child=period_of_care.child, before=before, end=end, reason_ended=reason_ended)


@transaction.atomic
def leave_care(
    *,
    period_of_care: PeriodOfCare,
    end: date,
    reason_ended: str,
    recorded_by: User,
    early_review_choice: str = "",
    no_early_review_reason: str = "",
    today: date | None = None,
) -> CareEvent:
    """Care ends on `end` with its REC: the period and its episode close, the outstanding review is
    "not needed" (the clock cancels it) and its unsent reminders are withdrawn.

    Where the regulations want a review before care ends this way (33(3)(c), (d), (e)) the page
    has asked first: `early_review_choice` says whether one was already held ("already_reviewed")
    or why not ("none" with `no_early_review_reason`).
    """
    period, before = _locked_open_period(period_of_care)
    today = _today(today)
    errors = _check_child_day(
        child=period.child, day=end, field="end", today=today, window=LEAVING_CARE_WINDOW, ends_care=True
    )
    errors = errors or _check_after_current(episode=before, day=end, field="end", allow_same_day=True)
    if reason_ended == EPISODE_CONTINUES:
        errors["reason_ended"] = "X1 continues care in a new episode: choose the reason care ended."
    elif reason_ended not in ReasonEpisodeCeased.values:
        errors["reason_ended"] = "Choose the reason care ended (REC)."
    prompt = None
    if not errors:
        prompt = early_review_for_leaving_care(child=period.child, before=before, end=end, reason_ended=reason_ended)
        if prompt and early_review_choice not in (EarlyReviewChoice.NONE, EarlyReviewChoice.ALREADY_REVIEWED):
            errors["early_review_choice"] = "Say whether a review has considered this, or why there is none."
        elif prompt and early_review_choice == EarlyReviewChoice.NONE and not no_early_review_reason.strip():
            errors["no_early_review_reason"] = "Say why there is no review before care ends."
    if errors:
        raise ValidationError(errors)
    outstanding = list(period.reviews.filter(status__in=OUTSTANDING_STATUSES).values_list("pk", flat=True))
    children_services.period_of_care_end(period_of_care=period, end=end, reason_ended=reason_ended)
    review_due_dates_refresh(period_of_care=period)
    # The review that was due is "not needed" now: its reminders not yet sent must not go out.
    notification_services.notifications_withdraw(object_keys=[f"review:{pk}" for pk in outstanding])
    event = CareEvent(
        child=period.child,
        period_of_care=period,
        kind=CareEventKind.LEFT_CARE,
        occurred_on=end,
        previous_legal_status=before.legal_status,
        previous_placement_type=before.placement_type,
        reason_ended=reason_ended,
        early_review_reason=prompt.reason if prompt else "",
        early_review_choice=early_review_choice if prompt else EarlyReviewChoice.NOT_ASKED,
        no_early_review_reason=no_early_review_reason.strip() if prompt else "",
        early_review_decided_by=recorded_by if prompt else None,
        early_review_decided_at=timezone.now() if prompt else None,
        recorded_by=recorded_by,
    )
    event.full_clean()
    event.save()
    return event


@transaction.atomic
def return_to_care(
    *, child: Child, start: date, episode_fields: dict[str, Any], recorded_by: User, today: date | None = None
) -> CareEvent:
    """The child starts to be looked after again: a new period (RNE S), first review in 20 working days."""
    Child.objects.select_for_update().get(pk=child.pk)
    today = _today(today)
    if open_period(child) is not None:
        raise ValidationError(f"{child.display_name} is looked after now: record leaving care first.")
    errors = _check_child_day(child=child, day=start, field="start", today=today, window=PLANNING_WINDOW)
    last = child.periods_of_care.exclude(end__isnull=True).order_by("-end").first()
    if not errors and last is not None and last.end is not None and start <= last.end:
        errors["start"] = f"Care last ended on {date_format(last.end)}: a return to care starts after that day."
    if errors:
        raise ValidationError(errors)
    child_come_into_care(child=child, start=start, episode_fields=episode_fields)
    period = child.periods_of_care.get(start=start)
    event = CareEvent(
        child=child,
        period_of_care=period,
        episode=period.episodes.get(start=start),
        kind=CareEventKind.RETURNED_TO_CARE,
        occurred_on=start,
        recorded_by=recorded_by,
    )
    event.full_clean()
    event.save()
    return event


@transaction.atomic
def early_review_decide(
    *, care_event: CareEvent, book: bool, no_early_review_reason: str = "", decided_by: User
) -> CareEvent:
    """The answer to the prompt: book an early review (the outstanding review, booked next with the
    reason preset), or none, with the reason. Asked once; a later answer is refused."""
    event = CareEvent.objects.select_for_update().get(pk=care_event.pk)
    if event.early_review_choice != EarlyReviewChoice.PENDING:
        raise ValidationError("The early-review choice for this event has been made already.")
    if book:
        review = (
            Review.objects.filter(period_of_care_id=event.period_of_care_id, status__in=OUTSTANDING_STATUSES)
            .select_for_update()
            .first()
        )
        if review is None:
            raise ValidationError("There is no review due in this period of care to book.")
        event.early_review = review
        event.early_review_choice = EarlyReviewChoice.BOOK
    else:
        if not no_early_review_reason.strip():
            raise ValidationError({"no_early_review_reason": "Say why no early review is needed."})
        event.early_review_choice = EarlyReviewChoice.NONE
        event.no_early_review_reason = no_early_review_reason.strip()
    event.early_review_decided_by = decided_by
    event.early_review_decided_at = timezone.now()
    event.full_clean()
    event.save(
        update_fields=[
            "early_review",
            "early_review_choice",
            "no_early_review_reason",
            "early_review_decided_by",
            "early_review_decided_at",
        ]
    )
    return event


def outstanding_review(period_of_care: PeriodOfCare) -> Review | None:
    return Review.objects.filter(period_of_care=period_of_care, status__in=OUTSTANDING_STATUSES).first()

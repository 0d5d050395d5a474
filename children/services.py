"""Writes that matter for children, their periods of care, episodes and allocations.

Keyword-only, validated with full_clean() before saving, atomic. Whatever must also happen
to reviews when care starts or ends is orchestrated one floor up, in reviews.services.
"""

from datetime import date, timedelta
from types import EllipsisType
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from accounts.roles import Role

from .codes import EPISODE_CONTINUES, AllocationKind, ReasonNewEpisode
from .models import Allocation, Child, Episode, PeriodOfCare


@transaction.atomic
def child_create(
    *,
    local_id: str,
    first_name: str,
    last_name: str,
    date_of_birth: date,
    sex: str,
    ethnicity: str,
    preferred_name: str = "",
    upn: str = "",
    mother: str = "",
    mother_child_date_of_birth: date | None = None,
    school: str = "",
    social_worker: str = "",
    email: str = "",
) -> Child:
    """A child's record (the SSDA903 header). Coming into care is reviews.services.child_new_in_care."""
    child = Child(
        local_id=local_id,
        first_name=first_name,
        last_name=last_name,
        date_of_birth=date_of_birth,
        sex=sex,
        ethnicity=ethnicity,
        preferred_name=preferred_name,
        upn=upn,
        mother=mother,
        mother_child_date_of_birth=mother_child_date_of_birth,
        school=school,
        social_worker=social_worker,
        email=email,
    )
    child.full_clean()
    child.save()
    return child


@transaction.atomic
def period_of_care_start(*, child: Child, start: date, episode_fields: dict[str, Any]) -> PeriodOfCare:
    """The child becomes looked after: a new period and its first episode (RNE S)."""
    period = PeriodOfCare(child=child, start=start)
    period.full_clean()
    period.save()
    episode = Episode(period_of_care=period, start=start, reason_new_episode=ReasonNewEpisode.STARTED, **episode_fields)
    episode.full_clean()
    episode.save()
    return period


@transaction.atomic
def episode_add(*, period_of_care: PeriodOfCare, start: date, episode_fields: dict[str, Any]) -> Episode:
    """A change of legal status or placement: the current episode ends (X1), a new one begins."""
    current = period_of_care.episodes.filter(end__isnull=True).select_for_update().first()
    if current is not None:
        if start <= current.start:
            raise ValidationError({"start": "A new episode must start after the current one."})
        current.end = start
        current.reason_ended = EPISODE_CONTINUES
        current.full_clean()
        current.save()
    episode = Episode(period_of_care=period_of_care, start=start, **episode_fields)
    episode.full_clean()
    episode.save()
    return episode


@transaction.atomic
def period_of_care_end(*, period_of_care: PeriodOfCare, end: date, reason_ended: str) -> PeriodOfCare:
    """Care ends: the period and its open episode close with the same date and reason."""
    period_of_care.end = end
    period_of_care.reason_ended = reason_ended
    period_of_care.full_clean()
    period_of_care.save()
    for episode in period_of_care.episodes.filter(end__isnull=True).select_for_update():
        episode.end = end
        episode.reason_ended = reason_ended
        episode.full_clean()
        episode.save()
    return period_of_care


@transaction.atomic
def allocation_case_holding_set(
    *,
    child: Child,
    iro: User,
    start: date,
    held_by_when_opened: int | EllipsisType | None = ...,
    reason: str = "",
) -> Allocation:
    """Make `iro` the child's case-holding IRO from `start`, handing over from the current one.

    The current allocation ends the day before, so exactly one IRO holds the child at a time.
    `reason` (optional) says why the child moved to `iro`; it is kept on the new allocation.
    A page passes `held_by_when_opened`, the holder's id it showed (None: nobody); if someone
    has reallocated the child since, nothing is changed and the refusal says who holds them now.
    """
    if not iro.has_role(Role.IRO):
        raise ValidationError({"iro": f"{iro} is not an IRO."})
    # Lock the child's row so that two simultaneous handovers cannot both succeed.
    Child.objects.select_for_update().get(pk=child.pk)
    current = (
        Allocation.objects.filter(child=child, kind=AllocationKind.CASE_HOLDING, end__isnull=True)
        .select_for_update()
        .first()
    )
    if held_by_when_opened is not ... and (current.iro_id if current else None) != held_by_when_opened:
        now = f"{current.iro} holds them now" if current else "nobody holds them now"
        raise ValidationError(
            f"Someone else changed this child's IRO since you opened the page ({now}), so nothing was saved. "
            "Check the allocation below, then save again if it is still right."
        )
    if current is not None:
        if current.iro_id == iro.pk:
            return current
        if start <= current.start:
            raise ValidationError({"start": "The new IRO must start after the current IRO's allocation began."})
        current.end = start - timedelta(days=1)
        current.full_clean()
        current.save()
    allocation = Allocation(child=child, iro=iro, kind=AllocationKind.CASE_HOLDING, start=start, reason=reason.strip())
    allocation.full_clean()
    allocation.save()
    return allocation

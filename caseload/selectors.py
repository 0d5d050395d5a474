"""Read-side assemblies that span the apps (the top floor may ask every other)."""

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import User
from audits.models import Escalation, MidwayReview
from children.ages import age_on, retention_until
from children.codes import AllocationKind
from children.models import Child, Episode, PeriodOfCare
from children.postcodes import PlacementDistance, UnknownPostcode, placement_distance
from children.selectors import allocation_history, current_allocations
from reviews.codes import OUTSTANDING_STATUSES, ReviewStatus
from reviews.models import Review, Visit
from reviews.selectors import review_state_expression
from reviews.timescales import care_ends_notice

from .models import ReportPDF


def child_record(*, child: Child, today: date, sensitive: bool) -> dict[str, Any]:
    """Everything the child's page shows, in a fixed number of queries.

    `sensitive` adds visit notes, midway reviews and escalations (IROs and managers only).
    """
    periods = list(
        PeriodOfCare.objects.filter(child=child)
        .order_by("start")
        .prefetch_related(Prefetch("episodes", queryset=Episode.objects.order_by("start")))
    )
    reviews = list(
        Review.objects.filter(child=child)
        .exclude(status=ReviewStatus.CANCELLED)
        .select_related("chair", "covering_iro")
        .annotate(state=review_state_expression(today=today, due_field="due_date", schedule_field="due_schedule"))
        .order_by("period_of_care_id", "held_on", "pk")
    )
    allocation = (
        current_allocations(today=today)
        .filter(child=child, kind=AllocationKind.CASE_HOLDING)
        .select_related("iro")
        .first()
    )
    current_period = next(
        (period for period in periods if period.start <= today and (period.end is None or period.end > today)), None
    )
    current_episode = current_period.episodes.all()[len(current_period.episodes.all()) - 1] if current_period else None
    # The outstanding review: of the current period, or of a series of short breaks waiting
    # between breaks (reviews.services keeps it on the last break's period).
    outstanding = [r for r in reviews if r.status in OUTSTANDING_STATUSES]
    next_review = next(
        (r for r in outstanding if current_period and r.period_of_care_id == current_period.pk),
        outstanding[-1] if outstanding else None,
    )
    rule = next_review.due_rule if next_review else None
    visits = list(Visit.objects.filter(child=child).select_related("iro").order_by("visited_on"))
    timeline = _timeline(child=child, periods=periods, reviews=reviews, visits=visits, sensitive=sensitive)
    distance, distance_problem = _placement_distance(current_episode)
    return {
        "distance": distance,
        "distance_problem": distance_problem,
        "age": age_on(child.date_of_birth, today),
        "retention_until": retention_until(child.date_of_birth),
        "periods": periods,
        "current_period": current_period,
        "current_episode": current_episode,
        "allocation": allocation,
        "allocation_history": list(allocation_history(child=child)),
        "reviews": reviews,
        "next_review": next_review,
        "next_review_rule": rule,
        "care_ends_notice": care_ends_notice(child.date_of_birth, today) if current_period or next_review else None,
        "timeline": timeline,
        "last_visit": visits[-1] if visits else None,
    }


def _timeline(
    *, child: Child, periods: list[PeriodOfCare], reviews: Sequence[Review], visits: list[Visit], sensitive: bool
) -> list[tuple[date, str, object]]:
    """The child's history, newest first: periods and episodes, held reviews, visits and (when
    `sensitive`) escalations and midway reviews."""
    timeline: list[tuple[date, str, object]] = []
    for period in periods:
        timeline.append((period.start, "period_start", period))
        if period.end:
            timeline.append((period.end, "period_end", period))
        for episode in period.episodes.all():
            if episode.start != period.start:
                timeline.append((episode.start, "episode", episode))
    for review in reviews:
        if review.held_on:
            timeline.append((review.held_on, "review", review))
    for visit in visits:
        timeline.append((visit.visited_on, "visit", visit))
    if sensitive:
        for escalation in Escalation.objects.filter(child=child).order_by("raised_on"):
            timeline.append((escalation.raised_on, "escalation", escalation))
        for midway in MidwayReview.objects.filter(child=child).select_related("author").order_by("held_on"):
            timeline.append((midway.held_on, "midway", midway))
    timeline.sort(key=lambda item: (item[0], item[1]), reverse=True)
    return timeline


def _placement_distance(episode: Episode | None) -> tuple[PlacementDistance | None, str]:
    """(distance, problem) from home to placement for the current episode, when both postcodes are known."""
    if not (episode and episode.home_postcode and episode.placement_postcode):
        return None, ""
    try:
        return placement_distance(episode.home_postcode, episode.placement_postcode), ""
    except UnknownPostcode as error:
        return None, str(error)


def report_pdf_for(*, user: User, pk: int) -> ReportPDF:
    """A report PDF for its progress page or its download: the person who asked for it, and
    managers (who may read every report); for anyone else it does not exist (404)."""
    report_pdf = get_object_or_404(ReportPDF.objects.select_related("requested_by"), pk=pk)
    if report_pdf.requested_by_id != user.pk and not user.is_manager:
        raise Http404("No such PDF.")
    return report_pdf

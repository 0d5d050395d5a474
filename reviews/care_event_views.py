"""Care event pages: for business support and the IRO on the case. One event per
page; after an event that calls for an early review, one page asks whether to book one."""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from accounts.audit import audited
from accounts.permissions import AuthenticatedRequest, role_required
from accounts.roles import Role
from children.models import Child, PeriodOfCare
from iro_service.formerrors import form_errors_apply

from . import access
from . import care_events as event_services
from .care_event_forms import (
    AdoptionPlacementForm,
    EarlyReviewChoiceForm,
    LeaveCareForm,
    LegalStatusChangeForm,
    PlacementAndLegalStatusForm,
    PlacementChangeForm,
    ReturnToCareForm,
)
from .care_event_models import CareEvent

ROLES = (Role.BUSINESS_SUPPORT, Role.IRO)


def _child(request: AuthenticatedRequest, pk: int) -> Child:
    """Business support: any child; an IRO: a child they work on (else 404); others: 403."""
    today = timezone.localdate()
    if request.user.is_business_support:
        return access.child_for(user=request.user, pk=pk, today=today)
    return access.child_for_iro_work(user=request.user, pk=pk, today=today)


def _care_event_child_id(pk: int) -> int | None:
    return CareEvent.objects.filter(pk=pk).values_list("child_id", flat=True).first()


def _after_event(request: AuthenticatedRequest, event: CareEvent, done: str) -> HttpResponse:
    messages.success(request, done)
    if event.awaits_early_review_choice:
        return redirect("reviews:care_event_early_review", pk=event.pk)
    return redirect("reviews:care_events", child_pk=event.child_id)


@role_required(*ROLES)
@audited("child", arg="child_pk")
def care_events(request: AuthenticatedRequest, child_pk: int) -> HttpResponse:
    """The child's care events, what the clock says now, and the events that can be recorded."""
    child = _child(request, child_pk)
    period = event_services.open_period(child)
    episode = event_services.current_episode(period) if period else None
    events = (
        CareEvent.objects.filter(child=child)
        .select_related("episode", "early_review", "recorded_by")
        .order_by("-occurred_on", "-pk")
    )
    context: dict[str, Any] = {
        "child": child,
        "period": period,
        "episode": episode,
        "next_review": event_services.outstanding_review(period) if period else None,
        "events": events,
    }
    return render(request, "reviews/care_events/care_event_list.html", context)


def _event_page(
    request: AuthenticatedRequest,
    child_pk: int,
    *,
    form_class: type[forms.Form],
    title: str,
    intro: str,
    button: str,
    record: Callable[[dict[str, Any], PeriodOfCare], CareEvent],
    done: Callable[[CareEvent], str],
) -> HttpResponse:
    """A page that records one episode event: the form, then the service, then the prompt."""
    child = _child(request, child_pk)
    period = event_services.open_period(child)
    episode = event_services.current_episode(period) if period else None
    context: dict[str, Any] = {
        "child": child,
        "period": period,
        "episode": episode,
        "title": title,
        "intro": intro,
        "button": button,
    }
    if period is None:
        context["not_possible"] = f"{child.display_name} is not looked after now: record a return to care first."
        return render(request, "reviews/care_events/care_event_form.html", context)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            event = record(form.cleaned_data, period)
        except ValidationError as error:
            form_errors_apply(form, error)
        else:
            return _after_event(request, event, done(event))
    context["form"] = form
    return render(request, "reviews/care_events/care_event_form.html", context)


def _placement(data: dict[str, Any]) -> dict[str, Any]:
    return {
        name: data[name]
        for name in ("placement_type", "placement_provider", "placement_postcode", "urn", "reason_place_change")
        if name in data
    }


@role_required(*ROLES)
@audited("child", arg="child_pk")
def placement(request: AuthenticatedRequest, child_pk: int) -> HttpResponse:
    return _event_page(
        request,
        child_pk,
        form_class=PlacementChangeForm,
        title="Change of placement",
        intro="The child moves to a new placement; the legal status stays the same (RNE P or T).",
        button="Record the move",
        record=lambda data, period: event_services.placement_change(
            period_of_care=period,
            start=data["start"],
            reason_new_episode=data["reason_new_episode"],
            significant_change=data["significant_change"],
            recorded_by=request.user,
            **_placement(data),
        ),
        done=lambda event: f"Change of placement recorded from {date_format(event.occurred_on)}.",
    )


@role_required(*ROLES)
@audited("child", arg="child_pk")
def legal_status(request: AuthenticatedRequest, child_pk: int) -> HttpResponse:
    return _event_page(
        request,
        child_pk,
        form_class=LegalStatusChangeForm,
        title="Change of legal status",
        intro="The legal status changes; the placement stays the same (RNE L).",
        button="Record the change",
        record=lambda data, period: event_services.legal_status_change(
            period_of_care=period,
            start=data["start"],
            legal_status=data["legal_status"],
            significant_change=data["significant_change"],
            recorded_by=request.user,
        ),
        done=lambda event: f"Change of legal status recorded from {date_format(event.occurred_on)}.",
    )


@role_required(*ROLES)
@audited("child", arg="child_pk")
def placement_and_legal_status(request: AuthenticatedRequest, child_pk: int) -> HttpResponse:
    return _event_page(
        request,
        child_pk,
        form_class=PlacementAndLegalStatusForm,
        title="Change of placement and legal status",
        intro="The legal status and the placement change on the same day (RNE B or U).",
        button="Record the change",
        record=lambda data, period: event_services.placement_and_legal_status_change(
            period_of_care=period,
            start=data["start"],
            reason_new_episode=data["reason_new_episode"],
            legal_status=data["legal_status"],
            significant_change=data["significant_change"],
            recorded_by=request.user,
            **_placement(data),
        ),
        done=lambda event: f"Change of placement and legal status recorded from {date_format(event.occurred_on)}.",
    )


@role_required(*ROLES)
@audited("child", arg="child_pk")
def adoption(request: AuthenticatedRequest, child_pk: int) -> HttpResponse:
    return _event_page(
        request,
        child_pk,
        form_class=AdoptionPlacementForm,
        title="Placed for adoption",
        intro="The child is placed for adoption (A3–A6). Reviews then follow the adoption schedule "
        "(Adoption Agencies Regulations 2005, reg 36) where it is sooner than reg 33.",
        button="Record the placement",
        record=lambda data, period: event_services.adoption_placement(
            period_of_care=period,
            placed_on=data["placed_on"],
            placement_type=data["placement_type"],
            legal_status=data["legal_status"],
            placement_provider=data["placement_provider"],
            placement_postcode=data["placement_postcode"],
            urn=data["urn"],
            recorded_by=request.user,
        ),
        done=lambda event: f"Placed for adoption on {date_format(event.occurred_on)}.",
    )


@role_required(*ROLES)
@audited("child", arg="child_pk")
def leave_care(request: AuthenticatedRequest, child_pk: int) -> HttpResponse:
    """Care ends. Where the regulations want a review before it ends this way, the page asks
    first (the event cannot be undone to book one afterwards: the review is no longer due)."""
    child = _child(request, child_pk)
    period = event_services.open_period(child)
    context: dict[str, Any] = {
        "child": child,
        "period": period,
        "episode": event_services.current_episode(period) if period else None,
        "title": "Leaving care",
        "intro": "Care ends: the period of care and its episode close with the reason (REC). The review that "
        "was due is no longer needed and its reminders stop.",
        "button": "Record leaving care",
    }
    if period is None:
        context["not_possible"] = f"{child.display_name} is not looked after now."
        return render(request, "reviews/care_events/care_event_form.html", context)
    form = LeaveCareForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        prompt = event_services.leaving_care_prompt(
            period_of_care=period, end=data["end"], reason_ended=data["reason_ended"]
        )
        context["prompt"] = prompt
        if prompt is not None:
            context["book_url"] = _book_url(period, prompt.reason)
        try:
            event = event_services.leave_care(
                period_of_care=period,
                end=data["end"],
                reason_ended=data["reason_ended"],
                early_review_choice=data["early_review_choice"],
                no_early_review_reason=data["no_early_review_reason"],
                recorded_by=request.user,
            )
        except ValidationError as error:
            form_errors_apply(form, error)
        else:
            return _after_event(
                request,
                event,
                f"{child.display_name} left care on {date_format(event.occurred_on)} "
                f"({event.reason_ended}). No review is due now.",
            )
    context["form"] = form
    return render(request, "reviews/care_events/care_event_form.html", context)


def _book_url(period: PeriodOfCare, reason: str) -> str | None:
    review = event_services.outstanding_review(period)
    if review is None:
        return None
    return f"{reverse('reviews:book', args=[review.pk])}?{urlencode({'early': reason})}"


@role_required(*ROLES)
@audited("child", arg="child_pk")
def return_to_care(request: AuthenticatedRequest, child_pk: int) -> HttpResponse:
    child = _child(request, child_pk)
    context: dict[str, Any] = {
        "child": child,
        "title": "Returning to care",
        "intro": "The child becomes looked after again: a new period of care (RNE S). The first review is due "
        "within 20 working days (reg 33(1)).",
        "button": "Record the return to care",
    }
    if event_services.open_period(child) is not None:
        context["not_possible"] = f"{child.display_name} is looked after now: record leaving care first."
        return render(request, "reviews/care_events/care_event_form.html", context)
    form = ReturnToCareForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            event = event_services.return_to_care(
                child=child,
                start=form.cleaned_data["start"],
                episode_fields=form.episode_fields(),
                recorded_by=request.user,
            )
        except ValidationError as error:
            form_errors_apply(form, error)
        else:
            review = event_services.outstanding_review(event.period_of_care)
            due = f" The first review is due by {date_format(review.due_date)}." if review and review.due_date else ""
            return _after_event(
                request,
                event,
                f"{child.display_name} is looked after again from {date_format(event.occurred_on)}.{due}",
            )
    context["form"] = form
    return render(request, "reviews/care_events/care_event_form.html", context)


@role_required(*ROLES)
@audited("care_event", child_of=_care_event_child_id)
def early_review(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """After the event is saved: why an early review is called for; book one or say why not."""
    event = get_object_or_404(CareEvent.objects.select_related("period_of_care", "early_review"), pk=pk)
    child = _child(request, event.child_id)
    context: dict[str, Any] = {"child": child, "event": event}
    if not event.awaits_early_review_choice:
        return render(request, "reviews/care_events/early_review.html", context)
    form = EarlyReviewChoiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        book = form.cleaned_data["choice"] == "book"
        try:
            event = event_services.early_review_decide(
                care_event=event,
                book=book,
                no_early_review_reason=form.cleaned_data["no_early_review_reason"],
                decided_by=request.user,
            )
        except ValidationError as error:
            form_errors_apply(form, error)
        else:
            if book and request.user.is_business_support:
                messages.success(request, "Early review chosen: book it now (the reason is filled in).")
                booking = reverse("reviews:book", args=[event.early_review_id])
                return redirect(f"{booking}?{urlencode({'early': event.early_review_reason})}")
            if book:
                messages.success(
                    request,
                    "Early review chosen and recorded on the event. Business support book it: the child's care "
                    "events show it waiting.",
                )
                return redirect("reviews:detail", pk=event.early_review_id)
            messages.success(request, "Recorded: no early review.")
            return redirect("reviews:care_events", child_pk=event.child_id)
    context["form"] = form
    context["next_review"] = event_services.outstanding_review(event.period_of_care)
    return render(request, "reviews/care_events/early_review.html", context)

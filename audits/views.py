from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts.audit import audited
from accounts.permissions import AuthenticatedRequest, role_required
from accounts.roles import Role
from caseload.definitions import report_year_containing
from children.ages import age_on
from iro_service.formerrors import form_errors_apply
from reviews import access
from reviews.access import child_for_iro_work, review_for_iro_work
from reviews.codes import PATHWAY_PLAN_FROM_AGE, ReviewStatus
from reviews.selectors import child_id_of_review
from reviews.timescales import add_working_days, working_days_between

from .codes import EscalationOutcome, RatingScheme
from .forms import (
    DisruptionMeetingForm,
    EscalationCloseForm,
    EscalationForm,
    EscalationMoveForm,
    MidwayReviewForm,
    MonitoringFormForm,
    ParticipantFeedbackForm,
    QAReportForm,
)
from .models import Escalation, MonitoringForm
from .selectors import child_id_of_escalation, quarterly_qa_report, scheme_on
from .services import (
    disruption_meeting_record,
    escalation_close,
    escalation_move,
    escalation_raise,
    formal_process_within_timescale,
    midway_review_record,
    monitoring_form_record,
    participant_feedback_record,
)


@role_required(Role.IRO)
@audited("child", arg="child_pk")
def midway_new(request: AuthenticatedRequest, child_pk: int) -> HttpResponse:
    today = timezone.localdate()
    child = child_for_iro_work(user=request.user, pk=child_pk, today=today)
    form = MidwayReviewForm(request.POST or None, initial={"held_on": today})
    if request.method == "POST" and form.is_valid():
        midway_review_record(
            child=child, author=request.user, held_on=form.cleaned_data["held_on"], note=form.cleaned_data["note"]
        )
        messages.success(request, "Midway review recorded.")
        return redirect("caseload:child", pk=child.pk)
    return render(request, "audits/midway_form.html", {"child": child, "form": form})


@role_required(Role.IRO)
@audited("review", child_of=child_id_of_review, arg="review_pk")
def monitoring_form(request: AuthenticatedRequest, review_pk: int) -> HttpResponse:
    """The monitoring form after a held review, by the IRO who chairs the child's reviews."""
    review = review_for_iro_work(user=request.user, pk=review_pk, today=timezone.localdate())
    if review.status != ReviewStatus.HELD or review.held_on is None:  # held means dated (a constraint)
        raise Http404("A monitoring form follows a held review.")
    existing = MonitoringForm.objects.filter(review=review).first()
    scheme = existing.scheme if existing else scheme_on(review.held_on)
    form = MonitoringFormForm(
        request.POST or None,
        scheme=scheme,
        with_pathway_plan=age_on(review.child.date_of_birth, review.held_on) >= PATHWAY_PLAN_FROM_AGE,
    )
    if request.method == "POST" and existing is None and form.is_valid():
        try:
            monitoring_form_record(
                review=review,
                completed_by=request.user,
                ratings=form.ratings(),
                comments=form.comments(),
                shared_on=form.cleaned_data["shared_on"],
            )
        except ValidationError as error:
            form_errors_apply(form, error)
        else:
            messages.success(request, "Monitoring form saved.")
            return redirect("reviews:detail", pk=review.pk)
    return render(
        request,
        "audits/monitoring_form.html",
        {
            "review": review,
            "form": form,
            "existing": existing,
            "scheme_label": RatingScheme(scheme).label,
            "due": add_working_days(review.held_on, settings.IRO_MONITORING_FORM_WORKING_DAYS),
        },
    )


@role_required(Role.IRO)
@audited("child", arg="child_pk")
def escalation_new(request: AuthenticatedRequest, child_pk: int) -> HttpResponse:
    today = timezone.localdate()
    child = child_for_iro_work(user=request.user, pk=child_pk, today=today)
    form = EscalationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        escalation = escalation_raise(child=child, raised_by=request.user, raised_on=today, **form.cleaned_data)
        due = escalation.stage_deadline
        messages.success(
            request,
            "Escalation raised"
            + (f"; the social worker's response is due by {due:%a} {due.day} {due:%b %Y}." if due else "."),
        )
        return redirect("audits:escalation_detail", pk=escalation.pk)
    return render(request, "audits/escalation_form.html", {"child": child, "form": form})


def _escalation_for(request: AuthenticatedRequest, pk: int) -> Escalation:
    escalation = get_object_or_404(Escalation.objects.select_related("child", "raised_by"), pk=pk)
    access.child_for(user=request.user, pk=escalation.child_id, today=timezone.localdate())
    return escalation


@role_required(Role.IRO, Role.MANAGER)
@audited("escalation", child_of=child_id_of_escalation)
def escalation_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The escalation and its stages; the IRO on the case moves it on or closes it."""
    today = timezone.localdate()
    escalation = _escalation_for(request, pk)
    may_act = request.user.is_iro and escalation.outcome == EscalationOutcome.OPEN
    seen = {"changes_seen": escalation.stage_changes.count()}
    move_form = EscalationMoveForm(
        request.POST if "move" in request.POST else None, initial=seen, current_stage=escalation.stage
    )
    close_form = EscalationCloseForm(request.POST if "close" in request.POST else None, initial=seen)
    if request.method == "POST":
        if not may_act:
            raise PermissionDenied
        try:
            if "move" in request.POST and move_form.is_valid():
                escalation_move(escalation=escalation, on=today, moved_by=request.user, **move_form.cleaned_data)
                escalation.refresh_from_db()
                due = escalation.stage_deadline
                messages.success(
                    request,
                    f"Escalation moved on to {escalation.get_stage_display()}"
                    + (f"; the response is due by {due:%a} {due.day} {due:%b %Y}." if due else "."),
                )
                return redirect("audits:escalation_detail", pk=pk)
            if "close" in request.POST and close_form.is_valid():
                escalation_close(escalation=escalation, on=today, closed_by=request.user, **close_form.cleaned_data)
                messages.success(request, "Escalation closed.")
                return redirect("audits:escalation_detail", pk=pk)
        except ValidationError as error:
            form: EscalationMoveForm | EscalationCloseForm = move_form if "move" in request.POST else close_form
            if form.cleaned_data["changes_seen"] != seen["changes_seen"]:
                # Shown against the stages as they are now, so that acting again is a deliberate choice.
                data = request.POST.copy()
                data["changes_seen"] = str(seen["changes_seen"])
                if "move" in request.POST:
                    form = move_form = EscalationMoveForm(data, current_stage=escalation.stage)
                else:
                    form = close_form = EscalationCloseForm(data)
                form.is_valid()
            form_errors_apply(form, error)
    return render(
        request,
        "audits/escalation_detail.html",
        {
            "escalation": escalation,
            "changes": escalation.stage_changes.select_related("changed_by"),
            "may_act": may_act,
            "move_form": move_form,
            "close_form": close_form,
            "formal_within_timescale": formal_process_within_timescale(escalation),
        },
    )


@dataclass(frozen=True)
class OpenEscalation:
    """A row of the open escalations page."""

    escalation: Escalation
    age_working_days: int
    overdue: bool


@role_required(Role.MANAGER)
def escalations_open(request: AuthenticatedRequest) -> HttpResponse:
    """Open escalations, oldest first, with their age in working days."""
    today = timezone.localdate()
    escalations = [
        OpenEscalation(
            escalation=escalation,
            age_working_days=working_days_between(escalation.raised_on, today),
            overdue=escalation.stage_deadline is not None and escalation.stage_deadline < today,
        )
        for escalation in Escalation.objects.filter(outcome=EscalationOutcome.OPEN)
        .select_related("child", "raised_by")
        .order_by("raised_on")
    ]
    return render(request, "audits/escalation_list.html", {"escalations": escalations, "today": today})


@role_required(Role.IRO)
@audited("review", child_of=child_id_of_review, arg="review_pk")
def feedback_new(request: AuthenticatedRequest, review_pk: int) -> HttpResponse:
    review = review_for_iro_work(user=request.user, pk=review_pk, today=timezone.localdate())
    if review.status != ReviewStatus.HELD:
        raise Http404("Feedback follows a held review.")
    form = ParticipantFeedbackForm(request.POST or None, initial={"received_on": timezone.localdate()})
    form.instance.review, form.instance.recorded_by = review, request.user  # for the model's own checks
    if request.method == "POST" and form.is_valid():
        try:
            participant_feedback_record(review=review, recorded_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors_apply(form, error)
        else:
            messages.success(request, "Feedback recorded.")
            return redirect("reviews:detail", pk=review.pk)
    return render(request, "audits/feedback_form.html", {"review": review, "form": form})


@role_required(Role.IRO)
@audited("child", arg="child_pk")
def disruption_new(request: AuthenticatedRequest, child_pk: int) -> HttpResponse:
    child = child_for_iro_work(user=request.user, pk=child_pk, today=timezone.localdate())
    form = DisruptionMeetingForm(request.POST or None)
    form.instance.child, form.instance.chaired_by = child, request.user  # for the model's own checks
    if request.method == "POST" and form.is_valid():
        try:
            disruption_meeting_record(child=child, chaired_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors_apply(form, error)
        else:
            messages.success(request, "Disruption meeting recorded.")
            return redirect("caseload:child", pk=child.pk)
    return render(request, "audits/disruption_form.html", {"child": child, "form": form})


PDF_IN_BACKGROUND = (
    "The PDF is now made in the background: choose “Make the PDF” below, and the next page shows how far it has got "
    "and offers the download when it is ready."
)


@role_required(Role.MANAGER)
def qa_report(request: AuthenticatedRequest) -> HttpResponse:
    """The quarterly QA report for the performance meeting; its PDF is made in the background
    (the page's "Make the PDF" posts to caseload:report_pdf_ask)."""
    default_start, default_end = report_year_containing(timezone.localdate())
    form = QAReportForm(request.GET or None, initial={"start": default_start, "end": default_end})
    start, end = (
        (form.cleaned_data["start"], form.cleaned_data["end"]) if form.is_valid() else (default_start, default_end)
    )
    if request.GET.get("format") == "pdf" and form.is_valid():
        # An old link: the PDF is made in the background now (caseload.services.report_pdf_request),
        # from the page's "Make the PDF".
        messages.info(request, PDF_IN_BACKGROUND)
        return redirect(f"{reverse('audits:qa_report')}?{urlencode({'start': start, 'end': end})}#report-pdf")
    report = quarterly_qa_report(start=start, end=end)
    pdf_params = {"start": str(start), "end": str(end)}
    return render(
        request, "audits/qa_report.html", {**report, "form": form, "pdf_kind": "qa", "pdf_params": pdf_params}
    )

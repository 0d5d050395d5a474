"""Booking, preparing, chairing and recording reviews; a child coming into care."""

from datetime import date
from typing import Any, TypeVar
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, SuspiciousFileOperation, ValidationError
from django.db.models import Field, prefetch_related_objects
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_POST

from accounts.audit import access_log_write, audited
from accounts.iro_picker import iro_pick
from accounts.models import AccessAction, Team
from accounts.permissions import AuthenticatedRequest, role_required
from accounts.roles import Role
from children.forms import NewChildForm
from iro_service.formerrors import form_errors_apply
from iro_service.inputs import query_id
from iro_service.keyset import keyset_page

from . import access, my_review, services
from .claims import BOOK, CANCEL, COVER, PREPARE, RECORD, ReviewChanged
from .codes import TO_BOOK_WORKING_DAYS, DocumentState, EarlyReviewReason, ReviewStatus
from .documents import private_storage
from .forms import (
    AttendeeFormSet,
    BookingForm,
    CancelBookingForm,
    CoverForm,
    DecisionFormSet,
    DistributionForm,
    DocumentIssueForm,
    DocumentRequestForm,
    InviteeFormSet,
    PreparationForm,
    ReviewRecordForm,
    SSDA903UploadForm,
    VisitCorrectionForm,
    VisitForm,
    decision_formset_with_another_row,
    record_row_changes,
)
from .models import Decision, Document, Invitee, Review, Visit
from .selectors import (
    CLOCK_UNKNOWN_LISTED,
    caseload_groups,
    child_id_of_document,
    child_id_of_review,
    review_page_context,
    reviews_clock_unknown,
    reviews_to_book,
    reviews_to_book_count,
)
from .ssda903.upload import UploadExpired, UploadOutcome, upload_import, upload_preview
from .timescales import minutes_due, outcomes_due

PAGE_SIZE = 50
F = TypeVar("F", bound=forms.BaseForm)


def _conflict_rows(changed: ReviewChanged, typed: dict[str, Any]) -> list[tuple[str, object, object]]:
    """(field, saved now, yours) for each of the page's fields that differs from what was typed."""
    current = changed.review
    rows = []
    for name in changed.page.fields:
        if name not in typed:
            continue
        field = type(current)._meta.get_field(name)
        if not isinstance(field, Field):  # a page's fields are the review's own columns
            raise TypeError(f"{name} is not a column of the review")
        saved = getattr(current, name)
        if saved != typed[name]:
            shown = getattr(current, f"get_{name}_display")() if field.choices else saved
            rows.append((str(field.verbose_name).capitalize(), shown, typed[name]))
    if not rows:
        rows.append(("Other details on this page", "changed by the other person", "as you saw them before"))
    return rows


def _rebind_after_conflict(form_class: type[F], request: HttpRequest, changed: ReviewChanged, **kwargs: Any) -> F:
    """The form again with what the person typed and the claim of what is saved now, so that
    saving again is a deliberate choice; the refusal is its first error."""
    data = request.POST.copy()
    data["claim"] = changed.page.claim(changed.review)
    form = form_class(data, **kwargs)
    form.is_valid()
    form.add_error(None, changed.messages)
    return form


def _conflict_page(
    request: HttpRequest,
    changed: ReviewChanged,
    *,
    typed: dict[str, Any],
    form_class: type[forms.BaseForm],
    template: str,
    form_kwargs: dict[str, Any] | None = None,
    **context: Any,
) -> HttpResponse:
    """409: the page again with what differs between what is saved now and what the person typed
    (read before the form is bound again), and the form rebound on the claim of what is saved now."""
    conflict = _conflict_rows(changed, typed)
    form = _rebind_after_conflict(form_class, request, changed, **(form_kwargs or {}))
    page = {"review": changed.review, "form": form, "conflict": conflict, **context}
    return render(request, template, page, status=409)


@role_required(Role.BUSINESS_SUPPORT, Role.MANAGER)
def to_book(request: AuthenticatedRequest) -> HttpResponse:
    today = timezone.localdate()
    try:
        within = min(max(int(request.GET.get("within", TO_BOOK_WORKING_DAYS)), 0), 260)
    except ValueError:
        within = TO_BOOK_WORKING_DAYS
    pick = iro_pick(request.GET)
    iro_id = pick.chosen_id
    team_id, team_problem = query_id(request.GET, "team", choose="a team", everyone="all teams")
    for problem in (pick.problem, team_problem):
        if problem:
            messages.error(request, problem)
    children = reviews_to_book(today=today, within_working_days=within, iro_id=iro_id, team_id=team_id)
    count = reviews_to_book_count(today=today, within_working_days=within, iro_id=iro_id, team_id=team_id)
    page = keyset_page(caseload_groups(children), request.GET.get("page"), PAGE_SIZE, count=count)
    query = urlencode({key: value for key, value in (("within", within), ("iro", iro_id), ("team", team_id)) if value})
    clock_unknown = list(reviews_clock_unknown(today=today, iro_id=iro_id)[: CLOCK_UNKNOWN_LISTED + 1])
    return render(
        request,
        "reviews/review_to_book.html",
        {
            "page": page,
            "today": today,
            "within": within,
            "iro_id": iro_id,
            "team_id": team_id,
            "pick": pick,  # any IRO, a leaver too: their children still need booking
            "keep": urlencode({key: value for key, value in (("within", within), ("team", team_id)) if value}),
            "teams": Team.objects.all(),
            "query": query,
            "clock_unknown": clock_unknown[:CLOCK_UNKNOWN_LISTED],
            "clock_unknown_more": len(clock_unknown) > CLOCK_UNKNOWN_LISTED,
        },
    )


@role_required(Role.BUSINESS_SUPPORT)
@audited("review", child_of=child_id_of_review)
def book(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    today = timezone.localdate()
    review = access.review_for(user=request.user, pk=pk, today=today)
    if review.status not in (ReviewStatus.DUE, ReviewStatus.BOOKED):
        messages.warning(request, "This review has been held or is no longer needed; it cannot be booked.")
        return redirect("reviews:detail", pk=review.pk)
    initial: dict[str, object] = {"claim": BOOK.claim(review)}
    rescheduling = review.status == ReviewStatus.BOOKED and review.booked_for is not None
    if rescheduling:
        # Rescheduling starts from the current booking: change only what moves.
        booked_for = timezone.localtime(review.booked_for)
        initial.update(
            day=booked_for.date(),
            time=booked_for.time().replace(second=0, microsecond=0),
            venue=review.venue,
            venue_chosen_by_child=review.venue_chosen_by_child,
            early_review_reason=review.early_review_reason,
            lateness_reason=review.lateness_reason,
        )
    # A care event's early-review prompt sends business support here with the reason preset.
    if request.GET.get("early") in EarlyReviewReason.values:
        initial["early_review_reason"] = request.GET["early"]
    form = BookingForm(request.POST or None, review=review, initial=initial)
    invitees = InviteeFormSet(request.POST or None, prefix="invitees")
    if request.method == "POST" and form.is_valid() and invitees.is_valid():
        try:
            services.review_book(
                review=review,
                booked_for=form.cleaned_data["booked_for"],
                venue=form.cleaned_data["venue"],
                venue_chosen_by_child=form.cleaned_data["venue_chosen_by_child"],
                early_review_reason=form.cleaned_data["early_review_reason"],
                lateness_reason=form.cleaned_data["lateness_reason"],
                reschedule_reason=form.cleaned_data.get("reschedule_reason", ""),
                invitees=[invitee.cleaned_data for invitee in invitees if invitee.cleaned_data],
                booked_by=request.user,
                claim=form.cleaned_data["claim"],
            )
        except ReviewChanged as changed:
            return _conflict_page(
                request,
                changed,
                typed={**form.cleaned_data, "status": review.status},
                form_class=BookingForm,
                template="reviews/review_book.html",
                form_kwargs={"review": changed.review},
                invitees=invitees,
            )
        except ValidationError as error:
            form_errors_apply(form, error)
        else:
            if rescheduling:
                messages.success(request, f"Review rescheduled for {review.child.display_name}; the invitees are kept.")
            else:
                messages.success(request, f"Review booked for {review.child.display_name}.")
            return redirect("reviews:detail", pk=review.pk)
    context = {
        "review": review,
        "form": form,
        "invitees": invitees,
        "rescheduling": rescheduling,
        **_child_meeting_choices(request, review),
    }
    return render(request, "reviews/review_book.html", context)


def _child_meeting_choices(request: HttpRequest, review: Review) -> dict[str, Any]:
    """What the child asked for their meeting in My review (who, where, when; never their
    views or their note to the IRO), for business support booking it. Logged as a view."""
    response = my_review.sent_response(review=review)
    if response is None:
        return {}
    access_log_write(
        request=request,
        action=AccessAction.VIEW,
        child_id=review.child_id,
        object_type="my_review_meeting_choices",
        object_id=response.pk,
        status_code=200,
    )
    return {
        "my_review": response,
        "my_review_meeting": my_review.sent_answers_rows(response=response, fields=my_review.MEETING_FIELDS),
    }


@role_required(Role.BUSINESS_SUPPORT)
@audited("review", child_of=child_id_of_review)
def cancel_booking(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    review = access.review_for(user=request.user, pk=pk, today=timezone.localdate())
    if review.status != ReviewStatus.BOOKED or review.booked_for is None:
        # Nothing to cancel: say so and offer the way back, rather than "the booking for None".
        return render(request, "reviews/review_cancel_booking.html", {"review": review, "no_booking": True})
    form = CancelBookingForm(request.POST or None, initial={"claim": CANCEL.claim(review)})
    if request.method == "POST" and form.is_valid():
        try:
            services.review_cancel_booking(
                review=review,
                reason=form.cleaned_data["reason"],
                cancelled_by=request.user,
                claim=form.cleaned_data["claim"],
            )
        except ReviewChanged as changed:
            return _conflict_page(
                request, changed, typed={}, form_class=CancelBookingForm, template="reviews/review_cancel_booking.html"
            )
        except ValidationError as error:
            form_errors_apply(form, error)
        else:
            messages.success(request, "Booking cancelled; the review is due to be booked again.")
            return redirect("reviews:detail", pk=review.pk)
    return render(request, "reviews/review_cancel_booking.html", {"review": review, "form": form})


@role_required(Role.BUSINESS_SUPPORT, Role.MANAGER)
@audited("review", child_of=child_id_of_review)
def cover(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    review = access.review_for(user=request.user, pk=pk, today=timezone.localdate())
    initial = {"iro": review.covering_iro, "ends_on": review.cover_ends_on, "claim": COVER.claim(review)}
    form = CoverForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_set_cover(
                review=review,
                iro=form.cleaned_data["iro"],
                ends_on=form.cleaned_data["ends_on"],
                claim=form.cleaned_data["claim"],
            )
        except ReviewChanged as changed:
            typed = {"covering_iro": form.cleaned_data["iro"], "cover_ends_on": form.cleaned_data["ends_on"]}
            return _conflict_page(
                request, changed, typed=typed, form_class=CoverForm, template="reviews/review_cover.html"
            )
        except ValidationError as error:
            form_errors_apply(form, error)
        else:
            messages.success(request, "Cover saved.")
            return redirect("reviews:detail", pk=review.pk)
    return render(request, "reviews/review_cover.html", {"review": review, "form": form})


@role_required(Role.IRO, Role.MANAGER, Role.BUSINESS_SUPPORT)
@audited("review", child_of=child_id_of_review)
def detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The review: booking for everyone who may see it; the record for the IRO (and managers, to read)."""
    today = timezone.localdate()
    review = access.review_for(user=request.user, pk=pk, today=today)
    may_record = access.iro_may_work_on_review(user=request.user, review=review, today=today)
    if request.method == "POST":
        if not may_record:
            raise PermissionDenied
        return _record(request, review, today=today)
    return _review_page(request, review, today=today, may_record=may_record)


def _review_page(
    request: AuthenticatedRequest,
    review: Review,
    *,
    today: date,
    may_record: bool,
    form: ReviewRecordForm | None = None,
    attendees: forms.BaseInlineFormSet[Invitee, Review, Any] | None = None,
    decisions: forms.BaseInlineFormSet[Decision, Review, Any] | None = None,
    conflict: list[tuple[str, object, object]] | None = None,
    confirm_early: tuple[date, date] | None = None,
    focus_decision: int | None = None,
    status: int = 200,
) -> HttpResponse:
    """The review page, however it is reached: what it reads (reviews.selectors.review_page_context),
    and for the chair the record's forms, as typed when a save is shown again."""
    reads = review_page_context(review=review, user=request.user, today=today, may_record=may_record)
    if may_record and form is None:
        form = ReviewRecordForm(instance=review)
        attendees = AttendeeFormSet(instance=review, prefix="attendees")
        decisions = DecisionFormSet(instance=review, prefix="decisions")
    held_documents = reads["documents"] is not None
    if reads["my_review"] is not None:
        # Every showing of the child's own answers is in the access log (the private note: its own kind).
        access_log_write(
            request=request,
            action=AccessAction.VIEW,
            child_id=review.child_id,
            object_type="my_review_response" + ("+private_note" if reads["my_review_private"] is not None else ""),
            object_id=reads["my_review"].pk,
            status_code=200,
        )
    if reads["my_review_listened"] is not None:
        access_log_write(
            request=request,
            action=AccessAction.VIEW,
            child_id=review.child_id,
            object_type="my_review_listened_to",
            object_id=reads["my_review_listened"].pk,
            status_code=200,
        )
    context = {
        **reads,
        "form": form,
        "attendees": attendees,
        "decision_forms": decisions,
        "conflict": conflict,
        "confirm_early": confirm_early,
        "focus_decision": focus_decision,
        "document_request_form": DocumentRequestForm() if held_documents else None,
        "distribution_form": DistributionForm(initial={"sent_on": today}) if held_documents else None,
    }
    return render(request, "reviews/review_detail.html", context, status=status)


def _held_before_booking(review: Review, held_on: date | None) -> tuple[date, date] | None:
    """(booked day, held day) when the review is being marked held on a day before it was booked for."""
    if not held_on or review.booked_for is None:
        return None
    booked_on = timezone.localtime(review.booked_for).date()
    return (booked_on, held_on) if held_on < booked_on else None


def _record(request: AuthenticatedRequest, review: Review, *, today: date) -> HttpResponse:
    """Save the chair's record as a draft, or mark the review held."""
    # "Confirm" on the early-held question is the Mark held button again, with confirm_early=1.
    marking_held = "mark_held" in request.POST or request.POST.get("confirm_early") == "1"
    form = ReviewRecordForm(request.POST, instance=review, marking_held=marking_held)
    already_held = form.already_held
    attendees = AttendeeFormSet(request.POST, instance=review, prefix="attendees")
    if "add_decision" in request.POST:
        # "Add another decision": the page again with what was typed and one more blank row; nothing saved.
        decisions = decision_formset_with_another_row(request.POST, instance=review)
        form = ReviewRecordForm(request.POST, instance=review)
        # Not validated yet: a half-typed record gets no messages until it is saved. (Django's
        # private _errors and _non_form_errors, which django-stubs does not declare.)
        form._errors = {}  # type: ignore[attr-defined]
        attendees._errors, attendees._non_form_errors = [], attendees.error_class()  # type: ignore[attr-defined]
        decisions._errors, decisions._non_form_errors = [], decisions.error_class()  # type: ignore[attr-defined]
        for each in [*attendees.forms, *decisions.forms]:
            each._errors = {}  # type: ignore[attr-defined]
        return _review_page(
            request,
            review,
            today=today,
            may_record=True,
            form=form,
            attendees=attendees,
            decisions=decisions,
            focus_decision=len(decisions.forms) - 1,
        )
    decisions = DecisionFormSet(request.POST, instance=review, prefix="decisions")
    if form.is_valid() and attendees.is_valid() and decisions.is_valid():
        early = None
        if marking_held and not already_held:
            early = _held_before_booking(review, form.cleaned_data.get("held_on"))
        if early and request.POST.get("confirm_early") != "1":
            review.refresh_from_db()
            return _review_page(
                request,
                review,
                today=today,
                may_record=True,
                form=form,
                attendees=attendees,
                decisions=decisions,
                confirm_early=early,
            )
        values = {name: form.cleaned_data[name] for name in RECORD.fields}
        try:
            review = services.review_record_save(
                review=review,
                claim=form.cleaned_data["claim"],
                values=values,
                attendees=record_row_changes(attendees),
                decisions=record_row_changes(decisions),
                held_by=request.user if marking_held and not already_held else None,
            )
        except ReviewChanged as changed:
            current = changed.review
            # What differs is read before the form is bound again (binding sets the typed values on it).
            conflict = _conflict_rows(changed, {**values, "held_on": form.cleaned_data.get("held_on")})
            data = request.POST.copy()
            data["claim"] = RECORD.claim(current)  # saving again now is a deliberate choice
            again = ReviewRecordForm(data, instance=current, marking_held=marking_held)
            again.is_valid()
            again.add_error(None, changed.messages)
            attendees = AttendeeFormSet(request.POST, instance=current, prefix="attendees")
            decisions = DecisionFormSet(request.POST, instance=current, prefix="decisions")
            return _review_page(
                request,
                current,
                today=today,
                may_record=True,
                form=again,
                attendees=attendees,
                decisions=decisions,
                conflict=conflict,
                status=409,
            )
        except ValidationError as error:
            form_errors_apply(form, error)
        else:
            if marking_held and not already_held:
                held_on = review.held_on
                if held_on is None:  # marked held just now: a held review has its date (a check constraint)
                    raise ValueError("A review marked held has no date held.")
                messages.success(
                    request,
                    f"Review marked held on {date_format(held_on)}. Outcomes are due by "
                    f"{date_format(outcomes_due(held_on))} and minutes by {date_format(minutes_due(held_on))}.",
                )
                return redirect(reverse("reviews:detail", args=[review.pk]) + "#documents-heading")
            messages.success(request, "Record saved.")
            return redirect("reviews:detail", pk=review.pk)
    review.refresh_from_db()  # validation set a held status on the copy in memory
    return _review_page(
        request, review, today=today, may_record=True, form=form, attendees=attendees, decisions=decisions
    )


@role_required(Role.IRO)
@audited("review", child_of=child_id_of_review)
def prepare(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Before the review: wishes and feelings, reports received."""
    review = access.review_for_iro_work(user=request.user, pk=pk, today=timezone.localdate())
    prefetch_related_objects([review], "reports_received")  # read here and by the form's checklist
    received = {report.kind: report.received_on for report in review.reports_received.all()}
    initial = {
        "wishes_and_feelings_received_on": review.wishes_and_feelings_received_on,
        "child_own_words": review.child_own_words,
        "claim": PREPARE.claim(review),
        **{f"report_{kind}": day for kind, day in received.items()},
    }
    form = PreparationForm(request.POST or None, review=review, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_record_preparation(
                review=review,
                wishes_and_feelings_received_on=form.cleaned_data["wishes_and_feelings_received_on"],
                child_own_words=form.cleaned_data["child_own_words"],
                reports=form.reports(),
                claim=form.cleaned_data["claim"],
            )
        except ReviewChanged as changed:
            return _conflict_page(
                request,
                changed,
                typed=form.cleaned_data,
                form_class=PreparationForm,
                template="reviews/review_prepare.html",
                form_kwargs={"review": changed.review},
            )
        except ValidationError as error:
            form_errors_apply(form, error)
        else:
            messages.success(request, "Preparation saved.")
            return redirect("reviews:detail", pk=review.pk)
    return render(request, "reviews/review_prepare.html", {"review": review, "form": form})


@role_required(Role.IRO)
@audited("child", arg="child_pk")
def visit_new(request: AuthenticatedRequest, child_pk: int) -> HttpResponse:
    today = timezone.localdate()
    child = access.child_for_iro_work(user=request.user, pk=child_pk, today=today)
    form = VisitForm(request.POST or None, initial={"visited_on": today})
    form.instance.child = child
    form.instance.iro = request.user
    if request.method == "POST" and form.is_valid():
        try:
            services.visit_record(child=child, iro=request.user, **form.visit_details())
        except ValidationError as error:
            form_errors_apply(form, error)
        else:
            messages.success(request, "Visit recorded.")
            return redirect("caseload:child", pk=child.pk)
    return render(request, "reviews/visit_form.html", {"child": child, "form": form})


def _child_id_of_visit(pk: int) -> int | None:
    return Visit.objects.filter(pk=pk).values_list("child_id", flat=True).first()


@role_required(Role.IRO)
@audited("visit", child_of=_child_id_of_visit)
def visit_correct(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The IRO on the case corrects a visit; what it said before stays in its history."""
    visit = get_object_or_404(Visit.objects.select_related("child"), pk=pk)
    child = access.child_for_iro_work(user=request.user, pk=visit.child_id, today=timezone.localdate())
    form = VisitCorrectionForm(request.POST or None, instance=visit)
    if request.method == "POST" and form.is_valid():
        try:
            services.visit_correct(
                visit=Visit.objects.get(pk=pk),
                corrected_by=request.user,
                reason=form.cleaned_data["reason"],
                **form.visit_details(),
            )
        except ValidationError as error:
            form_errors_apply(form, error)
        else:
            messages.success(request, "Visit corrected; the earlier version is kept in its history.")
            return redirect("caseload:child", pk=child.pk)
    history = Visit.objects.get(pk=pk).history.select_related("history_user").order_by("-history_date")
    context = {"child": child, "form": form, "visit": visit, "history": history, "correcting": True}
    return render(request, "reviews/visit_form.html", context)


@role_required(Role.BUSINESS_SUPPORT)
@audited("child")
def child_new(request: AuthenticatedRequest) -> HttpResponse:
    """A child coming into care: the child, the period of care and its first episode; the
    first review's due date is stored at once."""
    form = NewChildForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            child, review = services.child_new_in_care(
                details=form.child_details(),
                looked_after_from=form.cleaned_data["looked_after_from"],
                episode_fields=form.episode_fields(),
                iro=form.cleaned_data["iro"],
            )
        except ValidationError as error:
            form_errors_apply(form, error)
        else:
            due = f" The first review is due by {date_format(review.due_date)}." if review and review.due_date else ""
            messages.success(request, f"{child.display_name} added.{due}")
            request.audit_child_id = child.pk
            return redirect("caseload:child", pk=child.pk)
    return render(request, "reviews/child_new.html", {"form": form})


# --- Documents -----------------------------------------------------------------------------


@role_required(Role.IRO)
@require_POST
@audited("review", child_of=child_id_of_review)
def document_request(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    review = access.review_for_iro_work(user=request.user, pk=pk, today=timezone.localdate())
    form = DocumentRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for error in form.errors.get("kind", [])) or "Choose a document.")
        return redirect("reviews:detail", pk=review.pk)
    try:
        document = services.document_request(
            review=review, kind=form.cleaned_data["kind"], reason=form.cleaned_data["reason"], requested_by=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{document.get_kind_display()} version {document.version} is being prepared.")
    return redirect("reviews:detail", pk=review.pk)


def _document_for_iro_work(request: AuthenticatedRequest, pk: int) -> Document:
    document = get_object_or_404(Document.objects.select_related("review"), pk=pk)
    access.review_for_iro_work(user=request.user, pk=document.review_id, today=timezone.localdate())
    return document


@role_required(Role.IRO)
@require_POST
@audited("document", child_of=child_id_of_document)
def document_issue(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    document = _document_for_iro_work(request, pk)
    if not DocumentIssueForm(request.POST).is_valid():
        messages.error(
            request,
            f"{document.get_kind_display()} version {document.version} was not issued: tick "
            '"I understand that issuing cannot be undone" first.',
        )
        return redirect(reverse("reviews:detail", args=[document.review_id]) + "#documents-heading")
    try:
        services.document_issue(document=document, issued_on=timezone.localdate())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{document.get_kind_display()} version {document.version} issued.")
    return redirect("reviews:detail", pk=document.review_id)


@role_required(Role.IRO)
@require_POST
@audited("document", child_of=child_id_of_document)
def distribution_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    document = _document_for_iro_work(request, pk)
    form = DistributionForm(request.POST)
    if form.is_valid():
        try:
            services.distribution_record(document=document, recorded_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Recorded: sent to {form.cleaned_data['recipient']}.")
    else:
        messages.error(
            request, "; ".join(f"{field}: {' '.join(str(e) for e in errors)}" for field, errors in form.errors.items())
        )
    return redirect("reviews:detail", pk=document.review_id)


@role_required(Role.IRO, Role.MANAGER)
@audited("document", child_of=child_id_of_document, action=AccessAction.DOWNLOAD)
def document_download(request: AuthenticatedRequest, pk: int) -> FileResponse:
    """The PDF, for the IRO on the case and managers; every download is logged."""
    document = get_object_or_404(Document.objects.select_related("review__child"), pk=pk)
    access.review_for(user=request.user, pk=document.review_id, today=timezone.localdate())
    if not access.can_read_sensitive(user=request.user):
        raise PermissionDenied
    if document.state != DocumentState.READY:
        raise Http404("This document is not ready.")
    try:
        # The stored name is checked against the private root (safe_join): a name that climbs
        # out of it, or a file that has gone, is refused rather than served.
        handle = private_storage().open(document.file_name, "rb")
    except (SuspiciousFileOperation, FileNotFoundError, IsADirectoryError):
        raise Http404("This document's file is not available.") from None
    return FileResponse(handle, as_attachment=True, filename=document.download_name, content_type="application/pdf")


# --- SSDA903 upload ------------------------------------------------------------------------


def _upload_context(outcome: UploadOutcome) -> dict[str, Any]:
    """What the upload page shows of a preview or an import."""
    if outcome.summary is None:
        return {"problems": outcome.problems, "problem_count": outcome.problem_count}
    summary = outcome.summary
    context = {
        "year_line": summary.year_line(),
        "refused": summary.refused,
        "refused_listed": list(summary.refused.items())[:50],
        "refused_line": summary.refused_line(),
        "unmentioned": summary.unmentioned_lines(),
        "unmentioned_count": summary.unmentioned_count,
        "year_label": summary.year_label,
        "report_token": outcome.report_token,
    }
    if outcome.token:  # a preview, to confirm with the token
        context.update(
            preview=summary.lines(),
            token=outcome.token,
            file_names=outcome.file_names,
            valid_children_only=outcome.valid_children_only,
        )
    else:
        context["imported"] = summary.lines()
    return context


@role_required(Role.BUSINESS_SUPPORT)
@audited("ssda903_import")
def ssda903_import(request: AuthenticatedRequest) -> HttpResponse:
    """Upload the three files, with their collection year and whether to import only the valid
    children → every problem listed, or a preview of what would be added and changed (and of the
    children refused, and what the files no longer mention, with a CSV report) → confirm to import
    (checked again, with the same choices)."""
    if request.method == "POST" and "confirm" in request.POST:
        try:
            outcome = upload_import(session=request.session, token=request.POST.get("token", ""))
        except UploadExpired:
            messages.error(request, "That upload has expired; upload the files again.")
            return redirect("reviews:ssda903_import")
        if outcome.summary is not None:
            messages.success(request, "Imported: " + "; ".join(outcome.summary.lines()) + ".")
        return render(request, "reviews/ssda903_import.html", {"form": SSDA903UploadForm(), **_upload_context(outcome)})
    form = SSDA903UploadForm(request.POST or None, request.FILES or None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        outcome = upload_preview(
            session=request.session,
            uploads=form.cleaned_data["files"],
            year=form.cleaned_data["year"],
            valid_children_only=form.cleaned_data["mode"] == SSDA903UploadForm.VALID_CHILDREN_ONLY,
        )
        context.update(_upload_context(outcome))
    return render(request, "reviews/ssda903_import.html", context)

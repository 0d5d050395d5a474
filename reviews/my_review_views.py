""" "My review" for staff: invite the child from the review page, print the card
once, withdraw the invitation; after the review, renew it for the child's letter and
"Did you feel listened to?"."""

from datetime import date
from typing import Any

import segno
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from accounts.audit import audited
from accounts.permissions import AuthenticatedRequest, role_required
from accounts.roles import Role
from iro_service.formerrors import form_errors_apply

from . import access, my_review
from .models import Review
from .my_review_forms import InvitationForm, RenewalForm
from .selectors import child_id_of_review


def _review_to_invite(request: AuthenticatedRequest, pk: int) -> Review:
    """The IRO working on the review (case-holding or cover), or business support; else 403/404."""
    today = timezone.localdate()
    if request.user.is_business_support:
        return access.review_for(user=request.user, pk=pk, today=today)
    return access.review_for_iro_work(user=request.user, pk=pk, today=today)


def _card(request: HttpRequest, review: Review, new: my_review.NewInvitation) -> HttpResponse:
    """The printable card: the only time the link, the code and the QR code are shown."""
    link = my_review.start_link(new.token)
    # segno's SVG holds only the QR code's path (no script, no user text): safe to put inline.
    qr_svg = mark_safe(  # noqa: S308  # nosec B308 B703 - see the line above
        segno.make(link, error="m").svg_inline(scale=4, title="QR code for My review", dark="#000", light="#fff")
    )
    context = {
        "review": review,
        "invitation": new.invitation,
        "link": link,
        "code": new.code,
        "code_groups": (new.code[:4], new.code[4:]),
        "code_url": my_review.code_page_link(),
        "qr_svg": qr_svg,
        "iro_first_name": my_review.iro_first_name(review=review, today=timezone.localdate()),
    }
    return render(request, "reviews/my_review_card.html", context)


@role_required(Role.IRO, Role.BUSINESS_SUPPORT)
@audited("review", child_of=child_id_of_review)
def invite(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """GET: the invitation's state and the form; POST: a new invitation, its card shown once."""
    today = timezone.localdate()
    review = _review_to_invite(request, pk)
    form = InvitationForm(
        request.POST or None,
        initial={"version": my_review.version_offered(review=review, today=today)},
        child_email=review.child.email,
    )
    if request.method == "POST" and form.is_valid():
        try:
            new = my_review.invitation_create(
                review=review,
                word=form.cleaned_data["word"],
                version=form.cleaned_data["version"],
                created_by=request.user,
                today=today,
                email_child=form.cleaned_data.get("email_child", False),
            )
        except ValidationError as error:
            form_errors_apply(form, error)
        else:
            if form.cleaned_data.get("email_child"):
                messages.info(request, f"The link and code are being emailed to {review.child.email}.")
            return _card(request, review, new)
    context = {
        **_page_context(review, form, today),
        "may_invite": my_review.may_change(review=review),
        "suggested": my_review.version_for_age(
            date_of_birth=review.child.date_of_birth, on=review.review_date or today
        ),
    }
    return render(request, "reviews/my_review_invite.html", context)


def _page_context(review: Review, form: forms.Form, today: date) -> dict[str, Any]:
    """What the invitation and renewal pages both show: the review, the form, the live invitation."""
    return {"review": review, "form": form, "invitation": my_review.live_invitation(review=review), "today": today}


@role_required(Role.IRO, Role.BUSINESS_SUPPORT)
@require_POST
@audited("review", child_of=child_id_of_review)
def withdraw(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    review = _review_to_invite(request, pk)
    if my_review.invitation_withdraw(review=review, withdrawn_by=request.user):
        messages.success(request, "Invitation withdrawn: its link and code no longer work.")
    else:
        messages.info(request, "There was no invitation to withdraw.")
    after = my_review.may_renew(review=review)  # a held review's invitation is managed on its renew page
    return redirect("reviews:my_review_renew" if after else "reviews:my_review_invite", pk=review.pk)


@role_required(Role.IRO, Role.BUSINESS_SUPPORT)
@audited("review", child_of=child_id_of_review)
def renew(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """After the review is held: GET the state and the form; POST a new link (the last withdrawn),
    its card shown once, for the child's letter and "Did you feel listened to?"."""
    today = timezone.localdate()
    review = _review_to_invite(request, pk)
    form = RenewalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            new = my_review.invitation_renew(
                review=review, word=form.cleaned_data["word"], created_by=request.user, today=today
            )
        except ValidationError as error:
            form_errors_apply(form, error)
        else:
            return _card(request, review, new)
    context = {
        **_page_context(review, form, today),
        "may_renew": my_review.may_renew(review=review),
        "letter_issued": my_review.letter_issued(review=review),
        "after_days": my_review.AFTER_REVIEW_DAYS,
    }
    return render(request, "reviews/my_review_renew.html", context)

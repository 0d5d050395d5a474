""" "My review": the child's own pages, with no account.

The link's token is exchanged for a short session on first use, and the page redirects at once
so the token is left in no address bar, history or Referer. The session holds only the
invitation's id and whether the memorable word was given; every page checks the invitation still
works (not withdrawn, locked or expired), else shows the one friendly page, with no data.
A staff session is ended before a child's starts: the two never share a cookie.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from iro_service.formerrors import form_errors_apply

from . import my_review
from .my_review_forms import (
    YOUNGER_FORMS,
    BaseAnswersForm,
    CodeForm,
    HowThingsAreForm,
    ListenedToForm,
    MeetingForm,
    PrivateNoteForm,
    WordForm,
    initial_answers,
)
from .my_review_models import MyReviewInvitation, MyReviewStage, MyReviewVersion

INVITATION = "my_review_invitation"
UNLOCKED = "my_review_unlocked"
# The friendly page for a link or code that does not work: 404 whatever the reason, so that it
# says nothing about whether a token ever existed.
STOPPED_STATUS = 404


def _stopped(request: HttpRequest) -> HttpResponse:
    request.session.flush()
    return render(request, "my_review/stopped.html", status=STOPPED_STATUS)


def _begin(request: HttpRequest, invitation: MyReviewInvitation) -> HttpResponse:
    if request.user.is_authenticated:
        logout(request)  # a staff session and a child's never share a cookie
    request.session.flush()
    request.session[INVITATION] = invitation.pk
    request.session[UNLOCKED] = False
    request.session.set_expiry(my_review.SESSION_SECONDS)
    return redirect("my_review:word")


def child_page(*, unlocked: bool = True) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A child's page: needs a session from the link or code (and the word, unless `unlocked`
    is False), for an invitation that still works. Passes the invitation to the view."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            invitation_id = request.session.get(INVITATION)
            if invitation_id is None:
                return redirect("my_review:code")
            invitation = my_review.invitation_usable(invitation_id=invitation_id, today=timezone.localdate())
            if invitation is None:
                return _stopped(request)
            if unlocked and not request.session.get(UNLOCKED):
                return redirect("my_review:word")
            return view(request, invitation, *args, **kwargs)

        return wrapped

    return decorator


def _context(invitation: MyReviewInvitation, **extra: Any) -> dict[str, Any]:
    review = invitation.review
    today = timezone.localdate()
    return {
        "invitation": invitation,
        "review": review,
        "iro_first_name": my_review.iro_first_name(review=review, today=today),
        "may_change": my_review.may_change(review=review),
        "younger": invitation.version == MyReviewVersion.YOUNGER,
        **extra,
    }


def start(request: HttpRequest, token: str) -> HttpResponse:
    """The link on the card: swap the token for a session, then send the child on without it."""
    invitation = my_review.invitation_for_token(token=token, today=timezone.localdate())
    if invitation is None:
        return _stopped(request)
    return _begin(request, invitation)


def code(request: HttpRequest) -> HttpResponse:
    """The short code from the card, typed in instead of the link."""
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        invitation = my_review.invitation_for_code(code=form.cleaned_data["code"], today=timezone.localdate())
        if invitation is not None:
            return _begin(request, invitation)
        form.add_error("code", "That code does not work. Check it and try again, or ask your IRO for a new one.")
    return render(request, "my_review/code.html", {"form": form})


@child_page(unlocked=False)
def word(request: HttpRequest, invitation: MyReviewInvitation) -> HttpResponse:
    if request.session.get(UNLOCKED):
        return redirect("my_review:home")
    form = WordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = my_review.word_check(
            invitation_id=invitation.pk, word=form.cleaned_data["word"], today=timezone.localdate()
        )
        if result is my_review.WordResult.LOCKED:
            return _stopped(request)
        if result is my_review.WordResult.RIGHT:
            request.session.cycle_key()
            request.session[UNLOCKED] = True
            return redirect("my_review:home")
        invitation.refresh_from_db(fields=["failed_attempts"])
        left = my_review.MAX_WRONG_WORDS - invitation.failed_attempts
        form.add_error(
            "word",
            f"That is not the word. You can try {left} more time{'s' if left != 1 else ''}."
            if left > 1
            else "That is not the word. You can try once more, then the link will stop working.",
        )
    return render(request, "my_review/word.html", _context(invitation, form=form))


@child_page()
def home(request: HttpRequest, invitation: MyReviewInvitation) -> HttpResponse:
    if invitation.stage == MyReviewStage.AFTER:
        return redirect("my_review:letter")  # the link renewed after the review opens on the letter
    response = my_review.response_for(review=invitation.review)
    return render(request, "my_review/home.html", _context(invitation, response=response))


def _answers_page(
    request: HttpRequest,
    invitation: MyReviewInvitation,
    *,
    form_class: type[BaseAnswersForm],
    template: str,
    next_page: str,
) -> HttpResponse:
    """One page of answers, in the invitation's version (the younger has faces and short choices)."""
    if invitation.version == MyReviewVersion.YOUNGER:
        form_class = YOUNGER_FORMS[form_class]
    response = my_review.response_for(review=invitation.review)
    form = form_class(request.POST or None, initial=initial_answers(response, form_class))
    if request.method == "POST" and form.is_valid():
        try:
            my_review.response_save(invitation=invitation, answers=form.cleaned_data)
        except ValidationError as error:
            form_errors_apply(form, error)
        else:
            messages.success(request, "Saved.")
            return redirect(next_page)
    return render(request, template, _context(invitation, form=form, response=response))


@child_page()
def how_things_are(request: HttpRequest, invitation: MyReviewInvitation) -> HttpResponse:
    return _answers_page(
        request, invitation, form_class=HowThingsAreForm, template="my_review/how_things_are.html",
        next_page="my_review:meeting",
    )  # fmt: skip


@child_page()
def meeting(request: HttpRequest, invitation: MyReviewInvitation) -> HttpResponse:
    return _answers_page(
        request, invitation, form_class=MeetingForm, template="my_review/meeting.html", next_page="my_review:private"
    )


@child_page()
def private(request: HttpRequest, invitation: MyReviewInvitation) -> HttpResponse:
    return _answers_page(
        request, invitation, form_class=PrivateNoteForm, template="my_review/private.html", next_page="my_review:send"
    )


@child_page()
def send(request: HttpRequest, invitation: MyReviewInvitation) -> HttpResponse:
    """Check your answers, then "Send to my IRO"."""
    if request.method == "POST":
        try:
            my_review.response_submit(invitation=invitation, today=timezone.localdate())
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Sent to your IRO. Thank you. You can change your answers until your meeting.")
        return redirect("my_review:home")
    response = my_review.response_for(review=invitation.review)
    return render(request, "my_review/send.html", _context(invitation, response=response))


@require_POST
@child_page()
def not_safe(request: HttpRequest, invitation: MyReviewInvitation) -> HttpResponse:
    """ "I don't feel safe": tell the IRO at once (my_review.child_not_safe) and show who can help."""
    today = timezone.localdate()
    my_review.child_not_safe(invitation=invitation, today=today)
    phone = my_review.iro_work_phone(review=invitation.review, today=today) or settings.IRO_SERVICE_PHONE
    return render(request, "my_review/not_safe.html", _context(invitation, iro_phone=phone))


@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    """Leave My review: the session ends here (the link or code opens it again)."""
    request.session.flush()
    return render(request, "my_review/left.html")


@child_page()
def letter(request: HttpRequest, invitation: MyReviewInvitation) -> HttpResponse:
    """After the review: the child's letter (once issued) and "Did you feel listened to?", one
    answer with a face, changeable while the link works."""
    if invitation.stage != MyReviewStage.AFTER:
        return redirect("my_review:home")
    review = invitation.review
    issued = my_review.issued_letter(review=review)
    if issued is None:
        return render(request, "my_review/letter_not_ready.html", _context(invitation))
    listened = my_review.listened_to_for(review=review)
    form = ListenedToForm(request.POST or None, initial={"answer": listened.answer if listened else None})
    if request.method == "POST" and form.is_valid():
        try:
            my_review.listened_to_answer(invitation=invitation, answer=form.cleaned_data["answer"])
        except ValidationError as error:
            form_errors_apply(form, error)
        else:
            messages.success(
                request, "Thank you. Your IRO will see your answer. You can change it while your link works."
            )
            return redirect("my_review:letter")
    return render(
        request,
        "my_review/letter.html",
        _context(invitation, form=form, listened=listened, letter=my_review.letter_for_child(letter=issued)),
    )

""" "My review" (the README, "My review: the child's own voice"): invitations, the child's answers,
and "I don't feel safe".

The IRO (or business support) invites the child from the review page: a random link token
(secrets.token_urlsafe(32), 256 bits), a short code to type instead, and a memorable word given
in person. Only hashes are stored; the card showing them is made once. The child opens the
link (or types the code), then the word; five wrong words lock the invitation and tell the IRO.
The link and code work until `expires_on` (the day after the review; 28 days when no date is
set) unless withdrawn, and may be opened again in that time (the word is asked each time).
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import models, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.safestring import SafeString, mark_safe

from accounts.models import Notification, NotificationKind, User
from accounts.roles import Role
from accounts.selectors import users_with_role
from accounts.services import notifications_send_now
from children.ages import age_on
from children.codes import AllocationKind
from children.selectors import current_allocations

from .access import cover_is_active, iro_may_work_on_review
from .codes import DocumentKind, ReviewStatus
from .models import Document, Review
from .my_review_models import (
    CHILD_VENUE_WORDS,
    VENUE_NO_PREFERENCE,
    ListenedTo,
    MyReviewInvitation,
    MyReviewListenedTo,
    MyReviewResponse,
    MyReviewStage,
    MyReviewVersion,
)
from .timescales import add_working_days

TOKEN_BYTES = 32  # secrets.token_urlsafe(32): 256 random bits (at least 128 asked)
# No 0/O, 1/I/L: a code read off a card and typed on a phone. 31 symbols, 8 long: about 40 bits,
# enough with the memorable word and its five-try lock behind it.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
MAX_WRONG_WORDS = 5
# The child's session: two hours from opening the link, whatever the activity.
SESSION_SECONDS = 2 * 60 * 60
# An invitation for a review with no date yet works for this long.
NO_DATE_DAYS = 28
# The after-review link works for this long from its renewal: time for the letter to be issued
# (the outcomes are due within 5 working days), reach the child and be read.
AFTER_REVIEW_DAYS = 28
# The younger version is for children under this age on the review day.
OLDER_FROM_AGE = 11
# "I don't feel safe" pressed again within this time adds no new alert (the first is on its way).
UNSAFE_ALERT_QUIET = timedelta(minutes=10)

# The answers the child's pages save, by page (the forms in reviews/my_review_forms.py).
# The younger version's faces (one per topic), each shown to staff just before the topic's words.
FACE_FIELDS = ("where_i_live_face", "school_face", "family_time_face", "health_face", "friends_face")
# What each version does not ask (the older has no faces; the younger asks no words on those
# topics): staff see these only if the child answered them (in the other version, before a switch).
NOT_ASKED = {
    MyReviewVersion.OLDER: FACE_FIELDS,
    MyReviewVersion.YOUNGER: ("where_i_live", "school", "family_time", "health", "friends"),
}
HOW_THINGS_ARE_FIELDS = (
    "where_i_live_face",
    "where_i_live",
    "school_face",
    "school",
    "family_time_face",
    "family_time",
    "health_face",
    "health",
    "friends_face",
    "friends",
    "going_well",
    "worries",
    "next_steps",
)
MEETING_FIELDS = ("want_there", "not_want_there", "venue", "time_of_day", "chair", "advocate", "talk_alone_first")
PRIVATE_FIELDS = ("private_note",)
CHILD_FIELDS = frozenset(HOW_THINGS_ARE_FIELDS + MEETING_FIELDS + PRIVATE_FIELDS)
# A child who asks for an advocate: the IRO is asked to refer them this many working days before
# the review, so the advocate can meet the child first (interpretation).
ADVOCATE_REFERRAL_WORKING_DAYS = 5
# The versions whose pages exist (both: the younger has faces and short choices).
BUILT_VERSIONS = (MyReviewVersion.YOUNGER, MyReviewVersion.OLDER)


@dataclass(frozen=True)
class NewInvitation:
    """An invitation just made, with the only copy of its secrets (shown once on the card)."""

    invitation: MyReviewInvitation
    token: str
    code: str


class WordResult(Enum):
    RIGHT = "right"
    WRONG = "wrong"
    LOCKED = "locked"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_code(code: str) -> str:
    """What the child typed, as the card prints it: capitals, no spaces or dashes."""
    return "".join(character for character in code.upper() if character.isalnum())


def code_hash(code: str) -> str:
    return salted_hmac("reviews.my_review.code", normalise_code(code), algorithm="sha256").hexdigest()


def _word(word: str) -> str:
    # One word said aloud: case and surrounding spaces do not matter.
    return " ".join(word.split()).lower()


def version_for_age(*, date_of_birth: date, on: date) -> MyReviewVersion:
    return MyReviewVersion.OLDER if age_on(date_of_birth, on) >= OLDER_FROM_AGE else MyReviewVersion.YOUNGER


def version_offered(*, review: Review, today: date) -> MyReviewVersion:
    """The version the child's age suggests, if its pages are built; else the older one."""
    suggested = version_for_age(date_of_birth=review.child.date_of_birth, on=review.review_date or today)
    return suggested if suggested in BUILT_VERSIONS else MyReviewVersion.OLDER


def expires_on_for(*, review: Review, today: date) -> date:
    """The day after the review (booked or held); with no date yet, NO_DATE_DAYS from today."""
    if review.review_date is not None:
        return max(review.review_date, today) + timedelta(days=1)
    return today + timedelta(days=NO_DATE_DAYS)


def chairing_iros(*, review: Review, today: date) -> list[User]:
    """Who the child's IRO is for this review: the covering IRO while cover is active, and the
    case-holding IRO (both are told when the child asks for help)."""
    iros: list[User] = []
    covering = review.covering_iro if review.covering_iro_id else None
    if covering is not None and cover_is_active(review=review, today=today):
        iros.append(covering)
    holder = (
        current_allocations(today=today)
        .filter(child_id=review.child_id, kind=AllocationKind.CASE_HOLDING)
        .select_related("iro", "iro__iro_profile")
        .first()
    )
    if holder is not None and holder.iro not in iros:
        iros.append(holder.iro)
    return iros


def live_invitation(*, review: Review) -> MyReviewInvitation | None:
    return review.my_review_invitations.filter(withdrawn_at=None).first()


def start_link(token: str) -> str:
    """The link on the card (and in the email) that opens the invitation."""
    return f"{settings.IRO_SITE_URL.rstrip('/')}{reverse('my_review:start', args=[token])}"


def code_page_link() -> str:
    """Where a child types the short code instead."""
    return f"{settings.IRO_SITE_URL.rstrip('/')}{reverse('my_review:code')}"


def invitation_email(*, review: Review, new: NewInvitation, today: date) -> EmailMessage:
    """The invitation by email, to the young person's own address: the link and the short code,
    never the memorable word (their IRO tells them it). Plain, and it names no one but the IRO's
    first name."""
    first_name = iro_first_name(review=review, today=today)
    from_iro = f"{first_name}, your IRO," if first_name else "Your IRO"
    code = f"{new.code[:4]} {new.code[4:]}"
    body = (
        f"Hello,\n\n"
        f"{from_iro} would like to hear from you before your review. You can say how things are and "
        "what you want from your meeting.\n\n"
        f"Open this link:\n{start_link(new.token)}\n\n"
        f"Or go to {code_page_link()} and type this code: {code}\n\n"
        "You will also need your memorable word. It is not in this email: your IRO will tell you it.\n\n"
        f"This works until {new.invitation.expires_on.day} {new.invitation.expires_on:%B %Y}.\n\n"
        "If this email was not meant for you, please delete it.\n"
    )
    return EmailMessage(subject="My review: your IRO would like to hear from you", body=body, to=[review.child.email])


def _email_after_commit(message: EmailMessage) -> None:
    # After commit: no email for an invitation that was rolled back. A failure is logged, not raised
    # (the invitation and its card stand; the IRO can print the card or make a new invitation).
    transaction.on_commit(lambda: message.send(fail_silently=False), robust=True)


@transaction.atomic
def invitation_create(
    *,
    review: Review,
    word: str,
    version: MyReviewVersion | str,
    created_by: User,
    today: date,
    email_child: bool = False,
) -> NewInvitation:
    """A new invitation for the review (the last one, if any, withdrawn), with its secrets. With
    `email_child` and an email recorded for the young person, the link and code are emailed to them
    once this commits (never the word)."""
    if review.status not in (ReviewStatus.DUE, ReviewStatus.BOOKED):
        raise ValidationError("Only a review still to happen can have a My review invitation.")
    if version not in BUILT_VERSIONS:
        raise ValidationError({"version": "That version of My review is not available yet."})
    if not _word(word):
        raise ValidationError({"word": "Enter a memorable word."})
    invitation_withdraw(review=review, withdrawn_by=created_by)
    new = _invitation_make(
        review=review,
        word_hash=make_password(_word(word)),
        version=version,
        stage=MyReviewStage.BEFORE,
        created_by=created_by,
        expires_on=expires_on_for(review=review, today=today),
    )
    if email_child and review.child.email:
        _email_after_commit(invitation_email(review=review, new=new, today=today))
    return new


def _invitation_make(
    *,
    review: Review,
    word_hash: str,
    version: MyReviewVersion | str,
    stage: MyReviewStage,
    created_by: User,
    expires_on: date,
) -> NewInvitation:
    """A new invitation with a fresh link token and code (the caller has withdrawn the last)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    while True:  # a clash of two codes is one in a trillion: draw again rather than fail
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not MyReviewInvitation.objects.filter(code_hash=code_hash(code)).exists():
            break
    invitation = MyReviewInvitation(
        review=review,
        token_hash=token_hash(token),
        code_hash=code_hash(code),
        word_hash=word_hash,
        version=version,
        stage=stage,
        created_by=created_by,
        expires_on=expires_on,
    )
    invitation.full_clean()
    invitation.save()
    return NewInvitation(invitation=invitation, token=token, code=code)


def invitation_withdraw(*, review: Review, withdrawn_by: User) -> int:
    """Withdraw the review's live invitation (if any): its link and code stop working."""
    return MyReviewInvitation.objects.filter(review=review, withdrawn_at=None).update(
        withdrawn_at=timezone.now(), withdrawn_by=withdrawn_by
    )


def _usable(invitations: QuerySet[MyReviewInvitation], *, today: date) -> MyReviewInvitation | None:
    invitation = invitations.select_related("review", "review__child").first()
    return invitation if invitation is not None and invitation.is_usable(today=today) else None


def invitation_for_token(*, token: str, today: date) -> MyReviewInvitation | None:
    """The usable invitation this link's token opens; None if unknown, withdrawn, locked or expired."""
    return _usable(MyReviewInvitation.objects.filter(token_hash=token_hash(token)), today=today)


def invitation_for_code(*, code: str, today: date) -> MyReviewInvitation | None:
    if len(normalise_code(code)) != CODE_LENGTH:
        return None
    return _usable(MyReviewInvitation.objects.filter(code_hash=code_hash(code)), today=today)


def invitation_usable(*, invitation_id: int, today: date) -> MyReviewInvitation | None:
    """The invitation a child's session holds, if it still works."""
    return _usable(MyReviewInvitation.objects.filter(pk=invitation_id), today=today)


@transaction.atomic
def word_check(*, invitation_id: int, word: str, today: date) -> WordResult:
    """Check the memorable word. The fifth wrong word locks the invitation and tells the IRO.
    The row is locked while counting, so two tries at once cannot both be the fourth."""
    invitation = (
        MyReviewInvitation.objects.select_for_update().select_related("review", "review__child").get(pk=invitation_id)
    )
    if not invitation.is_usable(today=today):
        return WordResult.LOCKED
    if check_password(_word(word), invitation.word_hash):
        if invitation.first_used_at is None:
            invitation.first_used_at = timezone.now()
            invitation.save(update_fields=["first_used_at"])
        return WordResult.RIGHT
    invitation.failed_attempts += 1
    if invitation.failed_attempts < MAX_WRONG_WORDS:
        invitation.save(update_fields=["failed_attempts"])
        return WordResult.WRONG
    invitation.locked_at = timezone.now()
    invitation.save(update_fields=["failed_attempts", "locked_at"])
    review = invitation.review
    child = review.child.local_id  # notifications name the child by ID only
    _tell_the_childs_iros(
        review=review,
        today=today,
        kind=NotificationKind.MY_REVIEW_LOCKED,
        object_key=f"my_review:{invitation.pk}",
        deadline=today,
        subject=f"My review link locked (child {child})",
        body=f"Someone typed the wrong memorable word {MAX_WRONG_WORDS} times for child {child}'s "
        "My review link, so it is locked. If it was the child, give them a new invitation.",
        url=reverse("reviews:my_review_invite", args=[review.pk]),
    )
    return WordResult.LOCKED


def _tell_the_childs_iros(
    *,
    review: Review,
    today: date,
    kind: str,
    object_key: str,
    deadline: date,
    subject: str,
    body: str,
    url: str,
) -> list[Notification]:
    """One notification for each IRO chairing the child's review today, emailed now; with no IRO
    on the case, the managers get it (someone must act). The words name the child by ID only."""
    recipients = chairing_iros(review=review, today=today) or list(users_with_role(Role.MANAGER))
    return notifications_send_now(
        notifications=[
            Notification(
                recipient=recipient,
                kind=kind,
                object_key=object_key,
                deadline=deadline,
                subject=subject,
                body=body,
                url=url,
            )
            for recipient in recipients
        ]
    )


def response_for(*, review: Review) -> MyReviewResponse:
    """The child's answers for the review (a new, unsaved one if they have not saved any)."""
    try:
        return review.my_review_response
    except MyReviewResponse.DoesNotExist:
        return MyReviewResponse(review=review)


def may_change(*, review: Review) -> bool:
    """The child may change their answers until the review is held (or no longer happening)."""
    return review.status in (ReviewStatus.DUE, ReviewStatus.BOOKED)


@transaction.atomic
def response_save(*, invitation: MyReviewInvitation, answers: dict[str, Any]) -> MyReviewResponse:
    """Save one page of the child's answers as a draft (only that page's fields)."""
    unknown = set(answers) - CHILD_FIELDS
    if unknown:
        raise ValueError(f"Not a My review answer: {sorted(unknown)}")
    review = Review.objects.select_for_update().get(pk=invitation.review_id)
    if not may_change(review=review):
        raise ValidationError("Your review has happened, so your answers can no longer be changed.")
    response = response_for(review=review)
    for name, value in answers.items():
        setattr(response, name, value)
    response.version = invitation.version
    response.saved_at = timezone.now()
    response.full_clean(exclude=["review"])
    if response.pk is None:
        response.save()
    else:
        response.save(update_fields=[*answers, "version", "saved_at"])
    return response


@transaction.atomic
def response_submit(*, invitation: MyReviewInvitation, today: date) -> MyReviewResponse:
    """ "Send to my IRO": dated each time it is sent (again after a change). A child who now asks
    for an advocate, having not asked before, gets their IRO a task to refer them (same transaction)."""
    review = Review.objects.select_for_update().get(pk=invitation.review_id)
    if not may_change(review=review):
        raise ValidationError("Your review has happened, so your answers can no longer be changed.")
    response = response_for(review=review)
    asked_before = response.sent_answers.get("advocate") is True
    response.version = invitation.version
    response.submitted_at = response.saved_at = timezone.now()
    response.sent_answers = {name: getattr(response, name) for name in sorted(CHILD_FIELDS)}
    response.save()
    if response.advocate is True and not asked_before:
        _advocate_task(review=review, sent_at=response.submitted_at, today=today)
    return response


def advocate_referral_deadline(*, review: Review, today: date) -> date:
    """ADVOCATE_REFERRAL_WORKING_DAYS before the review (booked, else due); never before today."""
    day = review.review_date or review.due_date
    deadline = (
        add_working_days(day, -ADVOCATE_REFERRAL_WORKING_DAYS)
        if day
        else add_working_days(today, ADVOCATE_REFERRAL_WORKING_DAYS)
    )
    return max(deadline, today)


def _advocate_task(*, review: Review, sent_at: datetime, today: date) -> list[Notification]:
    """A task for the child's IRO(s): refer the child to an advocate before the review. Names the
    child by ID only; with no IRO on the case, the managers get it (someone must act)."""
    child = review.child.local_id  # notifications name the child by ID only
    deadline = advocate_referral_deadline(review=review, today=today)
    return _tell_the_childs_iros(
        review=review,
        today=today,
        kind=NotificationKind.MY_REVIEW_ADVOCATE,
        # One task each time the child asks afresh: the key holds the time they sent it.
        object_key=f"advocate:{review.pk}:{int(sent_at.timestamp() * 1000)}",
        deadline=deadline,
        subject=f"Refer child {child} to an advocate by {deadline:%d/%m/%Y}",
        body=f"Child {child} asked for an advocate in My review. Refer them to the advocacy service "
        f"by {deadline:%d/%m/%Y}, so the advocate can meet them before the review.",
        url=reverse("reviews:detail", args=[review.pk]),
    )


def _field(name: str) -> "models.Field[Any, Any]":
    field = MyReviewResponse._meta.get_field(name)
    if not isinstance(field, models.Field):  # the child's answers are the model's own fields
        raise TypeError(f"Not a My review answer: {name}")
    return field


def _shown(name: str, value: object) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if name == "venue":
        return CHILD_VENUE_WORDS.get(str(value), "No preference" if value == VENUE_NO_PREFERENCE else str(value))
    field = _field(name)
    if field.choices:
        return str(dict(field.choices).get(value, value))
    return str(value)


def _question(name: str) -> str:
    # The field's name as a heading: first letter up, the rest as written ("Who I want there").
    words = str(_field(name).verbose_name)
    return words[:1].upper() + words[1:]


def sent_answers_rows(*, response: MyReviewResponse, fields: tuple[str, ...]) -> list[tuple[str, str]]:
    """(question, answer) for each of `fields` as the child last sent them, for staff pages.
    The private note is never among them: it is shown on its own, to the chairing IRO only."""
    rows = [(name, _shown(name, response.sent_answers.get(name))) for name in fields if name not in PRIVATE_FIELDS]
    not_asked = NOT_ASKED.get(MyReviewVersion(response.version), ())
    return [(_question(name), answer) for name, answer in rows if answer or name not in not_asked]


def sent_views_in_their_words(*, response: MyReviewResponse) -> str:
    """The child's "how things are" answers as they last sent them, as one text for the minutes'
    "the child's views, in their words" (a question a line, then their words; blanks left out)."""
    return "\n\n".join(
        f"{question}: {answer}"
        for question, answer in sent_answers_rows(response=response, fields=HOW_THINGS_ARE_FIELDS)
        if answer.strip()
    )


def sent_private_note(*, response: MyReviewResponse) -> str:
    return str(response.sent_answers.get("private_note", ""))


def sent_response(*, review: Review) -> MyReviewResponse | None:
    """The child's answers if they have sent them at least once."""
    return MyReviewResponse.objects.filter(review=review, submitted_at__isnull=False).first()


@transaction.atomic
def child_not_safe(*, invitation: MyReviewInvitation, today: date) -> list[Notification]:
    """The child pressed "I don't feel safe": record it on their answers and, in the same
    transaction, an urgent notification for their IRO (naming the child by ID only), emailed
    as soon as it commits. If either cannot be written, neither is. Pressed again within
    UNSAFE_ALERT_QUIET, the time is recorded and no second alert is made."""
    review = (
        Review.objects.select_for_update(of=("self",))
        .select_related("child", "covering_iro")
        .get(pk=invitation.review_id)
    )
    response = response_for(review=review)
    now = timezone.now()
    recent = response.feels_unsafe_at is not None and now - response.feels_unsafe_at < UNSAFE_ALERT_QUIET
    response.feels_unsafe_at = now
    response.save()
    if recent:
        return []
    child = review.child.local_id
    # With no IRO on the case today, the managers are told: someone must hear it.
    return _tell_the_childs_iros(
        review=review,
        today=today,
        kind=NotificationKind.CHILD_NOT_SAFE,
        # One alert per press (outside the quiet time): the key holds the time.
        object_key=f"unsafe:{review.pk}:{int(now.timestamp())}",
        deadline=today,
        subject=f"URGENT: child {child} said they do not feel safe",
        body=f"Child {child} pressed \u201cI don't feel safe\u201d in My review at "
        f"{timezone.localtime(now):%H:%M on %d/%m/%Y}. They were shown Childline's number "
        "(0800 1111) and how to reach you. Contact them or their social worker today.",
        url=reverse("reviews:detail", args=[review.pk]),
    )


def private_note_visible_to(*, user: User, review: Review, today: date) -> bool:
    """The child's note "just for my IRO": the IRO working on the review (case-holding or cover)
    only: never managers, business support, the minutes or any report."""
    return iro_may_work_on_review(user=user, review=review, today=today)


def iro_first_name(*, review: Review, today: date) -> str:
    """The one name a child's page shows: their IRO's first name."""
    iros = chairing_iros(review=review, today=today)
    return iros[0].first_name if iros else ""


def iro_work_phone(*, review: Review, today: date) -> str:
    for iro in chairing_iros(review=review, today=today):
        profile = getattr(iro, "iro_profile", None)
        if profile is not None and profile.work_phone:
            return str(profile.work_phone)
    return ""


# --- After the review: the letter and "Did you feel listened to?" ----------------------------


def may_renew(*, review: Review) -> bool:
    """Once the review is held, its invitation may be renewed for after the review."""
    return review.status == ReviewStatus.HELD


@transaction.atomic
def invitation_renew(*, review: Review, word: str, created_by: User, today: date) -> NewInvitation:
    """After the review is held: a new link and code for the child's letter and "Did you feel
    listened to?", working AFTER_REVIEW_DAYS from today. The last invitation is withdrawn, so
    the link from before the review stops working. With no new word the child keeps the word
    they know (its hash is copied), unless there is none or the last invitation was locked."""
    review = Review.objects.select_for_update().get(pk=review.pk)
    if not may_renew(review=review):
        raise ValidationError("Only a held review can have an after-review My review link.")
    last = review.my_review_invitations.first()
    if _word(word):
        word_hash = make_password(_word(word))
    elif last is not None and last.locked_at is None:
        word_hash = last.word_hash
    else:
        raise ValidationError(
            {"word": "Enter a memorable word: the last link was locked."}
            if last is not None
            else {"word": "Enter a memorable word: the child has not had one yet."}
        )
    invitation_withdraw(review=review, withdrawn_by=created_by)
    return _invitation_make(
        review=review,
        word_hash=word_hash,
        version=last.version if last is not None else version_offered(review=review, today=today),
        stage=MyReviewStage.AFTER,
        created_by=created_by,
        expires_on=today + timedelta(days=AFTER_REVIEW_DAYS),
    )


def letter_issued(*, review: Review) -> bool:
    """The child's letter has been issued (a version of it): only then is it shown online."""
    return issued_letter(review=review) is not None


def issued_letter(*, review: Review) -> Document | None:
    """The latest issued version of the letter to the child."""
    return review.documents.filter(kind=DocumentKind.LETTER, issued_on__isnull=False).order_by("-version").first()


def letter_for_child(*, letter: Document) -> SafeString:
    """The issued letter's wording as HTML: kept with the version when its PDF was made, from the
    same template part and context (reviews.documents.letter_html), so the child reads what was
    issued even if the record changed since. A letter made before that was kept is drawn now."""
    html = letter.letter_html
    if not html:
        from .documents import document_context, letter_html  # noqa: PLC0415 - WeasyPrint loads only where used

        html = letter_html(document_context(letter.review))
    # Made by the application's own template with autoescaping on (reviews/_letter_to_child.html).
    return mark_safe(html)  # noqa: S308  # nosec B308 B703 - see the line above


def listened_to_for(*, review: Review) -> MyReviewListenedTo | None:
    return MyReviewListenedTo.objects.filter(review=review).first()


@transaction.atomic
def listened_to_answer(*, invitation: MyReviewInvitation, answer: ListenedTo | str) -> MyReviewListenedTo:
    """The child's answer to "Did you feel listened to?": one per review, changed (not added to)
    each time they answer again while the after-review link works."""
    if invitation.stage != MyReviewStage.AFTER:
        raise ValidationError("This question is asked after the review.")
    review = Review.objects.select_for_update().get(pk=invitation.review_id)
    if not letter_issued(review=review):
        raise ValidationError("Your letter is not ready yet.")
    listened = listened_to_for(review=review) or MyReviewListenedTo(review=review)
    listened.answer = answer
    listened.answered_at = timezone.now()
    listened.full_clean()
    listened.save()
    return listened

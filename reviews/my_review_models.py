""" "My review": the child's own invitation to say how things are before their review,
and what they said (reviews/my_review.py writes these; reviews.models imports this module).

Only hashes of the link's token, the short code and the memorable word are stored: the card
the IRO prints is the one place they are ever shown."""

from datetime import date
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from children.records import KeptQuerySet, NeverDeleted

# The venues a child may choose from, in the child's words: the keys are the booking page's usual
# venues (reviews.codes.USUAL_VENUES), so business support can book the one chosen.
CHILD_VENUE_WORDS = {
    "Child's placement": "Where I live",
    "School": "My school or college",
    "Civic offices": "The council offices",
    "Family centre": "A family centre",
    "Children's home": "The children's home",
}
# The child does not mind where: stored as this value.
VENUE_NO_PREFERENCE = "no preference"


class MyReviewVersion(models.TextChoices):
    # By age on the review day (reviews.my_review.version_for_age); the IRO can switch.
    YOUNGER = "younger", "Younger (under 11): faces and short choices"
    OLDER = "older", "Older (11 and over): their own words"


class MyReviewStage(models.TextChoices):
    # Before the review: how things are and the meeting. After it (the link renewed once the
    # review is held): the child's letter and "Did you feel listened to?" (reviews/my_review.py).
    BEFORE = "before", "Before the review"
    AFTER = "after", "After the review"


class ListenedTo(models.TextChoices):
    # "Did you feel listened to?", answered with a face after the review.
    YES = "yes", "Yes"
    A_BIT = "a_bit", "A bit"
    NO = "no", "No"


class Face(models.TextChoices):
    # The younger version's faces: each drawn with its word, and always shown to staff in words.
    GOOD = "good", "Good"
    OK = "ok", "OK"
    NOT_GOOD = "not_good", "Not good"


class TimeOfDay(models.TextChoices):
    NO_PREFERENCE = "", "I don't mind"
    MORNING = "morning", "In the morning"
    AFTERNOON = "afternoon", "In the afternoon"
    AFTER_SCHOOL = "after_school", "After school or college"


class ChairChoice(models.TextChoices):
    NOT_SAID = "", "I haven't decided"
    ALL = "all", "I'd like to chair all of it"
    PART = "part", "I'd like to chair part of it"
    NONE = "none", "I'd like my IRO to chair it"


class MyReviewInvitation(NeverDeleted):
    """One invitation to "My review" for one review: a link (token), a short code to type
    instead, and a memorable word the IRO gives in person. A new one withdraws the last."""

    review = models.ForeignKey("reviews.Review", on_delete=models.PROTECT, related_name="my_review_invitations")
    # SHA-256 of the link's token (secrets.token_urlsafe(32): 256 bits).
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # HMAC-SHA256 (keyed with SECRET_KEY) of the short code: a code is short enough that a plain
    # hash could be reversed by trying every code, so the key is needed to try any.
    code_hash = models.CharField(max_length=64, unique=True, editable=False)
    # Django's password hasher (make_password), as for a password.
    word_hash = models.CharField(max_length=256, editable=False)
    version = models.CharField(max_length=10, choices=MyReviewVersion.choices, default=MyReviewVersion.OLDER)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_on = models.DateField(help_text="The last day the link and code work.")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    first_used_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    locked_at = models.DateTimeField(null=True, blank=True)
    stage = models.CharField(max_length=10, choices=MyReviewStage.choices, default=MyReviewStage.BEFORE)

    objects: ClassVar = KeptQuerySet.as_manager()

    class Meta:
        ordering = ["review_id", "-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["review"],
                condition=Q(withdrawn_at=None),
                name="my_review_one_live_invitation",
                violation_error_message="This review already has an invitation: withdraw it first.",
            ),
        ]

    def __str__(self) -> str:
        return f"My review invitation for review {self.review_id} ({self.created_at:%d/%m/%Y})"

    def is_usable(self, *, today: date) -> bool:
        return self.withdrawn_at is None and self.locked_at is None and today <= self.expires_on


class MyReviewResponse(NeverDeleted):
    """What the child said in "My review" for one review: saved as a draft on every page, sent
    to the IRO with "Send to my IRO", and changeable until the review is held."""

    review = models.OneToOneField("reviews.Review", on_delete=models.PROTECT, related_name="my_review_response")
    version = models.CharField(max_length=10, choices=MyReviewVersion.choices, default=MyReviewVersion.OLDER)
    # How things are (the younger version picks a face for each of the first five; words are optional)
    where_i_live_face = models.CharField("where I live: face", max_length=10, choices=Face.choices, blank=True)
    school_face = models.CharField("school: face", max_length=10, choices=Face.choices, blank=True)
    family_time_face = models.CharField("family time: face", max_length=10, choices=Face.choices, blank=True)
    health_face = models.CharField("health: face", max_length=10, choices=Face.choices, blank=True)
    friends_face = models.CharField("friends: face", max_length=10, choices=Face.choices, blank=True)
    where_i_live = models.TextField("where I live", blank=True)
    school = models.TextField("school or college", blank=True)
    family_time = models.TextField("family time", blank=True)
    health = models.TextField("health", blank=True)
    friends = models.TextField("friends", blank=True)
    going_well = models.TextField("what is going well", blank=True)
    worries = models.TextField("what worries me", blank=True)
    next_steps = models.TextField("what I want to happen next", blank=True)
    # My meeting
    want_there = models.TextField("who I want there", blank=True)
    not_want_there = models.TextField("who I don't want there", blank=True)
    venue = models.CharField("where", max_length=200, blank=True)
    time_of_day = models.CharField("time of day", max_length=20, choices=TimeOfDay.choices, blank=True)
    chair = models.CharField("chairing", max_length=10, choices=ChairChoice.choices, blank=True)
    advocate = models.BooleanField("wants an advocate", null=True, blank=True)
    talk_alone_first = models.BooleanField("wants to talk to the IRO alone first", null=True, blank=True)
    # Just for my IRO: shown only to the IRO chairing (case-holding or cover), never in the
    # minutes or to business support (reviews/my_review.py, private_note_visible_to).
    private_note = models.TextField("just for my IRO", blank=True)
    feels_unsafe_at = models.DateTimeField("said they do not feel safe at", null=True, blank=True)
    saved_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField("sent to the IRO at", null=True, blank=True)
    # The answers as they were when last sent: staff read these, so a change the child has not
    # sent again stays theirs until they send it.
    sent_answers = models.JSONField(default=dict, blank=True, editable=False)

    objects: ClassVar = KeptQuerySet.as_manager()

    class Meta:
        ordering = ["review_id"]

    def __str__(self) -> str:
        return f"My review answers for review {self.review_id}"

    @property
    def venue_words(self) -> str:
        if self.venue == VENUE_NO_PREFERENCE:
            return "I don't mind"
        return CHILD_VENUE_WORDS.get(self.venue, self.venue)

    @property
    def has_meeting_choices(self) -> bool:
        return bool(
            self.want_there
            or self.not_want_there
            or self.venue
            or self.time_of_day
            or self.chair
            or self.advocate is not None
            or self.talk_alone_first is not None
        )


class MyReviewListenedTo(NeverDeleted):
    """The child's answer, after the review, to "Did you feel listened to?" (one per review,
    changeable while the after-review link works). Counted beside participant feedback
    (audits.selectors.listened_to_by_quarter)."""

    review = models.OneToOneField("reviews.Review", on_delete=models.PROTECT, related_name="my_review_listened_to")
    answer = models.CharField("did you feel listened to?", max_length=10, choices=ListenedTo.choices)
    first_answered_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField("last answered at", default=timezone.now)

    objects: ClassVar = KeptQuerySet.as_manager()

    class Meta:
        ordering = ["review_id"]

    def __str__(self) -> str:
        return f"My review: listened to, for review {self.review_id}"

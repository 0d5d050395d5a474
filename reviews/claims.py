"""What each page of a review owns, and the claim it makes on what it read.

Several people write to one review from different pages: the chair's record, *Before the
review*, booking and rescheduling, cancelling, cover. Each page owns a set of the review's
fields (and related rows); it saves only those, and only if they are still as the person saw
them when they opened the page. The page carries a *claim*, a digest of the values it showed,
in a hidden field; the service locks the review row, recomputes the digest from what is stored
now, and refuses the save if they differ (`ReviewChanged`, which lists what differs). A save by
another page that changed none of this page's fields is no conflict: nothing the person read
has moved, and nothing of the other writer's is overwritten because only this page's fields are
written (`update_fields`).

Documents need no claim: a new version is a new row, never an overwrite, and issuing sets a
date only once (`reviews.services.document_issue`).
"""

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from .codes import ReviewStatus
from .models import Review


@dataclass(frozen=True)
class ReviewPage:
    """A page that edits a review: the fields it writes, and the related rows it shows and writes."""

    name: str
    fields: tuple[str, ...]
    related: Callable[[Review], Sequence[object]] = field(default=lambda review: [])
    # Derived facts the page's choices depend on (e.g. whether the review is held).
    facts: Callable[[Review], dict[str, Any]] = field(default=lambda review: {})

    def values(self, review: Review) -> dict[str, Any]:
        return {name: getattr(review, f"{name}_id" if _is_relation(name) else name) for name in self.fields}

    def claim(self, review: Review) -> str:
        """A digest of everything this page showed that it may write."""
        state = [self.name, self.values(review), self.related(review), self.facts(review)]
        return hashlib.sha256(json.dumps(state, default=str, sort_keys=True).encode()).hexdigest()[:32]


def _is_relation(name: str) -> bool:
    return Review._meta.get_field(name).is_relation


# The rows of the chair's record besides the review's own fields: what the page shows and writes.
ATTENDEE_FIELDS = ("name", "role", "attended")
DECISION_FIELDS = ("text", "owner", "deadline", "for_child")


def _attendees_and_decisions(review: Review) -> Sequence[object]:
    return [
        sorted(review.invitees.values_list("pk", *ATTENDEE_FIELDS)),
        sorted(review.decisions.values_list("pk", *DECISION_FIELDS)),
    ]


def _reports(review: Review) -> Sequence[object]:
    return sorted(review.reports_received.values_list("kind", "received_on"))


RECORD = ReviewPage(
    "record",
    fields=(
        "held_on",
        "participation_code",
        "parents_participated",
        "worried_about",
        "working_well",
        "needs_to_happen",
        "child_views",
        "child_chaired",
        "plan_of_adoption_confirmed",
    ),
    related=_attendees_and_decisions,
    facts=lambda review: {"held": review.status == ReviewStatus.HELD},
)
PREPARE = ReviewPage(
    "prepare",
    fields=("wishes_and_feelings_received", "wishes_and_feelings_received_on", "child_own_words"),
    related=_reports,
)
BOOK = ReviewPage(
    "book",
    fields=(
        "status",
        "booked_for",
        "venue",
        "venue_chosen_by_child",
        "early_review_reason",
        "lateness_reason",
    ),
)
CANCEL = ReviewPage("cancel", fields=("status", "booked_for"))
COVER = ReviewPage("cover", fields=("covering_iro", "cover_ends_on"))


class ReviewChanged(ValidationError):
    """Someone saved this page's fields since the person opened it: nothing was written."""

    def __init__(self, *, review: Review, page: ReviewPage, changed_by: str) -> None:
        self.review = review
        self.page = page
        self.changed_by = changed_by
        super().__init__(
            f"{changed_by} changed this review since you opened the page, so your changes were not saved. "
            "What you entered is still below: check it against what is saved now, then save again.",
            code="review_changed",
        )


def last_saved_by(review: Review) -> str:
    """Who saved the review last, from its history (the review may have none yet)."""
    latest = review.history.select_related("history_user").first()
    if latest is None or latest.history_user is None:
        return "Someone else"
    return str(latest.history_user)


def claim_check(*, review: Review, page: ReviewPage, claim: str | None) -> None:
    """Refuse with ReviewChanged unless `claim` matches what is stored now.

    `review` must have been read under the row lock (select_for_update) by the caller, so that
    no other writer can move it between this check and the save. A claim of None means the
    caller read the row itself under that lock (commands, imports, the demo), not from a page.
    """
    if claim is not None and claim != page.claim(review):
        raise ReviewChanged(review=review, page=page, changed_by=last_saved_by(review))

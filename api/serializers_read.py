"""What the API's read side answers: read-only, and only business-support-level data.

Never here: the child's own words (My review answers, the child's views, their note "just for my
IRO"), visit notes, private notes, the Signs of Safety text, the letter's wording, the young
person's email. tests/api/test_no_leaks.py seeds each with a marker and reads every GET endpoint.
"""

from typing import Any

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from children.codes import ReasonEpisodeCeased
from reviews.codes import DocumentKind, ParticipationCode, ReviewSequence, ReviewStatus
from reviews.documents import issued_on_time
from reviews.models import Decision, Document, Review
from reviews.timescales import Schedule

SCHEDULES = [Schedule.REG33, Schedule.REG48, Schedule.ADOPTION, Schedule.UNKNOWN, Schedule.ENDS_AT_18]


class BlankAsNullChoiceField(serializers.ChoiceField):
    """A code that may be blank in the database: null in the answer, never ""."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_null=True, read_only=True, **kwargs)

    def to_representation(self, value: Any) -> Any:
        return None if value in ("", None) else super().to_representation(value)


class ErrorSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField(help_text="What was wrong, in words.")


class PeriodSerializer(serializers.Serializer[Any]):
    start = serializers.DateField(read_only=True, help_text="Looked after from.")
    end = serializers.DateField(read_only=True, allow_null=True, help_text="Care ended on; null while it goes on.")
    reason_ended = BlankAsNullChoiceField(
        choices=ReasonEpisodeCeased.choices, help_text="SSDA903 REC that ended care; null while it goes on."
    )


class IROSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True, source="iro_id", help_text="The IRO's user id.")
    name = serializers.SerializerMethodField()
    start = serializers.DateField(read_only=True, help_text="Case-holding IRO from.")

    def get_name(self, allocation: Any) -> str:
        return str(allocation.iro.get_full_name() or allocation.iro.username)


class NextReviewSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True, help_text="The review's id (/api/v1/reviews/{id}/).")
    status = serializers.ChoiceField(choices=[ReviewStatus.DUE, ReviewStatus.BOOKED], read_only=True)
    due_date = serializers.DateField(
        read_only=True, allow_null=True, help_text="Null when no date can be due (see due_schedule)."
    )
    due_schedule = BlankAsNullChoiceField(
        choices=SCHEDULES,
        help_text="The schedule that set the due date: reg33 (Care Planning Regulations reg 33), reg48 (short "
        "breaks), adoption, unknown (the clock is not known), ends_at_18 (the date would fall after the 18th "
        "birthday).",
    )
    due_rule = serializers.CharField(
        read_only=True, help_text="The rule that set the due date, in words (blank if none is recorded)."
    )
    booked_for = serializers.DateTimeField(read_only=True, allow_null=True)


class ChildSerializer(serializers.Serializer[Any]):
    child_id = serializers.CharField(
        source="local_id", read_only=True, help_text="The SSDA903 CHILD id: how the API names the child."
    )
    first_name = serializers.CharField(read_only=True)
    last_name = serializers.CharField(read_only=True)
    date_of_birth = serializers.DateField(read_only=True)
    current_period = serializers.SerializerMethodField(help_text="The latest period of care; null if none.")
    case_holding_iro = serializers.SerializerMethodField(help_text="The open case-holding allocation; null if none.")
    next_review = serializers.SerializerMethodField(help_text="The outstanding (due or booked) review; null if none.")
    changed_at = serializers.DateTimeField(read_only=True, help_text="When anything shown here last changed.")

    @extend_schema_field(PeriodSerializer(allow_null=True))
    def get_current_period(self, child: Any) -> dict[str, Any] | None:
        periods = child.api_periods
        return PeriodSerializer(periods[-1]).data if periods else None

    @extend_schema_field(IROSerializer(allow_null=True))
    def get_case_holding_iro(self, child: Any) -> dict[str, Any] | None:
        allocations = child.api_case_holding
        return IROSerializer(allocations[0]).data if allocations else None

    @extend_schema_field(NextReviewSerializer(allow_null=True))
    def get_next_review(self, child: Any) -> dict[str, Any] | None:
        outstanding = child.api_outstanding
        return NextReviewSerializer(outstanding[-1]).data if outstanding else None


class DecisionSerializer(serializers.Serializer[Decision]):
    id = serializers.IntegerField(read_only=True)
    text = serializers.CharField(read_only=True, help_text="The decision or action.")
    owner = serializers.CharField(read_only=True, help_text="Who will do it (name or role).")
    deadline = serializers.DateField(read_only=True, allow_null=True)
    completed_on = serializers.DateField(read_only=True, allow_null=True)


class IssueSerializer(serializers.Serializer[Any]):
    """Outcomes or minutes: when due, when issued, whether on time."""

    due_on = serializers.DateField(read_only=True, allow_null=True)
    issued_on = serializers.DateField(read_only=True, allow_null=True)
    on_time = serializers.BooleanField(
        read_only=True, allow_null=True, help_text="Issued by the day it was due; null until issued."
    )


class ReviewSerializer(serializers.Serializer[Review]):
    id = serializers.IntegerField(read_only=True)
    child_id = serializers.CharField(source="child.local_id", read_only=True, help_text="The SSDA903 CHILD id.")
    sequence = serializers.ChoiceField(choices=ReviewSequence.choices, read_only=True)
    status = serializers.ChoiceField(choices=ReviewStatus.choices, read_only=True)
    due_date = serializers.DateField(read_only=True, allow_null=True)
    due_schedule = BlankAsNullChoiceField(choices=SCHEDULES, help_text="The schedule that set the due date.")
    due_rule = serializers.CharField(read_only=True, help_text="The rule that set the due date, in words.")
    booked_for = serializers.DateTimeField(read_only=True, allow_null=True, help_text="The booked date and time.")
    held_on = serializers.DateField(read_only=True, allow_null=True)
    participation_code = BlankAsNullChoiceField(
        choices=ParticipationCode.choices, help_text="SSDA903 REVIEW_CODE, once held."
    )
    outcomes = serializers.SerializerMethodField()
    minutes = serializers.SerializerMethodField()
    decisions = DecisionSerializer(many=True, read_only=True)
    changed_at = serializers.DateTimeField(read_only=True, help_text="When the review or its decisions last changed.")

    def _issue(self, review: Review, kind: str, due_on: Any, issued_on: Any) -> dict[str, Any]:
        on_time = issued_on_time(kind, review, issued_on) if issued_on else None
        return {"due_on": due_on, "issued_on": issued_on, "on_time": on_time}

    @extend_schema_field(IssueSerializer)
    def get_outcomes(self, review: Review) -> dict[str, Any]:
        issue = self._issue(review, DocumentKind.OUTCOMES, review.outcomes_due_on, review.outcomes_issued_on)
        return IssueSerializer(issue).data

    @extend_schema_field(IssueSerializer)
    def get_minutes(self, review: Review) -> dict[str, Any]:
        issue = self._issue(review, DocumentKind.MINUTES, review.minutes_due_on, review.minutes_issued_on)
        return IssueSerializer(issue).data


class DocumentSerializer(serializers.Serializer[Document]):
    id = serializers.IntegerField(read_only=True)
    review_id = serializers.IntegerField(read_only=True)
    child_id = serializers.CharField(source="review.child.local_id", read_only=True, help_text="SSDA903 CHILD id.")
    kind = serializers.ChoiceField(choices=DocumentKind.choices, read_only=True)
    version = serializers.IntegerField(read_only=True)
    issued_on = serializers.DateField(read_only=True)
    issued_on_time = serializers.BooleanField(
        read_only=True, allow_null=True, help_text="Outcomes and minutes: issued by the day due; letters: null."
    )
    sha256 = serializers.CharField(read_only=True, help_text="SHA-256 of the PDF, hexadecimal.")
    download = serializers.SerializerMethodField(help_text="The PDF (scope documents:read).")
    changed_at = serializers.DateTimeField(read_only=True)

    @extend_schema_field(OpenApiTypes.URI)
    def get_download(self, document: Document) -> str:
        path = reverse("api:document-download", args=[document.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

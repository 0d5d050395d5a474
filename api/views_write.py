"""Care events in: the child, an episode, the IRO (scope care-events:write).

The writes have paths of their own, /api/v1/care-events/children/{CHILD}/..., so that no path
answers both reads (children:read) and writes. Each view checks the body's types, calls one
service (api.services_write), logs the change naming the client, and answers; a refusal is 422
with the problems (field, value, rule). Every request runs in one transaction (ATOMIC_REQUESTS):
the write, its access-log row and the stored answer for an Idempotency-Key commit together.
"""

from collections.abc import Mapping
from typing import Any, ClassVar

from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import AccessAction, User

from . import services_write as writes
from .audit import api_access
from .idempotency import idempotent, with_idempotency
from .models import ApiClient
from .scopes import Scope
from .serializers_write import (
    AllocationWriteSerializer,
    AllocationWrittenSerializer,
    ChildWriteSerializer,
    ChildWrittenSerializer,
    EpisodeWriteSerializer,
    EpisodeWrittenSerializer,
    ProblemsSerializer,
)

CHILD_PARAMETER = OpenApiParameter(
    name="child_id",
    type=str,
    location=OpenApiParameter.PATH,
    description="The child's SSDA903 CHILD id (the council's own): letters and digits, at most 10.",
)
PROBLEMS_EXAMPLE = OpenApiExample(
    "Refused",
    status_codes=["422"],
    response_only=True,
    value={
        "detail": "Nothing was written.",
        "problems": [
            {
                "field": "PLACE",
                "value": "H5",
                "rule": "PLACE is H5, but H5 is not a placement code in 2025-26 (DfE rule 146: Placement type code "
                "is not a valid code.); H5 is a code for 2022-23 to 2024-25",
            }
        ],
    },
)
WRITE_RESPONSES: dict[int | str, Any] = {
    422: OpenApiResponse(ProblemsSerializer, description="Refused: nothing was written. Each problem names the "
                         "field, the value sent and the rule, in the SSDA903 import's and the screens' words."),
    401: OpenApiResponse(description="No credential, or one unknown or withdrawn."),
    403: OpenApiResponse(description="The client lacks the scope care-events:write, or calls from another address."),
    409: OpenApiResponse(description="A request with the same Idempotency-Key is still being processed."),
}  # fmt: skip


def _problems(problems: list[writes.Problem]) -> Response:
    body = {
        "detail": "Nothing was written.",
        "problems": [{"field": p.field, "value": p.value, "rule": p.rule} for p in problems],
    }
    return Response(body, status=status.HTTP_422_UNPROCESSABLE_ENTITY)


def _type_problems(serializer: serializers.Serializer[Any], sent: Mapping[str, Any]) -> Response:
    """The body's type errors, in the shape of every refusal."""
    problems = []
    for field, messages in serializer.errors.items():
        for message in messages if isinstance(messages, list) else [messages]:
            name = "" if field == "non_field_errors" else field
            problems.append(writes.Problem(name, sent.get(name), str(message)))
    return _problems(problems)


def _client_user(request: Request) -> User:
    """The user the client acts as (HasScope has let only a client through)."""
    if not isinstance(request.auth, ApiClient):
        raise PermissionDenied("Only an API client may write care events.")
    return request.auth.user


def _sent(request: Request) -> Mapping[str, Any]:
    return request.data if isinstance(request.data, Mapping) else {}


class ChildWrite(APIView):
    required_scopes: ClassVar = {"PUT": Scope.CARE_EVENTS_WRITE}

    @extend_schema(
        operation_id="care_events_child_upsert",
        summary="Add or update a child (the SSDA903 header row)",
        request=ChildWriteSerializer,
        responses={200: ChildWrittenSerializer, 201: ChildWrittenSerializer, **WRITE_RESPONSES},
        examples=[PROBLEMS_EXAMPLE],
        **with_idempotency(parameters=[CHILD_PARAMETER]),
    )
    @idempotent
    def put(self, request: Request, child_id: str) -> Response:
        serializer = ChildWriteSerializer(data=request.data)
        if not serializer.is_valid():
            return _type_problems(serializer, _sent(request))
        try:
            child, created = writes.child_upsert(
                child_id=child_id, data=serializer.validated_data, sent=_sent(request), today=timezone.localdate()
            )
        except writes.Refused as refused:
            return _problems(refused.problems)
        api_access(request, child_id=child.pk, object_type="child", object_id=child.pk, action=AccessAction.CHANGE)
        body = {
            "CHILD": child.local_id,
            "first_name": child.first_name,
            "last_name": child.last_name,
            "preferred_name": child.preferred_name,
            "SEX": child.sex,
            "DOB": child.date_of_birth,
            "ETHNIC": child.ethnicity,
            "UPN": child.upn,
            "MOTHER": child.mother,
            "MC_DOB": child.mother_child_date_of_birth,
            "created": created,
        }
        return Response(
            ChildWrittenSerializer(body).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class EpisodeWrite(APIView):
    required_scopes: ClassVar = {"POST": Scope.CARE_EVENTS_WRITE}

    @extend_schema(
        operation_id="care_events_episode_record",
        summary="Record an episode: coming into care, a change of placement or legal status, leaving care",
        description=(
            "One SSDA903 episode, identified by CHILD and DECOM: sent again, it writes nothing (200). RNE S starts "
            "a period of care (the first review is due in 20 working days); L, P, T, B and U record the care "
            "event the screens record, carrying the other details over from the current episode; DEC with a REC "
            "other than X1 ends care (the outstanding review is no longer needed and its reminders are withdrawn). "
            "The review clock is refreshed in the same transaction."
        ),
        request=EpisodeWriteSerializer,
        responses={200: EpisodeWrittenSerializer, 201: EpisodeWrittenSerializer, **WRITE_RESPONSES},
        examples=[PROBLEMS_EXAMPLE],
        **with_idempotency(parameters=[CHILD_PARAMETER]),
    )
    @idempotent
    def post(self, request: Request, child_id: str) -> Response:
        serializer = EpisodeWriteSerializer(data=request.data)
        if not serializer.is_valid():
            return _type_problems(serializer, _sent(request))
        try:
            written = writes.episode_record(
                child_id=child_id,
                data=serializer.validated_data,
                sent=_sent(request),
                recorded_by=_client_user(request),
                today=timezone.localdate(),
            )
        except writes.Refused as refused:
            return _problems(refused.problems)
        episode, child, event = written.episode, written.child, written.event
        if written.created or event is not None:
            api_access(
                request, child_id=child.pk, object_type="episode", object_id=episode.pk, action=AccessAction.CHANGE
            )
        else:
            api_access(request, child_id=child.pk, object_type="episode", object_id=episode.pk)
        review = writes.outstanding_review(child)
        asked = event if event is not None and event.early_review_reason else None
        body = {
            "CHILD": child.local_id,
            "DECOM": episode.start,
            **writes.episode_columns(episode),
            "DEC": episode.end,
            "REC": episode.reason_ended,
            "created": written.created,
            "looked_after": writes.looked_after(child),
            "next_review_due": review.due_date if review else None,
            "next_review_rule": review.due_rule if review else "",
            "early_review": (
                {
                    "reason": asked.early_review_reason,
                    "words": asked.get_early_review_reason_display(),
                    "choice": asked.early_review_choice,
                }
                if asked
                else None
            ),
        }
        return Response(
            EpisodeWrittenSerializer(body).data,
            status=status.HTTP_201_CREATED if written.created else status.HTTP_200_OK,
        )


class AllocationWrite(APIView):
    required_scopes: ClassVar = {"POST": Scope.CARE_EVENTS_WRITE}

    @extend_schema(
        operation_id="care_events_allocation_set",
        summary="Allocate the case-holding IRO by staff identifier",
        description=(
            "The IRO whose profile has this staff identifier holds the child from `start` (today if not given); "
            "the IRO before them hands over the day before. The same IRO again writes nothing (200)."
        ),
        request=AllocationWriteSerializer,
        responses={200: AllocationWrittenSerializer, 201: AllocationWrittenSerializer, **WRITE_RESPONSES},
        examples=[PROBLEMS_EXAMPLE],
        **with_idempotency(parameters=[CHILD_PARAMETER]),
    )
    @idempotent
    def post(self, request: Request, child_id: str) -> Response:
        serializer = AllocationWriteSerializer(data=request.data)
        if not serializer.is_valid():
            return _type_problems(serializer, _sent(request))
        data = serializer.validated_data
        try:
            allocation, profile, created = writes.allocation_by_staff_id(
                child_id=child_id,
                staff_id=data["staff_id"],
                start=data["start"],
                reason=data["reason"],
                sent=_sent(request),
                today=timezone.localdate(),
            )
        except writes.Refused as refused:
            return _problems(refused.problems)
        api_access(
            request,
            child_id=allocation.child_id,
            object_type="allocation",
            object_id=allocation.pk,
            action=AccessAction.CHANGE if created else AccessAction.VIEW,
        )
        body = {
            "CHILD": child_id,
            "staff_id": profile.staff_id,
            "iro": profile.user.get_full_name(),
            "start": allocation.start,
            "created": created,
        }
        return Response(
            AllocationWrittenSerializer(body).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


child_write = ChildWrite.as_view()
episode_write = EpisodeWrite.as_view()
allocation_write = AllocationWrite.as_view()

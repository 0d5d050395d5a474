"""The API's read side ("out"): children, reviews and issued documents for the council's case
system, each list polled by `changed_since` and paged by cursor (api/pagination.py).

A child is named by the SSDA903 CHILD id (`child_id`, the authority's own identifier, unique)
in addresses and answers; reviews and documents by their id here. Every answer that shows a
child's record writes an access-log row per record shown, naming the client (api/audit.py).
Archived records are not shown.
"""

from datetime import datetime
from typing import Any, ClassVar

from django.core.exceptions import SuspiciousFileOperation
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound, ParseError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import AccessAction
from reviews.documents import private_storage

from . import openapi_auth  # noqa: F401 - registers the schema's authentication
from .audit import api_access, api_access_many
from .pagination import CHANGED_SINCE_PARAMETER, ChangedCursorPagination, Position, changed_since
from .scopes import Scope
from .selectors_read import children_for_api, documents_for_api, reviews_for_api
from .serializers_read import ChildSerializer, DocumentSerializer, ErrorSerializer, ReviewSerializer

MAX_ID = 2**63 - 1

ERRORS: dict[int | str, Any] = {
    400: OpenApiResponse(ErrorSerializer, description="A query parameter could not be read."),
    401: OpenApiResponse(ErrorSerializer, description="No credential, or not a valid one."),
    403: OpenApiResponse(ErrorSerializer, description="The client lacks the scope, or calls from elsewhere."),
    429: OpenApiResponse(ErrorSerializer, description="Over the client's request budget: wait and retry."),
}
NOT_FOUND: dict[int | str, Any] = {404: OpenApiResponse(ErrorSerializer, description="No such record.")}


def _lower_bound(since: datetime | None, start: Position | None) -> datetime | None:
    """The earliest change a page can show: after `changed_since` and from the cursor's time."""
    times = [time for time in (since, start.changed_at if start else None) if time is not None]
    return max(times) if times else None


def _row_id(text: str) -> int:
    """An id from the address: a whole number a row can have, else 404."""
    if not text.isdecimal() or not 1 <= int(text) <= MAX_ID:
        raise NotFound("No such record.")
    return int(text)


def _child_id(text: str) -> str:
    if "\x00" in text:  # PostgreSQL text holds no NUL: no child has one
        raise NotFound("No such child.")
    return text


class _ReadList(GenericAPIView[Any]):
    pagination_class = ChangedCursorPagination
    paginator: ChangedCursorPagination
    object_type = ""

    def rows(self, request: Request, *, since: datetime | None) -> Any:
        raise NotImplementedError

    def child_of(self, row: Any) -> int:
        raise NotImplementedError

    def object_id(self, row: Any) -> object:
        return row.pk

    def get(self, request: Request) -> Response:
        since = changed_since(request)
        start = self.paginator.position(request)
        rows = self.rows(request, since=_lower_bound(since, start))
        if since is not None:
            rows = rows.filter(changed_at__gt=since)
        page = self.paginator.paginate_queryset(rows, request, view=self)
        api_access_many(request, rows=[(self.child_of(row), self.object_type, self.object_id(row)) for row in page])
        data = self.get_serializer(page, many=True).data
        return self.paginator.get_paginated_response(data)


class ChildList(_ReadList):
    """Children, in the order they last changed."""

    required_scopes: ClassVar[dict[str, Scope]] = {"GET": Scope.CHILDREN_READ}
    serializer_class = ChildSerializer
    object_type = "child"

    def rows(self, request: Request, *, since: datetime | None) -> Any:
        return children_for_api(since=since)

    def child_of(self, row: Any) -> int:
        return int(row.pk)

    def object_id(self, row: Any) -> object:
        return row.local_id

    @extend_schema(
        operation_id="children_list",
        summary="Children changed since a time",
        description="Each child with the latest period of care, the case-holding IRO and the next review "
        "due with the rule that set it; oldest change first. Poll with changed_since or the last cursor.",
        parameters=[CHANGED_SINCE_PARAMETER],
        responses={200: ChildSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        return super().get(request)


class ChildDetail(GenericAPIView[Any]):
    required_scopes: ClassVar[dict[str, Scope]] = {"GET": Scope.CHILDREN_READ}
    serializer_class = ChildSerializer

    @extend_schema(
        operation_id="children_retrieve",
        summary="One child",
        parameters=[
            OpenApiParameter("child_id", OpenApiTypes.STR, OpenApiParameter.PATH, description="SSDA903 CHILD id.")
        ],
        responses={200: ChildSerializer, **ERRORS, **NOT_FOUND},
    )
    def get(self, request: Request, child_id: str) -> Response:
        child = children_for_api().filter(local_id=_child_id(child_id)).first()
        if child is None:
            raise NotFound("No such child.")
        api_access(request, child_id=child.pk, object_type="child", object_id=child.local_id)
        return Response(self.get_serializer(child).data)


REVIEW_FILTERS = [
    CHANGED_SINCE_PARAMETER,
    OpenApiParameter("child_id", OpenApiTypes.STR, OpenApiParameter.QUERY, description="Only this child's reviews."),
]


class ReviewList(_ReadList):
    required_scopes: ClassVar[dict[str, Scope]] = {"GET": Scope.REVIEWS_READ}
    serializer_class = ReviewSerializer
    object_type = "review"

    def rows(self, request: Request, *, since: datetime | None) -> Any:
        child = request.query_params.get("child_id")
        if child is not None and "\x00" in child:
            raise ParseError("child_id: not an SSDA903 CHILD id.")
        return reviews_for_api(since=since, child_local_id=child)

    def child_of(self, row: Any) -> int:
        return int(row.child_id)

    @extend_schema(
        operation_id="reviews_list",
        summary="Reviews changed since a time",
        description="Each review: due date and the rule that set it, booked date, held date, participation code, "
        "decisions with owners and deadlines, and whether outcomes and minutes went out on time.",
        parameters=REVIEW_FILTERS,
        responses={200: ReviewSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        return super().get(request)


class ReviewDetail(GenericAPIView[Any]):
    required_scopes: ClassVar[dict[str, Scope]] = {"GET": Scope.REVIEWS_READ}
    serializer_class = ReviewSerializer

    @extend_schema(
        operation_id="reviews_retrieve",
        summary="One review",
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses={200: ReviewSerializer, **ERRORS, **NOT_FOUND},
    )
    def get(self, request: Request, id: str) -> Response:
        review = reviews_for_api().filter(pk=_row_id(id)).first()
        if review is None:
            raise NotFound("No such review.")
        api_access(request, child_id=review.child_id, object_type="review", object_id=review.pk)
        return Response(self.get_serializer(review).data)


class DocumentList(_ReadList):
    required_scopes: ClassVar[dict[str, Scope]] = {"GET": Scope.DOCUMENTS_READ}
    serializer_class = DocumentSerializer
    object_type = "document"

    def rows(self, request: Request, *, since: datetime | None) -> Any:
        review = request.query_params.get("review_id")
        review_id = None
        if review is not None:
            if not review.isdecimal() or not 1 <= int(review) <= MAX_ID:
                raise ParseError("review_id: give a review's id, a whole number.")
            review_id = int(review)
        return documents_for_api(since=since, review_id=review_id)

    def child_of(self, row: Any) -> int:
        return int(row.review.child_id)

    @extend_schema(
        operation_id="documents_list",
        summary="Issued documents changed since a time",
        description="Outcomes, minutes and letters once issued: kind, version, issue date, whether on time, "
        "the PDF's SHA-256 and where to download it.",
        parameters=[
            CHANGED_SINCE_PARAMETER,
            OpenApiParameter(
                "review_id", OpenApiTypes.INT, OpenApiParameter.QUERY, description="Only this review's documents."
            ),
        ],
        responses={200: DocumentSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        return super().get(request)


class DocumentDetail(GenericAPIView[Any]):
    required_scopes: ClassVar[dict[str, Scope]] = {"GET": Scope.DOCUMENTS_READ}
    serializer_class = DocumentSerializer

    @extend_schema(
        operation_id="documents_retrieve",
        summary="One issued document",
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses={200: DocumentSerializer, **ERRORS, **NOT_FOUND},
    )
    def get(self, request: Request, id: str) -> Response:
        document = documents_for_api().filter(pk=_row_id(id)).first()
        if document is None:
            raise NotFound("No such issued document.")
        api_access(request, child_id=document.review.child_id, object_type="document", object_id=document.pk)
        return Response(self.get_serializer(document).data)


class DocumentDownload(GenericAPIView[Any]):
    required_scopes: ClassVar[dict[str, Scope]] = {"GET": Scope.DOCUMENTS_READ}

    @extend_schema(
        operation_id="documents_download",
        summary="An issued document's PDF",
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF."),
            **ERRORS,
            **NOT_FOUND,
        },
    )
    def get(self, request: Request, id: str) -> FileResponse:
        document = documents_for_api().filter(pk=_row_id(id)).first()
        if document is None:
            raise NotFound("No such issued document.")
        try:
            # As the screens' download (reviews.views.document_download): the stored name is
            # checked against the private root, and a file that has gone is refused, not served.
            handle = private_storage().open(document.file_name, "rb")
        except (SuspiciousFileOperation, FileNotFoundError, IsADirectoryError):
            raise NotFound("This document's file is not available.") from None
        api_access(
            request,
            child_id=document.review.child_id,
            object_type="document",
            object_id=document.pk,
            action=AccessAction.DOWNLOAD,
        )
        return FileResponse(handle, as_attachment=True, filename=document.download_name, content_type="application/pdf")

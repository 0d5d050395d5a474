"""Paging the API's lists for a case system that polls: rows in the order they last changed
(`changed_at`, then id), a page at a time, each page "the rows after this one".

The cursor is opaque text holding the (changed_at, id) of the last row a page showed. Every page
answers with `cursor`, the place to carry on from, even the last page: a case system keeps the last
one and asks again later with it, and is given only what changed since (README, "API"). `next` is
the address of the following page when there are more rows now, else null.

The order is on two columns the database indexes, so a page costs the same wherever it starts,
and a row that changes while someone pages moves to the end rather than shifting the others.
"""

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ParseError
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
MAX_ID = 2**63 - 1  # PostgreSQL's bigint


@dataclass(frozen=True)
class Position:
    """Where a page ends: the last row's change time and id."""

    changed_at: datetime
    id: int

    def encode(self) -> str:
        text = json.dumps({"changed_at": self.changed_at.astimezone(UTC).isoformat(), "id": self.id})
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, cursor: str) -> "Position":
        try:
            raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
            changed_at = datetime.fromisoformat(raw["changed_at"])
            row_id = raw["id"]
            if (
                changed_at.tzinfo is None
                or isinstance(row_id, bool)
                or not isinstance(row_id, int)
                or not 0 <= row_id <= MAX_ID
            ):
                raise ValueError
            return cls(changed_at=changed_at.astimezone(UTC), id=row_id)
        except (ValueError, TypeError, KeyError, OverflowError, binascii.Error, UnicodeError, AttributeError):
            raise ParseError(
                "cursor: not a cursor this API gave; use the 'cursor' or 'next' of an earlier page."
            ) from None


def changed_since(request: Request) -> datetime | None:
    """The `changed_since` query parameter as an aware datetime (a time without an offset is taken
    as UK time), or None when not given. A '+' in the offset sent unescaped arrives as a space."""
    text = request.query_params.get("changed_since")
    if text is None:
        return None
    try:
        value = parse_datetime(text.strip().replace(" ", "+"))
        if value is None:
            raise ValueError
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value.astimezone(UTC)
    except (ValueError, OverflowError):
        raise ParseError(f"changed_since: '{text[:40]}' is not a date and time such as 2026-11-28T09:30:00Z.") from None


CHANGED_SINCE_PARAMETER = OpenApiParameter(
    "changed_since",
    OpenApiTypes.DATETIME,
    OpenApiParameter.QUERY,
    description="Only rows changed after this time (ISO 8601, e.g. 2026-11-28T09:30:00Z; without an offset, UK time).",
)


class ChangedCursorPagination(BasePagination):
    """Keyset pages over a queryset annotated with `changed_at`, ordered by (changed_at, id)."""

    cursor_query_param = "cursor"
    page_size_query_param = "page_size"

    def __init__(self) -> None:
        self.request: Request | None = None
        self.next_position: Position | None = None
        self.has_next = False

    def position(self, request: Request) -> Position | None:
        cursor = request.query_params.get(self.cursor_query_param)
        return Position.decode(cursor) if cursor else None

    def page_size(self, request: Request) -> int:
        text = request.query_params.get(self.page_size_query_param)
        if text is None:
            return PAGE_SIZE
        try:
            size = int(text)
        except ValueError:
            size = 0
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise ParseError(f"page_size: give a whole number from 1 to {MAX_PAGE_SIZE}.")
        return size

    def paginate_queryset(
        self, queryset: QuerySet[Any, Any] | Sequence[Any], request: Request, view: Any = None
    ) -> list[Any]:
        if not isinstance(queryset, QuerySet):
            raise TypeError("ChangedCursorPagination pages a queryset annotated with changed_at.")
        self.request = request
        size = self.page_size(request)
        start = self.position(request)
        if start is not None:
            queryset = queryset.filter(
                Q(changed_at__gt=start.changed_at) | Q(changed_at=start.changed_at, pk__gt=start.id)
            )
        rows = list(queryset.order_by("changed_at", "pk")[: size + 1])
        self.has_next = len(rows) > size
        rows = rows[:size]
        self.next_position = Position(rows[-1].changed_at, rows[-1].pk) if rows else start
        return rows

    def get_paginated_response(self, data: Any) -> Response:
        assert self.request is not None  # noqa: S101 - paginate_queryset came first
        cursor = self.next_position.encode() if self.next_position else None
        next_url = (
            replace_query_param(self.request.build_absolute_uri(), self.cursor_query_param, cursor)
            if self.has_next and cursor
            else None
        )
        return Response({"next": next_url, "cursor": cursor, "results": data})

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["next", "cursor", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "format": "uri",
                    "nullable": True,
                    "description": "The next page, while there are more rows now; else null.",
                },
                "cursor": {
                    "type": "string",
                    "nullable": True,
                    "description": "Where this page ends: ask again later with ?cursor= for what changed "
                    "after it. Null only when nothing has been shown yet.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "The 'cursor' of an earlier page: carry on after it.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows a page (default {PAGE_SIZE}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            },
        ]

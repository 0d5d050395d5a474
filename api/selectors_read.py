"""What the API's read side shows, as querysets with a fixed number of queries whatever the page.

A child's `changed_at` is the latest `updated_at` (stamped by the database on every write:
children migration 0011, reviews 0020) of the child's own row, periods of care, allocations and
reviews: the rows its answer is made from. Each table keeps its own stamp, so a write takes no
lock on another table's row; the latest of each is read through an index on (child, updated_at).

What the API shows of a child does not depend on the day it is asked: the latest period of care
with its dates, the open case-holding allocation with its start, the outstanding review with the
due date and the rule that set it (stored by the statutory clock: reviews.services and the SSDA903
import). So a child's answer changes only when one of those rows does, and polling on
`changed_since` misses nothing that the passing of days alone would change.
"""

from datetime import datetime

from django.db.models import F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest

from children.codes import AllocationKind
from children.models import Allocation, Child, PeriodOfCare
from reviews.codes import OUTSTANDING_STATUSES, DocumentState
from reviews.models import Decision, Document, Review

# The rows a child's answer is made from, besides the child's own.
CHILD_PARTS = (PeriodOfCare, Allocation, Review)


def _latest_change(model: type[PeriodOfCare] | type[Allocation] | type[Review]) -> Coalesce:
    latest = model.objects.filter(child_id=OuterRef("pk")).order_by("-updated_at").values("updated_at")[:1]
    return Coalesce(Subquery(latest), F("updated_at"))


def children_for_api(*, since: datetime | None = None) -> QuerySet[Child]:
    """Children (not archived) with `changed_at` and, once a page is sliced, each child's periods
    of care, open case-holding allocation (with the IRO) and outstanding reviews: four queries.

    `since`: only children with some row changed at or after it. The candidates are found from
    each table's index on updated_at, so a poll reads what changed, not every child."""
    children = Child.objects.filter(archived_at__isnull=True)
    if since is not None:
        changed = Q(updated_at__gte=since)
        for model in CHILD_PARTS:
            changed |= Q(pk__in=model.objects.filter(updated_at__gte=since).values("child_id"))
        children = children.filter(changed)
    latest = [_latest_change(model) for model in CHILD_PARTS]
    annotated: QuerySet[Child] = children.annotate(changed_at=Greatest(F("updated_at"), *latest))
    periods = PeriodOfCare.objects.filter(archived_at__isnull=True).order_by("start")
    case_holding = Allocation.objects.filter(kind=AllocationKind.CASE_HOLDING, end__isnull=True).select_related("iro")
    outstanding = Review.objects.filter(archived_at__isnull=True, status__in=OUTSTANDING_STATUSES).order_by(
        "period_of_care__start", "pk"
    )
    return (
        annotated.prefetch_related(Prefetch("periods_of_care", queryset=periods, to_attr="api_periods"))
        .prefetch_related(Prefetch("allocations", queryset=case_holding, to_attr="api_case_holding"))
        .prefetch_related(Prefetch("reviews", queryset=outstanding, to_attr="api_outstanding"))
    )


def reviews_for_api(*, since: datetime | None = None, child_local_id: str | None = None) -> QuerySet[Review]:
    """Reviews (theirs and their child's not archived) with `changed_at`, the child and, once a
    page is sliced, the decisions: two queries."""
    reviews = Review.objects.filter(archived_at__isnull=True, child__archived_at__isnull=True)
    if since is not None:
        reviews = reviews.filter(updated_at__gte=since)
    if child_local_id is not None:
        reviews = reviews.filter(child__local_id=child_local_id)
    return (
        reviews.select_related("child")
        .annotate(changed_at=F("updated_at"))
        .prefetch_related(Prefetch("decisions", queryset=Decision.objects.order_by("deadline", "pk")))
    )


def documents_for_api(*, since: datetime | None = None, review_id: int | None = None) -> QuerySet[Document]:
    """Issued documents (theirs, their review's and their child's not archived) with `changed_at`
    and the review's child: one query."""
    documents = Document.objects.filter(
        archived_at__isnull=True,
        state=DocumentState.READY,
        issued_on__isnull=False,
        review__archived_at__isnull=True,
        review__child__archived_at__isnull=True,
    )
    if since is not None:
        documents = documents.filter(updated_at__gte=since)
    if review_id is not None:
        documents = documents.filter(review_id=review_id)
    return documents.select_related("review__child").annotate(changed_at=F("updated_at"))

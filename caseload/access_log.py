"""The child's access log as a manager reads it: each row's record named ("Review of 3 Mar
2026", "Child Ella Smith"), not "review 92". A fixed number of queries per page: one per kind
of record on it."""

from datetime import date
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.dateformat import format as date_format

from accounts.models import AccessLog
from audits.models import Escalation
from children.models import Child
from reviews.care_event_models import CareEvent
from reviews.models import Document, Review


def _day(value: date) -> str:
    return date_format(value, "j M Y")


def _review_label(review: Review) -> str:
    if review.held_on:
        return f"Review of {_day(review.held_on)}"
    if review.booked_for:
        return f"Review of {_day(timezone.localtime(review.booked_for).date())}"
    if review.due_date:
        return f"Review due {_day(review.due_date)}"
    return "Review with no due date"


def _target_type(row: AccessLog) -> str:
    """What the row is about: the audited view's record type; for a refusal (whose object_type
    is the page's name) the type the refused page's view would have logged."""
    if ":" not in row.object_type:
        return row.object_type
    try:
        match = resolve(urlsplit(row.path).path)
    except Resolver404:
        return ""
    target = getattr(match.func, "audit_target", None)
    return target[0] if target else ""


def _ids(rows: list[tuple[AccessLog, str]], kind: str) -> set[int]:
    return {int(row.object_id) for row, type_ in rows if type_ == kind and row.object_id.isdigit()}


def described(rows: list[AccessLog]) -> list[tuple[AccessLog, str]]:
    """Each row with the name of the record it is about."""
    typed = [(row, _target_type(row)) for row in rows]
    names: dict[tuple[str, int], str] = {}
    child_ids = _ids(typed, "child") | _ids(typed, "access_log")
    for child in Child.objects.filter(pk__in=child_ids) if child_ids else ():
        names["child", child.pk] = f"Child {child.display_name}"
        names["access_log", child.pk] = f"Access log of {child.display_name}"
    review_ids = _ids(typed, "review")
    for review in Review.objects.filter(pk__in=review_ids) if review_ids else ():
        names["review", review.pk] = _review_label(review)
    document_ids = _ids(typed, "document")
    for document in Document.objects.filter(pk__in=document_ids).select_related("review") if document_ids else ():
        names["document", document.pk] = (
            f"{document.get_kind_display().capitalize()} v{document.version}, {_review_label(document.review)}"
        )
    escalation_ids = _ids(typed, "escalation")
    for escalation in Escalation.objects.filter(pk__in=escalation_ids) if escalation_ids else ():
        names["escalation", escalation.pk] = f"Escalation raised {_day(escalation.raised_on)}"
    event_ids = _ids(typed, "care_event")
    for event in CareEvent.objects.filter(pk__in=event_ids).select_related("child") if event_ids else ():
        names["care_event", event.pk] = str(event)
    out = []
    for row, kind in typed:
        name = names.get((kind, int(row.object_id))) if row.object_id.isdigit() else None
        if name is None:
            name = f"{(kind or row.object_type).replace('_', ' ').capitalize()} {row.object_id}".strip()
        out.append((row, name))
    return out

"""The stored review facts (reviews.facts: previous_held_on, pre_review_visit) equal the facts
worked out from the rows after every kind of edit. The oracle below is the query the statistics
ran on every read before the facts were stored (caseload.statistics.reviews_held), kept here
verbatim and for the tests only."""

from datetime import date
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.db.models import DateField, Exists, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from accounts.models import User
from caseload.demo import build_demo
from children.codes import LegalStatus
from children.models import Child
from reviews.codes import ReviewStatus
from reviews.models import Review, Visit
from reviews.services import (
    child_come_into_care,
    child_leave_care,
    period_of_care_correct_start,
    review_correct_held_on,
    review_record_held,
    visit_correct,
    visit_record,
)
from reviews.ssda903 import import_files
from tests.factories import ChildFactory
from tests.reviews.test_ssda903 import EPISODE_ROWS, REVIEW_ROWS, _files

pytestmark = pytest.mark.django_db

EPISODE = {"legal_status": LegalStatus.C1, "category_of_need": "N1", "placement_type": "U6"}


def _computed() -> dict[int, tuple[date | None, bool]]:
    previous_held_on = (
        Review.objects.filter(
            period_of_care_id=OuterRef("period_of_care_id"), status=ReviewStatus.HELD, held_on__lt=OuterRef("held_on")
        )
        .order_by("-held_on")
        .values("held_on")[:1]
    )
    visits = Visit.objects.filter(
        child_id=OuterRef("child_id"),
        visited_on__lte=OuterRef("held_on"),
        visited_on__gte=OuterRef("period_of_care__start"),
        visited_on__gt=OuterRef("previous_or_min"),
    )
    rows = (
        Review.objects.annotate(
            previous=Subquery(previous_held_on),
            previous_or_min=Coalesce(Subquery(previous_held_on), Value(date.min, output_field=DateField())),
        )
        .annotate(visited=Exists(visits))
        .values_list("pk", "previous", "visited")
    )
    return {pk: (previous, visited) for pk, previous, visited in rows}


def _stored() -> dict[int, tuple[date | None, bool]]:
    rows = Review.objects.values_list("pk", "previous_held_on", "pre_review_visit")
    return {pk: (previous, visited) for pk, previous, visited in rows}


def assert_facts_stored() -> dict[int, tuple[date | None, bool]]:
    stored = _stored()
    assert stored == _computed()
    return stored


def _due(child: Child) -> Review:
    return Review.objects.get(child=child, status__in=[ReviewStatus.DUE, ReviewStatus.BOOKED])


def test_the_stored_facts_follow_every_edit_through_the_services(iro: User) -> None:
    child: Child = ChildFactory(date_of_birth=date(2008, 6, 1))  # type: ignore[no-untyped-call,assignment]
    first = child_come_into_care(child=child, start=date(2014, 4, 14), episode_fields=EPISODE)
    assert first is not None
    assert_facts_stored()

    # A visit before the first review, then the review held: the visit counts.
    visit_record(child=child, iro=iro, visited_on=date(2014, 5, 1), seen_alone=True, notes="")
    assert_facts_stored()
    first = review_record_held(review=first, held_on=date(2014, 5, 13), chair=iro, participation_code="PN1")
    assert assert_facts_stored()[first.pk] == (None, True)

    # The second review held with no visit since the first; a visit on its own day then counts.
    second = review_record_held(review=_due(child), held_on=date(2014, 8, 1), chair=iro, participation_code="PN5")
    assert assert_facts_stored()[second.pk] == (date(2014, 5, 13), False)
    on_the_day = visit_record(child=child, iro=iro, visited_on=date(2014, 8, 1), seen_alone=True, notes="")
    assert assert_facts_stored()[second.pk] == (date(2014, 5, 13), True)

    # A visit after the last review held counts for none held yet.
    later = visit_record(child=child, iro=iro, visited_on=date(2014, 9, 1), seen_alone=False, notes="")
    assert assert_facts_stored()[second.pk] == (date(2014, 5, 13), True)

    # The visit on the day corrected to the day of the first review: it now counts for the first only.
    visit_correct(
        visit=on_the_day, corrected_by=iro, visited_on=date(2014, 5, 13), seen_alone=True, notes="", reason="Typo"
    )
    assert assert_facts_stored()[second.pk] == (date(2014, 5, 13), False)

    # The first review's held date corrected to a week later: the second review's run starts then.
    review_correct_held_on(review=first, held_on=date(2014, 5, 20))
    stored = assert_facts_stored()
    assert stored[first.pk] == (None, True)
    assert stored[second.pk] == (date(2014, 5, 20), False)

    # The period's start corrected to after the first visit: only visits in the period count.
    period_of_care_correct_start(period_of_care=first.period_of_care, start=date(2014, 4, 20))
    assert_facts_stored()

    # A later visit corrected back into the third review's run, then the third review held.
    visit_correct(visit=later, corrected_by=iro, visited_on=date(2014, 10, 1), seen_alone=False, notes="", reason="")
    third = review_record_held(review=_due(child), held_on=date(2014, 11, 3), chair=iro, participation_code="PN1")
    assert assert_facts_stored()[third.pk] == (date(2014, 8, 1), True)

    # A second period of care: the first period's visits and reviews do not count in it.
    child_leave_care(period_of_care=first.period_of_care, end=date(2015, 1, 31), reason_ended="E11")
    again = child_come_into_care(child=child, start=date(2015, 6, 1), episode_fields=EPISODE)
    assert again is not None
    again = review_record_held(review=again, held_on=date(2015, 6, 20), chair=iro, participation_code="PN1")
    assert assert_facts_stored()[again.pk] == (None, False)
    visit_record(child=child, iro=iro, visited_on=date(2015, 6, 25), seen_alone=True, notes="")
    assert assert_facts_stored()[again.pk] == (None, False)


def test_the_stored_facts_follow_an_ssda903_import_and_a_reimport(iro: User) -> None:
    import_files(_files())
    assert_facts_stored()
    a1 = Review.objects.get(child__local_id="A1", held_on=date(2014, 8, 14))
    visit_record(child=a1.child, iro=iro, visited_on=date(2014, 7, 1), seen_alone=True, notes="")
    assert assert_facts_stored()[a1.pk] == (date(2014, 5, 13), True)

    # The re-import adds a review between the two: the visit is now before it, not the third.
    import_files(_files(reviews=[*REVIEW_ROWS, ["A1", "01/06/2011", "20/06/2014", "PN0"]], episodes=EPISODE_ROWS))
    stored = assert_facts_stored()
    between = Review.objects.get(child__local_id="A1", held_on=date(2014, 6, 20))
    assert stored[between.pk] == (date(2014, 5, 13), False)
    assert stored[Review.objects.get(child__local_id="A1", held_on=date(2014, 8, 14)).pk] == (date(2014, 6, 20), True)


def test_the_demo_authority_stores_its_reviews_facts() -> None:
    build_demo(children=40, today=date(2026, 11, 27), years=3)
    stored = assert_facts_stored()
    assert any(visited for _, visited in stored.values())  # the demo has pre-review visits to count
    assert any(previous for previous, _ in stored.values())


def test_the_migration_backfills_the_facts_of_rows_written_before_it() -> None:
    build_demo(children=40, today=date(2026, 11, 27), years=3)
    Review.objects.update(previous_held_on=None, pre_review_visit=False)  # as the new columns start
    assert _stored() != _computed()
    migration = import_module("reviews.migrations.0018_review_facts_backfill")
    with connection.schema_editor() as schema_editor:
        migration.backfill(django_apps, schema_editor)
    assert_facts_stored()

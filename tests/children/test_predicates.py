"""children.predicates: who is looked after, and who is allocated, on a day (the one home of both)."""

from datetime import date

import pytest

from children.codes import AllocationKind, ReasonEpisodeCeased
from children.models import Allocation, Child, PeriodOfCare
from children.predicates import allocated_during, allocated_on, allocation_covers, looked_after_during, looked_after_on
from tests.factories import ChildFactory, IROFactory

pytestmark = pytest.mark.django_db

START, END = date(2026, 1, 10), date(2026, 3, 31)


@pytest.fixture
def period():
    child = ChildFactory(date_of_birth=date(2015, 1, 1))
    return PeriodOfCare.objects.create(child=child, start=START, end=END, reason_ended=ReasonEpisodeCeased.E11)


@pytest.mark.parametrize(
    ("day", "looked_after"),
    [(date(2026, 1, 9), False), (START, True), (date(2026, 3, 30), True), (END, False)],
)
def test_a_child_is_looked_after_from_the_start_and_leaves_on_the_end_date(period, day, looked_after):
    assert PeriodOfCare.objects.filter(looked_after_on(day)).exists() is looked_after
    assert PeriodOfCare.objects.looked_after_on(day).exists() is looked_after
    assert Child.objects.filter(looked_after_on(day, "periods_of_care__")).exists() is looked_after


@pytest.mark.parametrize(
    ("start", "end", "overlaps"),
    [(date(2025, 4, 1), date(2026, 1, 9), False), (date(2025, 4, 1), START, True), (END, date(2027, 3, 31), True)],
)
def test_a_period_counts_during_a_range_it_touches(period, start, end, overlaps):
    assert PeriodOfCare.objects.filter(looked_after_during(start, end)).exists() is overlaps


@pytest.mark.parametrize(
    ("day", "held"),
    [(date(2026, 1, 9), False), (START, True), (END, True), (date(2026, 4, 1), False)],
)
def test_an_allocation_covers_its_last_day_and_only_case_holding_counts_as_allocated(period, day, held):
    iro = IROFactory()
    Allocation.objects.create(child=period.child, iro=iro, kind=AllocationKind.COVER, start=START, end=END)
    assert Allocation.objects.filter(allocation_covers(day)).exists() is held
    assert not Allocation.objects.filter(allocated_on(day)).exists()  # cover is not the case-holding IRO
    Allocation.objects.create(child=period.child, iro=iro, kind=AllocationKind.CASE_HOLDING, start=START, end=END)
    assert Allocation.objects.filter(allocated_on(day)).exists() is held
    assert Child.objects.filter(allocated_on(day, "allocations__")).exists() is held
    assert Allocation.objects.filter(allocated_during(day, day)).exists() is held

"""caseload.demo.generate: the demo planned in memory, with no database (no django_db mark here:
pytest-django fails any query these tests would make)."""

from datetime import date

from caseload.demo.generate import demo_children, demo_iros
from reviews.codes import ReviewStatus

TODAY = date(2026, 11, 27)


def _plan(children: int = 30, seed: int = 2014) -> list:
    return list(demo_children(children=children, today=TODAY, years=3, seed=seed, iros=demo_iros(children)))


def test_the_same_seed_plans_the_same_children_without_the_database():
    assert _plan() == _plan()


def test_a_different_seed_plans_different_children():
    assert [child.first_name for child in _plan()] != [child.first_name for child in _plan(seed=7)]


def test_about_a_fifth_as_many_children_have_left_care():
    plan = _plan(children=30)
    assert len(plan) == 36
    assert sum(1 for child in plan if child.periods[-1].end is None) == 30


def test_six_iros_as_in_the_seed_then_one_more_for_every_sixty_children():
    assert [iro.username for iro in demo_iros(60)] == ["iro", "iro2", "iro3", "iro4", "iro5", "iro6"]
    assert len(demo_iros(600)) == 10


def test_each_held_review_is_chaired_by_an_iro_allocated_that_day():
    for child in _plan():
        for period in child.periods:
            for review in period.reviews:
                if review.status != ReviewStatus.HELD:
                    continue
                allocated = {
                    allocation.iro
                    for allocation in period.allocations
                    if allocation.start <= review.held_on
                    and (allocation.end is None or review.held_on <= allocation.end)
                }
                assert review.chair in allocated
                assert review.booking is not None
                assert review.booking.booked_for == review.booked_for

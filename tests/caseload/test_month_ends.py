"""Month-end figures kept once counted (caseload.month_ends): always equal to counting them now,
after every kind of change to the data they count, and never kept from a count that a write in
flight could make wrong."""

from datetime import date

import psycopg
import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from caseload.demo.write import build_demo
from caseload.models import AUTHORITY, MonthEndCount, MonthEndMeasure
from caseload.month_ends import _count_live, month_end_counts, month_end_counts_refresh
from caseload.statistics import WHOLE_AUTHORITY, Scope
from children.models import Episode, PeriodOfCare
from children.services import allocation_case_holding_set, episode_add, period_of_care_end

TODAY = date(2026, 5, 1)
# The month ends of the year to March 2026, all before TODAY: every one can be kept.
DAYS = [date(2025, 4, 1) + relativedelta(months=n, day=31) for n in range(12)]


@pytest.fixture
def demo(db):
    build_demo(children=40, today=TODAY, years=2)
    iros = list(User.objects.filter(groups__name="iro").order_by("pk").values_list("pk", flat=True))
    return {"one_iro": Scope(iro_ids=(iros[0],), label="one"), "team": Scope(iro_ids=tuple(iros[:3]), label="three")}


def _assert_kept_equals_live(scopes):
    for scope in [WHOLE_AUTHORITY, *scopes]:
        live = _count_live(MonthEndMeasure.ALLOCATED, DAYS, scope)
        shown = month_end_counts(measure=MonthEndMeasure.ALLOCATED, days=DAYS, today=TODAY, scope=scope)
        assert shown == {f"m{i}": live[day] for i, day in enumerate(DAYS)}, scope.label
    live = _count_live(MonthEndMeasure.LOOKED_AFTER, DAYS, WHOLE_AUTHORITY)
    shown = month_end_counts(measure=MonthEndMeasure.LOOKED_AFTER, days=DAYS, today=TODAY, scope=WHOLE_AUTHORITY)
    assert shown == {f"m{i}": live[day] for i, day in enumerate(DAYS)}


def _kept_days(measure=MonthEndMeasure.ALLOCATED):
    return set(MonthEndCount.objects.filter(measure=measure, iro_id=AUTHORITY).values_list("month_end", flat=True))


def test_figures_are_kept_once_counted_and_read_back(demo):
    _assert_kept_equals_live(demo.values())
    assert _kept_days() == set(DAYS)
    assert _kept_days(MonthEndMeasure.LOOKED_AFTER) == set(DAYS)
    assert (
        sum(
            MonthEndCount.objects.filter(iro_id=AUTHORITY, measure=MonthEndMeasure.ALLOCATED).values_list(
                "count", flat=True
            )
        )
        > 0
    )
    # Read back: the same figures, from the kept rows alone (one query a measure).
    with CaptureQueriesContext(connection) as queries:
        month_end_counts(measure=MonthEndMeasure.ALLOCATED, days=DAYS, today=TODAY, scope=demo["team"])
    assert len(queries) == 1
    _assert_kept_equals_live(demo.values())


def test_month_ends_from_today_on_are_never_kept(demo):
    days = [date(2026, 4, 30), date(2026, 5, 31), date(2026, 6, 30)]
    month_end_counts(measure=MonthEndMeasure.ALLOCATED, days=days, today=TODAY, scope=WHOLE_AUTHORITY)
    assert _kept_days() == {date(2026, 4, 30)}


def test_a_change_forgets_the_kept_figures_from_its_earliest_date_and_they_stay_right(demo):
    _assert_kept_equals_live(demo.values())
    period = (
        PeriodOfCare.objects.filter(end__isnull=True, start__lt=date(2025, 6, 1))
        .filter(episodes__end__isnull=True, episodes__start__lt=date(2025, 10, 1))
        .order_by("pk")
        .first()
    )
    child = period.child

    # A change of legal status to a short break, back-dated to October 2025.
    episode_add(
        period_of_care=period,
        start=date(2025, 10, 15),
        episode_fields={
            **{
                name: getattr(period.episodes.order_by("-start").first(), name)
                for name in (
                    "category_of_need",
                    "placement_type",
                    "placement_provider",
                    "home_postcode",
                    "placement_postcode",
                )
            },
            "legal_status": "V3",
            "reason_new_episode": "L",
        },
    )
    assert min(_kept_days()) == DAYS[0]
    assert max(_kept_days()) < date(2025, 10, 15)
    _assert_kept_equals_live(demo.values())

    # A new IRO from January 2026.
    allocation_case_holding_set(
        child=child, iro=User.objects.get(pk=demo["one_iro"].iro_ids[0]), start=date(2026, 1, 10)
    )
    assert max(_kept_days()) < date(2026, 1, 10)
    _assert_kept_equals_live(demo.values())

    # Care ends in February 2026.
    period_of_care_end(period_of_care=period, end=date(2026, 2, 3), reason_ended="E11")
    assert max(_kept_days()) < date(2026, 2, 3)
    _assert_kept_equals_live(demo.values())

    # A correction that bypasses the services (an UPDATE of many rows) is seen too.
    Episode.objects.filter(
        period_of_care__child__in=list(PeriodOfCare.objects.values_list("child", flat=True)[:5]),
        start__lt=date(2025, 5, 1),
    ).update(legal_status="V4")
    _assert_kept_equals_live(demo.values())


@pytest.mark.django_db(transaction=True)
def test_nothing_is_kept_while_a_write_is_in_flight(demo):
    """Another connection has changed an episode and not committed: the page shows figures counted
    now and keeps none; once that write commits, the next view counts it and keeps the result."""
    settings = connection.settings_dict
    other = psycopg.connect(
        dbname=settings["NAME"], user=settings["USER"], host=settings["HOST"], port=settings["PORT"] or 5432
    )
    try:
        with other.cursor() as cursor:
            cursor.execute(
                "UPDATE children_episode SET legal_status = 'V3' "
                "WHERE id = (SELECT MIN(id) FROM children_episode WHERE start < %s)",
                [date(2025, 4, 1)],
            )
        shown = month_end_counts(measure=MonthEndMeasure.ALLOCATED, days=DAYS, today=TODAY, scope=WHOLE_AUTHORITY)
        assert not MonthEndCount.objects.exists()
        live_before = _count_live(MonthEndMeasure.ALLOCATED, DAYS, WHOLE_AUTHORITY)
        assert shown == {f"m{i}": live_before[day] for i, day in enumerate(DAYS)}
        other.commit()
    finally:
        other.close()
    month_end_counts(measure=MonthEndMeasure.ALLOCATED, days=DAYS, today=TODAY, scope=WHOLE_AUTHORITY)
    assert _kept_days() == set(DAYS)
    _assert_kept_equals_live(demo.values())


def test_the_nightly_refresh_counts_the_last_three_years_again(demo):
    MonthEndCount.objects.create(month_end=DAYS[0], measure=MonthEndMeasure.ALLOCATED, iro_id=AUTHORITY, count=999_999)
    kept = month_end_counts_refresh(today=TODAY)
    assert kept > 0
    assert _kept_days() == {TODAY - relativedelta(months=n, day=31) for n in range(1, 37)}
    assert MonthEndCount.objects.filter(count=999_999).count() == 0
    _assert_kept_equals_live(demo.values())

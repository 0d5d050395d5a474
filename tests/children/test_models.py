"""The model rules for children, periods of care, episodes and allocations."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from children.codes import AllocationKind, LegalStatus, ReasonEpisodeCeased, ReasonNewEpisode
from children.models import Allocation, Episode, PeriodOfCare
from children.services import allocation_case_holding_set, episode_add
from tests.factories import AllocationFactory, ChildFactory, EpisodeFactory, PeriodOfCareFactory

pytestmark = pytest.mark.django_db


def _problems(instance) -> dict[str, list[str]]:
    """What the model's rules (full_clean) say about an unsaved record."""
    with pytest.raises(ValidationError) as refusal:
        instance.full_clean()
    return refusal.value.message_dict


def _allocation(child, iro, start, end=None, kind=AllocationKind.CASE_HOLDING) -> Allocation:
    return Allocation(child=child, iro=iro, kind=kind, start=start, end=end)


def _episode(period, start, end=None, rne=ReasonNewEpisode.STARTED, reason_ended="") -> Episode:
    return Episode(
        period_of_care=period,
        start=start,
        end=end,
        reason_ended=reason_ended,
        reason_new_episode=rne,
        legal_status=LegalStatus.C2,
        category_of_need="N1",
        placement_type="U4",
    )


class TestOneCaseHoldingIROAtATime:
    def test_database_refuses_a_second_open_case_holding_allocation(self, iro, other_iro):
        allocation = AllocationFactory(iro=iro)
        with pytest.raises(IntegrityError), transaction.atomic():
            Allocation.objects.create(
                child=allocation.child, iro=other_iro, kind=AllocationKind.CASE_HOLDING, start=date(2014, 6, 1)
            )

    def test_form_explains_a_second_case_holding_iro(self, iro, other_iro):
        allocation = AllocationFactory(iro=iro)
        problems = _problems(_allocation(allocation.child, other_iro, date(2014, 6, 1)))
        assert "already has a case-holding IRO" in str(problems)

    def test_form_refuses_an_allocation_overlapping_an_ended_one(self, iro, other_iro):
        allocation = AllocationFactory(iro=iro, start=date(2014, 1, 1), end=date(2014, 6, 30))
        problems = _problems(_allocation(allocation.child, other_iro, date(2014, 6, 1), date(2014, 12, 31)))
        assert "already has a case-holding IRO for these dates" in problems["start"][0]

    def test_cover_can_run_alongside_the_case_holding_iro(self, iro, other_iro):
        allocation = AllocationFactory(iro=iro)
        _allocation(allocation.child, other_iro, date(2014, 6, 1), date(2014, 6, 14), AllocationKind.COVER).full_clean()

    def test_cover_needs_an_end_date(self, iro):
        child = ChildFactory()
        problems = _problems(_allocation(child, iro, date(2014, 6, 1), kind=AllocationKind.COVER))
        assert "Cover needs an end date." in str(problems)

    def test_handover_ends_the_previous_allocation_the_day_before(self, iro, other_iro):
        allocation = AllocationFactory(iro=iro, start=date(2014, 1, 1))
        new = allocation_case_holding_set(child=allocation.child, iro=other_iro, start=date(2014, 6, 1))
        allocation.refresh_from_db()
        assert allocation.end == date(2014, 5, 31)
        assert new.iro == other_iro
        assert new.end is None
        assert Allocation.objects.filter(child=allocation.child, end__isnull=True).count() == 1

    def test_only_an_iro_can_hold_a_case(self, manager):
        with pytest.raises(ValidationError, match="is not an IRO"):
            allocation_case_holding_set(child=ChildFactory(), iro=manager, start=date(2014, 6, 1))


class TestPeriodsOfCare:
    def test_period_cannot_start_before_birth(self):
        child = ChildFactory(date_of_birth=date(2014, 5, 1))
        problems = _problems(PeriodOfCare(child=child, start=date(2014, 4, 1)))
        assert problems["start"] == ["A period of care cannot start before the child's date of birth."]

    def test_periods_of_one_child_cannot_overlap(self):
        period = PeriodOfCareFactory(start=date(2014, 1, 1), end=date(2014, 6, 1), reason_ended="E4A")
        problems = _problems(PeriodOfCare(child=period.child, start=date(2014, 5, 1)))
        assert "overlaps another period of care" in problems["start"][0]

    def test_an_end_needs_a_reason(self):
        child = ChildFactory()
        problems = _problems(PeriodOfCare(child=child, start=date(2014, 1, 1), end=date(2014, 3, 1)))
        assert "Give the reason care ended" in str(problems)

    def test_period_cannot_end_before_it_starts(self):
        child = ChildFactory()
        period = PeriodOfCare(child=child, start=date(2014, 3, 1), end=date(2014, 1, 1), reason_ended="E4A")
        problems = _problems(period)
        assert "cannot end before it starts" in str(problems)

    def test_x1_does_not_end_a_period(self):
        child = ChildFactory()
        problems = _problems(PeriodOfCare(child=child, start=date(2014, 1, 1), end=date(2014, 3, 1), reason_ended="X1"))
        assert "X1" in problems["reason_ended"][0]


class TestEpisodesInsideTheirPeriod:
    def test_episode_cannot_start_before_its_period(self):
        period = PeriodOfCareFactory(start=date(2014, 4, 14))
        problems = _problems(_episode(period, date(2014, 4, 1)))
        assert problems["start"] == ["The episode must start inside its period of care."]

    def test_episode_cannot_end_after_its_period(self):
        period = PeriodOfCareFactory(start=date(2014, 4, 14), end=date(2014, 9, 1), reason_ended="E4A")
        problems = _problems(_episode(period, date(2014, 4, 14), date(2014, 10, 1), reason_ended="E4A"))
        assert problems["end"] == ["The episode must end inside its period of care."]

    def test_episodes_cannot_overlap(self):
        episode = EpisodeFactory()
        later = _episode(episode.period_of_care, date(2014, 6, 1), rne=ReasonNewEpisode.PLACEMENT_AND_CARER)
        problems = _problems(later)
        assert "overlaps another episode" in problems["start"][0]

    def test_first_episode_has_rne_s_and_later_ones_do_not(self):
        period = PeriodOfCareFactory(start=date(2014, 4, 14))
        problems = _problems(_episode(period, date(2014, 4, 14), rne=ReasonNewEpisode.PLACEMENT_AND_CARER))
        assert "RNE S" in problems["reason_new_episode"][0]

    def test_a_placement_change_ends_the_current_episode_with_x1(self):
        first = EpisodeFactory()
        second = episode_add(
            period_of_care=first.period_of_care,
            start=date(2014, 7, 1),
            episode_fields={
                "reason_new_episode": ReasonNewEpisode.PLACEMENT_AND_CARER,
                "legal_status": LegalStatus.C2,
                "category_of_need": "N1",
                "placement_type": "K2",
            },
        )
        first.refresh_from_db()
        assert (first.end, first.reason_ended) == (date(2014, 7, 1), ReasonEpisodeCeased.X1)
        assert second.end is None


class TestChild:
    def test_mother_is_only_recorded_for_girls(self):
        child = ChildFactory.build(sex="M", mother="0")
        with pytest.raises(ValidationError, match="only recorded for girls"):
            child.full_clean()

    def test_local_id_is_unique(self):
        ChildFactory(local_id="X1")
        with pytest.raises(ValidationError, match="already exists"):
            ChildFactory.build(local_id="X1").full_clean()

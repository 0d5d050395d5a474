"""The model rules for children, periods of care, episodes and allocations."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from children.codes import LegalStatus, ReasonEpisodeCeased, ReasonNewEpisode
from children.forms import AllocationForm, EpisodeForm, PeriodOfCareForm
from children.models import Allocation, AllocationKind
from children.services import allocation_case_holding_set, episode_add
from tests.factories import AllocationFactory, ChildFactory, EpisodeFactory, PeriodOfCareFactory

pytestmark = pytest.mark.django_db


def _allocation_data(child, iro, start, end=None, kind=AllocationKind.CASE_HOLDING):
    return {"child": child.pk, "iro": iro.pk, "kind": kind, "start": start, "end": end or ""}


def _episode_data(period, start, end=None, rne=ReasonNewEpisode.STARTED, reason_ended=""):
    return {
        "period_of_care": period.pk,
        "start": start,
        "end": end or "",
        "reason_ended": reason_ended,
        "reason_new_episode": rne,
        "legal_status": LegalStatus.C2,
        "category_of_need": "N1",
        "placement_type": "U4",
    }


class TestOneCaseHoldingIROAtATime:
    def test_database_refuses_a_second_open_case_holding_allocation(self, iro, other_iro):
        allocation = AllocationFactory(iro=iro)
        with pytest.raises(IntegrityError), transaction.atomic():
            Allocation.objects.create(
                child=allocation.child, iro=other_iro, kind=AllocationKind.CASE_HOLDING, start=date(2014, 6, 1)
            )

    def test_form_explains_a_second_case_holding_iro(self, iro, other_iro):
        allocation = AllocationFactory(iro=iro)
        form = AllocationForm(data=_allocation_data(allocation.child, other_iro, "2014-06-01"))
        assert not form.is_valid()
        assert "already has a case-holding IRO" in str(form.errors)

    def test_form_refuses_an_allocation_overlapping_an_ended_one(self, iro, other_iro):
        allocation = AllocationFactory(iro=iro, start=date(2014, 1, 1), end=date(2014, 6, 30))
        form = AllocationForm(data=_allocation_data(allocation.child, other_iro, "2014-06-01", "2014-12-31"))
        assert not form.is_valid()
        assert "already has a case-holding IRO for these dates" in form.errors["start"][0]

    def test_cover_can_run_alongside_the_case_holding_iro(self, iro, other_iro):
        allocation = AllocationFactory(iro=iro)
        form = AllocationForm(
            data=_allocation_data(allocation.child, other_iro, "2014-06-01", "2014-06-14", AllocationKind.COVER)
        )
        assert form.is_valid(), form.errors

    def test_cover_needs_an_end_date(self, iro):
        child = ChildFactory()
        form = AllocationForm(data=_allocation_data(child, iro, "2014-06-01", kind=AllocationKind.COVER))
        assert not form.is_valid()
        assert "Cover needs an end date." in str(form.errors)

    def test_handover_ends_the_previous_allocation_the_day_before(self, iro, other_iro):
        allocation = AllocationFactory(iro=iro, start=date(2014, 1, 1))
        new = allocation_case_holding_set(child=allocation.child, iro=other_iro, start=date(2014, 6, 1))
        allocation.refresh_from_db()
        assert allocation.end == date(2014, 5, 31)
        assert new.iro == other_iro and new.end is None
        assert Allocation.objects.filter(child=allocation.child, end__isnull=True).count() == 1

    def test_only_an_iro_can_hold_a_case(self, manager):
        with pytest.raises(ValidationError, match="is not an IRO"):
            allocation_case_holding_set(child=ChildFactory(), iro=manager, start=date(2014, 6, 1))


class TestPeriodsOfCare:
    def test_period_cannot_start_before_birth(self):
        child = ChildFactory(date_of_birth=date(2014, 5, 1))
        form = PeriodOfCareForm(data={"child": child.pk, "start": "2014-04-01"})
        assert not form.is_valid()
        assert form.errors["start"] == ["A period of care cannot start before the child's date of birth."]

    def test_periods_of_one_child_cannot_overlap(self):
        period = PeriodOfCareFactory(start=date(2014, 1, 1), end=date(2014, 6, 1), reason_ended="E4A")
        form = PeriodOfCareForm(data={"child": period.child.pk, "start": "2014-05-01"})
        assert not form.is_valid()
        assert "overlaps another period of care" in form.errors["start"][0]

    def test_an_end_needs_a_reason(self):
        child = ChildFactory()
        form = PeriodOfCareForm(data={"child": child.pk, "start": "2014-01-01", "end": "2014-03-01"})
        assert not form.is_valid()
        assert "Give the reason care ended" in str(form.errors)

    def test_period_cannot_end_before_it_starts(self):
        child = ChildFactory()
        form = PeriodOfCareForm(
            data={"child": child.pk, "start": "2014-03-01", "end": "2014-01-01", "reason_ended": "E4A"}
        )
        assert not form.is_valid()
        assert "cannot end before it starts" in str(form.errors)

    def test_x1_does_not_end_a_period(self):
        child = ChildFactory()
        form = PeriodOfCareForm(
            data={"child": child.pk, "start": "2014-01-01", "end": "2014-03-01", "reason_ended": "X1"}
        )
        assert not form.is_valid()
        assert "X1" in form.errors["reason_ended"][0]


class TestEpisodesInsideTheirPeriod:
    def test_episode_cannot_start_before_its_period(self):
        period = PeriodOfCareFactory(start=date(2014, 4, 14))
        form = EpisodeForm(data=_episode_data(period, "2014-04-01"))
        assert not form.is_valid()
        assert form.errors["start"] == ["The episode must start inside its period of care."]

    def test_episode_cannot_end_after_its_period(self):
        period = PeriodOfCareFactory(start=date(2014, 4, 14), end=date(2014, 9, 1), reason_ended="E4A")
        form = EpisodeForm(data=_episode_data(period, "2014-04-14", "2014-10-01", reason_ended="E4A"))
        assert not form.is_valid()
        assert form.errors["end"] == ["The episode must end inside its period of care."]

    def test_episodes_cannot_overlap(self):
        episode = EpisodeFactory()
        form = EpisodeForm(
            data=_episode_data(episode.period_of_care, "2014-06-01", rne=ReasonNewEpisode.PLACEMENT_AND_CARER)
        )
        assert not form.is_valid()
        assert "overlaps another episode" in form.errors["start"][0]

    def test_first_episode_has_rne_s_and_later_ones_do_not(self):
        period = PeriodOfCareFactory(start=date(2014, 4, 14))
        form = EpisodeForm(data=_episode_data(period, "2014-04-14", rne=ReasonNewEpisode.PLACEMENT_AND_CARER))
        assert not form.is_valid()
        assert "RNE S" in form.errors["reason_new_episode"][0]

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

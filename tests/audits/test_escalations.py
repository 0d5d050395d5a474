"""Escalations: stages up the line with deadlines in working days, bypass with a reason, every
change kept, and the formal process measured against 20 working days."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audits.codes import EscalationOutcome, EscalationStage, EscalationTheme
from audits.services import escalation_close, escalation_move, escalation_raise, formal_process_within_timescale
from children.codes import AllocationKind, LegalStatus
from children.models import Allocation
from reviews.services import child_come_into_care
from tests.factories import ChildFactory

pytestmark = pytest.mark.django_db


def _raise(iro, on=date(2014, 4, 14)):
    return escalation_raise(
        child=ChildFactory(),
        raised_by=iro,
        raised_on=on,
        theme=EscalationTheme.PEP_NOT_COMPLETED,
        concern="The PEP was not completed before the review.",
    )


def test_each_stage_has_a_deadline_in_working_days(iro):
    escalation = _raise(iro)  # Monday 14 April 2014: Good Friday and Easter Monday follow
    assert escalation.stage == EscalationStage.INFORMAL_SOCIAL_WORKER
    assert escalation.stage_deadline == date(2014, 4, 23)  # 5 working days, skipping the Easter holidays
    moved = escalation_move(
        escalation=escalation, to_stage=EscalationStage.INFORMAL_TEAM_MANAGER, on=date(2014, 4, 24), moved_by=iro
    )
    assert moved.stage_deadline == date(2014, 5, 1)


def test_bypassing_a_stage_needs_a_reason_and_is_kept(iro):
    escalation = _raise(iro)
    with pytest.raises(ValidationError, match="reason for bypassing"):
        escalation_move(
            escalation=escalation, to_stage=EscalationStage.FORMAL_HEAD_OF_SERVICE, on=date(2014, 4, 15), moved_by=iro
        )
    escalation_move(
        escalation=escalation,
        to_stage=EscalationStage.FORMAL_HEAD_OF_SERVICE,
        on=date(2014, 4, 15),
        moved_by=iro,
        reason="The child is at risk of a placement move this week.",
    )
    changes = list(escalation.stage_changes.values_list("from_stage", "to_stage", "reason"))
    assert changes[-1] == ("informal_sw", "formal_hos", "The child is at risk of a placement move this week.")
    assert len(changes) == 2


def test_an_escalation_cannot_move_back_down(iro):
    escalation = _raise(iro)
    escalation_move(
        escalation=escalation, to_stage=EscalationStage.INFORMAL_TEAM_MANAGER, on=date(2014, 4, 15), moved_by=iro
    )
    with pytest.raises(ValidationError, match="moves up the line"):
        escalation_move(
            escalation=escalation, to_stage=EscalationStage.INFORMAL_SOCIAL_WORKER, on=date(2014, 4, 16), moved_by=iro
        )


@pytest.mark.parametrize(("closed_on", "within"), [(date(2014, 6, 2), True), (date(2014, 6, 3), False)])
def test_the_formal_process_is_measured_against_20_working_days(iro, closed_on, within):
    escalation = _raise(iro)
    escalation_move(
        escalation=escalation, to_stage=EscalationStage.INFORMAL_TEAM_MANAGER, on=date(2014, 4, 24), moved_by=iro
    )
    escalation = escalation_move(
        escalation=escalation, to_stage=EscalationStage.FORMAL_SERVICE_MANAGER, on=date(2014, 5, 1), moved_by=iro
    )
    assert escalation.formal_started_on == date(2014, 5, 1)
    # 20 working days from Thu 1 May 2014, skipping 5 and 26 May: Mon 2 June.
    closed = escalation_close(
        escalation=escalation,
        outcome=EscalationOutcome.RESOLVED,
        on=closed_on,
        closed_by=iro,
        how="The PEP meeting was held.",
    )
    assert formal_process_within_timescale(closed) is within


def test_closing_needs_to_say_how(iro):
    escalation = _raise(iro)
    with pytest.raises(ValidationError, match="Say how"):
        escalation_close(
            escalation=escalation, outcome=EscalationOutcome.WITHDRAWN, on=date(2014, 4, 15), closed_by=iro, how=""
        )


def test_managers_see_open_escalations_oldest_first(client, iro, manager):
    older = _raise(iro, on=date(2014, 4, 1))
    newer = _raise(iro, on=date(2014, 4, 10))
    closed = _raise(iro, on=date(2014, 3, 1))
    escalation_close(
        escalation=closed,
        outcome=EscalationOutcome.RESOLVED,
        on=date(2014, 3, 5),
        closed_by=iro,
        how="Resolved with the social worker.",
    )
    client.force_login(manager)
    response = client.get(reverse("audits:escalations_open"))
    assert [row.escalation.pk for row in response.context["escalations"]] == [older.pk, newer.pk]


def test_the_iro_raises_and_moves_an_escalation_through_the_pages(client, iro):
    child = ChildFactory()
    child_come_into_care(
        child=child,
        start=date(2014, 1, 6),
        episode_fields={"legal_status": LegalStatus.C2, "category_of_need": "N1", "placement_type": "U4"},
    )
    Allocation.objects.create(child=child, iro=iro, kind=AllocationKind.CASE_HOLDING, start=date(2014, 1, 6))
    client.force_login(iro)
    response = client.post(
        reverse("audits:escalation_new", args=[child.pk]),
        {"theme": "care_plan", "concern": "Care plan out of date."},
        follow=True,
    )
    assert "Escalation raised" in response.content.decode()
    escalation = child.escalations.get()
    url = reverse("audits:escalation_detail", args=[escalation.pk])
    response = client.post(url, {"move": "1", "to_stage": "formal_director", "reason": "", "changes_seen": "1"})
    assert "Give the reason for bypassing a stage." in response.content.decode()

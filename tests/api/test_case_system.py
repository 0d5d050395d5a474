"""The council's case system, played end to end through the API: a child comes into care and is
allocated an IRO; the first review falls due in 20 working days; a placement change and then
leaving care follow, and the clock and the reminders follow as they do on the screens (the review
that was due is "not needed" and its unsent reminders are withdrawn)."""

from datetime import date

import pytest

from accounts.models import AccessLog, Notification
from api.scopes import Scope
from audits.reminders import reminders_sweep
from children.models import Allocation, Child, Episode
from reviews.care_event_models import CareEvent
from reviews.codes import ReviewStatus
from reviews.models import Review
from reviews.timescales import FIRST_REVIEW_WORKING_DAYS, add_working_days, working_days_between
from tests.factories import IROFactory

from .write_helpers import CHILD, CHILD_ID, FIRST_EPISODE, START, allocation_url, child_url, episodes_url, on

pytestmark = pytest.mark.django_db


def test_a_case_system_brings_a_child_into_care_moves_them_and_ends_care(make_credential, api_for):
    iro = IROFactory(first_name="Alex", last_name="Morgan")
    iro.iro_profile.staff_id = "W1042"
    iro.iro_profile.save()
    case_system = make_credential(Scope.CARE_EVENTS_WRITE, name="Liquidlogic")
    api = api_for(case_system)

    # 6 Jan 2025: the child, their first episode (RNE S), their IRO.
    with on(START):
        assert api.put(child_url(), CHILD, format="json", HTTP_IDEMPOTENCY_KEY="child-1").status_code == 201
        started = api.post(episodes_url(), FIRST_EPISODE, format="json", HTTP_IDEMPOTENCY_KEY="episode-1")
        allocated = api.post(allocation_url(), {"staff_id": "W1042"}, format="json", HTTP_IDEMPOTENCY_KEY="iro-1")
    assert started.status_code == 201, started.content
    assert allocated.status_code == 201, allocated.content
    child = Child.objects.get(local_id=CHILD_ID)
    assert Allocation.objects.get(child=child).iro == iro
    review = Review.objects.get(child=child, status=ReviewStatus.DUE)
    # reg 33(1): the first review within 20 working days of coming into care.
    assert review.due_date == add_working_days(START, FIRST_REVIEW_WORKING_DAYS) == date(2025, 2, 3)
    assert working_days_between(START, review.due_date) == 20
    assert started.data["next_review_due"] == "2025-02-03"
    assert started.data["next_review_rule"] == review.due_rule
    assert "20 working days" in review.due_rule

    # 20 Jan: a change of placement (RNE P). The same review stays due on the same day, and the
    # early-review prompt (reg 32(2)) waits on the care events page, as after the screens' change.
    with on(date(2025, 1, 20)):
        moved = api.post(
            episodes_url(),
            {"DECOM": "2025-01-20", "RNE": "P", "PLACE": "U5", "PL_POST": "MK9 3EJ", "REASON_PLACE_CHANGE": "CARPL"},
            format="json",
            HTTP_IDEMPOTENCY_KEY="episode-2",
        )
    assert moved.status_code == 201, moved.content
    assert moved.data["next_review_due"] == "2025-02-03"
    assert moved.data["early_review"]["choice"] == "pending"
    assert Review.objects.get(child=child, status=ReviewStatus.DUE) == review
    assert list(Episode.objects.filter(period_of_care__child=child).values_list("start", "end", "reason_ended")) == [
        (START, date(2025, 1, 20), "X1"),
        (date(2025, 1, 20), None, ""),
    ]

    # 27 Jan: the reminders sweep tells the IRO the review is due within 5 working days.
    reminders_sweep(today=date(2025, 1, 27))
    reminders = list(Notification.objects.filter(object_key=f"review:{review.pk}"))
    assert reminders
    assert {n.recipient_id for n in reminders} >= {iro.pk}
    assert all(n.sent_at is None and n.withdrawn_at is None for n in reminders)

    # 29 Jan: care ends (the current episode sent with DEC and REC: home to parents).
    with on(date(2025, 1, 29)):
        ended = api.post(
            episodes_url(),
            {"DECOM": "2025-01-20", "DEC": "2025-01-29", "REC": "E4A"},
            format="json",
            HTTP_IDEMPOTENCY_KEY="episode-3",
        )
        # The case system retries, not knowing the answer arrived: the same answer, nothing more.
        retried = api.post(
            episodes_url(),
            {"DECOM": "2025-01-20", "DEC": "2025-01-29", "REC": "E4A"},
            format="json",
            HTTP_IDEMPOTENCY_KEY="episode-3",
        )
    assert ended.status_code == 200, ended.content
    assert retried.json() == ended.json()
    assert retried["Idempotent-Replayed"] == "true"
    assert (ended.data["looked_after"], ended.data["next_review_due"]) == (False, None)
    review.refresh_from_db()
    assert review.status == ReviewStatus.CANCELLED
    assert review.get_status_display() == "Not needed"
    assert not Review.objects.filter(child=child, status__in=(ReviewStatus.DUE, ReviewStatus.BOOKED)).exists()
    # Its reminders not yet sent are withdrawn, and no later sweep makes new ones.
    assert all(n.withdrawn_at is not None for n in Notification.objects.filter(pk__in=[n.pk for n in reminders]))
    reminders_sweep(today=date(2025, 2, 3))
    assert Notification.objects.filter(object_key=f"review:{review.pk}").count() == len(reminders)
    assert list(CareEvent.objects.filter(child=child).order_by("pk").values_list("kind", "reason_ended")) == [
        ("placement", ""),
        ("left_care", "E4A"),
    ]

    # Each write is in the child's access log, naming the client.
    rows = AccessLog.objects.filter(child_id=child.pk, action="change").order_by("pk")
    assert [(str(row.user), row.object_type) for row in rows] == [
        ("Liquidlogic (API client)", "api:child"),
        ("Liquidlogic (API client)", "api:episode"),
        ("Liquidlogic (API client)", "api:allocation"),
        ("Liquidlogic (API client)", "api:episode"),
        ("Liquidlogic (API client)", "api:episode"),
    ]

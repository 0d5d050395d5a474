"""An IRO marks a review held in the browser; the council's case system, subscribed to
`review.held`, gets the event at its own URL (a real HTTP server on 127.0.0.1), signed."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from api.models import DeliveryStatus, WebhookDelivery
from api.scopes import Scope
from api.services import api_client_create
from api.webhooks import EventType, webhook_subscribe
from children.codes import AllocationKind, LegalStatus
from children.models import Allocation
from iro_service.celery import app
from reviews.services import child_come_into_care, review_book
from tests.api.webhook_receiver import receiver_running, verify
from tests.factories import ChildFactory, IROFactory

pytestmark = pytest.mark.django_db(transaction=True)

LONDON = ZoneInfo("Europe/London")
PASSWORD = "correct-horse-battery"
CHILDS_WORDS = "I like it here. I want to see my brother."


@pytest.fixture
def eager_tasks():
    # As in test_review_journey: tasks run in the request, after it commits (as under `make run`).
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def test_marking_a_review_held_sends_a_signed_review_held(browser, live_server, screenshot_dir, eager_tasks):
    with time_machine.travel(datetime(2026, 3, 4, 14, 0, tzinfo=LONDON), tick=True), receiver_running() as receiver:
        iro = IROFactory(username="iro", first_name="Alex", last_name="Morgan")
        child = ChildFactory(first_name="Zara", last_name="Jones", date_of_birth=date(2015, 6, 1))
        review = child_come_into_care(
            child=child,
            start=date(2026, 2, 16),
            episode_fields={"legal_status": LegalStatus.C1, "category_of_need": "N1", "placement_type": "U6"},
        )
        Allocation.objects.create(child=child, iro=iro, kind=AllocationKind.CASE_HOLDING, start=date(2026, 2, 16))
        case_system = api_client_create(name="Liquidlogic (children's)", scopes=[Scope.WEBHOOKS_MANAGE]).client
        subscription = webhook_subscribe(client=case_system, url=receiver.url, events=[EventType.REVIEW_HELD])
        review = review_book(
            review=review,
            booked_for=datetime(2026, 3, 4, 10, 0, tzinfo=UTC),
            venue="School",
            venue_chosen_by_child=True,
            booked_by=iro,
        )

        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(iro.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        page.goto(f"{live_server.url}/reviews/{review.pk}/")
        page.get_by_label("Participation code").select_option("PN1")
        page.get_by_label("Parents participated").select_option("True")
        page.get_by_label("The child's views, in their words").fill(CHILDS_WORDS)
        page.get_by_role("button", name="Save draft").click()
        assert "Record saved." in page.content()
        assert receiver.received == []  # a draft is not an event

        page.locator("#id_held_on").fill("2026-03-04")
        page.get_by_role("button", name="Mark held").click()
        assert "Review marked held on Wed 4 Mar 2026" in page.content()
        page.screenshot(path=screenshot_dir / "review-held.png", full_page=True)
        page.close()

        [request] = receiver.wait_for(1)
        # Checked now, on the travelled clock the timestamp was signed on (the recipe refuses old ones).
        assert verify(subscription.secret, request.headers, request.body)

    assert request.headers["X-IRO-Event-Type"] == "review.held"
    event = request.json()
    assert event["event_id"] == request.headers["X-IRO-Event-Id"]
    assert event["data"]["review"]["id"] == review.pk
    assert event["data"]["review"]["held_on"] == "2026-03-04"
    assert event["data"]["child"] == {"id": child.pk, "child_id": child.local_id}
    assert "brother" not in request.body.decode()
    assert "Zara" not in request.body.decode()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.DELIVERED, 1, 200)

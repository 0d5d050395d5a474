"""Webhooks: events written with the change that made them and sent after it commits, signed,
retried with back-off under a stable event id, never holding the child's words; and the
subscription endpoints behind the scope `webhooks:manage`."""

import time
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from api import webhooks
from api.models import DeliveryStatus, WebhookDelivery, WebhookEvent, WebhookSubscription
from api.scopes import Scope
from api.tasks import deliver_webhook, sweep_webhook_deliveries
from api.webhooks import EventType, events_emit, review_payload, webhook_deliver, webhook_subscribe
from audits.services import escalation_raise
from iro_service.celery import app
from reviews.claims import RECORD
from reviews.codes import DocumentKind, DocumentState
from reviews.models import Document, Review
from reviews.services import document_issue, review_book, review_record_held, review_record_save, visit_record
from tests.api.webhook_receiver import receiver_running, verify
from tests.factories import child_in_care

HELD_ON = date(2025, 2, 3)


@pytest.fixture
def eager_tasks():
    """Tasks run where they are queued, as under `make run` and in the browser tests."""
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def subscriber(make_credential):
    def subscribe(url, events=EventType.ALL):
        client = make_credential(Scope.WEBHOOKS_MANAGE).client
        return webhook_subscribe(client=client, url=url, events=list(events))

    return subscribe


def _hold(review, iro):
    return review_record_held(review=review, held_on=HELD_ON, chair=iro, participation_code="PN1")


@transaction.atomic
def _hold_then_fail(review, iro):
    _hold(review, iro)
    assert WebhookEvent.objects.count() == 1  # written, in the transaction
    raise RuntimeError("the page's later step failed")


# --- Signing and sending ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_held_review_is_posted_signed_and_verifies_with_the_documented_recipe(
    iro, subscriber, eager_tasks, django_capture_on_commit_callbacks
):
    child, review = child_in_care(iro)
    with receiver_running() as receiver:
        new = subscriber(receiver.url, [EventType.REVIEW_HELD])
        with django_capture_on_commit_callbacks(execute=True):
            _hold(review, iro)
        [request] = receiver.wait_for(1)

    assert request.path == "/hooks/iro"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-IRO-Event-Type"] == "review.held"
    assert verify(new.secret, request.headers, request.body)
    event = request.json()
    assert event["event_id"] == request.headers["X-IRO-Event-Id"]
    assert event["type"] == "review.held"
    assert event["data"] == {
        "child": {"id": child.pk, "child_id": child.local_id},
        "review": {
            "id": review.pk,
            "sequence": "first",
            "due_date": review.due_date.isoformat(),
            "booked_for": None,
            "held_on": "2025-02-03",
            "status": "held",
        },
    }
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.DELIVERED, 1, 200)
    assert str(delivery.event.event_id) == event["event_id"]


@pytest.mark.django_db
def test_a_changed_body_a_wrong_secret_or_an_old_timestamp_fails_verification(iro, subscriber, eager_tasks):
    _, review = child_in_care(iro)
    with receiver_running() as receiver:
        new = subscriber(receiver.url)
        events_emit(EventType.REVIEW_HELD, review_payload(review))
        delivery = WebhookDelivery.objects.get()
        webhook_deliver(delivery_id=delivery.pk)
        [request] = receiver.wait_for(1)

    assert verify(new.secret, request.headers, request.body)
    assert not verify(new.secret, request.headers, request.body.replace(b'"first"', b'"second"'))
    assert not verify("whsec_not-the-secret", request.headers, request.body)
    sent_at = int(request.headers["X-IRO-Timestamp"])
    assert not verify(new.secret, request.headers, request.body, now=sent_at + 301)
    assert abs(sent_at - time.time()) < 60


@pytest.mark.django_db
def test_a_failing_receiver_is_tried_again_with_back_off_under_the_same_event_id(iro, subscriber):
    _, review = child_in_care(iro)
    with receiver_running(500) as receiver:
        subscriber(receiver.url)
        events_emit(EventType.REVIEW_HELD, review_payload(review))
        delivery = WebhookDelivery.objects.get()

        first = webhook_deliver(delivery_id=delivery.pk)
        assert first is not None
        assert first.retry_in == timedelta(minutes=1)
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.RETRYING, 1, 500)
        assert delivery.last_error.startswith("HTTP 500")
        assert delivery.next_attempt_at - delivery.last_attempt_at == timedelta(minutes=1)

        second = webhook_deliver(delivery_id=delivery.pk)
        assert second is not None
        assert second.delivered
        assert webhook_deliver(delivery_id=delivery.pk) is None  # delivered: a repeated message does nothing
        requests = receiver.wait_for(2)

    assert len(requests) == 2
    assert requests[0].headers["X-IRO-Event-Id"] == requests[1].headers["X-IRO-Event-Id"]
    assert requests[0].body == requests[1].body
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.DELIVERED, 2, 200)
    assert delivery.delivered_at is not None
    assert delivery.next_attempt_at is None


@pytest.mark.django_db
def test_the_task_retries_after_a_500_and_delivers_once_more(iro, subscriber, eager_tasks):
    """Through Celery (eager: the retry runs at once instead of after its minute)."""
    _, review = child_in_care(iro)
    with receiver_running(500) as receiver:
        subscriber(receiver.url)
        events_emit(EventType.REVIEW_HELD, review_payload(review))
        delivery = WebhookDelivery.objects.get()
        assert deliver_webhook.apply(args=[delivery.pk]).get() is True
        requests = receiver.wait_for(2)
    assert [r.headers["X-IRO-Event-Id"] for r in requests] == [str(delivery.event.event_id)] * 2
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 2)


@pytest.mark.django_db
def test_the_back_off_grows_and_gives_up_after_the_last_attempt(iro, subscriber):
    _, review = child_in_care(iro)
    with receiver_running(*[503] * webhooks.MAX_ATTEMPTS) as receiver:
        subscriber(receiver.url)
        events_emit(EventType.REVIEW_HELD, review_payload(review))
        delivery = WebhookDelivery.objects.get()
        waits = [webhook_deliver(delivery_id=delivery.pk).retry_in for _ in range(webhooks.MAX_ATTEMPTS)]
        assert len(receiver.wait_for(webhooks.MAX_ATTEMPTS)) == webhooks.MAX_ATTEMPTS
    assert waits == [*webhooks.RETRY_DELAYS, None]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, webhooks.MAX_ATTEMPTS)
    assert webhook_deliver(delivery_id=delivery.pk) is None


@pytest.mark.django_db
def test_a_receiver_that_is_not_there_is_a_failed_attempt_to_retry(iro, subscriber):
    _, review = child_in_care(iro)
    with receiver_running() as receiver:
        url = receiver.url
    subscriber(url)  # the server has gone: the port refuses
    events_emit(EventType.REVIEW_HELD, review_payload(review))
    delivery = WebhookDelivery.objects.get()
    assert webhook_deliver(delivery_id=delivery.pk).retry_in == timedelta(minutes=1)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.RETRYING
    assert delivery.last_status_code is None
    assert "refused" in delivery.last_error.lower()


@pytest.mark.django_db
def test_the_sweep_queues_again_what_is_due_and_not_what_is_claimed_or_waiting(iro, subscriber, eager_tasks):
    _, review = child_in_care(iro)
    with receiver_running(500) as receiver:
        subscriber(receiver.url)
        events_emit(EventType.REVIEW_HELD, review_payload(review))
        delivery = WebhookDelivery.objects.get()
        webhook_deliver(delivery_id=delivery.pk)  # 500: waits a minute
        assert sweep_webhook_deliveries() == 0
        with time_machine.travel(timezone.now() + timedelta(seconds=61)):
            assert webhooks.webhook_deliveries_due() == [delivery.pk]
            assert sweep_webhook_deliveries() == 1  # eager: delivered now
        receiver.wait_for(2)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert webhooks.webhook_deliveries_due(now=timezone.now() + timedelta(days=1)) == []


# --- Emitting -----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_an_event_in_a_rolled_back_transaction_is_never_written_or_sent(iro, subscriber, eager_tasks):
    _, review = child_in_care(iro)
    with receiver_running() as receiver:
        subscriber(receiver.url)
        with pytest.raises(RuntimeError, match="later step"):
            _hold_then_fail(review, iro)
        assert WebhookEvent.objects.count() == 0
        assert WebhookDelivery.objects.count() == 0
        time.sleep(0.5)
        assert receiver.received == []

        _hold(review, iro)  # and committed, it is sent
        assert len(receiver.wait_for(1)) == 1


@pytest.mark.django_db
def test_no_subscriber_costs_one_query_and_writes_nothing(iro, django_assert_num_queries):
    _, review = child_in_care(iro)
    with django_assert_num_queries(1):
        assert events_emit(EventType.REVIEW_HELD, review_payload(review)) is None
    assert not WebhookEvent.objects.exists()


@pytest.mark.django_db
def test_an_event_costs_the_same_queries_for_one_or_three_subscribers(iro, subscriber, django_assert_num_queries):
    _, review = child_in_care(iro)
    review = Review.objects.get(pk=review.pk)
    subscriber("https://one.example.test/hook")
    # find the subscriptions, the child (for its CHILD id), the event, the deliveries
    with django_assert_num_queries(4):
        events_emit(EventType.REVIEW_HELD, review_payload(review))
    subscriber("https://two.example.test/hook")
    subscriber("https://three.example.test/hook", [EventType.REVIEW_HELD])
    review = Review.objects.get(pk=review.pk)
    with django_assert_num_queries(4):
        events_emit(EventType.REVIEW_HELD, review_payload(review))
    assert WebhookDelivery.objects.filter(event=WebhookEvent.objects.first()).count() == 3


@pytest.mark.django_db
def test_only_active_subscriptions_for_the_event_get_a_delivery(iro, subscriber):
    _, review = child_in_care(iro)
    held = subscriber("https://held.example.test/hook", [EventType.REVIEW_HELD]).subscription
    subscriber("https://booked.example.test/hook", [EventType.REVIEW_BOOKED])
    gone = subscriber("https://gone.example.test/hook", [EventType.REVIEW_HELD]).subscription
    webhooks.webhook_unsubscribe(subscription=gone)
    withdrawn = subscriber("https://withdrawn.example.test/hook", [EventType.REVIEW_HELD]).subscription
    withdrawn.client.is_active = False
    withdrawn.client.save()
    _hold(review, iro)
    assert list(WebhookDelivery.objects.values_list("subscription", flat=True)) == [held.pk]


@pytest.mark.django_db
def test_each_of_the_five_events_is_emitted_by_its_service_without_the_childs_words(iro, subscriber):
    words = "I-WANT-TO-SEE-MY-BROTHER"
    subscriber("https://case-system.example.test/hook")
    child, review = child_in_care(iro, start=date(2025, 1, 6))
    child.first_name, child.last_name, child.preferred_name = "Zara-NAME", "Jones-NAME", "Zee-NAME"
    child.save()
    visit_record(child=child, iro=iro, visited_on=date(2025, 1, 20), seen_alone=True, notes=words)
    review = review_book(
        review=review,
        booked_for=datetime(2025, 2, 3, 10, 0, tzinfo=UTC),
        venue=f"Venue {words}",
        venue_chosen_by_child=True,
        booked_by=iro,
        invitees=[{"name": f"Mum {words}", "role": "Mother", "email": ""}],
    )
    review = review_record_save(
        review=review,
        claim=RECORD.claim(Review.objects.get(pk=review.pk)),
        values={"participation_code": "PN1", "child_views": words, "worried_about": words, "held_on": HELD_ON},
        held_by=iro,
    )
    for kind in (DocumentKind.OUTCOMES, DocumentKind.MINUTES):
        document = Document.objects.create(
            review=review,
            kind=kind,
            version=1,
            state=DocumentState.READY,
            file_name="d.pdf",
            sha256="0" * 64,
            created_by=iro,
        )
        document_issue(document=document, issued_on=HELD_ON + timedelta(days=2))
    escalation_raise(
        child=child, raised_by=iro, raised_on=HELD_ON, theme="pep", concern=f"Concern {words}", review=review
    )

    events = list(WebhookEvent.objects.order_by("id"))
    assert [event.type for event in events] == [
        "review.booked",
        "review.held",
        "outcomes.issued",
        "minutes.issued",
        "escalation.raised",
    ]
    for event in events:
        body = str(event.payload)
        assert words not in body, event.type
        assert "NAME" not in body, event.type
        assert event.payload["data"]["child"] == {"id": child.pk, "child_id": child.local_id}
    assert events[0].payload["data"]["review"]["booked_for"] == "2025-02-03T10:00:00Z"
    assert events[2].payload["data"]["document"]["kind"] == "outcomes"
    assert events[4].payload["data"]["escalation"]["raised_on"] == "2025-02-03"


# --- The subscription endpoints -------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/webhooks/"),
        ("post", "/api/v1/webhooks/"),
        ("get", "/api/v1/webhooks/1/"),
        ("delete", "/api/v1/webhooks/1/"),
        ("get", "/api/v1/webhooks/deliveries/"),
    ],
)
def test_every_webhook_endpoint_needs_the_scope(make_credential, api_for, method, path):
    api = api_for(make_credential(Scope.CHILDREN_READ, Scope.REVIEWS_READ, Scope.DOCUMENTS_READ))
    response = getattr(api, method)(path, {"url": "https://x.example.test/", "events": ["review.held"]}, format="json")
    assert response.status_code == 403
    assert "webhooks:manage" in response.json()["detail"]


@pytest.mark.django_db
def test_subscribe_shows_the_secret_once_and_lists_only_the_clients_own(make_credential, api_for):
    ours = api_for(make_credential(Scope.WEBHOOKS_MANAGE))
    theirs = api_for(make_credential(Scope.WEBHOOKS_MANAGE))
    made = ours.post(
        "/api/v1/webhooks/", {"url": "https://case.example.test/iro", "events": ["review.held"]}, format="json"
    )
    assert made.status_code == 201
    answer = made.json()
    assert answer["secret"].startswith("whsec_")
    assert len(answer["secret"]) > 40
    assert answer["events"] == ["review.held"]
    assert answer["is_active"] is True
    assert WebhookSubscription.objects.get().secret == answer["secret"]  # kept, for signing

    listed = ours.get("/api/v1/webhooks/").json()
    assert [row["id"] for row in listed] == [answer["id"]]
    assert "secret" not in listed[0]
    assert "secret" not in ours.get(f"/api/v1/webhooks/{answer['id']}/").json()
    assert theirs.get("/api/v1/webhooks/").json() == []
    assert theirs.get(f"/api/v1/webhooks/{answer['id']}/").status_code == 404
    assert theirs.delete(f"/api/v1/webhooks/{answer['id']}/").status_code == 404

    assert ours.delete(f"/api/v1/webhooks/{answer['id']}/").status_code == 204
    assert WebhookSubscription.objects.get().is_active is False
    assert ours.get("/api/v1/webhooks/").json()[0]["is_active"] is False


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://case.example.test/iro", "events": ["review.held"]}, "url"),
        ({"url": "file:///etc/passwd", "events": ["review.held"]}, "url"),
        ({"url": "javascript:alert(1)", "events": ["review.held"]}, "url"),
        ({"url": "https://case.example.test/iro", "events": ["review.deleted"]}, "events"),
    ],
)
def test_a_url_that_is_not_http_or_an_unknown_event_is_refused_with_422(make_credential, api_for, body, field):
    response = api_for(make_credential(Scope.WEBHOOKS_MANAGE)).post("/api/v1/webhooks/", body, format="json")
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert not WebhookSubscription.objects.exists()


@pytest.mark.django_db
def test_a_body_without_a_url_is_a_400(make_credential, api_for):
    response = api_for(make_credential(Scope.WEBHOOKS_MANAGE)).post(
        "/api/v1/webhooks/", {"events": ["review.held"]}, format="json"
    )
    assert response.status_code == 400


@pytest.mark.django_db
def test_the_delivery_log_lists_the_clients_own_deliveries(iro, make_credential, api_for, subscriber):
    _, review = child_in_care(iro)
    ours = make_credential(Scope.WEBHOOKS_MANAGE)
    mine = webhook_subscribe(client=ours.client, url="https://case.example.test/iro", events=["review.held"])
    subscriber("https://other.example.test/iro")
    event = events_emit(EventType.REVIEW_HELD, review_payload(review))
    [row] = api_for(ours).get("/api/v1/webhooks/deliveries/").json()
    assert row["event_id"] == str(event.event_id)
    assert row["event_type"] == "review.held"
    assert row["subscription"] == mine.subscription.pk
    assert (row["status"], row["attempts"], row["delivered_at"]) == ("pending", 0, None)


@pytest.mark.django_db
def test_the_admin_shows_the_delivery_log_read_only(client, iro, subscriber, admin_user):
    _, review = child_in_care(iro)
    subscriber("https://case.example.test/iro")
    event = events_emit(EventType.REVIEW_HELD, review_payload(review))
    delivery = WebhookDelivery.objects.get()
    client.force_login(admin_user)
    listing = client.get("/admin/api/webhookdelivery/")
    assert listing.status_code == 200
    assert str(event.event_id) in listing.content.decode()
    page = client.get(f"/admin/api/webhookdelivery/{delivery.pk}/change/")
    assert page.status_code == 200
    assert 'name="status"' not in page.content.decode()  # nothing to edit
    assert client.get("/admin/api/webhookdelivery/add/").status_code == 403
    subscription_page = client.get(f"/admin/api/webhooksubscription/{delivery.subscription_id}/change/")
    assert delivery.subscription.secret not in subscription_page.content.decode()


@pytest.mark.django_db
def test_beat_runs_the_sweep_every_minute_and_the_tasks_exist():
    sweep = PeriodicTask.objects.get(name="Webhook deliveries sweep")
    assert sweep.task == "api.tasks.sweep_webhook_deliveries"
    assert (sweep.interval.every, sweep.interval.period) == (1, "minutes")
    app.autodiscover_tasks(force=True)
    assert {sweep.task, webhooks.DELIVER_TASK} <= set(app.tasks)

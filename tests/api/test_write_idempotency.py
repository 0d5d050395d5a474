"""Idempotent writes (api/idempotency.py): the same key and body get the same answer and write once;
the same key with another body is refused; an episode sent twice without a key is still one; a
duplicate sent at the same moment waits for the first and replays it; old keys are purged."""

import threading
import time
from datetime import date, timedelta

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from api.idempotency import idempotent_requests_purge
from api.models import IdempotentRequest
from api.scopes import Scope
from children.models import Child, Episode
from reviews.care_event_models import CareEvent

from .write_helpers import CHILD, CHILD_ID, FIRST_EPISODE, child_url, episodes_url, on

PLACEMENT = {"DECOM": "2025-01-20", "RNE": "P", "PLACE": "U5", "REASON_PLACE_CHANGE": "CARPL"}


@pytest.fixture
def writer(make_credential):
    return make_credential(Scope.CARE_EVENTS_WRITE, name="Case system")


def _in_care(api: APIClient) -> None:
    with on(date(2025, 1, 6)):
        assert api.put(child_url(), CHILD, format="json").status_code == 201
        assert api.post(episodes_url(), FIRST_EPISODE, format="json").status_code == 201


@pytest.mark.django_db
def test_the_same_key_and_body_get_the_same_answer_and_one_episode(writer, api_for):
    api = api_for(writer)
    _in_care(api)
    with on(date(2025, 1, 20)):
        first = api.post(episodes_url(), PLACEMENT, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
        # The same body with its keys in another order is the same request.
        again = api.post(episodes_url(), dict(reversed(PLACEMENT.items())), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Episode.objects.filter(period_of_care__child__local_id=CHILD_ID).count() == 2
    assert CareEvent.objects.count() == 1


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_refused_with_a_clear_message(writer, api_for):
    api = api_for(writer)
    _in_care(api)
    with on(date(2025, 1, 20)):
        api.post(episodes_url(), PLACEMENT, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
        other = api.post(episodes_url(), {**PLACEMENT, "PLACE": "U6"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert other.status_code == 422
    (problem,) = other.data["problems"]
    assert (problem["field"], problem["value"]) == ("Idempotency-Key", "k-1")
    assert "with a different body; a key is for one request only" in problem["rule"]
    assert f"POST {episodes_url()}" in problem["rule"]
    assert Episode.objects.get(start=date(2025, 1, 20)).placement_type == "U5"


@pytest.mark.django_db
def test_keys_are_per_client(make_credential, api_for):
    first, second = make_credential(Scope.CARE_EVENTS_WRITE), make_credential(Scope.CARE_EVENTS_WRITE)
    with on(date(2025, 1, 6)):
        assert api_for(first).put(child_url(), CHILD, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 201
        other = api_for(second).put(child_url("C200"), CHILD, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert other.status_code == 201
    assert "Idempotent-Replayed" not in other
    assert Child.objects.count() == 2


@pytest.mark.django_db
def test_an_episode_sent_twice_without_a_key_is_one_episode(writer, api_for):
    api = api_for(writer)
    _in_care(api)
    with on(date(2025, 1, 20)):
        first = api.post(episodes_url(), PLACEMENT, format="json")
        again = api.post(episodes_url(), PLACEMENT, format="json")
        first_again = api.post(episodes_url(), FIRST_EPISODE, format="json")
    assert (first.status_code, again.status_code, first_again.status_code) == (201, 200, 200)
    assert (again.data["created"], again.data["DECOM"], again.data["PLACE"]) == (False, "2025-01-20", "U5")
    # The first episode, sent again after the placement change ended it, is the one held.
    assert (first_again.data["DEC"], first_again.data["REC"]) == ("2025-01-20", "X1")
    assert Episode.objects.filter(period_of_care__child__local_id=CHILD_ID).count() == 2
    assert CareEvent.objects.count() == 1


@pytest.mark.django_db
def test_a_refused_request_keeps_no_key_so_the_corrected_one_may_use_it(writer, api_for):
    api = api_for(writer)
    _in_care(api)
    with on(date(2025, 1, 20)):
        refused = api.post(episodes_url(), {**PLACEMENT, "PLACE": "Q1"}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
        corrected = api.post(episodes_url(), PLACEMENT, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert (refused.status_code, corrected.status_code) == (422, 201)
    assert IdempotentRequest.objects.filter(key="k-2").get().status_code == 201


@pytest.mark.django_db
def test_a_key_too_long_is_refused(writer, api_for):
    response = api_for(writer).put(child_url(), CHILD, format="json", HTTP_IDEMPOTENCY_KEY="k" * 256)
    assert response.status_code == 422
    assert response.data["problems"][0]["field"] == "Idempotency-Key"
    assert not Child.objects.exists()


@pytest.mark.django_db
def test_answers_older_than_the_setting_are_purged(writer, api_for, settings):
    settings.IRO_API_IDEMPOTENCY_HOURS = 24
    api = api_for(writer)
    with on(date(2025, 1, 6)):
        api.put(child_url(), CHILD, format="json", HTTP_IDEMPOTENCY_KEY="old")
    with on(date(2025, 1, 7)):
        api.put(child_url(), {**CHILD, "UPN": ""}, format="json", HTTP_IDEMPOTENCY_KEY="new")
    now = timezone.now().replace(year=2025, month=1, day=7, hour=13)
    assert idempotent_requests_purge(now=now) == 1
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["new"]
    assert idempotent_requests_purge(now=now + timedelta(days=1)) == 1


def _waiting_on_locks() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return int(cursor.fetchone()[0])


def _until(predicate, what: str) -> None:
    deadline = time.monotonic() + 20
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_a_duplicate_sent_at_the_same_moment_waits_for_the_first_and_replays_it(writer, api_for):
    api = api_for(writer)
    _in_care(api)
    answers: dict[str, object] = {}

    def send(name: str) -> None:
        try:
            with on(date(2025, 1, 20)):
                answers[name] = api_for(writer).post(
                    episodes_url(), PLACEMENT, format="json", HTTP_IDEMPOTENCY_KEY="same-moment"
                )
        finally:
            connections.close_all()

    first = threading.Thread(target=send, args=("first",))
    second = threading.Thread(target=send, args=("second",))
    with transaction.atomic():
        # Hold the child: the first request claims its key, then waits for the child's row.
        Child.objects.select_for_update().get(local_id=CHILD_ID)
        first.start()
        _until(lambda: _waiting_on_locks() == 1, "the first request to wait for the child")
        # The second request's claim of the same key waits for the first's transaction.
        second.start()
        _until(lambda: _waiting_on_locks() == 2, "the second request to wait for the key")
    first.join(30)
    second.join(30)
    assert answers["first"].status_code == answers["second"].status_code == 201
    assert answers["second"].json() == answers["first"].json()
    assert answers["second"]["Idempotent-Replayed"] == "true"
    assert Episode.objects.filter(start=date(2025, 1, 20)).count() == 1
    assert CareEvent.objects.count() == 1
    assert IdempotentRequest.objects.filter(key="same-moment").count() == 1


@pytest.mark.django_db
def test_the_purge_command_says_how_many_it_deleted(writer, api_for, settings):
    from io import StringIO  # noqa: PLC0415 - this test only

    from django.core.management import call_command  # noqa: PLC0415 - this test only

    settings.IRO_API_IDEMPOTENCY_HOURS = 1
    with on(date(2025, 1, 6)):
        api_for(writer).put(child_url(), CHILD, format="json", HTTP_IDEMPOTENCY_KEY="old")
    out = StringIO()
    call_command("purge_idempotency_keys", stdout=out)
    assert out.getvalue().strip() == "Deleted 1 kept answer older than 1 hour."
    assert not IdempotentRequest.objects.exists()

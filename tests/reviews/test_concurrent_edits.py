"""No lost edits (docs/architecture.md, "Concurrent writers"): twenty people saving the same review
record at once on the real PostgreSQL, each from the version they opened. In every round exactly one
save lands, the other nineteen are refused with the conflict message, and the record holds the
winner's words."""

import threading
from datetime import date

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from accounts.models import AccessAction, AccessLog
from reviews import claims
from reviews.models import Review
from tests.factories import IROFactory, child_in_care

SAVERS = 20
ROUNDS = 3


def _post(claim: str, words: str) -> dict:
    return {
        "claim": claim,
        "save_draft": "1",
        "worried_about": words,
        "attendees-TOTAL_FORMS": "0",
        "attendees-INITIAL_FORMS": "0",
        "decisions-TOTAL_FORMS": "0",
        "decisions-INITIAL_FORMS": "0",
    }


def _save(client: Client, url: str, data: dict, index: int, start, lock, outcomes: list) -> None:
    """One person saving: wait for everyone, post, record what came back."""
    try:
        start.wait()
        response = client.post(url, data)
        with lock:
            outcomes.append((response.status_code, index, response.content.decode()))
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_saves_one_lands_each_round_and_nothing_is_lost():
    iro = IROFactory(username="iro.concurrent")
    _child, review = child_in_care(iro, start=date(2026, 1, 5))
    clients = []
    for _ in range(SAVERS):
        client = Client()
        client.force_login(iro)
        clients.append(client)
    url = reverse("reviews:detail", args=[review.pk])

    for round_number in range(ROUNDS):
        opened = Review.objects.get(pk=review.pk)
        opened_at, claim = opened.version, claims.RECORD.claim(opened)
        start = threading.Barrier(SAVERS)
        outcomes: list[tuple[int, int, str]] = []
        lock = threading.Lock()

        threads = [
            threading.Thread(
                target=_save,
                args=(client, url, _post(claim, f"round {round_number}: saver {i}"), i, start, lock, outcomes),
            )
            for i, client in enumerate(clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        statuses = sorted(status for status, _index, _content in outcomes)
        assert statuses == [302] + [409] * (SAVERS - 1), statuses
        [winner] = [index for status, index, _content in outcomes if status == 302]
        refused = [content for status, _index, content in outcomes if status == 409]
        assert all("changed this review since you opened the page" in content for content in refused)
        assert all(f"round {round_number}: saver {winner}" in content for content in refused)  # what changed
        saved = Review.objects.get(pk=review.pk)
        assert saved.worried_about == f"round {round_number}: saver {winner}"
        assert saved.version == opened_at + 1
        # Every attempt left a trace: one change and nineteen refusals this round.
        assert AccessLog.objects.filter(action=AccessAction.CHANGE).count() == round_number + 1
        assert AccessLog.objects.filter(action=AccessAction.REFUSED, status_code=409).count() == (round_number + 1) * (
            SAVERS - 1
        )
    assert Review.history.filter(id=review.pk, worried_about__startswith="round").count() == ROUNDS

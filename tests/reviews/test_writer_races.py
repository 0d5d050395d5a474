"""Every pair of a review's writers racing over the real stack (docs/architecture.md, "Concurrent
writers"): gunicorn with three worker processes, PostgreSQL, real HTTP with sessions and CSRF. Each
round both people open their page, then post at the same moment. A write the application called
saved (its success message on the page it redirected to) must be in the database afterwards; a write
that was refused must say so. Writers whose fields do not overlap must both land, every round.

Rounds per pair: IRO_RACE_ROUNDS (40 by default; 15 pairs, so 600 rounds in CI).
"""

import http.cookiejar
import itertools
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from reviews.codes import BookingAction, ParticipationCode, ReviewStatus
from reviews.models import Booking, Document, Review
from reviews.services import review_record_held
from tests.factories import BusinessSupportFactory, IROFactory, child_in_care

ROOT = Path(__file__).resolve().parent.parent.parent
ROUNDS = int(os.environ.get("IRO_RACE_ROUNDS", "40"))
FIRST_DAY = date(2031, 1, 6)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def gunicorn(transactional_db):
    """The application under gunicorn, on the test database."""
    settings = connection.settings_dict
    database_url = (
        f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"
    )
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "iro_service.settings.test",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/14",
    }
    server = subprocess.Popen(  # noqa: S603 - our own server on loopback
        [sys.executable, "-m", "gunicorn", "iro_service.wsgi:application", "-w", "3", "-b", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(f"{base}/accounts/login/", timeout=5).close()  # noqa: S310 - loopback
            break
        except OSError:  # not answering yet (URLError, refused, timed out)
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail(f"gunicorn did not start: {server.stderr.read().decode()[-2000:]}")
            time.sleep(0.3)
    try:
        yield base
    finally:
        server.terminate()  # gunicorn's master stops its workers, closing their connections
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


class Browser:
    """One person's browser: a session cookie, CSRF from the page they opened."""

    def __init__(self, base: str, user) -> None:
        client = Client()
        client.force_login(user)
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.jar.set_cookie(_cookie("sessionid", client.cookies["sessionid"].value))
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.page = ""

    def open(self, path: str) -> str:
        self.url = path
        with self.opener.open(self.base + path, timeout=60) as response:
            self.page = response.read().decode()
        return self.page

    def hidden(self, name: str) -> str:
        match = re.search(rf'name="{name}" value="([^"]*)"', self.page)
        assert match, f"{name} not on the page {self.url}: {self.page[-3000:]}"
        return match.group(1)

    def post(self, path: str, data: dict) -> tuple[int, str]:
        """Post as the form would; follow the redirect as the browser does."""
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": self.hidden("csrfmiddlewaretoken"), **data}).encode()
        try:
            with self.opener.open(self.base + path, data=body, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


def _cookie(name: str, value: str) -> http.cookiejar.Cookie:
    return http.cookiejar.Cookie(
        0, name, value, None, False, "127.0.0.1", False, False, "/", True, False, None, True, None, None, {}
    )


@dataclass
class Attempt:
    """One writer's move in one round: the page it opens, what it posts, and how to find it saved."""

    writer: str
    browser: Browser
    open_path: str
    post_path: str
    data: dict
    saved_text: str
    landed: object  # callable(review) -> bool


def _attempt(writer: str, *, review: Review, browsers: dict, round_number: int, pair_index: int, iros) -> Attempt:
    pk = review.pk
    token = f"{writer} {pair_index}.{round_number}"
    day = FIRST_DAY + timedelta(days=pair_index * (ROUNDS + 5) + round_number)
    if writer == "record":
        data = {
            "save_draft": "1",
            "worried_about": token,
            **{
                f"{prefix}-{count}_FORMS": "0"
                for prefix in ("attendees", "decisions")
                for count in ("TOTAL", "INITIAL")
            },
        }
        if review.status == ReviewStatus.HELD:
            data.update(held_on=review.held_on.isoformat(), participation_code=review.participation_code)
        return Attempt(
            writer,
            browsers["iro"],
            f"/reviews/{pk}/",
            f"/reviews/{pk}/",
            data,
            "Record saved.",
            lambda r: r.worried_about == token,
        )
    if writer == "prepare":
        return Attempt(
            writer,
            browsers["iro_2"],
            f"/reviews/{pk}/prepare/",
            f"/reviews/{pk}/prepare/",
            {"child_own_words": token},
            "Preparation saved.",
            lambda r: r.child_own_words == token,
        )
    if writer == "cover":
        iro = iros[round_number % 2]
        return Attempt(
            writer,
            browsers["support_2"],
            f"/reviews/{pk}/cover/",
            f"/reviews/{pk}/cover/",
            {"iro": str(iro.pk), "ends_on": ""},
            "Cover saved.",
            lambda r: r.covering_iro_id == iro.pk,
        )
    if writer in ("book", "reschedule"):
        hour = 10 if writer == "book" else 14
        at = timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=hour))
        action = BookingAction.BOOKED if writer == "book" else BookingAction.RESCHEDULED
        data = {
            "day": day.isoformat(),
            "time": f"{hour}:00",
            "venue": token,
            "lateness_reason": "Carer's holiday.",
            "invitees-TOTAL_FORMS": "0",
            "invitees-INITIAL_FORMS": "0",
        }
        if writer == "reschedule":
            data["reschedule_reason"] = token
        return Attempt(
            writer,
            browsers["support"],
            f"/reviews/{pk}/book/",
            f"/reviews/{pk}/book/",
            data,
            "Review booked for" if writer == "book" else "Review rescheduled for",
            lambda r: (
                r.booked_for == at
                and r.venue == token
                and Booking.objects.filter(review=r, action=action, booked_for=at, venue=token).exists()
            ),
        )
    assert writer == "documents"
    return Attempt(
        writer,
        browsers["iro_3"],
        f"/reviews/{pk}/",
        f"/reviews/{pk}/documents/new/",
        {"kind": "outcomes", "reason": token},
        "is being prepared",
        lambda r: Document.objects.filter(review=r, reason=token).exists(),
    )


WRITERS = ["record", "prepare", "cover", "book", "reschedule", "documents"]
# Which writers can act in which state; a pair races in the state that suits it.
CAN_ACT = {
    ReviewStatus.DUE: {"record", "prepare", "cover", "book"},
    ReviewStatus.BOOKED: {"record", "prepare", "cover", "reschedule"},
    ReviewStatus.HELD: {"record", "prepare", "documents"},
}


def _state_for(pair: tuple[str, str]) -> str:
    if "documents" in pair:
        return ReviewStatus.HELD
    if "reschedule" in pair:
        return ReviewStatus.BOOKED
    return ReviewStatus.DUE


def _reset(review: Review, state: str, day: date) -> Review:
    """Put the review back in the pair's state before a round (the harness, not a writer)."""
    if state == ReviewStatus.DUE:
        Review.objects.filter(pk=review.pk).update(status=ReviewStatus.DUE, booked_for=None)
    elif state == ReviewStatus.BOOKED:
        at = timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=9))
        Review.objects.filter(pk=review.pk).update(status=ReviewStatus.BOOKED, booked_for=at)
    return Review.objects.select_related("child").get(pk=review.pk)


@pytest.mark.django_db(transaction=True)
def test_every_pair_of_review_writers_races_without_losing_a_saved_write(gunicorn):
    iro = IROFactory(username="iro.race")
    covering = [IROFactory(username="iro.cover.a"), IROFactory(username="iro.cover.b")]
    support = BusinessSupportFactory(username="support.race")
    browsers = {
        "iro": Browser(gunicorn, iro),
        "iro_2": Browser(gunicorn, iro),
        "iro_3": Browser(gunicorn, iro),
        "support": Browser(gunicorn, support),
        "support_2": Browser(gunicorn, support),
    }
    pairs = list(itertools.combinations(WRITERS, 2))
    assert len(pairs) == 15
    lost: list[str] = []
    saved_counts = {pair: {writer: 0 for writer in pair} for pair in pairs}

    for pair_index, pair in enumerate(pairs):
        state = _state_for(pair)
        _child, review = child_in_care(iro, start=date(2026, 1, 5), born=date(2012, 1, 1))
        if state == ReviewStatus.HELD:
            review = review_record_held(
                review=review, held_on=date(2026, 1, 30), chair=iro, participation_code=ParticipationCode.PN1
            )
        for round_number in range(ROUNDS):
            day = FIRST_DAY + timedelta(days=pair_index * (ROUNDS + 5) + round_number)
            review = _reset(review, state, day)
            attempts = [
                _attempt(
                    w, review=review, browsers=browsers, round_number=round_number, pair_index=pair_index, iros=covering
                )
                for w in pair
            ]
            attempts = _opened(attempts, state)
            results = _race(attempts)
            stored = Review.objects.get(pk=review.pk)
            where = f"{pair} round {round_number}"
            for attempt in attempts:
                if _saved(attempt, results[attempt.writer], where=where):
                    saved_counts[pair][attempt.writer] += 1
                    if not attempt.landed(stored):
                        lost.append(f"{where}: {attempt.writer}")

    assert lost == [], f"writes that answered saved and are missing: {lost}"
    _assert_each_writer_saved_when_able(saved_counts)


def _opened(attempts: list[Attempt], state: str) -> list[Attempt]:
    """Open each writer's page and take its claim; a page that does not offer the change in the
    review's state (booking a held review) drops out of the round."""
    offered = []
    for attempt in attempts:
        attempt.browser.open(attempt.open_path)
        if attempt.writer != "documents":
            if 'name="claim"' not in attempt.browser.page:
                assert attempt.writer not in CAN_ACT[state], f"{attempt.writer} not offered in {state}"
                continue
            attempt.data["claim"] = attempt.browser.hidden("claim")
        offered.append(attempt)
    return offered


def _race(attempts: list[Attempt]) -> dict[str, tuple[int, str]]:
    """Post every attempt at once (released together by a barrier); each writer's (status, page)."""
    start = threading.Barrier(len(attempts))
    results: dict[str, tuple[int, str]] = {}

    def go(attempt: Attempt) -> None:
        start.wait()
        results[attempt.writer] = attempt.browser.post(attempt.post_path, attempt.data)

    threads = [threading.Thread(target=go, args=(attempt,)) for attempt in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _saved(attempt: Attempt, result: tuple[int, str], *, where: str) -> bool:
    """Whether the page answered saved; a page that did not save must say why."""
    status, page = result
    assert status in (200, 409), f"{where}: {attempt.writer} answered {status}"
    if attempt.saved_text in page:
        return True
    # Not saved: the page says why (a conflict, or a rule of the review's state).
    said = status == 409 or any(mark in page for mark in ("alert-danger", "alert-warning", "invalid-feedback"))
    assert said, f"{where}: {attempt.writer} was refused without a word"
    return False


def _assert_each_writer_saved_when_able(saved_counts: dict[tuple[str, str], dict[str, int]]) -> None:
    for pair, counts in saved_counts.items():
        able = CAN_ACT[_state_for(pair)]
        for writer, count in counts.items():
            if set(pair) <= able:
                # Disjoint fields: neither may be refused for the other's save.
                assert count == ROUNDS, (pair, counts)
            elif writer not in able:
                assert count == 0, (pair, counts)
            else:
                assert count == ROUNDS, (pair, counts)

"""Reminders in the application: the list, the unread count, mark as read; the daily digest."""

from datetime import date

import pytest
from django.urls import reverse

from accounts.models import Notification, NotificationKind
from accounts.services import daily_digest_create
from tests.accounts.brokers import point_app_at

pytestmark = pytest.mark.django_db


def _notification(user, kind=NotificationKind.REVIEW_DUE_5, key="review:1", subject="Review to book"):
    return Notification.objects.create(
        recipient=user, kind=kind, object_key=key, deadline=date(2026, 5, 8), subject=subject, url="/reviews/1/"
    )


def test_the_navigation_bar_shows_my_unread_count(client, iro, other_iro):
    _notification(iro, key="review:1")
    _notification(iro, key="review:2")
    _notification(other_iro, key="review:3")
    client.force_login(iro)
    response = client.get(reverse("accounts:notifications"))
    assert response.context["unread_notifications"] == 2
    assert 'data-testid="unread-count">2<' in response.content.decode()


def test_i_see_only_my_own_reminders(client, iro, other_iro):
    _notification(iro, subject="Mine")
    _notification(other_iro, subject="Theirs")
    client.force_login(iro)
    page = client.get(reverse("accounts:notifications")).content.decode()
    assert "Mine" in page
    assert "Theirs" not in page


def test_mark_one_and_mark_all_as_read(client, iro, other_iro):
    first = _notification(iro, key="review:1")
    _notification(iro, key="review:2")
    theirs = _notification(other_iro, key="review:3")
    client.force_login(iro)
    client.post(reverse("accounts:notifications_read"), {"notification": [first.pk, theirs.pk]})
    assert Notification.objects.filter(recipient=iro, read_at__isnull=True).count() == 1
    theirs.refresh_from_db()
    assert theirs.read_at is None  # nobody marks another's reminders
    client.post(reverse("accounts:notifications_read"))
    assert not Notification.objects.filter(recipient=iro, read_at__isnull=True).exists()


def test_marking_read_needs_a_post(client, iro):
    client.force_login(iro)
    assert client.get(reverse("accounts:notifications_read")).status_code == 405


def test_the_daily_digest_lists_each_persons_unread_reminders_once_a_day(iro, other_iro):
    _notification(iro, key="review:1", subject="Review to book: due by Fri 8 May 2026 (child D1)")
    _notification(iro, key="review:2", subject="Minutes due by Tue 26 May 2026 (child D2)")
    assert daily_digest_create(today=date(2026, 5, 1)) == 1
    digest = Notification.objects.get(kind=NotificationKind.DAILY_DIGEST)
    assert digest.recipient == iro
    assert digest.subject == "2 unread reminders"
    assert "Minutes due by Tue 26 May 2026 (child D2)" in digest.body
    daily_digest_create(today=date(2026, 5, 1))
    assert Notification.objects.filter(kind=NotificationKind.DAILY_DIGEST).count() == 1


def test_healthz_reports_the_database_and_the_broker(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_healthz_says_when_the_broker_is_unreachable(client):
    point_app_at("redis://127.0.0.1:1/0")
    try:
        response = client.get(reverse("healthz"))
    finally:
        point_app_at(None)
    assert response.status_code == 503
    assert response.json()["broker"].startswith("unreachable")
    assert response.json()["database"] == "ok"

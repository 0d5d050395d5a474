"""*Allocate IRO*: a reassignment may say why, and the child's allocation history shows it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from children.codes import AllocationKind
from children.models import Allocation
from tests.factories import ChildFactory, IROFactory, child_in_care

pytestmark = pytest.mark.django_db


def _reassign(client, child, *, to, held_by, **extra):
    data = {"iro": to.pk, "start": timezone.localdate().isoformat(), "held_by_when_opened": held_by, **extra}
    return client.post(reverse("children:allocate", args=[child.pk]), data)


def _history(page: str) -> str:
    return page.split('data-testid="allocation-history"', 1)[1].split("</section>", 1)[0]


def test_a_reassignment_keeps_its_reason_and_the_history_shows_it(client, iro, other_iro, manager):
    child, _review = child_in_care(iro)
    client.force_login(manager)
    assert 'name="reason"' in client.get(reverse("children:allocate", args=[child.pk])).content.decode()
    response = _reassign(client, child, to=other_iro, held_by=iro.pk, reason="  Conflict of interest  ")
    assert response.status_code == 302
    new = Allocation.objects.get(child=child, end__isnull=True)
    assert (new.iro, new.reason) == (other_iro, "Conflict of interest")
    assert Allocation.objects.get(child=child, iro=iro).reason == ""  # the first allocation had no reason
    for url in (reverse("children:allocate", args=[child.pk]), reverse("caseload:child", args=[child.pk])):
        history = _history(client.get(url).content.decode())
        assert "Conflict of interest" in history, url
        assert str(other_iro) in history
        assert str(iro) in history
        # Latest first: the reassignment, then the IRO before.
        assert history.index(str(other_iro)) < history.index(str(iro))


def test_a_reassignment_without_a_reason_still_works(client, iro, other_iro, business_support):
    child, _review = child_in_care(iro)
    client.force_login(business_support)
    assert _reassign(client, child, to=other_iro, held_by=iro.pk).status_code == 302
    assert Allocation.objects.get(child=child, end__isnull=True).iro == other_iro
    assert Allocation.objects.get(child=child, end__isnull=True).reason == ""


def test_a_first_allocation_is_not_asked_for_a_reason(client, iro, manager):
    child = ChildFactory()
    client.force_login(manager)
    page = client.get(reverse("children:allocate", args=[child.pk])).content.decode()
    assert 'name="reason"' not in page
    assert "No IRO allocated yet." in _history(page)
    assert _reassign(client, child, to=iro, held_by="none").status_code == 302
    allocation = Allocation.objects.get(child=child)
    assert (allocation.iro, allocation.kind, allocation.reason) == (iro, AllocationKind.CASE_HOLDING, "")


def test_a_reason_longer_than_300_characters_is_explained(client, iro, other_iro, manager):
    child, _review = child_in_care(iro)
    client.force_login(manager)
    response = _reassign(client, child, to=other_iro, held_by=iro.pk, reason="x" * 301)
    assert response.status_code == 200
    assert "Ensure this value has at most 300 characters" in response.content.decode()
    assert Allocation.objects.get(child=child, end__isnull=True).iro == iro


def test_a_stale_reassignment_keeps_the_reason_typed_and_changes_nothing(client, iro, other_iro, manager):
    third = IROFactory(username="iro.three")
    child, _review = child_in_care(iro)
    client.force_login(manager)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert _reassign(client, child, to=other_iro, held_by=iro.pk).status_code == 302
    response = _reassign(client, child, to=third, held_by=iro.pk, start=tomorrow, reason="IRO left the service")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Someone else changed this child&#x27;s IRO since you opened the page" in page
    assert "IRO left the service" in page  # what was typed is still there, to save again
    assert Allocation.objects.get(child=child, end__isnull=True).iro == other_iro

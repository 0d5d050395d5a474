"""The admin shows the model rules as messages, never a server error."""

import pytest
from django.urls import reverse

from tests.factories import AllocationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_admin_explains_a_second_case_holding_iro(client, iro, other_iro):
    allocation = AllocationFactory(iro=iro)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(
        reverse("admin:children_allocation_add"),
        {"child": allocation.child.pk, "iro": other_iro.pk, "kind": "case_holding", "start": "2014-06-01"},
    )
    assert response.status_code == 200
    assert "already has a case-holding IRO" in response.content.decode()


def test_admin_cannot_delete_a_child(client):
    allocation = AllocationFactory()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(reverse("admin:children_child_delete", args=[allocation.child.pk]), {"post": "yes"})
    assert response.status_code == 403

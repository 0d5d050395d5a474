"""An IRO's work telephone: checked loosely as a UK number, edited in the user admin."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.phones import validate_uk_phone
from tests.factories import IROFactory, UserFactory


@pytest.mark.parametrize(
    "number",
    [
        "01632 960 001",
        "01632960001",
        "(01632) 960001",
        "07700 900 982",
        "+44 808 157 0192",
        "+44 (0)1632 960001",
        "020 7946 0000",
    ],
)
def test_a_uk_number_is_accepted(number):
    validate_uk_phone(number)


@pytest.mark.parametrize(
    "number",
    [
        "call reception",
        "01632-960-001",  # hyphens are not among the characters asked for
        "0163 296",  # too short
        "016329600011234",  # too long
        "+1 212 555 0100",  # not a UK number
        "1632 960 001",  # no leading 0
        "01632 + 960001",  # + only at the start
    ],
)
def test_anything_else_is_refused_with_an_example(number):
    with pytest.raises(ValidationError, match=r"Enter a UK telephone number, like 01632 960 001"):
        validate_uk_phone(number)


def _admin_post(user, **profile) -> dict:
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
        "iro_profile-TOTAL_FORMS": "1",
        "iro_profile-INITIAL_FORMS": "1",
        "iro_profile-MIN_NUM_FORMS": "0",
        "iro_profile-MAX_NUM_FORMS": "1",
        "iro_profile-0-id": str(user.iro_profile.pk),
        "iro_profile-0-user": str(user.pk),
        "iro_profile-0-fte": "1.00",
        "iro_profile-0-active_from": "2010-01-01",
    }
    data.update({f"iro_profile-0-{name}": value for name, value in profile.items()})
    return data


@pytest.mark.django_db
def test_the_work_phone_is_edited_with_the_user_in_the_admin(client):
    iro = IROFactory()
    client.force_login(UserFactory(username="admin.one", is_staff=True, is_superuser=True))
    url = reverse("admin:accounts_user_change", args=[iro.pk])
    assert 'name="iro_profile-0-work_phone"' in client.get(url).content.decode()

    refused = client.post(url, _admin_post(iro, work_phone="ring the office"))
    assert refused.status_code == 200
    assert "Enter a UK telephone number" in refused.content.decode()
    iro.iro_profile.refresh_from_db()
    assert iro.iro_profile.work_phone == ""

    saved = client.post(url, _admin_post(iro, work_phone=" 01632 960 123 "))
    assert saved.status_code == 302, saved.content.decode()[:3000]
    iro.iro_profile.refresh_from_db()
    assert iro.iro_profile.work_phone == "01632 960 123"

"""accounts.selectors: one way to list the people with a role. Lists to give someone work take the
active accounts; the dashboard's and caseload filters also find an IRO who has left."""

import pytest

from accounts.iro_picker import iro_pick
from accounts.roles import Role
from accounts.selectors import iro_users, iros_named, users_with_role
from caseload.forms import DashboardFilterForm
from children.forms import CaseHoldingIROForm
from reviews.reminders import user_ids_with_role
from tests.factories import BusinessSupportFactory, IROFactory, ManagerFactory

pytestmark = pytest.mark.django_db


def test_a_leaver_is_not_offered_work_but_is_found_in_the_figures():
    staying = IROFactory(last_name="Adams")
    left = IROFactory(last_name="Baker", is_active=False)
    ManagerFactory()
    assert list(iro_users()) == [staying]
    assert list(iro_users(including_left=True)) == [staying, left]
    assert list(CaseHoldingIROForm().fields["iro"].queryset) == [staying]
    assert list(DashboardFilterForm().fields["iro"].queryset) == [staying, left]
    assert iro_pick({"iro_name": "baker"}).chosen == left  # the caseload lists' IRO filter
    assert list(iros_named(["a"])) == [staying, left]


def test_reminders_go_to_active_accounts_only():
    active = BusinessSupportFactory()
    BusinessSupportFactory(is_active=False)
    assert user_ids_with_role(Role.BUSINESS_SUPPORT) == [active.pk]
    assert list(users_with_role(Role.BUSINESS_SUPPORT)) == [active]

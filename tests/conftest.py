import pytest

from tests.factories import BusinessSupportFactory, IROFactory, ManagerFactory


@pytest.fixture
def iro(db):
    return IROFactory(username="iro.one", first_name="Alex", last_name="Morgan")


@pytest.fixture
def other_iro(db):
    return IROFactory(username="iro.two", first_name="Priya", last_name="Shah")


@pytest.fixture
def manager(db):
    return ManagerFactory(username="manager.one")


@pytest.fixture
def business_support(db):
    return BusinessSupportFactory(username="support.one")

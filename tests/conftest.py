import time

import pytest
from django.core.management import call_command

from iro_service.celery import app
from tests.factories import BusinessSupportFactory, IROFactory, ManagerFactory


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, with the ONS postcode table loaded once per run (placement distances
    read it: children/postcodes.py). The table is not a Django model, so the transactional tests'
    flush (which pytest-django runs after each of them, at the end of the run) leaves it alone."""
    started = time.perf_counter()
    with django_db_blocker.unblock():
        call_command("load_postcodes", verbosity=0)
    print(f"\nload_postcodes: {time.perf_counter() - started:.1f} s")  # shown with -s


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


@pytest.fixture
def eager_tasks(settings, tmp_path):
    """Celery tasks run in the test's own process as they are queued (as under `make run`): no
    worker. Tasks are queued once the transaction commits, so a test runs a request's tasks with
    `django_capture_on_commit_callbacks(execute=True)`. Files go in the test's own folder."""
    settings.IRO_PRIVATE_DOCUMENTS_ROOT = str(tmp_path / "documents")
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False

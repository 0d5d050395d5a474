"""The in-app return check (docs/domain.md, "DfE rules checked"): business support choose a
collection year; a Celery task exports the year and runs the Data to Insight validator in its own
environment; the page shows "running", then the problems by DfE rule, and offers the three files."""

import sys
import time
from datetime import date

import pytest
from celery.contrib.testing.worker import start_worker
from django.urls import reverse

from iro_service.celery import app
from reviews.forms import ReturnCheckForm
from reviews.return_check import group_by_rule, return_check_run
from reviews.return_check_models import ReturnCheck, ReturnCheckState
from reviews.ssda903 import import_files
from tests.reviews.test_ssda903_short_breaks import EPISODE_ROWS, _files

pytestmark = pytest.mark.django_db

# The children of tests/reviews/test_ssda903_short_breaks.py, MX (in care) with a valid UPN.
CLEAN_HEADER = [
    ["SB1", "F", "14/03/2012", "WBRI", "", "0", ""],
    ["MX", "M", "02/02/2011", "WBRI", "E826371110533", "", ""],
]
CLEAN_EPISODES = [
    *EPISODE_ROWS[:3],
    ["MX", "10/06/2024", "S", "C2", "N1", "U4", "PR1", "", "", "", "MK9 3EJ", "MK6 5LD", "SC123456"],
]


@pytest.fixture
def private_documents(settings, tmp_path):
    settings.IRO_PRIVATE_DOCUMENTS_ROOT = str(tmp_path / "private")


@pytest.fixture
def eager():
    """The task runs in the request's process once it commits (the worker's test is below)."""
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def _ask(client, user, year, django_capture_on_commit_callbacks) -> ReturnCheck:
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reviews:return_checks"), {"year": str(year)})
    check = ReturnCheck.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("reviews:return_check", args=[check.pk])
    check.refresh_from_db()
    return check


def test_the_check_runs_the_validator_and_shows_problems_by_rule(
    client, business_support, private_documents, eager, django_capture_on_commit_callbacks
):
    header = [
        ["SB1", "F", "14/03/2012", "WBRI", "", "0", ""],
        ["MX", "F", "02/02/2011", "WBRI", "", "", ""],  # a girl in care with no MOTHER: rule 393
    ]
    import_files(_files(header=header))
    check = _ask(client, business_support, 2025, django_capture_on_commit_callbacks)
    assert check.state == ReturnCheckState.DONE, check.message
    assert check.rows == {"header": 2, "episodes": 4, "reviews": 1}
    by_rule = {rule["rule"]: rule for rule in check.results}
    assert "393" in by_rule
    assert by_rule["393"]["examples"][0]["child"] == "MX"
    assert "399" not in by_rule  # the short-break child's review and MOTHER are left out of the return
    page = client.get(reverse("reviews:return_check", args=[check.pk])).content.decode()
    assert "Rule 393: Child is looked after but mother field is not completed." in page
    assert f"{check.problem_count} problem" in page
    download = client.get(reverse("reviews:return_check_file", args=[check.pk, "reviews"]))
    content = b"".join(download.streaming_content).decode()
    assert download.status_code == 200
    assert content.splitlines() == [
        "CHILD,DOB,REVIEW,REVIEW_CODE",
        "MX,02/02/2011,05/07/2024,PN1",
    ]


def test_a_clean_year_says_no_problems(
    client, business_support, private_documents, eager, django_capture_on_commit_callbacks
):
    import_files(_files(header=CLEAN_HEADER, episodes=CLEAN_EPISODES))
    check = _ask(client, business_support, 2025, django_capture_on_commit_callbacks)
    assert (check.state, check.problem_count, check.results) == (ReturnCheckState.DONE, 0, [])
    page = client.get(reverse("reviews:return_check", args=[check.pk])).content.decode()
    assert "No problems:" in page


def test_a_check_waiting_for_the_worker_shows_running(client, business_support, private_documents):
    client.force_login(business_support)
    response = client.post(reverse("reviews:return_checks"), {"year": "2025"})  # the test's transaction never commits
    page = client.get(response.url).content.decode()
    assert "Waiting to start." in page
    assert "Refresh this page" in page
    assert ReturnCheck.objects.get().state == ReturnCheckState.QUEUED


def test_without_the_validator_the_page_says_so_and_the_files_are_still_written(
    client, business_support, private_documents, eager, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.IRO_SSDA903_VALIDATOR_PYTHON = str(tmp_path / "no-venv" / "bin" / "python")
    import_files(_files())
    client.force_login(business_support)
    listing = client.get(reverse("reviews:return_checks")).content.decode()
    assert "The validator is not installed." in listing
    assert "IRO_SSDA903_VALIDATOR_PYTHON" in listing
    check = _ask(client, business_support, 2025, django_capture_on_commit_callbacks)
    assert check.state == ReturnCheckState.UNAVAILABLE
    page = client.get(reverse("reviews:return_check", args=[check.pk])).content.decode()
    assert "The validator is not installed, so the return was not checked." in page
    assert client.get(reverse("reviews:return_check_file", args=[check.pk, "header"])).status_code == 200


def test_a_validator_that_fails_is_reported_not_hidden(business_support, private_documents, settings):
    settings.IRO_SSDA903_VALIDATOR_PYTHON = sys.executable  # runs the script without the validator installed
    check = ReturnCheck.objects.create(year=2025, requested_by=business_support)
    assert return_check_run(check.pk) == ReturnCheckState.FAILED
    check.refresh_from_db()
    assert check.message.startswith("The validator stopped with an error:")
    assert "lac_validator" in check.message


def test_a_check_is_run_once_though_its_task_is_delivered_twice(business_support, private_documents, settings):
    settings.IRO_SSDA903_VALIDATOR_PYTHON = "/nonexistent/python"
    check = ReturnCheck.objects.create(year=2025, requested_by=business_support)
    assert return_check_run(check.pk) == ReturnCheckState.UNAVAILABLE
    finished = ReturnCheck.objects.get(pk=check.pk).finished_at
    assert return_check_run(check.pk) == ReturnCheckState.UNAVAILABLE
    assert ReturnCheck.objects.get(pk=check.pk).finished_at == finished


def test_a_year_without_code_lists_is_refused_with_a_message(client, business_support, private_documents):
    client.force_login(business_support)
    response = client.post(reverse("reviews:return_checks"), {"year": "2019"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not ReturnCheck.objects.exists()


def test_the_form_offers_the_last_complete_year_first():
    assert ReturnCheckForm(today=date(2026, 11, 28)).fields["year"].initial == 2026
    assert ReturnCheckForm(today=date(2026, 3, 31)).fields["year"].initial == 2025


def test_problems_are_grouped_by_rule_most_frequent_first():
    errors = [
        {"rule_code": "101", "rule_description": "Sex.", "child_id": "A", "tables_affected": "Header", "row_id": 0},
        {"rule_code": "399", "rule_description": "V3.", "child_id": "B", "tables_affected": "Reviews", "row_id": 1},
        {"rule_code": "399", "rule_description": "V3.", "child_id": "B", "tables_affected": "Header", "row_id": 2},
    ]
    grouped = group_by_rule(errors)
    assert [(rule["rule"], rule["count"]) for rule in grouped] == [("399", 2), ("101", 1)]
    assert grouped[0]["examples"][1] == {"child": "B", "table": "Header", "columns": "", "row": 2}


@pytest.mark.django_db(transaction=True)
def test_a_celery_worker_runs_the_check_while_the_page_says_running(client, business_support, private_documents):
    """The real path: the request commits, the task goes through Redis to a worker, the page
    shows "running" until the worker has stored the results."""
    import_files(_files(header=CLEAN_HEADER, episodes=CLEAN_EPISODES))
    client.force_login(business_support)
    response = client.post(reverse("reviews:return_checks"), {"year": "2025"})
    check = ReturnCheck.objects.get()
    assert check.state == ReturnCheckState.QUEUED
    assert "Waiting to start." in client.get(response.url).content.decode()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        deadline = time.monotonic() + 120
        while ReturnCheck.objects.get(pk=check.pk).waiting and time.monotonic() < deadline:
            time.sleep(0.5)
    check.refresh_from_db()
    assert (check.state, check.problem_count) == (ReturnCheckState.DONE, 0), check.message
    assert "No problems:" in client.get(response.url).content.decode()

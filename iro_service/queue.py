"""Queue a Celery task from a service, by the task's name.

A task is a thin wrapper that loads by id and calls a service, so tasks modules import services;
a service that queues work names its task here instead of importing the tasks module back (which
would be an import cycle). `task_send_on_commit` queues only once the transaction commits, so a
worker never looks for a row that is not there yet, or was rolled back."""

from django.db import transaction

from .celery import app


def task_send(name: str, *args: object) -> None:
    """Queue the task `name` ("app.tasks.function") with `args` now (run at once when
    CELERY_TASK_ALWAYS_EAGER, as under `make run`)."""
    if name not in app.tasks:
        # A worker imports every app's tasks module as it starts; a web process, when it first queues one.
        app.autodiscover_tasks(force=True)
    app.tasks[name].delay(*args)


def task_send_on_commit(name: str, *args: object, robust: bool = False) -> None:
    """Queue the task once the current transaction commits (`robust`: a failure to queue is
    logged, not raised into the request that committed)."""
    transaction.on_commit(lambda: task_send(name, *args), robust=robust)

"""A redis-server of the test's own, the Celery app pointed at it, and a worker run as a process."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from iro_service.celery import app

ROOT = Path(settings.BASE_DIR)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_redis(port: int) -> subprocess.Popen:
    """An empty redis-server that keeps nothing on disk: stopping it loses every queued message."""
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is needed for this test (apt-get install redis-server)")
    server = subprocess.Popen(  # noqa: S603 - the machine's redis-server with fixed arguments
        [shutil.which("redis-server"), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(50):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    pytest.fail("redis-server did not start")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def point_app_at(broker_url: str | None) -> None:
    """Publish to (and consume from) this broker. CELERY_BROKER_URL in the environment outranks
    `broker_url` in Celery's configuration, so the read and write URLs (which outrank it) are set."""
    app.conf.broker_url = broker_url
    app.conf.broker_read_url = broker_url
    app.conf.broker_write_url = broker_url
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def own_redis():
    """A redis-server on a free port for this test, the app publishing to it; yields (port, holder)
    where holder["server"] is the running process (a test may stop it and start another)."""
    port = free_port()
    holder = {"server": start_redis(port)}
    point_app_at(f"redis://127.0.0.1:{port}/0")
    try:
        yield port, holder
    finally:
        stop(holder["server"])
        point_app_at(None)


class WorkerProcess:
    """`celery -A iro_service worker` as a process of its own, on the test database, so it can be killed."""

    def __init__(self, *, port: int, email_dir: Path, pause_file: Path, lease_seconds: float, pool: str = "solo"):
        database = connection.settings_dict
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.accounts.worker_settings",
            "DATABASE_URL": (
                f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
                f"/{database['NAME']}"
            ),
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{port}/0",
            "IRO_TEST_EMAIL_DIR": str(email_dir),
            "IRO_TEST_EMAIL_PAUSE": str(pause_file),
            "IRO_TEST_NOTIFICATION_LEASE_SECONDS": str(lease_seconds),
        }
        if database.get("PASSWORD"):
            self.env["PGPASSWORD"] = database["PASSWORD"]
        self.pool = pool
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - this interpreter running celery with fixed arguments
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "iro_service",
                "worker",
                f"--pool={self.pool}",
                "--concurrency=1",
                "--loglevel=WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: a kill reaches a prefork child too
        )

    def kill(self) -> None:
        """SIGKILL: no clean-up, no acknowledgement, no rollback of what it did."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_for(condition, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")

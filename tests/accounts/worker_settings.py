"""Settings for a Celery worker that a test runs as a separate process (so it can be killed).

The test passes DATABASE_URL (its own test database), CELERY_BROKER_URL (its own redis-server),
IRO_TEST_EMAIL_DIR and IRO_TEST_NOTIFICATION_LEASE_SECONDS in the environment.
"""

import os
from datetime import timedelta

from iro_service.settings.test import *  # noqa: F403

EMAIL_BACKEND = "tests.flaky_email.PausingFileBackend"
EMAIL_FILE_PATH = os.environ["IRO_TEST_EMAIL_DIR"]
IRO_NOTIFICATION_LEASE = timedelta(seconds=float(os.environ["IRO_TEST_NOTIFICATION_LEASE_SECONDS"]))

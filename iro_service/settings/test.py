"""`make test`: the real PostgreSQL and Redis on this machine."""

import os
import secrets

from .base import *  # noqa: F403
from .base import env

DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/iro_service"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# As the runtime role has it (scripts/ensure_db_roles.py): the tests connect as the superuser, and
# once earlier tests have filled and emptied the tables the planner's estimates make it JIT-compile
# the dashboard's aggregates, ~2 s a request (the query fuzz took 30 s a page instead of 5).
DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/15")
# Each test run publishes to and consumes from a queue of its own on the machine's Redis, so that
# another run, or a worker left over from one, can neither take this run's messages nor hand it
# theirs. Set in the environment, so a worker the tests start as a process uses the same queue.
CELERY_TASK_DEFAULT_QUEUE = os.environ.setdefault("IRO_TEST_CELERY_QUEUE", f"iro-test-{secrets.token_hex(6)}")

# Fast hashing keeps the suite quick; production uses Django's default (PBKDF2).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# The real Redis for the cache too (the API's request budgets), in a database of its own; keys
# carry this run's queue name, so two runs never count each other's requests.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env("IRO_CACHE_URL", default="redis://127.0.0.1:6379/14"),
        "KEY_PREFIX": CELERY_TASK_DEFAULT_QUEUE,
    }
}

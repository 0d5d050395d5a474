"""`make run`: embedded SQLite, demo data, no services. The default settings module."""

from .base import *  # noqa: F403
from .base import env

# Off by default, so `make run` shows the service's own error pages (a missing page is the
# site's "Page not found", not Django's debug 404 listing every URL); DJANGO_DEBUG=true for those.
DEBUG = env.bool("DJANGO_DEBUG", default=False)

# No Redis needed: tasks run in-process. `make worker` / `make beat` (and a `make run` started
# with CELERY_TASK_ALWAYS_EAGER=false) use the local Redis instead.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# SQLite keeps no partial unique index with NULLs counted as equal (ReportPDF's "one report PDF
# being made per request"): on `make run`'s single process the ask reuses a job in flight anyway,
# and PostgreSQL (tests, production) has the index.
SILENCED_SYSTEM_CHECKS = ["models.W047"]

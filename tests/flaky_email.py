"""An email backend for tests: the first message it is given fails, the rest go to locmem."""

import threading
from smtplib import SMTPException

from django.core.mail.backends.locmem import EmailBackend

_lock = threading.Lock()
failures = {"left": 1, "raised": 0}


class FailOnceBackend(EmailBackend):
    def send_messages(self, messages):
        with _lock:
            if failures["left"] > 0:
                failures["left"] -= 1
                failures["raised"] += 1
                raise SMTPException("421 Service not available (test)")
        return super().send_messages(messages)

"""Email backends for tests of delivery.

`FailOnceBackend`: the first message it is given is refused by the "server" (a 421 reply, so it
was not accepted), the rest go to locmem.

`PausingFileBackend` (used by a worker run as a separate process): writes each message to a
file in EMAIL_FILE_PATH, as the mail server accepting it; then, while the file named by
`IRO_TEST_EMAIL_PAUSE` exists, it writes `<that file>.paused` and waits, so a test can kill the
worker (or stop its broker) after the email went out and before the notification is marked sent.
"""

import os
import threading
import time
from pathlib import Path
from smtplib import SMTPResponseException

from django.core.mail.backends.filebased import EmailBackend as FileEmailBackend
from django.core.mail.backends.locmem import EmailBackend

_lock = threading.Lock()
failures = {"left": 1, "raised": 0}

SEPARATOR = b"-" * 79


class FailOnceBackend(EmailBackend):
    def send_messages(self, messages):
        with _lock:
            if failures["left"] > 0:
                failures["left"] -= 1
                failures["raised"] += 1
                raise SMTPResponseException(421, b"Service not available (test)")
        return super().send_messages(messages)


class PausingFileBackend(FileEmailBackend):
    def send_messages(self, messages):
        sent = super().send_messages(messages)
        pause = os.environ.get("IRO_TEST_EMAIL_PAUSE")
        if pause and Path(pause).exists():
            Path(f"{pause}.paused").write_text(str(os.getpid()))
            deadline = time.monotonic() + 120
            while Path(pause).exists() and time.monotonic() < deadline:
                time.sleep(0.05)
        return sent


def messages_in(folder: Path) -> list[bytes]:
    """Every message the file backend wrote in the folder."""
    messages = []
    for path in sorted(folder.glob("*.log")):
        messages.extend(chunk.strip() for chunk in path.read_bytes().split(SEPARATOR) if chunk.strip())
    return messages

"""The return check: export a collection year's SSDA903 files and run the Data to Insight validator
(csc-validator-be-903) over them, in its own environment (IRO_SSDA903_VALIDATOR_PYTHON), from a
Celery task, so that business support see the DfE rules the return breaks before sending it.

The validator runs as a separate process (scripts/validate_903.py prints one JSON object); its
problems are stored on the ReturnCheck row grouped by rule. The three files stay in the private
documents folder for download.
"""

import json
import shutil
import subprocess  # nosec B404
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from iro_service.queue import task_send_on_commit

from .return_check_models import ReturnCheck, ReturnCheckState
from .ssda903 import TABLES, ExportRefused, export_folder

SCRIPT = Path(settings.BASE_DIR) / "scripts" / "validate_903.py"
# The rows kept as examples under each rule (the count is always whole).
EXAMPLES_PER_RULE = 20
# A check left "running" this long after the validator's timeout was lost with its worker: the
# task, delivered again (acks late), claims it afresh.
LOST_AFTER = timedelta(minutes=5)


def validator_python() -> Path:
    return Path(settings.IRO_SSDA903_VALIDATOR_PYTHON)


def validator_installed() -> bool:
    return validator_python().is_file()


def not_installed_message() -> str:
    return (
        f"The Data to Insight validator is not installed: no Python at {validator_python()} "
        "(setting IRO_SSDA903_VALIDATOR_PYTHON). Build its environment with `make test` (it creates .venv-903 "
        "from requirements-903.txt) or set IRO_SSDA903_VALIDATOR_PYTHON, then run the check again."
    )


def check_folder(check: ReturnCheck) -> Path:
    return Path(settings.IRO_PRIVATE_DOCUMENTS_ROOT) / "return_checks" / str(check.pk)


def check_file(check: ReturnCheck, table: str) -> Path | None:
    """The check's file for `table` (header, episodes or reviews), if it was written."""
    if table not in TABLES or not check.folder:
        return None
    path = check_folder(check) / f"{table}.csv"
    return path if path.is_file() else None


@transaction.atomic
def return_check_request(*, year: int, requested_by: User) -> ReturnCheck:
    """Queue a check of the collection year ending 31 March `year`; the worker runs it."""
    check = ReturnCheck(year=year, requested_by=requested_by)
    check.full_clean()
    check.save()
    task_send_on_commit("reviews.tasks.run_return_check", check.pk, robust=True)
    return check


def _claim(check_id: int) -> bool:
    """Take the check for this run: one committed UPDATE whose row count says whether we won."""
    now = timezone.now()
    lost = now - timedelta(seconds=settings.IRO_SSDA903_VALIDATOR_TIMEOUT) - LOST_AFTER
    queued = ReturnCheck.objects.filter(pk=check_id, state=ReturnCheckState.QUEUED)
    abandoned = ReturnCheck.objects.filter(pk=check_id, state=ReturnCheckState.RUNNING, started_at__lt=lost)
    return bool((queued | abandoned).update(state=ReturnCheckState.RUNNING, started_at=now))


def _finish(check_id: int, state: str, **fields: object) -> None:
    ReturnCheck.objects.filter(pk=check_id).update(state=state, finished_at=timezone.now(), **fields)


def group_by_rule(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The validator's rows (one per failing cell) as one entry per DfE rule, most frequent first."""
    rules: dict[str, dict[str, Any]] = {}
    for error in errors:
        code = str(error.get("rule_code", "?"))
        rule = rules.setdefault(
            code, {"rule": code, "words": str(error.get("rule_description", "")), "count": 0, "examples": []}
        )
        rule["count"] += 1
        if len(rule["examples"]) < EXAMPLES_PER_RULE:
            rule["examples"].append(
                {
                    "child": str(error.get("child_id", "")),
                    "table": str(error.get("tables_affected", "")),
                    "columns": str(error.get("columns_affected", "")),
                    "row": error.get("row_id"),
                }
            )
    return sorted(rules.values(), key=lambda rule: (-rule["count"], rule["rule"]))


def return_check_run(check_id: int) -> str:
    """Run a queued check: export, validate, store the results. Returns the state it ends in."""
    if not _claim(check_id):
        return ReturnCheck.objects.get(pk=check_id).state  # another run has it, or it is done
    check = ReturnCheck.objects.get(pk=check_id)
    folder = check_folder(check)
    shutil.rmtree(folder, ignore_errors=True)  # a run taken over from a lost worker starts clean
    try:
        rows = export_folder(check.year, folder)
    except ExportRefused as error:
        _finish(check_id, ReturnCheckState.FAILED, message="The export was refused: " + "; ".join(error.problems[:20]))
        return ReturnCheckState.FAILED
    stored = str(folder.relative_to(settings.IRO_PRIVATE_DOCUMENTS_ROOT))
    ReturnCheck.objects.filter(pk=check_id).update(folder=stored, rows=rows)
    if not validator_installed():
        _finish(check_id, ReturnCheckState.UNAVAILABLE, message=not_installed_message())
        return ReturnCheckState.UNAVAILABLE
    # Our own script, a fixed argument list, no shell.
    command = [str(validator_python()), str(SCRIPT), str(folder), str(check.year), settings.IRO_AUTHORITY_LA_CODE]
    try:
        result = subprocess.run(  # noqa: S603  # nosec B603
            command, capture_output=True, text=True, timeout=settings.IRO_SSDA903_VALIDATOR_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        message = f"The validator did not finish within {settings.IRO_SSDA903_VALIDATOR_TIMEOUT:,} seconds."
        _finish(check_id, ReturnCheckState.FAILED, message=message)
        return ReturnCheckState.FAILED
    try:
        if result.returncode != 0:
            raise ValueError(result.stderr.strip().splitlines()[-1] if result.stderr.strip() else "no output")
        report = json.loads(result.stdout.strip().splitlines()[-1])
        errors = report["errors"]
    except (ValueError, KeyError, IndexError) as error:
        _finish(check_id, ReturnCheckState.FAILED, message=f"The validator stopped with an error: {error}"[:2000])
        return ReturnCheckState.FAILED
    _finish(check_id, ReturnCheckState.DONE, problem_count=len(errors), results=group_by_rule(errors), message="")
    return ReturnCheckState.DONE

"""The export checked by the DfE-rule validator (csc-validator-be-903), run in its own
environment (.venv-903, which `make test` builds: the validator pins pandas below 2)."""

import json
import subprocess
from datetime import date
from pathlib import Path

import pytest

from caseload.demo import build_demo
from reviews.ssda903 import export_folder

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent.parent
VALIDATOR_PYTHON = ROOT / ".venv-903" / "bin" / "python"


def _validate(folder: Path, year: int) -> dict:
    if not VALIDATOR_PYTHON.exists():
        pytest.fail("The validator's environment is missing: run `make test` (it builds .venv-903).")
    result = subprocess.run(  # noqa: S603 - our own script in our own environment
        [str(VALIDATOR_PYTHON), str(ROOT / "scripts" / "validate_903.py"), str(folder), str(year)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_demo_export_passes_every_dfe_rule(tmp_path, year):
    build_demo(children=300, today=date(2026, 11, 27))
    counts = export_folder(year, tmp_path)
    assert counts["header"] > 100
    assert counts["episodes"] > 100
    assert counts["reviews"] > 100
    report = _validate(tmp_path, year)
    assert report["errors"] == [], report["errors"][:10]


def test_the_validator_does_find_errors(tmp_path):
    """The check can fail: a broken export is reported."""
    build_demo(children=20, today=date(2026, 11, 27))
    export_folder(2026, tmp_path)
    header = (tmp_path / "header.csv").read_text().splitlines()
    header[1] = header[1].replace(",M,", ",X,").replace(",F,", ",X,")  # an invalid SEX code
    (tmp_path / "header.csv").write_text("\n".join(header) + "\n")
    report = _validate(tmp_path, 2026)
    assert "101" in {error["rule_code"] for error in report["errors"]}

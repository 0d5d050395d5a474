"""Run the Data to Insight SSDA903 validator (csc-validator-be-903) over a folder of CSVs.

Runs in its own virtual environment (.venv-903: the validator pins pandas below 2):
    .venv-903/bin/python scripts/validate_903.py FOLDER YEAR [LA_CODE]
Prints one JSON object: {"errors": [{"rule": ..., "table": ..., "row": ..., "message": ...}], "count": N}.
"""

import json
import sys
from pathlib import Path

from lac_validator import lac_validator
from lac_validator.report import Report
from lac_validator.rules.ruleset_utils import get_year_ruleset
from lac_validator.utils import process_uploaded_files


def main() -> None:
    folder, year = Path(sys.argv[1]), sys.argv[2]
    authority = sys.argv[3] if len(sys.argv) > 3 else "E06000042"
    names = [str(folder / f"{table}.csv") for table in ("header", "episodes", "reviews")]
    files = process_uploaded_files({"This year": names})
    registry = get_year_ruleset(year)
    validator = lac_validator.LacValidator(
        metadata={"collectionYear": year, "localAuthority": authority},
        files=files,
        registry=registry,
        selected_rules=None,
    )
    report = Report(validator.ds_results, registry)
    try:
        problems = lac_validator.create_issue_df(report.report, report.error_report)
    except ValueError as error:
        # The validator's own report builder cannot concatenate zero failures.
        if "No objects to concatenate" not in str(error):
            raise
        print(json.dumps({"count": 0, "errors": []}))
        return
    errors = [
        {
            key: (value if isinstance(value, (int, float, str)) or value is None else str(value))
            for key, value in row.items()
        }
        for row in problems.to_dict(orient="records")
    ]
    print(json.dumps({"count": len(errors), "errors": errors}, default=str))


if __name__ == "__main__":
    main()

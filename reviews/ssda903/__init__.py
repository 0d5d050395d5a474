"""SSDA903 (the DfE "children looked after" return): reading, checking, importing, exporting.

    parse    files -> records (records.py), a row at a time, each row checked as it is read
    check    the rules: pure functions from records to problem lines
    plan     the checked records as a typed plan: children, their periods of care and reviews
    apply    the service writing a plan in one transaction (import_files = plan + apply)
    export   the year's three files from the database
    upload   the upload page's files and session (reviews.views.ssda903_import)

Import is all or nothing by default: every file is read and every row checked first; any problem
is reported as `file:line: column: message` (the first 1,000, then how many more) and nothing is
written. With `valid_children_only`, every child whose rows are all valid is imported (in one
transaction) and each refused child is listed with its problems; a problem that names no child
(a file that cannot be read, a table missing) still refuses the whole import.

Files are checked against the code lists of their collection year (children.code_years): the year
chosen, or else the year of the latest DECOM, DEC or REVIEW date in the files. Each episode is
checked against the year it was last open in (a history file holds earlier years' episodes).
What the database holds for that year and the files no longer mention is listed, never deleted.

Then, in one transaction, children are created or updated by CHILD, periods of care by (child,
start), episodes by (period, DECOM) and held reviews by (child, REVIEW date); running the same
files again changes nothing. Periods follow docs/domain.md, "Periods of care and episodes": RNE S
starts one, L/P/T/B/U continue it (also a period already held, when a file begins in the middle of
it). Each imported review's
due date and place in its period come from reviews.timescales.

Bounded: a file over `IRO_SSDA903_MAX_BYTES` is refused before it is read; files are read a row
at a time and each row is kept as a small tuple of shared strings; the database is read and
written a batch of children at a time; the export streams rows from a server-side cursor.
"""

from .apply import CHILDREN_PER_BATCH, apply_plan, import_files
from .export import ExportRefused, export_folder, export_rows, export_tables
from .parse import describe_size, max_file_bytes, read_folder, read_tables
from .plan import ImportPlan, PlannedPeriod, plan_from_files
from .problems import MAX_PROBLEMS_LISTED, ImportProblems, Problems
from .records import DATE_FORMAT, EPISODES, HEADER, REVIEWS, TABLES, Source, collection_year
from .summary import REPORT_COLUMNS, ImportSummary, write_report

__all__ = [
    "CHILDREN_PER_BATCH",
    "DATE_FORMAT",
    "EPISODES",
    "HEADER",
    "MAX_PROBLEMS_LISTED",
    "REPORT_COLUMNS",
    "REVIEWS",
    "TABLES",
    "ExportRefused",
    "ImportPlan",
    "ImportProblems",
    "ImportSummary",
    "PlannedPeriod",
    "Problems",
    "Source",
    "apply_plan",
    "collection_year",
    "describe_size",
    "export_folder",
    "export_rows",
    "export_tables",
    "import_files",
    "max_file_bytes",
    "plan_from_files",
    "read_folder",
    "read_tables",
    "write_report",
]

"""Fast bulk inserts for large loads (demo and scale data; imports).

`bulk_create` spends most of its time compiling SQL for model instances: at national scale
(a million rows and more) that is many minutes. `BulkInserter` takes plain values, gives each
row its primary key up front (so that children can point at parents before anything is
written), and writes with PostgreSQL's COPY, or executemany elsewhere. Rows are not
validated here: callers insert only what the model rules allow, and say how they know.

On PostgreSQL the ids come from the table's own sequence (`nextval`, a block at a time in one
round trip), so an import running beside a "New child" or any other insert never hands out an
id someone else also gets; the sequence is never moved back. The embedded SQLite database of
`make run` has one writer at a time: there ids follow the highest one held.
"""

import json
from datetime import date, datetime
from decimal import Decimal
from io import StringIO
from typing import cast

from django.core.management.color import no_style
from django.db import connection
from django.db.models import NOT_PROVIDED, Max, Model

ID_BLOCK = 5000  # ids taken from the sequence per round trip

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: object) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, dict | list):  # a JSONField's value
        return json.dumps(value).translate(_COPY_ESCAPES)
    return str(value).translate(_COPY_ESCAPES)


class BulkInserter:
    """Collects rows of one model as values and writes them in batches."""

    def __init__(self, model: type[Model], *, batch_size: int = 20000) -> None:
        self.model = model
        # A column the database fills itself (db_default: the API's updated_at, stamped by a
        # trigger) is left out, so the database gives it its value.
        self.fields = [field for field in model._meta.concrete_fields if field.db_default is NOT_PROVIDED]
        self.batch_size = batch_size
        self.rows: list[tuple[object, ...]] = []
        self.written = 0
        self.ids: list[int] = []  # reserved and not yet given, last first
        self.sequenced = connection.vendor == "postgresql"
        if not self.sequenced:
            self.next_id = (model._default_manager.aggregate(highest=Max("pk"))["highest"] or 0) + 1

    def _next_id(self) -> int:
        if not self.sequenced:
            self.next_id += 1
            return self.next_id - 1
        if not self.ids:
            table, column = self.model._meta.db_table, self.model._meta.pk.column
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [connection.ops.quote_name(table), column, ID_BLOCK],
                )
                self.ids = sorted((row[0] for row in cursor.fetchall()), reverse=True)
        return self.ids.pop()

    def add(self, **values: object) -> int:
        """Queue one row (keyword names are field attnames, e.g. `child_id`); returns its id."""
        row_id = self._next_id()
        values["id"] = row_id
        row = []
        for model_field in self.fields:
            if model_field.attname in values:
                row.append(values[model_field.attname])
            elif model_field.default is not NOT_PROVIDED:
                row.append(model_field.get_default())
            elif model_field.null:
                row.append(None)
            elif model_field.blank:
                row.append("")
            else:
                raise ValueError(f"{self.model.__name__}.{model_field.attname} needs a value")
        self.rows.append(tuple(row))
        if len(self.rows) >= self.batch_size:
            self.flush()
        return row_id

    def flush(self) -> None:
        if not self.rows:
            return
        table = self.model._meta.db_table
        # Concrete fields always have a column (only relations such as many-to-many have none).
        columns = [cast(str, model_field.column) for model_field in self.fields]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                buffer = StringIO()
                for row in self.rows:
                    buffer.write("\t".join(_copy_text(value) for value in row))
                    buffer.write("\n")
                quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
                # Reviewed: table and column names come from model metadata; the rows are data.
                copy_sql = f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN"
                with cursor.cursor.copy(copy_sql) as copy:
                    copy.write(buffer.getvalue())
            else:
                prepared = [
                    [
                        model_field.get_db_prep_save(value, connection)
                        for model_field, value in zip(self.fields, row, strict=True)
                    ]
                    for row in self.rows
                ]
                placeholders = ", ".join(["%s"] * len(columns))
                quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
                # Reviewed: table and column names come from model metadata; values are parameters.
                insert = f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({placeholders})"  # noqa: S608 # nosec B608
                cursor.executemany(insert, prepared)
        self.written += len(self.rows)
        self.rows = []

    def finish(self) -> int:
        """Write what is queued; on SQLite, move the table's id sequence past the ids given out
        (on PostgreSQL they came from it: ids reserved and not used are skipped, as ever)."""
        self.flush()
        if self.sequenced:
            return self.written
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), [self.model]):
                cursor.execute(statement)
        return self.written

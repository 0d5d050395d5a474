"""Keyset pagination: a long list paged by where the last page ended, not by an OFFSET.

A page of a list sorted on keys (say due date, last name, first name, id) is "the next 50 rows
after these key values". The database walks an index from that point and stops after 50 rows,
so every page costs the same whether it is the first or the thousandth, and a child added or
removed while someone pages does not shift the rows by one. (`Paginator` counts and sorts the
whole list, then skips OFFSET rows: at a national caseload that is the page's whole cost.)

A list may be made of *groups* shown one after the other, each sorted on its own keys (children
with a due date first, by date; then those with none, by name), so that each group's sort can
come from an index and no key is ever NULL. The cursor, in the page's address, is opaque text:
which group, the key values of the row the page starts after (or ends before), and the
direction; `LAST` is the last page. A cursor that cannot be read is the first page.
"""

import base64
import binascii
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Model, Q, QuerySet


def key_int(value: Any) -> int:
    """A whole number as PostgreSQL's bigint holds it (a larger one could not be compared)."""
    if isinstance(value, bool) or not isinstance(value, int) or not -(2**63) <= value < 2**63:
        raise ValueError("not a key")
    return value


def key_str(value: Any) -> str:
    if not isinstance(value, str) or "\x00" in value:  # PostgreSQL text holds no NUL
        raise ValueError("not a key")
    return value


def key_date(value: Any) -> date:
    if not isinstance(value, str):
        raise ValueError("not a key")
    return date.fromisoformat(value)


@dataclass(frozen=True)
class Group:
    """One part of the list: its rows, and the keys it is sorted on (the last unique, e.g. pk),
    each with the function that reads its value back from a cursor (`key_date`, `key_str`, `key_int`:
    anything else in a cursor makes it unreadable, and the page the first)."""

    rows: QuerySet[Any]
    keys: Sequence[tuple[str, Callable[[Any], Any]]]


@dataclass(frozen=True)
class KeysetPage:
    """The rows of one page (iterate over it), the cursors either side, and the whole list's count."""

    items: list[Any]
    next_cursor: str | None
    previous_cursor: str | None
    count: int

    def __iter__(self) -> Iterator[Any]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous


def _encode(group: int, values: Sequence[Any], direction: str) -> str:
    plain = [value.isoformat() if isinstance(value, date) else value for value in values]
    text = json.dumps({"g": group, "k": plain, "d": direction}, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


LAST = "last"


def _decode(cursor: str, groups: Sequence[Group]) -> tuple[int, list[Any] | None, str] | None:
    if cursor == LAST:  # backward from the end of the last group
        return len(groups) - 1, None, "p"
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        group, values, direction = int(data["g"]), data["k"], data["d"]
        keys = groups[group].keys if 0 <= group < len(groups) else None
        if keys is None or direction not in ("n", "p") or len(values) != len(keys):
            return None
        return group, [read(value) for (_name, read), value in zip(keys, values, strict=True)], direction
    except (ValueError, TypeError, KeyError, IndexError, binascii.Error, UnicodeDecodeError, AttributeError):
        return None


def _beyond(keys: Sequence[str], values: Sequence[Any], after: bool) -> Q:
    """Rows after (or before) the key values in the sort order: (k1, k2, …) > (v1, v2, …),
    written so that the first key bounds an index scan."""
    lookup = "gt" if after else "lt"
    condition = Q(**{f"{keys[-1]}__{lookup}": values[-1]})
    for name, value in zip(reversed(keys[:-1]), reversed(values[:-1]), strict=True):
        condition = Q(**{f"{name}__{lookup}": value}) | (Q(**{name: value}) & condition)
    return Q(**{f"{keys[0]}__{lookup}e": values[0]}) & condition


def _rows(group: Group, values: Sequence[Any] | None, forward: bool, limit: int) -> list[Any]:
    names = [name for name, _read in group.keys]
    rows = group.rows
    if values is not None:
        rows = rows.filter(_beyond(names, values, after=forward))
    return list(rows.order_by(*(name if forward else f"-{name}" for name in names))[:limit])


def _key(row: Model, group: Group) -> list[Any]:
    return [getattr(row, name) for name, _read in group.keys]


def keyset_page(groups: Sequence[Group], cursor: str | None, size: int, count: int) -> KeysetPage:
    """The page the cursor points to (the first page if none, if it cannot be read, or if
    nothing is left where it points): at most `size` rows, and the cursors of the pages either
    side. One query for each group the page touches (each asks for one row more than the page,
    to know whether another page follows). `count` is the whole list's, counted by the caller
    (counting is the costly part of a list; each list knows its cheapest count)."""
    where = _decode(cursor, groups) if cursor else None
    start_group, values, direction = where if where else (0, None, "n")
    forward = direction == "n"
    found: list[tuple[int, Any]] = []  # (group, row), in the direction of travel
    group_index: int = start_group
    bound: list[Any] | None = values
    while 0 <= group_index < len(groups) and len(found) <= size:
        rows = _rows(groups[group_index], bound, forward, size + 1 - len(found))
        found.extend((group_index, row) for row in rows)
        group_index, bound = group_index + (1 if forward else -1), None
    more = len(found) > size  # a row beyond this page, in the direction of travel
    found = found[:size]
    if not forward:
        found.reverse()
    if not found:
        if where:  # the rows it pointed to have gone: start again
            return keyset_page(groups, None, size, count)
        return KeysetPage(items=[], next_cursor=None, previous_cursor=None, count=count)
    first_group, first = found[0]
    last_group, last = found[-1]
    after_this = _encode(last_group, _key(last, groups[last_group]), "n")
    before_this = _encode(first_group, _key(first, groups[first_group]), "p")
    if forward:
        next_cursor = after_this if more else None
        previous_cursor = before_this if where else None  # a page reached forward has one before it
    else:
        next_cursor = after_this if values is not None else None  # one reached backward has one after it
        previous_cursor = before_this if more else None
    items = [row for _group, row in found]
    return KeysetPage(items=items, next_cursor=next_cursor, previous_cursor=previous_cursor, count=count)

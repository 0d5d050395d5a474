"""Narrowing a list to one IRO by typing part of a name (the server finds them), not by choosing
from a drop-down of every IRO: at national scale that list held 1,334 names, 150 KB on every page.

A list's filter reads `iro_name` (what was typed) first, then `iro` (an IRO chosen by id, as the
links that choose one and the pages' own links carry it). One match narrows the list; several
are offered as links to choose from; none, or an id that is not an IRO's, shows everyone and says
why (templates/includes/iro_picker.html).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from iro_service.inputs import query_id

from .models import User
from .selectors import iro_users, iros_named

MATCHES_LISTED = 20
TYPED_MAX_LENGTH = 100
NOT_KNOWN = "Choose an IRO from the list: the one asked for is not known. Showing all IROs."


@dataclass(frozen=True)
class IROPick:
    chosen: User | None = None  # the IRO the list is narrowed to
    typed: str = ""  # what the box shows
    matches: list[User] = field(default_factory=list)  # several matched: choose one
    more: bool = False  # more than MATCHES_LISTED matched
    problem: str | None = None  # why everyone is shown

    @property
    def chosen_id(self) -> int | None:
        return self.chosen.pk if self.chosen else None


def iro_pick(params: Mapping[str, Any]) -> IROPick:
    """The IRO a list's query string asks for (two queries at most, whatever the number of IROs)."""
    # PostgreSQL's text holds no NUL; spaces are folded; a name is not a hundred letters long.
    typed = " ".join(str(params.get("iro_name") or "").replace("\x00", "").split())[:TYPED_MAX_LENGTH]
    if typed:
        found = list(iros_named(typed.split())[: MATCHES_LISTED + 1])
        if len(found) == 1:
            return IROPick(chosen=found[0], typed=str(found[0]))
        if not found:
            return IROPick(typed=typed, problem=f"No IRO's name holds \u201c{typed}\u201d. Showing all IROs.")
        return IROPick(typed=typed, matches=found[:MATCHES_LISTED], more=len(found) > MATCHES_LISTED)
    iro_id, problem = query_id(params, "iro", choose="an IRO", everyone="all IROs")
    if iro_id is None:
        return IROPick(problem=problem)
    chosen = iro_users(including_left=True).filter(pk=iro_id).first()
    if chosen is None:
        return IROPick(problem=NOT_KNOWN)
    return IROPick(chosen=chosen, typed=str(chosen))

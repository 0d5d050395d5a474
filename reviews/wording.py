"""A decision said to the child: the first draft of the wording in the letter to the child.

Decisions are written for the professionals, about the child ("Increase Ella's supervised
contact"); the letter speaks to the child ("You will see your mum every Saturday"). The IRO
writes that wording next to each decision on the review record (`Decision.for_child`). Until
they do, this rule offers a draft, and the letter uses the same draft: the child's name turned
into "you". It cannot rewrite a sentence as a person would, which is why the IRO is asked to.

Pure: no ORM, no clock.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from children.models import Child

import re
from collections.abc import Iterable

# "Ella is" is "you are", not "you is": the verbs that follow a name in a decision most often.
_VERBS = {
    "is": "are",
    "was": "were",
    "has": "have",
    "does": "do",
    "isn't": "aren't",
    "wasn't": "weren't",
    "hasn't": "haven't",
    "doesn't": "don't",
}


def child_names(child: "Child") -> list[str]:
    """The names a decision may use for the child: full names first, then the given names.
    Not the family name alone: "Mrs Jones" is the child's mother, not "Mrs you"."""
    given = [name for name in (child.preferred_name, child.first_name) if name]
    return [f"{name} {child.last_name}" for name in given if child.last_name] + given


def for_child_draft(text: str, names: Iterable[str]) -> str:
    """`text` with the child's names (full name first, then each given name) said as "you"."""
    draft = " ".join(text.split())
    wanted = sorted({name.strip() for name in names if name and name.strip()}, key=len, reverse=True)
    if not draft or not wanted:
        return draft
    name = "|".join(re.escape(each) for each in wanted)
    verbs = "|".join(re.escape(verb) for verb in _VERBS)
    # Minute style: "Ella to attend the dentist" is "You will attend the dentist" at a sentence start.
    draft = re.sub(rf"(^|[.!?]\s+)(?:{name}) to\b", r"\1you will", draft, flags=re.IGNORECASE)
    draft = re.sub(rf"\b(?:{name})(?:'s|’s|')(?!\w)", "your", draft, flags=re.IGNORECASE)
    draft = re.sub(
        rf"\b(?:{name}) ({verbs})(?!\w)",
        lambda match: f"you {_VERBS[match.group(1).lower()]}",
        draft,
        flags=re.IGNORECASE,
    )
    draft = re.sub(rf"\b(?:{name})\b", "you", draft, flags=re.IGNORECASE)
    # A sentence that now starts with "you" or "your" starts with a capital.
    return re.sub(r"(^|[.!?]\s+)(you)", lambda match: match.group(1) + "You", draft)

"""Validators shared by the forms, the SSDA903 import and the models: defined once here."""

import re

from django.core.exceptions import ValidationError

CHILD_ID_MAX_LENGTH = 10
_CHILD_ID = re.compile(rf"[A-Za-z0-9]{{1,{CHILD_ID_MAX_LENGTH}}}")


def child_id_problem(value: str) -> str | None:
    """Why `value` cannot be an SSDA903 CHILD id, or None if it can.

    CHILD ids are the authority's own short codes: letters and digits only, at most ten. Anything
    else (a formula such as =1+1, markup, spaces, line breaks) is refused, so that no export or
    spreadsheet ever receives it.
    """
    if not value:
        return "CHILD is required."
    if len(value) > CHILD_ID_MAX_LENGTH:
        return f"A CHILD id has at most {CHILD_ID_MAX_LENGTH} characters; this one has {len(value)}."
    if not _CHILD_ID.fullmatch(value):
        return "A CHILD id has only letters and digits (no spaces, punctuation or symbols)."
    return None


def validate_child_id(value: str) -> None:
    problem = child_id_problem(value)
    if problem:
        raise ValidationError(problem, code="child_id")

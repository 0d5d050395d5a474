"""Telephone numbers staff give for their work (printed in letters to children): checked
loosely as UK numbers. One home for the rule, used by the model field and so by every form."""

import re

from django.core.exceptions import ValidationError

PHONE_EXAMPLE = "01632 960 001, 07700 900 982 or +44 808 157 0192"
_ALLOWED = re.compile(r"\+?[0-9 ()]+")


def validate_uk_phone(value: str) -> None:
    """Digits, spaces and brackets, with a + only at the start: 0 and 9 or 10 more digits, or
    +44 and 9 or 10 more (the leading 0 dropped, or shown as "(0)")."""
    number = value.strip()
    international = number.startswith("+")
    # "+44 (0)1632 960001": the bracketed 0 is how people show the digit dialled from inside the UK.
    digits = re.sub(r"\D", "", number.replace("(0)", "", 1) if international else number)
    uk = (international and digits.startswith("44") and len(digits) in (11, 12)) or (
        not international and digits.startswith("0") and len(digits) in (10, 11)
    )
    if not _ALLOWED.fullmatch(number) or not uk:
        raise ValidationError(
            f"Enter a UK telephone number, like {PHONE_EXAMPLE}, using only digits, spaces, brackets and a + at "
            "the start.",
            code="invalid_phone",
        )

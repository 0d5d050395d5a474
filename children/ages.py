"""Age arithmetic, shared by validation, participation codes and reports."""

from datetime import MAXYEAR, MINYEAR, date


def age_on(date_of_birth: date, day: date) -> int:
    """Whole years of age on `day`. A 29 February birthday falls on 1 March in other years."""
    had_birthday = (day.month, day.day) >= (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - (0 if had_birthday else 1)


def birthday(date_of_birth: date, years: int) -> date:
    """The day a child turns `years`, as `age_on` counts: a 29 February birthday falls on 1 March
    in a year without one. A day past the calendar (no real child) is the furthest date there is."""
    year = date_of_birth.year + years
    if year > MAXYEAR:
        return date.max
    try:
        return date_of_birth.replace(year=year)
    except ValueError:  # 29 February in a year that has none
        return date(year, 3, 1)


def retention_until(date_of_birth: date) -> date:
    """reg 50: a looked-after child's records are kept until their 75th birthday."""
    return birthday(date_of_birth, 75)


def latest_birth_date_for_age(day: date, years: int) -> date:
    """The latest date of birth of a child aged at least `years` on `day` (as `age_on` counts),
    so that age bands can be counted in the database by comparing dates of birth."""
    if day.year - years < MINYEAR:  # nobody can be that old on `day`: the earliest date there is
        return date.min
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February, back in a year that has none: born 28 February or before
        return date(day.year - years, 2, 28)

"""What the write tests send: a child, their first episode, and the URLs."""

from datetime import UTC, date, datetime

import time_machine

CHILD_ID = "C100"
CHILD = {
    "first_name": "Sam",
    "last_name": "Taylor",
    "SEX": "M",
    "DOB": "2012-01-01",
    "ETHNIC": "WBRI",
    "UPN": "A123456789012",
}
START = date(2025, 1, 6)  # a Monday; the first review is due 20 working days later, 3 Feb 2025
FIRST_EPISODE = {
    "DECOM": "2025-01-06",
    "RNE": "S",
    "LS": "C2",
    "CIN": "N1",
    "PLACE": "U4",
    "PLACE_PROVIDER": "PR1",
    "HOME_POST": "MK9 3EJ",
    "PL_POST": "MK9 3EJ",
}


def child_url(child_id: str = CHILD_ID) -> str:
    return f"/api/v1/care-events/children/{child_id}/"


def episodes_url(child_id: str = CHILD_ID) -> str:
    return f"/api/v1/care-events/children/{child_id}/episodes/"


def allocation_url(child_id: str = CHILD_ID) -> str:
    return f"/api/v1/care-events/children/{child_id}/allocation/"


def on(day: date) -> time_machine.travel:
    """Travel to noon (UTC) on `day`: the services' `today` is the day the case system sends."""
    return time_machine.travel(datetime(day.year, day.month, day.day, 12, tzinfo=UTC), tick=False)

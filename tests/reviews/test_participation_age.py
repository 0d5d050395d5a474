"""PN0 and the 4th birthday (DfE rules 440/441, docs/domain.md, "Participation codes"): PN0 before the
4th birthday, PN1–PN7 after it, and either on the birthday itself; the same rule in the model,
the record page and the SSDA903 import. A 29 February birthday counts as children.ages.age_on
does: 29 February when the 4th birthday year has one (always, from 1901 to 2099), else 1 March."""

import csv
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from children.ages import age_on
from reviews.codes import ParticipationCode, ReviewStatus, fourth_birthday, participation_codes_on
from reviews.models import Review
from reviews.ssda903 import EPISODES, HEADER, REVIEWS, ImportProblems, import_files
from tests.factories import ChildFactory, PeriodOfCareFactory, ReviewFactory, child_in_care, claimed

LONDON = ZoneInfo("Europe/London")
PN0, PN1, PN7 = ParticipationCode.PN0, ParticipationCode.PN1, ParticipationCode.PN7
PN0_LATE = "REVIEW_CODE is PN0, but the child was 4 on the review date: PN0 is only for a child under 4"
PN1_EARLY = "REVIEW_CODE is PN1, but the child was 3 on the review date: a child under 4 is PN0"

# (date of birth, the 4th birthday)
BIRTHDAYS = [
    (date(2010, 5, 15), date(2014, 5, 15)),
    (date(2020, 2, 29), date(2024, 2, 29)),  # a leap-day child's 4th birthday is a 29 February
    (date(2096, 2, 29), date(2100, 3, 1)),  # ... except in 2100, not a leap year: 1 March, as age_on counts
    (date(2021, 12, 31), date(2025, 12, 31)),
]


@pytest.mark.parametrize(("born", "birthday"), BIRTHDAYS)
def test_the_fourth_birthday_is_the_day_age_on_first_says_four(born, birthday):
    assert fourth_birthday(born) == birthday
    assert age_on(born, birthday - timedelta(days=1)) == 3
    assert age_on(born, birthday) == 4


def test_fourth_birthday_agrees_with_age_on_for_every_birthday_of_a_leap_cycle_and_2096():
    for start in (date(2019, 1, 1), date(2095, 1, 1)):
        for offset in range(366 * 4 + 1):
            born = start + timedelta(days=offset)
            birthday = fourth_birthday(born)
            assert age_on(born, birthday - timedelta(days=1)) == 3, born
            assert age_on(born, birthday) == 4, born


@pytest.mark.parametrize(("born", "birthday"), BIRTHDAYS)
def test_codes_offered_the_day_before_on_and_after_the_birthday(born, birthday):
    assert participation_codes_on(born, birthday - timedelta(days=1)) == [PN0]
    assert participation_codes_on(born, birthday) == list(ParticipationCode)
    assert participation_codes_on(born, birthday + timedelta(days=1)) == [c for c in ParticipationCode if c != PN0]


# --- Review.full_clean() ----------------------------------------------------------------------


def _held(born: date, held_on: date, code: str) -> Review:
    child = ChildFactory(date_of_birth=born)
    period = PeriodOfCareFactory(child=child, start=held_on - timedelta(days=90))
    review = ReviewFactory(period_of_care=period, due_date=held_on)
    review.status, review.held_on, review.participation_code = ReviewStatus.HELD, held_on, code
    return review


def _clean_problem(review: Review) -> list[str] | None:
    try:
        review.full_clean()
    except ValidationError as error:
        return error.message_dict.get("participation_code", []) or sorted(error.message_dict)
    return None


@pytest.mark.django_db
@pytest.mark.parametrize(("born", "birthday"), BIRTHDAYS)
@pytest.mark.parametrize(
    ("days_from_birthday", "code", "problem"),
    [
        (-1, PN0, None),
        (-1, PN1, PN1_EARLY),
        (0, PN0, None),
        (0, PN1, None),
        (0, PN7, None),
        (1, PN0, PN0_LATE),
        (1, PN1, None),
    ],
)
def test_the_model_accepts_either_on_the_birthday_only(born, birthday, days_from_birthday, code, problem):
    review = _held(born, birthday + timedelta(days=days_from_birthday), code)
    assert _clean_problem(review) == ([problem] if problem else None)


# --- The record page --------------------------------------------------------------------------


def _record(review, **fields) -> dict:
    return claimed(
        review,
        "record",
        {
            "attendees-TOTAL_FORMS": "0",
            "attendees-INITIAL_FORMS": "0",
            "decisions-TOTAL_FORMS": "0",
            "decisions-INITIAL_FORMS": "0",
            **fields,
        },
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("born", "start", "today", "held_on", "code", "accepted"),
    [
        # Born Mon 2 Mar 2022: 4 on Mon 2 Mar 2026.
        (date(2022, 3, 2), date(2026, 2, 16), date(2026, 3, 4), date(2026, 3, 1), PN0, True),
        (date(2022, 3, 2), date(2026, 2, 16), date(2026, 3, 4), date(2026, 3, 2), PN0, True),
        (date(2022, 3, 2), date(2026, 2, 16), date(2026, 3, 4), date(2026, 3, 2), PN1, True),
        (date(2022, 3, 2), date(2026, 2, 16), date(2026, 3, 4), date(2026, 3, 3), PN0, False),
        # Born 29 Feb 2020: 4 on Thu 29 Feb 2024.
        (date(2020, 2, 29), date(2024, 2, 1), date(2024, 3, 4), date(2024, 2, 28), PN1, False),
        (date(2020, 2, 29), date(2024, 2, 1), date(2024, 3, 4), date(2024, 2, 29), PN0, True),
        (date(2020, 2, 29), date(2024, 2, 1), date(2024, 3, 4), date(2024, 3, 1), PN0, False),
    ],
)
def test_the_chair_marks_a_review_held_with_either_code_on_the_birthday(
    client, iro, born, start, today, held_on, code, accepted
):
    with time_machine.travel(datetime.combine(today, datetime.min.time(), LONDON).replace(hour=9), tick=False):
        _, review = child_in_care(iro, start=start, born=born)
        client.force_login(iro)
        response = client.post(
            reverse("reviews:detail", args=[review.pk]),
            _record(review, mark_held="1", held_on=held_on.isoformat(), participation_code=code),
        )
    review.refresh_from_db()
    if accepted:
        assert response.status_code == 302
        assert (review.status, review.held_on, review.participation_code) == (ReviewStatus.HELD, held_on, code)
    else:
        assert response.status_code == 200
        assert (PN0_LATE if code == PN0 else PN1_EARLY) in response.content.decode()
        assert review.status != ReviewStatus.HELD


def _offered(page: str) -> set[str]:
    return {code for code in ParticipationCode.values if f'value="{code}"' in page}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("today", "offered"),
    [
        (date(2026, 3, 1), {"PN0"}),
        (date(2026, 3, 2), set(ParticipationCode.values)),
        (date(2026, 3, 3), set(ParticipationCode.values) - {"PN0"}),
    ],
)
def test_the_record_page_offers_both_on_the_birthday(client, iro, today, offered):
    with time_machine.travel(datetime.combine(today, datetime.min.time(), LONDON).replace(hour=9), tick=False):
        _, review = child_in_care(iro, start=date(2026, 2, 16), born=date(2022, 3, 2))
        client.force_login(iro)
        page = client.get(reverse("reviews:detail", args=[review.pk])).content.decode()
    assert _offered(page) == offered


# --- The SSDA903 import -----------------------------------------------------------------------

# As tests/reviews/test_ssda903.py builds them: A1 is born 01/06/2011 and looked after from
# 14/04/2014 (care still open, one review before); C3 is born 29/02/2020 and looked after from 03/02/2024.
HEADER_ROWS = [
    ["A1", "F", "01/06/2011", "WBRI", "", "0", ""],
    ["C3", "M", "29/02/2020", "WBRI", "", "", ""],
]
EPISODE_ROWS = [
    ["A1", "14/04/2014", "S", "C1", "N1", "U6", "PR1", "", "", "", "MK9 3EJ", "NN1 1DE", ""],
    ["C3", "03/02/2024", "S", "C2", "N1", "U4", "PR1", "", "", "", "MK9 3EJ", "NN1 1DE", ""],
]
REVIEW_ROWS = [["A1", "01/06/2011", "13/05/2014", "PN0"]]
A1 = ["A1", "01/06/2011"]
C3 = ["C3", "29/02/2020"]


def _csv(columns: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([columns, *rows])
    return out.getvalue().encode()


def _files_with_review(row: list[str]) -> dict[str, bytes]:
    """The files, with `row` as line 3 of the reviews file."""
    return {
        "header.csv": _csv(HEADER, HEADER_ROWS),
        "episodes.csv": _csv(EPISODES, EPISODE_ROWS),
        "rev.csv": _csv(REVIEWS, [*REVIEW_ROWS, row]),
    }


def _problems(files: dict[str, bytes]) -> list[str]:
    with pytest.raises(ImportProblems) as raised:
        import_files(files)
    return raised.value.problems


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["PN0", "PN1"])
def test_the_import_accepts_either_code_on_the_fourth_birthday(code):
    import_files(_files_with_review([*A1, "01/06/2015", code]))
    review = Review.objects.get(child__local_id="A1", held_on=date(2015, 6, 1))
    assert (review.status, review.participation_code) == (ReviewStatus.HELD, code)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("held_on", "code", "message"),
    [
        ("31/05/2015", "PN1", PN1_EARLY),
        ("02/06/2015", "PN0", PN0_LATE),
    ],
)
def test_the_import_refuses_the_wrong_code_the_day_before_and_after(held_on, code, message):
    problems = _problems(_files_with_review([*A1, held_on, code]))
    assert f"rev.csv:3: REVIEW_CODE: {message}" in problems
    assert not Review.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("held_on", "code", "message"),
    [
        ("28/02/2024", "PN1", PN1_EARLY),
        ("29/02/2024", "PN0", None),
        ("29/02/2024", "PN1", None),
        ("01/03/2024", "PN0", PN0_LATE),
    ],
)
def test_the_import_on_a_leap_day_childs_fourth_birthday(held_on, code, message):
    files = _files_with_review([*C3, held_on, code])
    if message:
        assert f"rev.csv:3: REVIEW_CODE: {message}" in _problems(files)
        assert not Review.objects.exists()
    else:
        import_files(files)
        review = Review.objects.get(child__local_id="C3", status=ReviewStatus.HELD)
        assert (review.held_on, review.participation_code) == (date(2024, 2, 29), code)

"""iro_service.keyset on the caseload lists: every child once, in the lists' order, whichever way
one pages; a cursor that cannot be read is the first page; a page costs one query a group."""

import base64
import json
import math
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import Team, User
from children.selectors import children_looked_after, children_looked_after_count
from iro_service.keyset import LAST, keyset_page
from reviews.selectors import caseload_groups, children_with_next_review, reviews_to_book, reviews_to_book_count

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 27)
SIZE = 7


@pytest.fixture
def everyone():
    """The demo authority (children with and without a next review date), in the lists' order."""
    call_command("seed_demo", children=60, today=TODAY, stdout=StringIO())
    children = list(children_with_next_review(today=TODAY))  # ordered: due date (none last), name, id
    assert any(child.next_review_due is None for child in children)  # both groups are there
    return children


def _groups():
    return caseload_groups(children_with_next_review(today=TODAY))


def _forward():
    pages, cursor = [], None
    while True:
        page = keyset_page(_groups(), cursor, SIZE, count=0)
        pages.append(page)
        if not page.has_next:
            return pages
        cursor = page.next_cursor


def test_paging_forward_lists_every_child_once_in_the_lists_order(everyone):
    pages = _forward()
    assert [child.pk for page in pages for child in page] == [child.pk for child in everyone]
    assert len(pages) == math.ceil(len(everyone) / SIZE)
    assert all(len(page) == SIZE for page in pages[:-1])
    assert not pages[0].has_previous
    assert all(page.has_previous for page in pages[1:])


def test_paging_back_from_the_last_page_gives_the_same_pages(everyone):
    forward = _forward()
    back = [forward[-1]]
    while back[-1].has_previous:
        back.append(keyset_page(_groups(), back[-1].previous_cursor, SIZE, count=0))
    assert [[child.pk for child in page] for page in reversed(back)] == [
        [child.pk for child in page] for page in forward
    ]
    assert not back[-1].has_previous
    assert back[-1].has_next


def _cursor(data) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "not a cursor",
        "%%%",
        _cursor([1, 2]),
        _cursor({"g": 5, "k": ["2026-01-01", "A", "B", 1], "d": "n"}),
        _cursor({"g": 0, "k": ["2026-01-01", "A", "B"], "d": "n"}),  # one key short
        _cursor({"g": 0, "k": ["2026-01-01", "A", "B", 1], "d": "sideways"}),
        _cursor({"g": 0, "k": ["01/01/2026", "A", "B", 1], "d": "n"}),
        _cursor({"g": 0, "k": ["2026-01-01", "A", "B", 10**30], "d": "n"}),  # beyond bigint
        _cursor({"g": 0, "k": ["2026-01-01", "A\x00", "B", 1], "d": "n"}),  # NUL: no text holds it
        _cursor({"g": 1, "k": [None, "B", 1], "d": "p"}),
        _cursor({"g": 0, "k": ["2026-01-01", 5, "B", True], "d": "n"}),
    ],
)
def test_a_cursor_that_cannot_be_read_is_the_first_page(everyone, cursor):
    page = keyset_page(_groups(), cursor, SIZE, count=0)
    assert [child.pk for child in page] == [child.pk for child in everyone[:SIZE]]
    assert not page.has_previous


def test_a_cursor_past_every_row_starts_again_at_the_first_page(everyone):
    last = everyone[-1]
    cursor = _cursor({"g": 1, "k": ["\uffff", "\uffff", 2**62], "d": "n"})
    assert last.next_review_due is None
    page = keyset_page(_groups(), cursor, SIZE, count=0)
    assert [child.pk for child in page] == [child.pk for child in everyone[:SIZE]]


def test_a_page_within_one_group_is_one_query_and_one_across_both_is_two(everyone, django_assert_num_queries):
    dated = sum(child.next_review_due is not None for child in everyone)
    with django_assert_num_queries(1):
        assert len(keyset_page(_groups(), None, SIZE, count=0)) == SIZE
    with django_assert_num_queries(2):  # the dated children and then the first undated one
        assert len(keyset_page(_groups(), None, dated + 1, count=0)) == dated + 1


def test_the_count_is_the_number_of_children_the_list_holds(everyone):
    assert children_looked_after_count(today=TODAY) == len(everyone) == children_looked_after(today=TODAY).count()
    for iro in User.objects.filter(groups__name="iro"):
        listed = children_looked_after(today=TODAY, iro_id=iro.pk).count()
        assert children_looked_after_count(today=TODAY, iro_id=iro.pk) == listed


def test_the_last_page_holds_the_last_children_and_paging_back_from_it_lists_everyone(everyone):
    page = keyset_page(_groups(), LAST, SIZE, count=0)
    assert [child.pk for child in page] == [child.pk for child in everyone[-SIZE:]]
    assert page.has_previous
    assert not page.has_next
    seen = [child.pk for child in page]
    while page.has_previous:
        page = keyset_page(_groups(), page.previous_cursor, SIZE, count=0)
        seen = [child.pk for child in page] + seen
    assert seen == [child.pk for child in everyone]


def test_the_count_of_reviews_to_book_is_the_number_the_list_holds(everyone):
    filters = [{}] + [{"iro_id": pk} for pk in User.objects.filter(groups__name="iro").values_list("pk", flat=True)]
    filters += [{"team_id": pk} for pk in Team.objects.values_list("pk", flat=True)]
    for within in (0, 20, 260):
        for narrowing in filters:
            listed = reviews_to_book(today=TODAY, within_working_days=within, **narrowing).count()
            assert reviews_to_book_count(today=TODAY, within_working_days=within, **narrowing) == listed, narrowing
    assert reviews_to_book(today=TODAY, within_working_days=260).count() > 0

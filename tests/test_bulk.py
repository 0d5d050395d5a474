"""iro_service.bulk: values survive COPY, ids are given up front, sequences move on."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from children.models import Child
from iro_service.bulk import BulkInserter
from reviews.models import Decision
from tests.factories import ChildFactory, ReviewFactory

pytestmark = pytest.mark.django_db


def test_awkward_text_nulls_dates_and_booleans_survive():
    review = ReviewFactory()
    decisions = BulkInserter(Decision, batch_size=2)
    awkward = "Tab\\there,\nnew line, back\\slash \\N and \t tab; 'quotes' \"too\" — ünïcödé"
    first = decisions.add(review_id=review.pk, text=awkward, owner="Social worker", deadline=None)
    second = decisions.add(review_id=review.pk, text="Plain", owner="Carer", deadline=date(2014, 6, 1))
    third = decisions.add(review_id=review.pk, text="Third", owner="IRO", deadline=date(2014, 7, 1))
    assert decisions.finish() == 3
    assert Decision.objects.get(pk=first).text == awkward
    assert Decision.objects.get(pk=first).deadline is None
    assert Decision.objects.get(pk=second).deadline == date(2014, 6, 1)
    assert [second, third] == [first + 1, first + 2]


def test_ids_continue_after_existing_rows_and_the_sequence_moves_past_them():
    existing = ChildFactory()
    children = BulkInserter(Child)
    given = children.add(
        local_id="B1",
        first_name="Ada",
        last_name="Lovelace",
        date_of_birth=date(2010, 12, 10),
        sex="F",
        ethnicity="WBRI",
        created_at=datetime(2014, 4, 1, 9, tzinfo=ZoneInfo("Europe/London")),
    )
    children.finish()
    assert given == existing.pk + 1
    after = ChildFactory()
    assert after.pk > given
    assert Child.objects.get(pk=given).created_at == datetime(2014, 4, 1, 8, tzinfo=ZoneInfo("UTC"))


def test_a_missing_required_value_is_refused_before_anything_is_written():
    with pytest.raises(ValueError, match="Child.local_id needs a value"):
        BulkInserter(Child).add(first_name="Ada")

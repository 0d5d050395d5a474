"""iro_service.bulk: values survive COPY, ids are given up front from the sequence, and an insert
beside a load never gets one of its ids."""

import threading
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connections, transaction

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
    with pytest.raises(ValueError, match=r"Child\.local_id needs a value"):
        BulkInserter(Child).add(first_name="Ada")


def _child_values(local_id: str) -> dict:
    return {
        "local_id": local_id,
        "first_name": "Ada",
        "last_name": "Lovelace",
        "date_of_birth": date(2010, 12, 10),
        "sex": "F",
        "ethnicity": "WBRI",
        "created_at": datetime(2014, 4, 1, 9, tzinfo=ZoneInfo("Europe/London")),
    }


@pytest.mark.django_db(transaction=True)
def test_a_new_child_saved_beside_a_bulk_load_gets_an_id_of_its_own():
    # The web import holds its ids until it commits; a "New child" saved meanwhile, on another
    # connection, must not be given one of them (ids taken as MAX(id)+1 were: the load then
    # failed on a duplicate key).
    existing = ChildFactory(local_id="E1").pk  # the table's highest id is the sequence's last
    saved: list[int] = []

    def new_child_elsewhere() -> None:
        try:
            saved.append(ChildFactory(local_id="N1").pk)
        finally:
            connections.close_all()

    with transaction.atomic():
        children = BulkInserter(Child)
        given = [children.add(**_child_values(f"B{number}")) for number in range(3)]
        other = threading.Thread(target=new_child_elsewhere)
        other.start()
        other.join()
        assert children.finish() == 3
    assert len(saved) == 1
    assert saved[0] not in given
    assert sorted(Child.objects.values_list("pk", flat=True)) == sorted([existing, *given, *saved])
    assert ChildFactory(local_id="N2").pk > max(given + saved)

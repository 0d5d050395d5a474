"""The API's read side: what it shows of children, reviews and issued documents, the scopes it
asks for, the access log it writes, changed-since polling, cursor pages and its query counts."""

import hashlib
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.models import AccessAction, AccessLog, User
from api.scopes import Scope
from children.codes import AllocationKind
from children.models import Allocation, Child, PeriodOfCare
from reviews.models import Decision, Document, Review
from tests.api.read_seed import PDF, seed_child
from tests.factories import IROFactory

pytestmark = pytest.mark.django_db

READ_SCOPES = (Scope.CHILDREN_READ, Scope.REVIEWS_READ, Scope.DOCUMENTS_READ)


@pytest.fixture(autouse=True)
def _private_documents(settings, tmp_path):
    settings.IRO_PRIVATE_DOCUMENTS_ROOT = str(tmp_path / "documents")


@pytest.fixture
def reader(make_credential, api_for):
    credential = make_credential(*READ_SCOPES, name="Liquidlogic")
    api = api_for(credential)
    api.client_user = credential.client.user
    return api


def _all(api, url):
    """Every row of a list, following `next`, and the last page's cursor."""
    rows, page = [], api.get(url).json()
    rows += page["results"]
    while page["next"]:
        page = api.get(page["next"]).json()
        rows += page["results"]
    return rows, page["cursor"]


def test_a_child_shows_the_latest_period_the_case_holding_iro_and_the_next_review_with_its_rule(reader):
    seeded = seed_child()
    seeded.iro.first_name, seeded.iro.last_name = "Ada", "Okafor"
    seeded.iro.save()
    answer = reader.get(f"/api/v1/children/{seeded.child.local_id}/")
    assert answer.status_code == 200, answer.content
    child = answer.json()
    assert child["child_id"] == seeded.child.local_id
    assert child["current_period"] == {"start": "2025-01-06", "end": None, "reason_ended": None}
    assert child["case_holding_iro"] == {"id": seeded.iro.pk, "name": "Ada Okafor", "start": "2025-01-06"}
    assert child["next_review"] == {
        "id": seeded.next_review.pk,
        "status": "due",
        "due_date": "2025-04-20",
        "due_schedule": "reg33",
        "due_rule": "second review: within three months of the first on Mon 20 Jan 2025",
        "booked_for": None,
    }
    listed = reader.get("/api/v1/children/").json()["results"]
    assert [row["child_id"] for row in listed] == [seeded.child.local_id]
    assert listed[0] == child


def test_a_child_is_found_by_the_ssda903_child_id_and_an_unknown_one_is_404(reader):
    seeded = seed_child()
    assert reader.get(f"/api/v1/children/{seeded.child.pk}/").status_code == 404
    assert reader.get("/api/v1/children/NOBODY/").json() == {"detail": "No such child."}
    assert reader.get(f"/api/v1/children/{seeded.child.local_id}/").status_code == 200


def test_a_review_shows_dates_code_decisions_and_whether_outcomes_and_minutes_went_out_on_time(reader):
    seeded = seed_child()
    review = reader.get(f"/api/v1/reviews/{seeded.held.pk}/").json()
    assert review["child_id"] == seeded.child.local_id
    assert (review["status"], review["held_on"], review["participation_code"]) == ("held", "2025-01-20", "PN1")
    assert review["outcomes"] == {"due_on": "2025-01-27", "issued_on": "2025-01-27", "on_time": True}
    assert review["minutes"]["on_time"] is False
    assert [(d["owner"], d["deadline"]) for d in review["decisions"]] == [
        ("Social worker", "2025-01-20"),
        ("Designated teacher", None),
    ]
    assert set(review["decisions"][0]) == {"id", "text", "owner", "deadline", "completed_on"}
    booked = datetime(2025, 4, 14, 10, 30, tzinfo=ZoneInfo("Europe/London"))
    Review.objects.filter(pk=seeded.next_review.pk).update(status="booked", booked_for=booked)
    rows = reader.get(f"/api/v1/reviews/?child_id={seeded.child.local_id}").json()["results"]
    booked_row = next(row for row in rows if row["id"] == seeded.next_review.pk)
    assert booked_row["booked_for"] == "2025-04-14T10:30:00+01:00"
    assert booked_row["participation_code"] is None
    assert booked_row["outcomes"]["on_time"] is None


def test_issued_documents_are_listed_and_downloaded_and_unissued_ones_are_not(reader):
    seeded = seed_child()
    Document.objects.create(review=seeded.held, kind="minutes", version=1, created_by=seeded.iro, state="queued")
    rows = reader.get("/api/v1/documents/").json()["results"]
    assert [(row["id"], row["kind"], row["issued_on_time"]) for row in rows] == [(seeded.document.pk, "outcomes", True)]
    assert rows[0]["sha256"] == hashlib.sha256(PDF).hexdigest()
    download = reader.get(rows[0]["download"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF
    assert AccessLog.objects.filter(
        user=reader.client_user,
        action=AccessAction.DOWNLOAD,
        child_id=seeded.child.pk,
        object_id=str(seeded.document.pk),
    ).exists()


def test_a_document_whose_file_has_gone_is_404(reader, settings, tmp_path):
    seeded = seed_child()
    settings.IRO_PRIVATE_DOCUMENTS_ROOT = str(tmp_path / "elsewhere")
    answer = reader.get(f"/api/v1/documents/{seeded.document.pk}/download/")
    assert answer.status_code == 404
    assert answer.json() == {"detail": "This document's file is not available."}


ENDPOINTS = {
    Scope.CHILDREN_READ: ["/api/v1/children/", "/api/v1/children/{child}/"],
    Scope.REVIEWS_READ: ["/api/v1/reviews/", "/api/v1/reviews/{review}/"],
    Scope.DOCUMENTS_READ: [
        "/api/v1/documents/",
        "/api/v1/documents/{document}/",
        "/api/v1/documents/{document}/download/",
    ],
}


@pytest.mark.parametrize("scope", list(ENDPOINTS))
def test_each_endpoint_refuses_a_client_without_its_scope(make_credential, api_for, scope):
    seeded = seed_child()
    others = [other for other in Scope if other != scope]
    without, with_it = api_for(make_credential(*others)), api_for(make_credential(scope))
    for template in ENDPOINTS[scope]:
        url = template.format(child=seeded.child.local_id, review=seeded.held.pk, document=seeded.document.pk)
        refused = without.get(url)
        assert refused.status_code == 403, url
        assert refused.json() == {"detail": f"This client needs the scope '{scope}' for this call."}
        assert with_it.get(url).status_code == 200, url


def test_every_record_shown_writes_an_access_log_row_naming_the_client(make_credential, api_for):
    one, other = seed_child(), seed_child()
    first = make_credential(*READ_SCOPES, name="Mosaic")
    second = make_credential(*READ_SCOPES, name="Liquidlogic")
    api_for(first).get("/api/v1/children/")
    api_for(second).get(f"/api/v1/children/{one.child.local_id}/")
    api_for(second).get("/api/v1/reviews/")

    def rows(credential):
        return sorted(
            AccessLog.objects.filter(user=credential.client.user).values_list("child_id", "object_type", "action")
        )

    assert rows(first) == sorted([(one.child.pk, "api:child", "view"), (other.child.pk, "api:child", "view")])
    assert rows(second) == sorted(
        [(one.child.pk, "api:child", "view")]
        + [(seeded.child.pk, "api:review", "view") for seeded in (one, other) for _review in (1, 2)]
    )
    assert str(AccessLog.objects.filter(user=first.client.user).first().user) == "Mosaic (API client)"


def test_changed_since_finds_a_child_changed_by_a_bulk_update_of_any_part_it_shows(reader):
    one, other = seed_child(), seed_child()
    start = timezone.now()

    def changed_children(since):
        answer = reader.get("/api/v1/children/", {"changed_since": since.isoformat()})
        assert answer.status_code == 200, answer.content
        return [row["child_id"] for row in answer.json()["results"]]

    for write in (
        lambda: Review.objects.filter(pk=one.next_review.pk).update(due_date=date(2025, 4, 1)),
        lambda: PeriodOfCare.objects.filter(child=one.child).update(began_before_records=True),
        lambda: Allocation.objects.filter(child=one.child).update(start=date(2025, 1, 7)),
        lambda: Allocation.objects.create(
            child=one.child, iro=IROFactory(), kind=AllocationKind.COVER, start=date(2025, 2, 1), end=date(2025, 2, 8)
        ),
        lambda: Child.objects.filter(pk=one.child.pk).update(last_name="Changed"),
        lambda: User.objects.filter(pk=one.iro.pk).update(last_name="Renamed"),  # the case-holding IRO's name
    ):
        before = timezone.now()
        assert changed_children(before) == []
        write()
        assert changed_children(before) == [one.child.local_id]
    assert changed_children(start) == [one.child.local_id]
    assert sorted(changed_children(start.replace(year=2024))) == sorted([one.child.local_id, other.child.local_id])


def test_a_decision_added_changed_or_removed_moves_its_review(reader):
    seeded = seed_child()

    def changed_reviews(since):
        answer = reader.get("/api/v1/reviews/", {"changed_since": since.isoformat()})
        return [row["id"] for row in answer.json()["results"]]

    decision = Decision.objects.filter(review=seeded.held).first()
    for write in (
        lambda: Decision.objects.filter(pk=decision.pk).update(deadline=date(2025, 3, 1)),
        lambda: Decision.objects.create(review=seeded.held, text="Book a dentist.", owner="Carer"),
        lambda: Decision.objects.filter(text="Book a dentist.").delete(),
    ):
        before = timezone.now()
        assert changed_reviews(before) == []
        write()
        assert changed_reviews(before) == [seeded.held.pk]


def test_a_document_changed_by_a_bulk_update_is_listed_as_changed(reader):
    seeded = seed_child()
    before = timezone.now()
    assert reader.get("/api/v1/documents/", {"changed_since": before.isoformat()}).json()["results"] == []
    Document.objects.filter(pk=seeded.document.pk).update(issued_on_time=False)
    rows = reader.get("/api/v1/documents/", {"changed_since": before.isoformat()}).json()["results"]
    assert [(row["id"], row["issued_on_time"]) for row in rows] == [(seeded.document.pk, False)]


def test_pages_follow_each_other_in_change_order_and_the_last_cursor_brings_only_later_changes(reader):
    seeded = [seed_child() for _ in range(5)]
    rows, cursor = _all(reader, "/api/v1/children/?page_size=2")
    assert sorted(row["child_id"] for row in rows) == sorted(s.child.local_id for s in seeded)
    assert [row["changed_at"] for row in rows] == sorted(row["changed_at"] for row in rows)
    again = reader.get("/api/v1/children/", {"cursor": cursor}).json()
    assert again["results"] == []
    assert again["next"] is None
    assert again["cursor"] == cursor
    Child.objects.filter(pk=seeded[0].child.pk).update(first_name="Later")
    later = reader.get("/api/v1/children/", {"cursor": cursor}).json()
    assert [(row["child_id"], row["first_name"]) for row in later["results"]] == [(seeded[0].child.local_id, "Later")]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"changed_since": "yesterday"}, "changed_since: 'yesterday' is not a date and time"),
        ({"cursor": "not-ours"}, "cursor: not a cursor this API gave"),
        ({"page_size": "0"}, "page_size: give a whole number from 1 to 200."),
        ({"page_size": "201"}, "page_size: give a whole number from 1 to 200."),
    ],
)
def test_a_query_that_cannot_be_read_is_a_400_that_says_why(reader, query, message):
    answer = reader.get("/api/v1/reviews/", query)
    assert answer.status_code == 400
    assert answer.json()["detail"].startswith(message)


def test_an_offset_sent_unescaped_is_read(reader):
    seed_child()
    answer = reader.get("/api/v1/children/?changed_since=2020-01-01T00:00:00+00:00")
    assert answer.status_code == 200
    assert len(answer.json()["results"]) == 1


def test_archived_children_and_their_reviews_are_not_shown(reader):
    seeded = seed_child()
    seeded.child.archive(by=IROFactory(), reason="Retention period ended.")
    assert reader.get("/api/v1/children/").json()["results"] == []
    assert reader.get(f"/api/v1/children/{seeded.child.local_id}/").status_code == 404
    assert reader.get("/api/v1/reviews/").json()["results"] == []
    assert reader.get("/api/v1/documents/").json()["results"] == []


# Per list request: the credential (client and its user), the page, its prefetches, and the
# access log (the first row, then the rest in one statement), inside the request's savepoint.
# Children: the page and its three prefetches (periods, case-holding allocations, outstanding
# reviews); reviews: the page and the decisions; documents: the page.
LISTS = {"/api/v1/children/": 9, "/api/v1/reviews/": 7, "/api/v1/documents/": 6}


@pytest.mark.parametrize(("url", "queries"), list(LISTS.items()))
def test_a_list_page_runs_the_same_queries_for_few_or_many_records(reader, django_assert_num_queries, url, queries):
    iro = IROFactory()
    for size in (2, 6):
        while Child.objects.count() < size:
            seed_child(iro=iro)
        with django_assert_num_queries(queries):
            answer = reader.get(url, {"page_size": 200})
        assert answer.status_code == 200
        assert len(answer.json()["results"]) >= size

"""200 random views, edits, downloads and exports of children's records leave exactly 200
access-log rows, each naming the right child and action
(docs/architecture.md, "Access log and history")."""

import random
from collections import Counter
from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from accounts.models import AccessAction, AccessLog
from reviews import claims
from reviews.documents import private_storage
from reviews.models import Document, Review
from reviews.services import review_record_held
from tests.factories import child_in_care

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_documents(settings, tmp_path):
    settings.IRO_PRIVATE_DOCUMENTS_ROOT = str(tmp_path)


def test_two_hundred_random_actions_make_two_hundred_rows(client, iro, manager, business_support):
    children = []
    for number in range(5):
        child, review = child_in_care(iro)
        held = review_record_held(review=review, held_on=date(2025, 2, 3), chair=iro, participation_code="PN1")
        document = Document.objects.create(
            review=held,
            kind="outcomes",
            version=1,
            state="ready",
            created_by=iro,
            file_name=private_storage().save(f"{held.pk}/outcomes-v{number}.pdf", ContentFile(b"%PDF-1.7 test")),
        )
        following = Review.objects.get(period_of_care=held.period_of_care, status="due")
        children.append((child, following, document))

    def view_child(child, review, document):
        client.force_login(random_user())
        return client.get(reverse("caseload:child", args=[child.pk])), (child.pk, AccessAction.VIEW)

    def view_review(child, review, document):
        client.force_login(random_user())
        return client.get(reverse("reviews:detail", args=[review.pk])), (child.pk, AccessAction.VIEW)

    def record_visit(child, review, document):
        client.force_login(iro)
        visit = {"visited_on": "2025-03-01", "seen_alone": "True", "notes": "."}
        response = client.post(reverse("reviews:visit_new", args=[child.pk]), visit)
        return response, (child.pk, AccessAction.CHANGE)

    def save_record(child, review, document):
        client.force_login(iro)
        data = {
            "claim": claims.RECORD.claim(Review.objects.get(pk=review.pk)),
            "save_draft": "1",
            "worried_about": f"note {rng.random()}",
            "attendees-TOTAL_FORMS": "0",
            "attendees-INITIAL_FORMS": "0",
            "decisions-TOTAL_FORMS": "0",
            "decisions-INITIAL_FORMS": "0",
        }
        return client.post(reverse("reviews:detail", args=[review.pk]), data), (child.pk, AccessAction.CHANGE)

    def download(child, review, document):
        client.force_login(rng.choice([iro, manager]))
        response = client.get(reverse("reviews:document_download", args=[document.pk]))
        b"".join(response.streaming_content)
        return response, (child.pk, AccessAction.DOWNLOAD)

    def export(child, review, document):
        client.force_login(manager)
        response = client.get(reverse("caseload:dashboard_export", args=["ages", rng.choice(["csv", "xlsx"])]))
        return response, (None, AccessAction.EXPORT)

    rng = random.Random(2026)  # noqa: S311 - a test's reproducible choices, not a secret

    def random_user():
        return rng.choice([iro, manager, business_support])

    actions = [view_child, view_review, record_visit, save_record, download, export]
    expected = []
    for _ in range(200):
        action = rng.choice(actions)
        response, row = action(*rng.choice(children))
        assert response.status_code in (200, 302), (action.__name__, response.status_code)
        expected.append(row)

    rows = list(AccessLog.objects.order_by("pk").values_list("child_id", "action"))
    assert len(rows) == 200
    assert rows == expected
    assert len(Counter(action for _child, action in rows)) == 4  # views, changes, downloads, exports

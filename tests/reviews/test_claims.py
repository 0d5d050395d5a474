"""Every page that edits a review, an allocation or an escalation claims what it showed
(docs/architecture.md, "Concurrent writers"): a save from a page opened before someone else changed
the same things is refused (409 for a review), keeps what was typed, says what differs, and lands
when sent again; a save by another page that changed none of them is no conflict."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from audits.models import Escalation
from audits.services import escalation_move
from children.models import Allocation
from reviews import claims
from reviews.codes import ReviewStatus
from reviews.models import Decision, Review, Visit
from reviews.services import review_book, review_record_held, review_set_cover
from tests.factories import IROFactory, child_in_care, claimed

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Europe/London"))
RECORD_FORMSETS = {f"{p}-{c}_FORMS": "0" for p in ("attendees", "decisions") for c in ("TOTAL", "INITIAL")}


@pytest.fixture(autouse=True)
def monday_morning():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def review(iro):
    _child, review = child_in_care(iro, start=date(2026, 2, 16), born=date(2015, 6, 1))
    return review


def _refused(response, *texts: str) -> str:
    page = response.content.decode()
    assert response.status_code == 409, response.status_code
    assert "changed this review since you opened the page" in page
    for text in texts:
        assert text in page, text
    return page


def _claim_on(page: str) -> str:
    marker = 'name="claim" value="'
    start = page.index(marker) + len(marker)
    return page[start : page.index('"', start)]


def test_the_record_refuses_a_stale_save_keeps_the_text_and_lands_when_sent_again(client, iro, review):
    client.force_login(iro)
    url = reverse("reviews:detail", args=[review.pk])
    opened = claims.RECORD.claim(review)
    first = {"claim": opened, "save_draft": "1", "worried_about": "Contact with dad.", **RECORD_FORMSETS}
    assert client.post(url, first).status_code == 302
    mine = {**first, "worried_about": "School moves."}
    page = _refused(client.post(url, mine), "School moves.", "Contact with dad.", "What are we worried about?")
    assert Review.objects.get(pk=review.pk).worried_about == "Contact with dad."
    assert client.post(url, {**mine, "claim": _claim_on(page)}).status_code == 302
    assert Review.objects.get(pk=review.pk).worried_about == "School moves."


def test_before_the_review_refuses_a_stale_save(client, iro, review):
    client.force_login(iro)
    url = reverse("reviews:prepare", args=[review.pk])
    stale = claimed(review, "prepare", {"child_own_words": "I like my school."})
    assert (
        client.post(url, claimed(review, "prepare", {"child_own_words": "I want to see my brother."})).status_code
        == 302
    )
    page = _refused(client.post(url, stale), "I like my school.", "I want to see my brother.")
    assert Review.objects.get(pk=review.pk).child_own_words == "I want to see my brother."
    assert client.post(url, {**stale, "claim": _claim_on(page)}).status_code == 302
    assert Review.objects.get(pk=review.pk).child_own_words == "I like my school."


def test_a_booking_from_a_stale_page_is_refused(client, iro, business_support, review):
    client.force_login(business_support)
    url = reverse("reviews:book", args=[review.pk])
    stale = claimed(
        review,
        "book",
        {
            "day": "2026-03-10",
            "time": "14:00",
            "venue": "Foster home",
            "invitees-TOTAL_FORMS": "0",
            "invitees-INITIAL_FORMS": "0",
        },
    )
    review_book(
        review=review,
        booked_for=NOW + timedelta(days=2),
        venue="School",
        venue_chosen_by_child=True,
        booked_by=business_support,
    )
    _refused(client.post(url, stale), "Foster home", "School")
    stored = Review.objects.get(pk=review.pk)
    assert stored.venue == "School"
    assert stored.booked_for == NOW + timedelta(days=2)


def test_cancelling_a_booking_that_moved_is_refused(client, business_support, review):
    review_book(
        review=review,
        booked_for=NOW + timedelta(days=2),
        venue="School",
        venue_chosen_by_child=False,
        booked_by=business_support,
    )
    stale = claimed(review, "cancel", {"reason": "Child unwell."})
    review_book(
        review=review,
        booked_for=NOW + timedelta(days=3),
        venue="School",
        venue_chosen_by_child=False,
        booked_by=business_support,
        reschedule_reason="Exams.",
    )
    client.force_login(business_support)
    _refused(client.post(reverse("reviews:cancel_booking", args=[review.pk]), stale))
    assert Review.objects.get(pk=review.pk).status == ReviewStatus.BOOKED


def test_cover_from_a_stale_page_is_refused(client, manager, other_iro, iro, review):
    third = IROFactory(username="iro.three")
    stale = claimed(review, "cover", {"iro": third.pk, "ends_on": ""})
    review_set_cover(review=review, iro=other_iro)
    client.force_login(manager)
    _refused(client.post(reverse("reviews:cover", args=[review.pk]), stale), str(third), str(other_iro))
    assert Review.objects.get(pk=review.pk).covering_iro == other_iro


def test_pages_that_own_different_fields_do_not_refuse_each_other(client, iro, business_support, review):
    """Opened together: the record, Before the review, booking and cover all land, and each
    keeps its own fields."""
    record = {"claim": claims.RECORD.claim(review), "save_draft": "1", "worried_about": "Sleep.", **RECORD_FORMSETS}
    prepare = claimed(review, "prepare", {"child_own_words": "I want a dog."})
    book = claimed(
        review,
        "book",
        {
            "day": "2026-03-10",
            "time": "14:00",
            "venue": "School",
            "invitees-TOTAL_FORMS": "0",
            "invitees-INITIAL_FORMS": "0",
        },
    )
    cover = claimed(review, "cover", {"iro": "", "ends_on": ""})
    client.force_login(business_support)
    assert client.post(reverse("reviews:book", args=[review.pk]), book).status_code == 302
    assert client.post(reverse("reviews:cover", args=[review.pk]), cover).status_code == 302
    client.force_login(iro)
    assert client.post(reverse("reviews:detail", args=[review.pk]), record).status_code == 302
    assert client.post(reverse("reviews:prepare", args=[review.pk]), prepare).status_code == 302
    stored = Review.objects.get(pk=review.pk)
    assert stored.status == ReviewStatus.BOOKED
    assert stored.venue == "School"
    assert stored.worried_about == "Sleep."
    assert stored.child_own_words == "I want a dog."


def test_a_page_posted_without_its_claim_is_out_of_date(client, iro, review):
    client.force_login(iro)
    response = client.post(reverse("reviews:prepare", args=[review.pk]), {"child_own_words": "Hello."})
    assert response.status_code == 200
    assert "This page is out of date" in response.content.decode()
    assert Review.objects.get(pk=review.pk).child_own_words == ""


def test_a_conflict_on_a_review_with_no_history_names_nobody(client, iro, review):
    """Imported and demo reviews are written in bulk, without history rows: the refusal still
    explains itself (this was a 500)."""
    Review.history.filter(id=review.pk).update(history_user=None)
    client.force_login(iro)
    stale = {"claim": claims.RECORD.claim(review), "save_draft": "1", "worried_about": "Mine.", **RECORD_FORMSETS}
    Review.objects.filter(pk=review.pk).update(worried_about="Theirs.")
    assert "Someone else changed this review" in _refused(
        client.post(reverse("reviews:detail", args=[review.pk]), stale)
    )


def test_marking_held_before_the_pre_review_visit_is_explained(client, iro, review):
    Visit.objects.create(child=review.child, iro=iro, visited_on=date(2026, 2, 27))
    Review.objects.filter(pk=review.pk).update(child_visited_on=date(2026, 2, 27))
    client.force_login(iro)
    data = {
        "claim": claims.RECORD.claim(review),
        "mark_held": "1",
        "held_on": "2026-02-25",
        "participation_code": "PN1",
        **RECORD_FORMSETS,
    }
    response = client.post(reverse("reviews:detail", args=[review.pk]), data)
    assert response.status_code == 200
    assert "the review cannot be held before that visit" in response.content.decode()
    assert Review.objects.get(pk=review.pk).status == ReviewStatus.DUE


def test_a_reallocation_from_a_stale_page_is_refused(client, manager, iro, other_iro, review):
    third = IROFactory(username="iro.three")
    client.force_login(manager)
    url = reverse("children:allocate", args=[review.child_id])
    assert (
        client.post(url, {"iro": other_iro.pk, "start": "2026-03-02", "held_by_when_opened": iro.pk}).status_code == 302
    )
    response = client.post(url, {"iro": third.pk, "start": "2026-03-02", "held_by_when_opened": iro.pk})
    page = response.content.decode()
    assert response.status_code == 200
    assert f"Someone else changed this child&#x27;s IRO since you opened the page ({other_iro} holds them now)" in page
    assert Allocation.objects.get(child_id=review.child_id, end__isnull=True).iro == other_iro
    # Sent again from the refreshed page, it lands (a handover on the same day is not allowed: the day after).
    again = {"iro": third.pk, "start": "2026-03-03", "held_by_when_opened": other_iro.pk}
    assert client.post(url, again).status_code == 302
    assert Allocation.objects.get(child_id=review.child_id, end__isnull=True).iro == third


def test_moving_an_escalation_from_a_stale_page_is_refused(client, iro, review):
    escalation = Escalation.objects.create(
        child=review.child,
        raised_by=iro,
        raised_on=date(2026, 2, 20),
        theme="pep",
        concern="No PEP.",
        stage="informal_sw",
        stage_deadline=date(2026, 2, 27),
    )
    seen = escalation.stage_changes.count()
    escalation_move(escalation=escalation, to_stage="informal_tm", on=timezone.localdate(), moved_by=iro)
    client.force_login(iro)
    url = reverse("audits:escalation_detail", args=[escalation.pk])
    response = client.post(url, {"move": "1", "to_stage": "formal_director", "reason": "Urgent.", "changes_seen": seen})
    assert response.status_code == 200
    assert "Someone else moved this escalation on or closed it since you opened the page" in response.content.decode()
    assert Escalation.objects.get(pk=escalation.pk).stage == "informal_tm"


@pytest.mark.parametrize(
    ("name", "data", "role"),
    [
        ("children:allocate", {"iro": "", "start": "2026-03-02"}, "manager"),
        ("reviews:cover", {"iro": ""}, "manager"),
        (
            "reviews:book",
            {
                "day": "2026-03-10",
                "time": "14:00",
                "venue": "School",
                "invitees-TOTAL_FORMS": "0",
                "invitees-INITIAL_FORMS": "0",
            },
            "business_support",
        ),
    ],
)
def test_a_missing_claim_is_said_where_the_person_sees_it(client, request, review, name, data, role):
    client.force_login(request.getfixturevalue(role))
    argument = review.child_id if name == "children:allocate" else review.pk
    response = client.post(reverse(name, args=[argument]), data)
    assert response.status_code == 200
    assert "This page is out of date" in response.content.decode()


def _decision_post(review, decision, **extra) -> dict:
    data = {
        "claim": claims.RECORD.claim(Review.objects.get(pk=review.pk)),
        "save_draft": "1",
        "attendees-TOTAL_FORMS": "0",
        "attendees-INITIAL_FORMS": "0",
        "decisions-TOTAL_FORMS": "1",
        "decisions-INITIAL_FORMS": "1",
        "decisions-0-id": str(decision.pk),
        "decisions-0-text": decision.text,
        "decisions-0-owner": decision.owner,
        "decisions-0-DELETE": "on",
        **extra,
    }
    return data


def test_a_decision_is_removed_from_a_draft_but_kept_once_the_review_is_held(client, iro, review):
    client.force_login(iro)
    url = reverse("reviews:detail", args=[review.pk])
    typo = Decision.objects.create(review=review, text="Typo", owner="Social worker")
    assert client.post(url, _decision_post(review, typo)).status_code == 302
    assert not Decision.objects.filter(pk=typo.pk).exists()

    kept = Decision.objects.create(review=review, text="See the dentist.", owner="Carer")
    review_record_held(review=review, held_on=date(2026, 2, 27), chair=iro, participation_code="PN1")
    assert "decisions-0-DELETE" not in client.get(url).content.decode()
    held = _decision_post(review, kept, held_on="2026-02-27", participation_code="PN1")
    assert client.post(url, held).status_code == 302
    assert Decision.objects.filter(pk=kept.pk).exists()


def _wording_post(review, decision, for_child: str, claim: str) -> dict:
    return {
        "claim": claim,
        "save_draft": "1",
        "attendees-TOTAL_FORMS": "0",
        "attendees-INITIAL_FORMS": "0",
        "decisions-TOTAL_FORMS": "1",
        "decisions-INITIAL_FORMS": "1",
        "decisions-0-id": str(decision.pk),
        "decisions-0-text": decision.text,
        "decisions-0-owner": decision.owner,
        "decisions-0-for_child": for_child,
    }


def test_the_record_offers_a_draft_of_the_decision_said_to_the_child(client, iro, review):
    review.child.first_name, review.child.preferred_name = "Ella", ""
    review.child.save()
    decision = Decision.objects.create(review=review, text="Increase Ella's contact with her mother.", owner="SW")
    client.force_login(iro)
    page = client.get(reverse("reviews:detail", args=[review.pk])).content.decode()
    assert "Increase your contact with her mother.</textarea>" in page
    assert "Write this as you would say it to the child" in page
    # Saved as offered, it stays a draft that follows the decision if the decision changes.
    posted = _wording_post(review, decision, "Increase your contact with her mother.", _claim_on(page))
    assert client.post(reverse("reviews:detail", args=[review.pk]), posted).status_code == 302
    decision.refresh_from_db()
    assert decision.for_child == ""


def test_the_childs_wording_is_saved_beside_its_decision(client, iro, review):
    decision = Decision.objects.create(review=review, text="Increase supervised contact with mother.", owner="SW")
    client.force_login(iro)
    url = reverse("reviews:detail", args=[review.pk])
    posted = _wording_post(review, decision, "You will see your mum every Saturday.", claims.RECORD.claim(review))
    assert client.post(url, posted).status_code == 302
    decision.refresh_from_db()
    assert decision.for_child == "You will see your mum every Saturday."
    assert decision.text == "Increase supervised contact with mother."
    assert "You will see your mum every Saturday.</textarea>" in client.get(url).content.decode()


def test_a_stale_save_of_the_childs_wording_is_refused(client, iro, review):
    decision = Decision.objects.create(review=review, text="Increase supervised contact with mother.", owner="SW")
    client.force_login(iro)
    url = reverse("reviews:detail", args=[review.pk])
    opened = claims.RECORD.claim(review)
    # Someone else words it for the child after this page was opened.
    theirs = _wording_post(review, decision, "You will see your mum on Saturdays.", opened)
    assert client.post(url, theirs).status_code == 302
    mine = _wording_post(review, decision, "You will see your mum every week.", opened)
    _refused(client.post(url, mine), "You will see your mum every week.")
    decision.refresh_from_db()
    assert decision.for_child == "You will see your mum on Saturdays."

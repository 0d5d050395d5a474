"""The review and visit forms, each through its page."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from accounts.models import AccessLog
from audits.models import Escalation
from children.codes import AllocationKind, LegalStatus
from children.models import Allocation, Child
from reviews import claims
from reviews.codes import ReviewStatus
from reviews.models import Decision, Document, Review, Visit
from reviews.services import child_come_into_care, review_book, review_record_held, visit_record
from tests.factories import ChildFactory, claimed

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=LONDON)  # Monday
EPISODE = {"legal_status": LegalStatus.C2, "category_of_need": "N1", "placement_type": "U4"}


@pytest.fixture(autouse=True)
def monday_morning():
    with time_machine.travel(NOW, tick=False):
        yield


def _child_in_care(iro) -> Review:
    child = ChildFactory(date_of_birth=date(2015, 6, 1), first_name="Ella", last_name="Hart", preferred_name="")
    review = child_come_into_care(child=child, start=date(2026, 2, 16), episode_fields=EPISODE)
    Allocation.objects.create(child=child, iro=iro, kind=AllocationKind.CASE_HOLDING, start=date(2026, 2, 16))
    return review


def _booked(review, business_support, when=datetime(2026, 3, 4, 10, 0, tzinfo=LONDON)) -> Review:
    return review_book(
        review=review,
        booked_for=when,
        venue="Ella's school",
        venue_chosen_by_child=True,
        invitees=[{"name": "Ann Carer", "role": "Carer", "email": ""}],
        booked_by=business_support,
    )


def _record(review, **fields):
    data = {
        "claim": claims.RECORD.claim(Review.objects.get(pk=review.pk)),
        "attendees-TOTAL_FORMS": "0",
        "attendees-INITIAL_FORMS": "0",
        "decisions-TOTAL_FORMS": "0",
        "decisions-INITIAL_FORMS": "0",
    }
    return {**data, **fields}


def _messages(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


# 1. Visits ------------------------------------------------------------------------------------


def test_a_blank_visit_is_refused_with_a_message_for_each_missing_part(client, iro):
    review = _child_in_care(iro)
    client.force_login(iro)
    url = reverse("reviews:visit_new", args=[review.child_id])
    page = client.get(url).content.decode()
    assert '<option value="" selected>Choose</option>' in page  # "seen alone" is asked, never assumed
    response = client.post(url, {"visited_on": ""})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Enter the date of the visit." in body
    assert "Say whether the child was seen alone." in body
    assert "Enter notes of the visit" in body
    assert not Visit.objects.exists()
    visit = {"visited_on": "2026-02-27", "seen_alone": "False", "notes": "Carer present: Ella asked."}
    response = client.post(url, visit)
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert visit.seen_alone is False
    assert visit.notes == "Carer present: Ella asked."


def test_the_iro_corrects_a_visit_and_the_earlier_version_is_kept(client, iro, other_iro):
    review = _child_in_care(iro)
    visit = visit_record(
        child=review.child, iro=iro, visited_on=date(2026, 2, 27), seen_alone=True, notes="Talked about school."
    )
    client.force_login(iro)
    child_page = client.get(reverse("caseload:child", args=[review.child_id])).content.decode()
    url = reverse("reviews:visit_correct", args=[visit.pk])
    assert url in child_page
    page = client.get(url).content.decode()
    assert "Talked about school." in page
    assert 'value="2026-02-27"' in page
    # A reason is needed.
    response = client.post(url, {"visited_on": "2026-02-26", "seen_alone": "True", "notes": "Talked about school."})
    assert "Say why the visit is being corrected." in response.content.decode()
    response = client.post(
        url,
        {"visited_on": "2026-02-26", "seen_alone": "False", "notes": "Talked about school.", "reason": "Wrong day."},
    )
    assert response.status_code == 302
    assert _messages(response) == ["Visit corrected; the earlier version is kept in its history."]
    visit.refresh_from_db()
    assert (visit.visited_on, visit.seen_alone) == (date(2026, 2, 26), False)
    versions = list(visit.history.order_by("history_date").values_list("visited_on", "history_change_reason"))
    assert versions == [(date(2026, 2, 27), None), (date(2026, 2, 26), "Wrong day.")]
    assert visit.history.latest().history_user == iro
    # The outstanding review's pre-review visit follows the correction.
    assert Review.objects.get(pk=review.pk).child_visited_on == date(2026, 2, 26)
    history_page = client.get(url).content.decode()
    assert "Wrong day." in history_page
    assert "Fri 27 Feb 2026" in history_page
    # The correction is logged, and another IRO cannot correct it.
    logged = AccessLog.objects.filter(user=iro, object_type="visit", object_id=str(visit.pk), action="change")
    assert logged.filter(child_id=review.child_id).exists()
    client.force_login(other_iro)
    assert client.get(url).status_code == 404


# 2. The review form ---------------------------------------------------------------------------


def test_add_another_decision_keeps_what_was_typed_and_adds_a_row(client, iro):
    review = _child_in_care(iro)
    client.force_login(iro)
    data = _record(
        review,
        worried_about="Missed school.",
        add_decision="1",
        **{
            "decisions-TOTAL_FORMS": "2",
            "decisions-0-text": "Arrange a PEP meeting.",
            "decisions-0-owner": "Social worker",
            "decisions-1-text": "Half typed",
        },
    )
    response = client.post(reverse("reviews:detail", args=[review.pk]), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('data-testid="decision-row"') == 3
    assert 'name="decisions-TOTAL_FORMS" value="3"' in body
    assert "Arrange a PEP meeting." in body
    assert "Half typed" in body
    assert "Missed school." in body
    assert "is-invalid" not in body  # nothing was checked or saved yet
    assert not Decision.objects.exists()
    assert Review.objects.get(pk=review.pk).worried_about == ""


def test_the_decision_fields_have_room(client, iro):
    review = _child_in_care(iro)
    client.force_login(iro)
    body = client.get(reverse("reviews:detail", args=[review.pk])).content.decode()
    assert "Add another decision" in body
    # The decision has the full width; who and by when share the next line.
    assert re.search(r'<div class="col-12">\s*<div[^>]*id="div_id_decisions-0-text"', body)
    assert re.search(r'<div class="col-sm-7">\s*<div[^>]*id="div_id_decisions-0-owner"', body)
    assert 'class="col-md-1"' not in body  # no narrow column for Delete to spill out of


def test_marking_held_goes_to_the_documents(client, iro):
    review = _child_in_care(iro)
    client.force_login(iro)
    response = client.post(
        reverse("reviews:detail", args=[review.pk]),
        _record(review, mark_held="1", held_on="2026-03-02", participation_code="PN1"),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("reviews:detail", args=[review.pk]) + "#documents-heading"


# 3. Held before the booked day ----------------------------------------------------------------


def test_marking_held_before_the_booked_day_asks_to_confirm(client, iro, business_support):
    review = _booked(_child_in_care(iro), business_support)
    client.force_login(iro)
    url = reverse("reviews:detail", args=[review.pk])
    data = _record(review, mark_held="1", held_on="2026-03-02", participation_code="PN1", child_views="Fine.")
    response = client.post(url, data)
    body = response.content.decode()
    assert response.status_code == 200
    assert (
        "The review was booked for Wed 4 Mar 2026; you are marking it held on Mon 2 Mar 2026, earlier. Confirm?" in body
    )
    assert 'name="confirm_early" value="1"' in body
    assert "Fine." in body
    assert Review.objects.get(pk=review.pk).status == ReviewStatus.BOOKED
    data.pop("mark_held")
    response = client.post(url, {**data, "confirm_early": "1"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.HELD
    assert review.held_on == date(2026, 3, 2)


# 4. Reschedule ------------------------------------------------------------------------------


def test_reschedule_is_prefilled_and_says_rescheduled_and_keeps_invitees(client, iro, business_support):
    review = _booked(_child_in_care(iro), business_support)
    client.force_login(business_support)
    url = reverse("reviews:book", args=[review.pk])
    page = client.get(url).content.decode()
    assert 'name="day" value="2026-03-04"' in page
    assert 'name="time" value="10:00"' in page
    assert 'value="Ella&#x27;s school"' in page
    assert "The people already invited are kept: Ann Carer." in page
    response = client.post(
        url,
        {
            "claim": claims.BOOK.claim(Review.objects.get(pk=review.pk)),
            "day": "2026-03-05",
            "time": "10:00",
            "venue": "Ella's school",
            "reschedule_reason": "Exams.",
            "invitees-TOTAL_FORMS": "0",
            "invitees-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    assert _messages(response) == ["Review rescheduled for Ella Hart; the invitees are kept."]
    assert list(Review.objects.get(pk=review.pk).invitees.values_list("name", flat=True)) == ["Ann Carer"]


# 5. Cancel with no booking --------------------------------------------------------------------


def test_cancel_booking_without_a_booking_says_so(client, iro, business_support):
    review = _child_in_care(iro)
    client.force_login(business_support)
    url = reverse("reviews:cancel_booking", args=[review.pk])
    body = client.get(url).content.decode()
    assert "There is no booking to cancel" in body
    assert "None" not in body.split("<main", 1)[-1]
    assert f'href="{reverse("reviews:detail", args=[review.pk])}"' in body
    response = client.post(url, claimed(review, "cancel", {"reason": "Why not."}))
    assert response.status_code == 200
    assert "There is no booking to cancel" in response.content.decode()


# 6. New child ---------------------------------------------------------------------------------


def test_new_child_has_no_preselected_codes_and_plain_labels(client, business_support):
    client.force_login(business_support)
    url = reverse("reviews:child_new")
    body = client.get(url).content.decode()
    for label in ("Choose the legal status", "Choose the category of need", "Choose the placement"):
        assert f'<option value="" selected>{label}</option>' in body
    assert "Is she a mother herself?" in body
    assert "Her child&#x27;s date of birth" in body
    assert "SSDA903 MOTHER" not in body
    assert "MC_DOB" not in body
    response = client.post(
        url,
        {
            "local_id": "N200",
            "first_name": "Ivy",
            "last_name": "Hall",
            "date_of_birth": "2014-04-14",
            "sex": "F",
            "ethnicity": "WBRI",
            "looked_after_from": "2026-02-27",
        },
    )
    body = response.content.decode()
    for message in ("Choose the legal status.", "Choose the category of need.", "Choose the placement."):
        assert message in body
    assert not Child.objects.filter(local_id="N200").exists()


# 7. Allocate with no change -------------------------------------------------------------------


def test_allocating_to_the_same_iro_says_nothing_changed(client, iro, manager):
    review = _child_in_care(iro)
    client.force_login(manager)
    response = client.post(
        reverse("children:allocate", args=[review.child_id]),
        {"iro": iro.pk, "start": "2026-03-02", "held_by_when_opened": iro.pk},
    )
    assert response.status_code == 302
    assert _messages(response) == [f"Nothing changed: Ella Hart is already held by {iro}."]
    assert Allocation.objects.filter(child_id=review.child_id).count() == 1


# 8. Issue needs confirming --------------------------------------------------------------------


def test_issuing_a_document_needs_the_box_ticked(client, iro):
    review = _child_in_care(iro)
    held = review_record_held(review=review, held_on=date(2026, 3, 2), chair=iro, participation_code="PN1")
    document = Document.objects.create(review=held, kind="outcomes", version=1, state="ready", created_by=iro)
    client.force_login(iro)
    page = client.get(reverse("reviews:detail", args=[held.pk])).content.decode()
    assert "I understand issuing outcomes version 1 cannot be undone" in page
    url = reverse("reviews:document_issue", args=[document.pk])
    response = client.post(url)
    assert response["Location"].endswith("#documents-heading")
    assert "was not issued" in _messages(response)[0]
    document.refresh_from_db()
    assert document.issued_on is None
    client.post(url, {"understood": "on"})
    document.refresh_from_db()
    assert document.issued_on == date(2026, 3, 2)


# 9. Escalations -------------------------------------------------------------------------------


def test_escalation_forms_have_headings_later_stages_and_readable_dates(client, iro):
    review = _child_in_care(iro)
    client.force_login(iro)
    response = client.post(
        reverse("audits:escalation_new", args=[review.child_id]), {"theme": "pep", "concern": "No PEP."}
    )
    message = _messages(response)[0]
    escalation = Escalation.objects.get()
    due = escalation.stage_deadline
    assert f"is due by {due:%a} {due.day} {due:%b %Y}." in message
    assert "2026-" not in message
    body = client.get(reverse("audits:escalation_detail", args=[escalation.pk])).content.decode()
    assert "Move on to a later stage" in body
    assert "Close the escalation" in body
    assert 'value="informal_sw"' not in body  # the current stage is not offered
    assert 'value="informal_tm"' in body
    assert "Mon 2 Mar 2026" in body
    assert "2026-03-02" not in body

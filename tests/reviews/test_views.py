"""The review workflow through its pages: clear messages for bad input, history kept,
sensitive text kept from business support, fixed queries on the lists."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from children.codes import AllocationKind, LegalStatus
from children.models import Allocation, Child
from reviews import claims
from reviews.codes import ReviewStatus
from reviews.models import Booking, Review
from reviews.services import child_come_into_care, review_book, review_record_preparation, visit_record
from tests.factories import ChildFactory, claimed

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=LONDON)  # Monday
EPISODE = {"legal_status": LegalStatus.C2, "category_of_need": "N1", "placement_type": "U4"}


@pytest.fixture(autouse=True)
def monday_morning():
    with time_machine.travel(NOW, tick=False):
        yield


def _child_in_care(iro, *, born=date(2015, 6, 1), start=date(2026, 2, 16)) -> Review:
    child = ChildFactory(date_of_birth=born)
    review = child_come_into_care(child=child, start=start, episode_fields=EPISODE)
    Allocation.objects.create(child=child, iro=iro, kind=AllocationKind.CASE_HOLDING, start=start)
    return review


def _booking(review, day="2026-03-04", time="10:00", **extra):
    data = {
        "claim": claims.BOOK.claim(Review.objects.get(pk=review.pk)),
        "day": day,
        "time": time,
        "venue": "School",
        "invitees-TOTAL_FORMS": "0",
        "invitees-INITIAL_FORMS": "0",
    }
    return {**data, **extra}


def _record(review, **fields):
    """The review record's POST, claiming the record as it is now."""
    data = {
        "claim": claims.RECORD.claim(Review.objects.get(pk=review.pk)),
        "attendees-TOTAL_FORMS": "0",
        "attendees-INITIAL_FORMS": "0",
        "decisions-TOTAL_FORMS": "0",
        "decisions-INITIAL_FORMS": "0",
    }
    return {**data, **fields}


def test_a_late_booking_needs_a_reason(client, iro, business_support):
    review = _child_in_care(iro)  # first review due Mon 16 Mar 2026
    client.force_login(business_support)
    response = client.post(reverse("reviews:book", args=[review.pk]), _booking(review, day="2026-03-18"))
    assert response.status_code == 200
    assert "after the statutory due date (Mon 16 Mar 2026): record why it is late" in response.content.decode()
    response = client.post(
        reverse("reviews:book", args=[review.pk]),
        _booking(review, day="2026-03-18", lateness_reason="Carer in hospital."),
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.BOOKED
    assert review.lateness_reason == "Carer in hospital."


def test_a_double_booking_of_the_same_iro_is_refused(client, iro, business_support):
    first, second = _child_in_care(iro), _child_in_care(iro)
    client.force_login(business_support)
    assert client.post(reverse("reviews:book", args=[first.pk]), _booking(first, time="10:00")).status_code == 302
    response = client.post(reverse("reviews:book", args=[second.pk]), _booking(second, time="11:00"))
    assert response.status_code == 200
    assert "already has a review booked at 10:00 that day" in response.content.decode()
    assert client.post(reverse("reviews:book", args=[second.pk]), _booking(second, time="11:30")).status_code == 302


def test_another_iros_booking_at_the_same_time_is_fine(client, iro, other_iro, business_support):
    first, second = _child_in_care(iro), _child_in_care(other_iro)
    client.force_login(business_support)
    assert client.post(reverse("reviews:book", args=[first.pk]), _booking(first)).status_code == 302
    assert client.post(reverse("reviews:book", args=[second.pk]), _booking(second)).status_code == 302


def test_a_booking_in_the_past_is_refused(client, iro, business_support):
    review = _child_in_care(iro)
    client.force_login(business_support)
    response = client.post(reverse("reviews:book", args=[review.pk]), _booking(review, day="2026-02-27"))
    assert "A booking must be for a date and time in the future." in response.content.decode()


def test_reschedule_and_cancel_need_reasons_and_keep_the_history(client, iro, business_support):
    review = _child_in_care(iro)
    client.force_login(business_support)
    client.post(
        reverse("reviews:book", args=[review.pk]),
        _booking(
            review,
        ),
    )
    response = client.post(reverse("reviews:book", args=[review.pk]), _booking(review, day="2026-03-05"))
    assert "Give a reason for moving this review." in response.content.decode()
    client.post(
        reverse("reviews:book", args=[review.pk]), _booking(review, day="2026-03-05", reschedule_reason="Exams.")
    )
    response = client.post(
        reverse("reviews:cancel_booking", args=[review.pk]), claimed(review, "cancel", {"reason": ""})
    )
    assert "This field is required." in response.content.decode()
    client.post(
        reverse("reviews:cancel_booking", args=[review.pk]), claimed(review, "cancel", {"reason": "Child unwell."})
    )
    review.refresh_from_db()
    assert review.status == ReviewStatus.DUE
    assert review.booked_for is None
    history = list(Booking.objects.filter(review=review).values_list("action", "reason"))
    assert history == [("booked", ""), ("rescheduled", "Exams."), ("cancelled", "Child unwell.")]
    page = client.get(reverse("reviews:detail", args=[review.pk])).content.decode()
    assert "Exams." in page
    assert "Child unwell." in page


def _hold(client, review, **fields):
    return client.post(reverse("reviews:detail", args=[review.pk]), _record(review, mark_held="1", **fields))


def test_pn0_for_a_ten_year_old_is_explained(client, iro):
    review = _child_in_care(iro, born=date(2015, 6, 1))
    client.force_login(iro)
    response = _hold(client, review, held_on="2026-03-02", participation_code="PN0")
    assert response.status_code == 200
    page = response.content.decode()
    assert "REVIEW_CODE is PN0, but the child was 10 on the review date: PN0 is only for a child under 4" in page


def test_pn1_for_a_two_year_old_is_explained(client, iro):
    review = _child_in_care(iro, born=date(2023, 6, 1))
    client.force_login(iro)
    response = _hold(client, review, held_on="2026-03-02", participation_code="PN1")
    page = response.content.decode()
    assert "REVIEW_CODE is PN1, but the child was 2 on the review date: a child under 4 is PN0" in page


def test_only_codes_for_the_childs_age_are_offered(client, iro):
    review = _child_in_care(iro, born=date(2023, 6, 1))
    client.force_login(iro)
    page = client.get(reverse("reviews:detail", args=[review.pk])).content.decode()
    assert 'value="PN0"' in page
    assert 'value="PN1"' not in page


def test_a_review_before_the_period_started_is_explained(client, iro):
    review = _child_in_care(iro)
    client.force_login(iro)
    response = _hold(client, review, held_on="2026-02-10", participation_code="PN1")
    assert "A review cannot be before the period of care started (Mon 16 Feb 2026)." in response.content.decode()


def test_a_review_before_the_childs_birth_is_explained(client, iro):
    review = _child_in_care(iro, born=date(2026, 2, 16), start=date(2026, 2, 16))
    client.force_login(iro)
    response = _hold(client, review, held_on="2026-02-15", participation_code="PN0")
    assert "A review cannot be before the child&#x27;s date of birth." in response.content.decode()


def test_a_decision_without_an_owner_is_explained(client, iro):
    review = _child_in_care(iro)
    client.force_login(iro)
    response = client.post(
        reverse("reviews:detail", args=[review.pk]),
        _record(
            review,
            save_draft="1",
            **{"decisions-TOTAL_FORMS": "1", "decisions-0-text": "Book a dentist.", "decisions-0-owner": ""},
        ),
    )
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not review.decisions.exists()


def _page_names(response) -> set[str]:
    """The names the review page's own template was given (its context as rendering began)."""
    assert response.templates[0].name == "reviews/review_detail.html"
    return set(response.context[0].flatten())


@pytest.mark.parametrize("held", [False, True], ids=["draft", "held"])
def test_the_page_shown_again_after_an_invalid_save_has_what_the_page_has(client, iro, held):
    review = _child_in_care(iro)
    client.force_login(iro)
    if held:
        assert _hold(client, review, held_on="2026-03-02", participation_code="PN1").status_code == 302
    url = reverse("reviews:detail", args=[review.pk])
    shown = client.get(url)
    invalid = {"decisions-TOTAL_FORMS": "1", "decisions-0-text": "Book a dentist.", "decisions-0-owner": ""}
    if held:
        invalid |= {"held_on": "2026-03-02", "participation_code": "PN1"}
    again = client.post(url, _record(review, save_draft="1", **invalid))
    assert again.status_code == 200
    assert "This field is required." in again.content.decode()
    assert _page_names(again) == _page_names(shown)
    assert {"may_book", "outcomes_due", "documents"} <= _page_names(again)
    assert (again.context["documents"] is not None) == held


def test_marking_held_stores_the_next_due_and_the_document_clocks(client, iro):
    review = _child_in_care(iro)
    client.force_login(iro)
    response = _hold(client, review, held_on="2026-03-02", participation_code="PN1")
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.HELD
    assert review.chair == iro
    following = Review.objects.get(child=review.child, status=ReviewStatus.DUE)
    assert following.due_date == date(2026, 6, 2)
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == [
        "Review marked held on Mon 2 Mar 2026. Outcomes are due by Mon 9 Mar 2026 and minutes by Mon 30 Mar 2026."
    ]


def test_business_support_never_sees_the_childs_views_or_visit_notes(client, iro, business_support):
    review = _child_in_care(iro)
    Review.objects.filter(pk=review.pk).update(child_views="I miss my dog.")
    visit_record(
        child=review.child, iro=iro, visited_on=date(2026, 2, 27), seen_alone=True, notes="Talked about school."
    )
    client.force_login(business_support)
    child_page = client.get(reverse("caseload:child", args=[review.child_id])).content.decode()
    review_page = client.get(reverse("reviews:detail", args=[review.pk])).content.decode()
    assert "Talked about school." not in child_page
    assert "I miss my dog." not in review_page
    client.force_login(iro)
    assert "Talked about school." in client.get(reverse("caseload:child", args=[review.child_id])).content.decode()


def test_a_new_child_shows_the_first_review_due_at_once(client, iro, business_support):
    client.force_login(business_support)
    response = client.post(
        reverse("reviews:child_new"),
        {
            "local_id": "N100",
            "first_name": "Ivy",
            "last_name": "Hall",
            "date_of_birth": "2014-04-14",
            "sex": "F",
            "ethnicity": "WBRI",
            "mother": "0",
            "looked_after_from": "2026-02-27",
            "legal_status": "C1",
            "category_of_need": "N1",
            "placement_type": "U6",
            "iro": iro.pk,
        },
        follow=True,
    )
    assert "Ivy Hall added. The first review is due by Fri 27 Mar 2026." in response.content.decode()
    child = Child.objects.get(local_id="N100")
    assert child.allocations.get().iro == iro


def test_a_new_child_in_care_before_birth_is_explained_and_nothing_is_saved(client, business_support):
    client.force_login(business_support)
    response = client.post(
        reverse("reviews:child_new"),
        {
            "local_id": "N101",
            "first_name": "Ivy",
            "last_name": "Hall",
            "date_of_birth": "2026-02-01",
            "sex": "F",
            "ethnicity": "WBRI",
            "looked_after_from": "2026-01-20",
            "legal_status": "C1",
            "category_of_need": "N1",
            "placement_type": "U6",
        },
    )
    assert "A child cannot come into care before their date of birth." in response.content.decode()
    assert not Child.objects.filter(local_id="N101").exists()


def test_reassigning_shows_caseloads_per_fte_and_hands_over(client, iro, other_iro, manager):
    review = _child_in_care(iro)
    client.force_login(manager)
    page = client.get(reverse("children:allocate", args=[review.child_id])).content.decode()
    assert "Per FTE" in page
    assert str(other_iro) in page
    response = client.post(
        reverse("children:allocate", args=[review.child_id]),
        {"iro": other_iro.pk, "start": "2026-03-02", "held_by_when_opened": iro.pk},
    )
    assert response.status_code == 302
    assert Allocation.objects.get(child_id=review.child_id, end__isnull=True).iro == other_iro
    assert Allocation.objects.get(child_id=review.child_id, iro=iro).end == date(2026, 3, 1)


def test_the_covering_iro_may_record_that_review(client, iro, other_iro, manager):
    review = _child_in_care(iro)
    client.force_login(manager)
    client.post(reverse("reviews:cover", args=[review.pk]), claimed(review, "cover", {"iro": other_iro.pk}))
    client.force_login(other_iro)
    assert client.get(reverse("reviews:detail", args=[review.pk])).status_code == 200
    assert _hold(client, review, held_on="2026-03-02", participation_code="PN1").status_code == 302
    review.refresh_from_db()
    assert review.chair == other_iro


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len([q for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]])


def test_reviews_to_book_runs_the_same_queries_for_5_and_60_children(client, iro, business_support):
    client.force_login(business_support)
    for _ in range(5):
        _child_in_care(iro)
    small = _count(client, reverse("reviews:to_book"))
    for _ in range(55):
        _child_in_care(iro)
    # session read and saved (idle timeout), user, roles, unread reminders, and the page's own: the
    # count, the children with a due date and, on the page where they end (the only page of 5, the
    # second of 60), those without (iro_service.keyset); + the clock-unknown worklist.
    url = reverse("reviews:to_book")
    second = f"{url}?page={client.get(url).context['page'].next_cursor}"
    assert _count(client, url) == 9
    assert small == _count(client, second) == 10


def test_the_child_page_runs_the_same_queries_however_long_the_history(client, iro):
    review = _child_in_care(iro)
    client.force_login(iro)
    small = _count(client, reverse("caseload:child", args=[review.child_id]))
    for day in range(2, 20):
        visit_record(child=review.child, iro=iro, visited_on=date(2026, 2, day), seen_alone=False, notes="")
    review_book(
        review=review,
        booked_for=NOW + timedelta(days=2),
        venue="School",
        venue_chosen_by_child=False,
        booked_by=iro,
    )
    assert _count(client, reverse("caseload:child", args=[review.child_id])) == small


def test_preparation_records_wishes_and_feelings_and_reports(client, iro):
    review = _child_in_care(iro, born=date(2009, 1, 1))  # 17: the pathway plan is offered
    client.force_login(iro)
    url = reverse("reviews:prepare", args=[review.pk])
    assert "Pathway plan (16+) received on" in client.get(url).content.decode()
    response = client.post(
        url,
        claimed(
            review,
            "prepare",
            {
                "wishes_and_feelings_received_on": "2026-02-27",
                "child_own_words": "I want to stay at my school.",
                "report_care_plan": "2026-02-25",
                "report_pep": "2026-02-26",
            },
        ),
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.wishes_and_feelings_received
    assert review.child_own_words == "I want to stay at my school."
    assert dict(review.reports_received.values_list("kind", "received_on")) == {
        "care_plan": date(2026, 2, 25),
        "pep": date(2026, 2, 26),
    }


def test_preparation_refuses_dates_in_the_future(client, iro):
    review = _child_in_care(iro)
    client.force_login(iro)
    response = client.post(
        reverse("reviews:prepare", args=[review.pk]), claimed(review, "prepare", {"report_care_plan": "2026-04-01"})
    )
    assert "This date is in the future." in response.content.decode()


def test_the_pathway_plan_is_not_offered_under_16(client, iro):
    review = _child_in_care(iro, born=date(2015, 6, 1))
    client.force_login(iro)
    assert "Pathway plan" not in client.get(reverse("reviews:prepare", args=[review.pk])).content.decode()


def test_a_visit_in_the_future_is_explained(client, iro):
    review = _child_in_care(iro)
    client.force_login(iro)
    response = client.post(reverse("reviews:visit_new", args=[review.child_id]), {"visited_on": "2026-03-09"})
    assert "Record a visit once it has happened: this date is in the future." in response.content.decode()


def test_a_midway_review_is_kept_as_a_dated_case_note(client, iro):
    review = _child_in_care(iro)
    client.force_login(iro)
    response = client.post(
        reverse("audits:midway_new", args=[review.child_id]),
        {"held_on": "2026-03-02", "note": "Care plan on track; PEP meeting booked."},
        follow=True,
    )
    assert "Midway review by" in response.content.decode()
    assert "Care plan on track; PEP meeting booked." in response.content.decode()


def test_the_adoption_flag_is_kept_with_the_record(client, iro):
    review = _child_in_care(iro, born=date(2024, 1, 1))
    client.force_login(iro)
    response = client.post(
        reverse("reviews:detail", args=[review.pk]), _record(review, save_draft="1", plan_of_adoption_confirmed="on")
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.plan_of_adoption_confirmed


# --- Before the review, on the review page --------------------------------------------------


def _prepared(iro, **reports) -> Review:
    review = _child_in_care(iro)  # 10 on the review day: the pathway plan is not expected
    return review_record_preparation(
        review=review,
        wishes_and_feelings_received_on=date(2026, 2, 27),
        child_own_words="I want to stay at my school.",
        reports=reports,
    )


def _section(page: str) -> str:
    return page.split('data-testid="before-the-review"', 1)[1].split("</section>", 1)[0]


def test_the_review_page_shows_wishes_and_feelings_and_each_expected_report(client, iro):
    review = _prepared(iro, care_plan=date(2026, 2, 25))
    client.force_login(iro)
    section = _section(client.get(reverse("reviews:detail", args=[review.pk])).content.decode())
    assert "Received on Fri 27 Feb 2026" in section
    assert "I want to stay at my school." in section
    care_plan = section.split('data-testid="report-care_plan"', 1)[1].split("</div>", 1)[0]
    assert "Received on Wed 25 Feb 2026" in care_plan
    for kind in ("placement_plan", "health_plan", "pep"):
        row = section.split(f'data-testid="report-{kind}"', 1)[1].split("</div>", 1)[0]
        assert "Not received" in row, kind
    assert "Pathway plan" not in section  # not expected under 16
    prepare = reverse("reviews:prepare", args=[review.pk])
    assert f'href="{prepare}#id_report_health_plan"' in section
    assert 'Change<span class="visually-hidden"> health plan</span>' in section


def test_a_report_received_is_shown_even_when_not_expected(client, iro):
    review = _prepared(iro, pathway_plan=date(2026, 2, 20))  # recorded, though the child is 10
    client.force_login(iro)
    section = _section(client.get(reverse("reviews:detail", args=[review.pk])).content.decode())
    assert "Pathway plan (16+)" in section
    assert "Received on Fri 20 Feb 2026" in section


def test_managers_read_before_the_review_without_changing_it_and_business_support_not_at_all(
    client, iro, manager, business_support
):
    review = _prepared(iro)
    client.force_login(manager)
    page = client.get(reverse("reviews:detail", args=[review.pk])).content.decode()
    assert "I want to stay at my school." in _section(page)
    assert reverse("reviews:prepare", args=[review.pk]) not in page
    client.force_login(business_support)
    page = client.get(reverse("reviews:detail", args=[review.pk])).content.decode()
    assert 'data-testid="before-the-review"' not in page
    assert "I want to stay at my school." not in page


def test_the_review_page_runs_the_same_queries_however_many_reports_and_bookings(client, iro):
    review = _child_in_care(iro)
    client.force_login(iro)
    url = reverse("reviews:detail", args=[review.pk])
    small = _count(client, url)
    review_record_preparation(
        review=review,
        wishes_and_feelings_received_on=date(2026, 2, 27),
        child_own_words="",
        reports={kind: date(2026, 2, 25) for kind in ("care_plan", "placement_plan", "health_plan", "pep")},
    )
    review_book(
        review=review, booked_for=NOW + timedelta(days=2), venue="School", venue_chosen_by_child=False, booked_by=iro
    )
    assert _count(client, url) == small

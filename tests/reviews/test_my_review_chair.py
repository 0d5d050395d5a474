""" "My review" at the chair's record: what the child sent beside the Signs of Safety fields and
pre-filled as their views; whether the child chaired; PN6 offered; an advocate asked for becomes the
IRO's task; the invitation emailed (link and code, never the word)."""

import re
from datetime import date, timedelta
from html import unescape
from io import BytesIO

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import Notification, NotificationKind
from children.models import Child
from reviews import claims, my_review
from reviews.codes import ChildChaired, ParticipationCode, child_chaired_problem
from reviews.documents import render_pdf
from reviews.models import MyReviewInvitation, MyReviewResponse, Review
from reviews.services import review_record_held
from reviews.timescales import add_working_days
from tests import flaky_email
from tests.factories import child_in_care, names_word
from tests.reviews.test_my_review import PRIVATE, WORD, WORRY, _child_opens, _invite, _sent_answers

pytestmark = pytest.mark.django_db

CHILD_EMAIL = "sam.young.person@example.org"


@pytest.fixture
def case(iro):
    iro.first_name = "Robin"
    iro.save()
    return child_in_care(iro, born=date(2012, 1, 1))


def _record_post(review, **fields) -> dict:
    return {
        "claim": claims.RECORD.claim(Review.objects.get(pk=review.pk)),
        "attendees-TOTAL_FORMS": "0",
        "attendees-INITIAL_FORMS": "0",
        "decisions-TOTAL_FORMS": "0",
        "decisions-INITIAL_FORMS": "0",
        **fields,
    }


def _textarea(html: str, name: str) -> str:
    return unescape(re.search(rf'<textarea name="{name}"[^>]*>\n?(.*?)</textarea>', html, re.S).group(1))


def _hidden(html: str, name: str) -> str:
    return re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', html).group(1)


# --- Beside the Signs of Safety, and the child's own words ----------------------------------


def test_the_chairs_record_shows_what_the_child_sent_beside_signs_of_safety(client, iro, case):
    _child, review = case
    link, _code = _invite(client, iro, review)
    _sent_answers(_child_opens(link))
    client.force_login(iro)
    html = client.get(reverse("reviews:detail", args=[review.pk])).content.decode()
    record = html[html.index('id="record-heading"') :]
    signs = record[record.index('data-testid="signs-of-safety"') :]
    beside = signs[signs.index('data-testid="record-my-review"') : signs.index("</aside>")]
    assert WORRY in beside
    assert "I&#x27;d like to chair part of it" in beside
    assert PRIVATE in beside  # the IRO chairing: as on the rest of the review page
    assert signs.index("</aside>") < signs.index('name="worried_about"')
    # Beside the fields on a wide screen, above them on a phone (checked in a browser at 390 px:
    # tests/browser/test_my_review_chair_layout.py).
    assert '<aside class="col-md-5 order-md-last"' in signs[: signs.index('data-testid="record-my-review"')]


def test_a_manager_reading_the_review_gets_no_private_note_beside_the_record(client, iro, case, manager):
    _child, review = case
    link, _code = _invite(client, iro, review)
    _sent_answers(_child_opens(link))
    client.force_login(manager)
    html = client.get(reverse("reviews:detail", args=[review.pk])).content.decode()
    assert 'data-testid="record-my-review-private"' not in html
    assert PRIVATE not in html


def test_a_blank_childs_views_starts_as_their_own_words_and_the_claim_still_holds(client, iro, case):
    _child, review = case
    link, _code = _invite(client, iro, review)
    _sent_answers(_child_opens(link))
    client.force_login(iro)
    html = client.get(reverse("reviews:detail", args=[review.pk])).content.decode()
    offered = _textarea(html, "child_views")
    assert offered == f"What is going well: Football\r\n\r\nWhat worries me: {WORRY}" or offered == (
        f"What is going well: Football\n\nWhat worries me: {WORRY}"
    )
    # Pre-filled, not saved: the claim is of what is stored (still blank).
    assert Review.objects.get(pk=review.pk).child_views == ""
    assert _hidden(html, "claim") == claims.RECORD.claim(Review.objects.get(pk=review.pk))
    edited = "Sam is worried about exams in May. Football is going well."
    response = client.post(
        reverse("reviews:detail", args=[review.pk]),
        {**_record_post(review), "claim": _hidden(html, "claim"), "child_views": edited, "save_draft": "1"},
    )
    assert response.status_code == 302
    assert Review.objects.get(pk=review.pk).child_views == edited
    # The child's own words are kept as they sent them, and still shown.
    assert MyReviewResponse.objects.get(review=review).sent_answers["worries"] == WORRY
    html = client.get(reverse("reviews:detail", args=[review.pk])).content.decode()
    assert _textarea(html, "child_views") == edited
    assert WORRY in html


def test_no_child_views_are_offered_when_the_child_sent_nothing(client, iro, case):
    _child, review = case
    client.force_login(iro)
    html = client.get(reverse("reviews:detail", args=[review.pk])).content.decode()
    assert _textarea(html, "child_views") == ""
    assert 'data-testid="record-my-review"' not in html
    assert "PN6 (views conveyed" not in html


def test_the_participation_hint_offers_pn6_once_the_child_sent_their_views(client, iro, case):
    _child, review = case
    link, _code = _invite(client, iro, review)
    child_client = _child_opens(link)
    child_client.post(reverse("my_review:how_things_are"), {"worries": WORRY})
    client.force_login(iro)
    assert "PN6 (views conveyed" not in client.get(reverse("reviews:detail", args=[review.pk])).content.decode()
    assert child_client.post(reverse("my_review:send")).status_code == 302
    html = client.get(reverse("reviews:detail", args=[review.pk])).content.decode()
    assert "The child sent their views in My review on" in html
    assert "If they did not attend, PN6 (views conveyed by a facilitative medium" in html


# --- Whether the child chaired --------------------------------------------------------------


@pytest.mark.parametrize(
    ("chaired", "code", "refused"),
    [
        (ChildChaired.ALL, ParticipationCode.PN1, False),
        (ChildChaired.PART, ParticipationCode.PN4, False),
        (ChildChaired.ALL, ParticipationCode.PN6, True),
        (ChildChaired.PART, ParticipationCode.PN5, True),
        (ChildChaired.ALL, ParticipationCode.PN7, True),
        (ChildChaired.NO, ParticipationCode.PN6, False),
        (ChildChaired.NOT_RECORDED, ParticipationCode.PN7, False),
        (ChildChaired.ALL, "", False),  # a draft with no code yet
    ],
)
def test_a_child_who_chaired_must_have_attended(chaired, code, refused):
    assert (child_chaired_problem(chaired, participation_code=code) is not None) is refused


def test_marking_held_with_the_child_chairing_but_not_attending_is_explained(client, iro, case):
    _child, review = case
    client.force_login(iro)
    url = reverse("reviews:detail", args=[review.pk])
    held_on = "2025-02-03"
    response = client.post(
        url, _record_post(review, mark_held="1", held_on=held_on, participation_code="PN6", child_chaired="part")
    )
    assert response.status_code == 200
    assert "a child who chaired their review attended it: choose PN1, PN2, PN3 or PN4" in unescape(
        response.content.decode()
    )
    assert Review.objects.get(pk=review.pk).status == "due"
    response = client.post(
        url, _record_post(review, mark_held="1", held_on=held_on, participation_code="PN1", child_chaired="part")
    )
    assert response.status_code == 302
    held = Review.objects.get(pk=review.pk)
    assert (held.status, held.child_chaired) == ("held", ChildChaired.PART)


def test_the_model_refuses_a_chairing_child_who_did_not_attend(iro, case):
    _child, review = case
    held = review_record_held(review=review, held_on=date(2025, 2, 3), chair=iro, participation_code="PN5")
    held.child_chaired = ChildChaired.ALL
    with pytest.raises(Exception, match="PN1, PN2, PN3 or PN4") as refused:
        held.full_clean()
    assert "child_chaired" in refused.value.message_dict


def test_whether_the_child_chaired_is_part_of_the_records_claim(iro, case):
    _child, review = case
    before = claims.RECORD.claim(Review.objects.get(pk=review.pk))
    Review.objects.filter(pk=review.pk).update(child_chaired=ChildChaired.NO)
    assert claims.RECORD.claim(Review.objects.get(pk=review.pk)) != before


def test_the_chairing_hint_says_what_the_child_asked_for(client, iro, case):
    _child, review = case
    link, _code = _invite(client, iro, review)
    _sent_answers(_child_opens(link))
    client.force_login(iro)
    html = unescape(client.get(reverse("reviews:detail", args=[review.pk])).content.decode())
    assert "In My review the child said: \u201cI'd like to chair part of it\u201d." in html


def test_the_minutes_say_the_child_chaired(iro, case):
    _child, review = case
    held = review_record_held(review=review, held_on=date(2025, 2, 3), chair=iro, participation_code="PN1")
    Review.objects.filter(pk=held.pk).update(child_chaired=ChildChaired.PART)
    held.refresh_from_db()
    reader = PdfReader(BytesIO(render_pdf("minutes", held)))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    first_name = held.child.preferred_name or held.child.first_name
    assert f"{first_name} chaired part of the meeting." in text


# --- An advocate asked for: the IRO's task --------------------------------------------------


def _booked_in_three_weeks(review) -> date:
    booked_for = timezone.now() + timedelta(days=21)
    Review.objects.filter(pk=review.pk).update(status="booked", booked_for=booked_for)
    return timezone.localtime(booked_for).date()


def _send_meeting(child_client, **answers) -> None:
    assert child_client.post(reverse("my_review:meeting"), answers).status_code == 302
    assert child_client.post(reverse("my_review:send")).status_code == 302


def test_asking_for_an_advocate_gives_the_iro_a_task_before_the_review(
    client, iro, case, django_capture_on_commit_callbacks
):
    child, review = case
    review_day = _booked_in_three_weeks(review)
    link, _code = _invite(client, iro, review)
    child_client = _child_opens(link)
    with django_capture_on_commit_callbacks() as callbacks:
        _send_meeting(child_client, advocate="yes")
    task = Notification.objects.get(kind=NotificationKind.MY_REVIEW_ADVOCATE)
    assert task.recipient == iro
    assert task.deadline == add_working_days(review_day, -my_review.ADVOCATE_REFERRAL_WORKING_DAYS)
    assert timezone.localdate() <= task.deadline < review_day
    assert task.url == reverse("reviews:detail", args=[review.pk])
    assert child.local_id in task.subject
    for name in (child.first_name, child.last_name):
        assert not names_word(name, task.subject + task.body)
    assert task.queued_at is not None
    assert callbacks, "the email is handed to the broker when the answers are committed"
    # Sent again, still asking: no second task.
    _send_meeting(child_client, advocate="yes", want_there="Nan")
    assert Notification.objects.filter(kind=NotificationKind.MY_REVIEW_ADVOCATE).count() == 1


def test_changing_to_yes_gives_a_new_task_and_no_gives_none(client, iro, case):
    _child, review = case
    _booked_in_three_weeks(review)
    link, _code = _invite(client, iro, review)
    child_client = _child_opens(link)
    _send_meeting(child_client, advocate="no")
    assert not Notification.objects.filter(kind=NotificationKind.MY_REVIEW_ADVOCATE).exists()
    _send_meeting(child_client, advocate="yes")
    _send_meeting(child_client, advocate="no")
    _send_meeting(child_client, advocate="yes")
    assert Notification.objects.filter(kind=NotificationKind.MY_REVIEW_ADVOCATE, recipient=iro).count() == 2


def test_an_advocate_task_for_a_review_very_soon_is_due_today(iro, case):
    _child, review = case  # due in 2025, not booked: already past
    new = my_review.invitation_create(
        review=review, word=WORD, version="older", created_by=iro, today=timezone.localdate()
    )
    my_review.response_save(invitation=new.invitation, answers={"advocate": True})
    my_review.response_submit(invitation=new.invitation, today=timezone.localdate())
    assert Notification.objects.get(kind=NotificationKind.MY_REVIEW_ADVOCATE).deadline == timezone.localdate()


# --- The invitation by email ----------------------------------------------------------------


def test_the_invitation_is_emailed_with_the_link_and_code_but_never_the_word(
    client, iro, case, django_capture_on_commit_callbacks
):
    child, review = case
    child.email = CHILD_EMAIL
    # Names of our choosing: a random one can be part of another word in the email ("Rob" in "Robin").
    child.first_name, child.last_name = "Kestrel", "Quayle"
    child.save()
    iro.last_name = "Marchetti"
    iro.save()
    client.force_login(iro)
    page = client.get(reverse("reviews:my_review_invite", args=[review.pk])).content.decode()
    assert re.search(r'<input type="checkbox" name="email_child"[^>]* checked', page)
    assert CHILD_EMAIL in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reviews:my_review_invite", args=[review.pk]),
            {"word": WORD, "version": "older", "email_child": "on"},
        )
    assert response.status_code == 200
    html = response.content.decode()
    link = re.search(r'data-testid="card-link">([^<]+)<', html).group(1)
    code = re.search(r'data-testid="card-code">([^<]+)<', html).group(1)
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [CHILD_EMAIL]
    text = email.subject + email.body
    assert link in text
    assert code in text
    assert WORD.lower() not in text.lower()
    assert "your IRO will tell you it" in text
    assert "Robin" in text
    for name in (child.first_name, child.last_name, iro.last_name):
        assert not names_word(name, text)
    assert email.content_subtype == "plain"
    assert not getattr(email, "alternatives", [])  # no HTML part


def test_no_email_is_sent_when_none_is_recorded(client, iro, case, django_capture_on_commit_callbacks):
    _child, review = case
    client.force_login(iro)
    page = client.get(reverse("reviews:my_review_invite", args=[review.pk])).content.decode()
    assert 'name="email_child"' not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reviews:my_review_invite", args=[review.pk]),
            {"word": WORD, "version": "older", "email_child": "on"},
        )
    assert response.status_code == 200
    assert mail.outbox == []


def test_no_email_is_sent_when_the_box_is_unticked(client, iro, case, django_capture_on_commit_callbacks):
    child, review = case
    child.email = CHILD_EMAIL
    child.save()
    client.force_login(iro)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reviews:my_review_invite", args=[review.pk]), {"word": WORD, "version": "older"}
        )
    assert response.status_code == 200
    assert mail.outbox == []


def test_the_young_persons_email_is_shown_to_iros_and_business_support(client, iro, case, business_support, manager):
    child, _review = case
    child.email = CHILD_EMAIL
    child.save()
    for user, shown in ((iro, True), (business_support, True), (manager, False)):
        client.force_login(user)
        page = client.get(reverse("caseload:child", args=[child.pk])).content.decode()
        assert (CHILD_EMAIL in page) is shown


def test_the_questions_keep_their_capital_i(iro, case):
    _child, review = case
    new = my_review.invitation_create(
        review=review, word=WORD, version="older", created_by=iro, today=timezone.localdate()
    )
    my_review.response_save(invitation=new.invitation, answers={"where_i_live": "Fine", "next_steps": "Stay"})
    response = my_review.response_submit(invitation=new.invitation, today=timezone.localdate())
    words = my_review.sent_views_in_their_words(response=response)
    assert words == "Where I live: Fine\n\nWhat I want to happen next: Stay"


def test_a_refused_email_leaves_the_invitation_and_its_card(
    client, iro, case, settings, caplog, django_capture_on_commit_callbacks
):
    child, review = case
    child.email = CHILD_EMAIL
    child.save()
    settings.EMAIL_BACKEND = "tests.flaky_email.FailOnceBackend"
    flaky_email.failures.update(left=1, raised=0)
    client.force_login(iro)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reviews:my_review_invite", args=[review.pk]),
            {"word": WORD, "version": "older", "email_child": "on"},
        )
    assert response.status_code == 200
    assert 'data-testid="card-code"' in response.content.decode()
    assert flaky_email.failures["raised"] == 1
    assert mail.outbox == []
    assert MyReviewInvitation.objects.filter(review=review, withdrawn_at=None).exists()
    assert "on_commit" in caplog.text  # logged for someone to see


def test_a_new_child_in_care_may_have_their_own_email(client, business_support):
    client.force_login(business_support)
    response = client.post(
        reverse("reviews:child_new"),
        {
            "local_id": "N200",
            "first_name": "Ivy",
            "last_name": "Hall",
            "date_of_birth": "2010-04-14",
            "sex": "F",
            "ethnicity": "WBRI",
            "mother": "0",
            "looked_after_from": (timezone.localdate() - timedelta(days=3)).isoformat(),
            "legal_status": "C1",
            "category_of_need": "N1",
            "placement_type": "U6",
            "email": CHILD_EMAIL,
        },
    )
    assert response.status_code == 302
    assert Child.objects.get(local_id="N200").email == CHILD_EMAIL

""" "My review": the invitation, the child's pages, "I don't feel safe", and what
staff see of the child's answers."""

import base64
import hashlib
import re
from datetime import date, timedelta
from html.parser import HTMLParser
from io import BytesIO
from urllib.parse import urlsplit

import pytest
import textstat
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import AccessLog, Notification, NotificationKind
from reviews import my_review
from reviews.codes import DocumentKind
from reviews.documents import render_pdf
from reviews.models import MyReviewInvitation, MyReviewResponse, Review
from reviews.services import review_record_held
from tests.factories import child_in_care, names_word

pytestmark = pytest.mark.django_db

WORD = "Pineapple"
PRIVATE = "I keep a secret diary about the bus driver"
WORRY = "I worry about my exams in May"


@pytest.fixture
def case(iro):
    iro.first_name = "Robin"
    iro.save()
    child, review = child_in_care(iro, born=date(2012, 1, 1))
    return child, review


@pytest.fixture
def young_case(iro):
    """A child of 8 on the review day: the younger version is suggested."""
    iro.first_name = "Robin"
    iro.save()
    return child_in_care(iro, born=date(2018, 1, 1))


def _invite(client, user, review, word=WORD, version="older") -> tuple[str, str]:
    """The IRO makes an invitation; returns (link, code) as the card shows them."""
    client.force_login(user)
    response = client.post(reverse("reviews:my_review_invite", args=[review.pk]), {"word": word, "version": version})
    assert response.status_code == 200
    html = response.content.decode()
    link = re.search(r'data-testid="card-link">([^<]+)<', html).group(1)
    code = re.search(r'data-testid="card-code">([^<]+)<', html).group(1).replace(" ", "")
    assert "<svg" in html  # the QR code, inline
    return link, code


def _child_opens(link: str, word: str = WORD) -> Client:
    child_client = Client()
    response = child_client.get(urlsplit(link).path, follow=True)
    assert response.status_code == 200
    response = child_client.post(reverse("my_review:word"), {"word": word})
    assert response.status_code == 302
    assert response.url == reverse("my_review:home")
    return child_client


def _sent_answers(child_client):
    child_client.post(reverse("my_review:how_things_are"), {"worries": WORRY, "going_well": "Football"})
    child_client.post(
        reverse("my_review:meeting"),
        {"venue": "School", "time_of_day": "after_school", "chair": "part", "advocate": "yes", "want_there": "Nan"},
    )
    child_client.post(reverse("my_review:private"), {"private_note": PRIVATE})
    assert child_client.post(reverse("my_review:send")).status_code == 302


# --- The invitation -------------------------------------------------------------------------


def test_the_token_has_at_least_128_bits_and_only_hashes_are_stored(client, iro, case):
    _child, review = case
    link, code = _invite(client, iro, review)
    token = urlsplit(link).path.rstrip("/").rsplit("/", 1)[1]
    assert len(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))) * 8 >= 128
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM reviews_myreviewinvitation")
        row = " ".join(str(value) for value in cursor.fetchone())
    assert token not in row
    assert code not in row
    assert WORD.lower() not in row.lower()
    invitation = MyReviewInvitation.objects.get()
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert invitation.word_hash.startswith(("md5$", "pbkdf2_sha256$"))  # Django's password hasher


def test_the_card_is_shown_once(client, iro, case):
    _child, review = case
    link, code = _invite(client, iro, review)
    html = client.get(reverse("reviews:my_review_invite", args=[review.pk])).content.decode()
    token = urlsplit(link).path.rstrip("/").rsplit("/", 1)[1]
    assert token not in html
    assert code not in html
    assert 'data-testid="invitation-state"' in html


def test_business_support_may_invite_but_a_manager_may_not(client, case, business_support, manager):
    _child, review = case
    _invite(client, business_support, review)
    client.force_login(manager)
    assert client.get(reverse("reviews:my_review_invite", args=[review.pk])).status_code == 403


def test_the_invitation_expires_the_day_after_the_booked_review(iro, case):
    _child, review = case
    today = timezone.localdate()
    Review.objects.filter(pk=review.pk).update(
        status="booked", booked_for=timezone.now() + timedelta(days=10), venue="School"
    )
    review.refresh_from_db()
    assert my_review.expires_on_for(review=review, today=today) == review.review_date + timedelta(days=1)
    unbooked = Review(child=review.child, period_of_care=review.period_of_care)
    assert my_review.expires_on_for(review=unbooked, today=today) == today + timedelta(days=28)


# --- Opening it -----------------------------------------------------------------------------


def test_the_token_is_not_in_the_final_url(client, iro, case):
    _child, review = case
    link, _code = _invite(client, iro, review)
    token = urlsplit(link).path.rstrip("/").rsplit("/", 1)[1]
    child_client = Client()
    response = child_client.get(urlsplit(link).path, follow=True)
    assert response.redirect_chain
    assert all(token not in url for url, _status in response.redirect_chain)
    assert token not in response.request["PATH_INFO"]
    assert response.request["PATH_INFO"] == reverse("my_review:word")
    assert token not in response.content.decode()


def test_the_short_code_opens_it_too(client, iro, case):
    _child, review = case
    _link, code = _invite(client, iro, review)
    child_client = Client()
    typed = f"{code[:4].lower()} {code[4:]}"  # as a child might type it
    response = child_client.post(reverse("my_review:code"), {"code": typed})
    assert response.status_code == 302
    assert response.url == reverse("my_review:word")


def test_a_wrong_code_is_an_error_on_the_form(client):
    response = Client().post(reverse("my_review:code"), {"code": "ABCD2345"})
    assert response.status_code == 200
    assert "That code does not work" in response.content.decode()


def test_five_wrong_words_lock_the_invitation_and_tell_the_iro(client, iro, case):
    child, review = case
    link, _code = _invite(client, iro, review)
    child_client = Client()
    child_client.get(urlsplit(link).path)
    for attempt in range(1, 5):
        response = child_client.post(reverse("my_review:word"), {"word": "wrong"})
        assert response.status_code == 200
        assert "That is not the word" in response.content.decode()
        assert MyReviewInvitation.objects.get().failed_attempts == attempt
    response = child_client.post(reverse("my_review:word"), {"word": "wrong"})
    assert response.status_code == 404
    assert "This link has stopped working" in response.content.decode()
    invitation = MyReviewInvitation.objects.get()
    assert invitation.locked_at is not None
    notification = Notification.objects.get(kind=NotificationKind.MY_REVIEW_LOCKED)
    assert notification.recipient == iro
    assert child.local_id in notification.subject
    assert not names_word(child.first_name, notification.body)
    # Locked: even the right word does not open it now.
    again = Client()
    assert again.get(urlsplit(link).path).status_code == 404


def _made_stale(how: str, client, iro, review) -> str:
    if how == "unknown":
        return reverse("my_review:start", args=["x" * 43])
    link, _code = _invite(client, iro, review)
    if how == "expired":
        MyReviewInvitation.objects.update(expires_on=timezone.localdate() - timedelta(days=1))
    elif how == "withdrawn":
        assert client.post(reverse("reviews:my_review_withdraw", args=[review.pk])).status_code == 302
    elif how == "replaced":  # the old link, used again after a new invitation withdrew it
        _child_opens(link)
        _invite(client, iro, review, word="Mango")
    return urlsplit(link).path


@pytest.mark.parametrize("how", ["unknown", "expired", "withdrawn", "replaced"])
def test_a_link_that_no_longer_works_gets_the_friendly_page_and_no_data(client, iro, case, how):
    child, review = case
    path = _made_stale(how, client, iro, review)
    response = Client().get(path, follow=True)
    assert response.status_code == 404
    html = response.content.decode()
    assert "This link has stopped working" in html
    assert "Ask your IRO for a new one." in html
    for secret in (child.first_name, child.last_name, child.local_id, "Robin"):
        assert secret not in html


def test_a_withdrawn_invitation_ends_a_session_already_open(client, iro, case):
    _child, review = case
    link, _code = _invite(client, iro, review)
    child_client = _child_opens(link)
    client.post(reverse("reviews:my_review_withdraw", args=[review.pk]))
    response = child_client.get(reverse("my_review:how_things_are"))
    assert response.status_code == 404
    assert "This link has stopped working" in response.content.decode()


def test_pages_need_the_word_first(client, iro, case):
    _child, review = case
    link, _code = _invite(client, iro, review)
    child_client = Client()
    child_client.get(urlsplit(link).path)
    response = child_client.get(reverse("my_review:how_things_are"))
    assert response.status_code == 302
    assert response.url == reverse("my_review:word")
    assert Client().get(reverse("my_review:home")).url == reverse("my_review:code")


# --- The child's answers --------------------------------------------------------------------


def test_drafts_save_and_the_iro_sees_only_what_was_sent(client, iro, case):
    _child, review = case
    link, _code = _invite(client, iro, review)
    child_client = _child_opens(link)
    response = child_client.post(reverse("my_review:how_things_are"), {"worries": WORRY})
    assert response.status_code == 302
    assert response.url == reverse("my_review:meeting")
    saved = MyReviewResponse.objects.get()
    assert saved.worries == WORRY
    assert saved.saved_at
    assert saved.submitted_at is None
    client.force_login(iro)
    assert WORRY not in client.get(reverse("reviews:detail", args=[review.pk])).content.decode()
    _sent_answers(child_client)
    html = client.get(reverse("reviews:detail", args=[review.pk])).content.decode()
    assert WORRY in html
    assert "I&#x27;d like to chair part of it" in html
    assert "My school or college" in html
    # A later change not sent again stays the child's.
    child_client.post(reverse("my_review:how_things_are"), {"worries": "Something new"})
    assert "Something new" not in client.get(reverse("reviews:detail", args=[review.pk])).content.decode()


def test_answers_cannot_change_once_the_review_is_held(client, iro, case):
    _child, review = case
    link, _code = _invite(client, iro, review)
    child_client = _child_opens(link)
    Review.objects.filter(pk=review.pk).update(status="held", held_on=date(2025, 3, 1), participation_code="PN1")
    response = child_client.post(reverse("my_review:how_things_are"), {"worries": WORRY})
    assert response.status_code == 200
    assert "can no longer be changed" in response.content.decode()
    assert not MyReviewResponse.objects.filter(worries=WORRY).exists()


def test_i_dont_feel_safe_alerts_the_iro_at_once(client, iro, case, django_capture_on_commit_callbacks):
    child, review = case
    iro.iro_profile.work_phone = "01632 960 123"
    iro.iro_profile.save()
    link, _code = _invite(client, iro, review)
    child_client = _child_opens(link)
    with django_capture_on_commit_callbacks() as callbacks:
        response = child_client.post(reverse("my_review:not_safe"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "0800 1111" in html
    assert "01632 960 123" in html
    assert "Robin" in html
    notification = Notification.objects.get(kind=NotificationKind.CHILD_NOT_SAFE)
    assert notification.recipient == iro
    assert notification.queued_at is not None
    assert child.local_id in notification.subject
    assert not names_word(child.first_name, notification.subject + notification.body)
    assert callbacks, "the email is handed to the broker when the transaction commits"
    assert MyReviewResponse.objects.get().feels_unsafe_at is not None


def test_i_dont_feel_safe_saves_nothing_if_the_alert_cannot_be_made(iro, case, monkeypatch):
    """The alert and the record of the press are one transaction: no alert, no record."""
    _child, review = case
    new = my_review.invitation_create(
        review=review, word=WORD, version="older", created_by=iro, today=timezone.localdate()
    )

    def broken(**kwargs):
        raise RuntimeError("notification table unavailable")

    monkeypatch.setattr(my_review, "notifications_send_now", broken)
    with pytest.raises(RuntimeError):
        my_review.child_not_safe(invitation=new.invitation, today=timezone.localdate())
    assert not MyReviewResponse.objects.exists()
    assert not Notification.objects.exists()


# --- What staff see -------------------------------------------------------------------------


def test_the_private_note_is_for_the_iro_on_the_case_only(client, iro, case, manager, business_support):
    _child, review = case
    link, _code = _invite(client, iro, review)
    _sent_answers(_child_opens(link))
    client.force_login(iro)
    assert PRIVATE in client.get(reverse("reviews:detail", args=[review.pk])).content.decode()
    client.force_login(manager)
    html = client.get(reverse("reviews:detail", args=[review.pk])).content.decode()
    assert WORRY in html
    assert PRIVATE not in html
    client.force_login(business_support)
    html = client.get(reverse("reviews:detail", args=[review.pk])).content.decode()
    assert WORRY not in html
    assert PRIVATE not in html
    booking = client.get(reverse("reviews:book", args=[review.pk])).content.decode()
    assert "My school or college" in booking
    assert "After school or college" in booking
    assert "Nan" in booking
    assert WORRY not in booking
    assert PRIVATE not in booking


def test_the_private_note_is_not_in_the_minutes(client, iro, case):
    _child, review = case
    link, _code = _invite(client, iro, review)
    _sent_answers(_child_opens(link))
    held = review_record_held(review=review, held_on=date(2025, 3, 1), chair=iro, participation_code="PN1")
    reader = PdfReader(BytesIO(render_pdf(DocumentKind.MINUTES, held)))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    assert "Decisions" in text or held.child.local_id in text  # the minutes were read
    assert "secret diary" not in text
    assert "bus driver" not in text


def test_every_staff_view_of_the_answers_is_logged(client, iro, case, manager, business_support):
    child, review = case
    link, _code = _invite(client, iro, review)
    _sent_answers(_child_opens(link))
    answers = MyReviewResponse.objects.get()
    for user, url, object_type in (
        (iro, reverse("reviews:detail", args=[review.pk]), "my_review_response+private_note"),
        (manager, reverse("reviews:detail", args=[review.pk]), "my_review_response"),
        (business_support, reverse("reviews:book", args=[review.pk]), "my_review_meeting_choices"),
    ):
        client.force_login(user)
        before = AccessLog.objects.filter(object_type=object_type, user=user).count()
        assert client.get(url).status_code == 200
        row = AccessLog.objects.filter(object_type=object_type, user=user).get()
        assert before == 0
        assert row.child_id == child.pk
        assert row.object_id == str(answers.pk)


# --- The child's pages: nothing off-site, plain words ---------------------------------------


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "title"):
            self._skip += 1
        for name, value in attrs:
            if name in ("src", "href", "action", "srcset", "data", "poster", "formaction") and value is not None:
                self.urls.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "title"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.text.append(data.strip())


def _child_pages(client, iro, review, version="older") -> dict[str, str]:
    """Every page of a version as the child sees it, by name."""
    link, _code = _invite(client, iro, review, version=version)
    pages = {"code": Client().get(reverse("my_review:code")).content.decode()}
    child_client = Client()
    pages["word"] = child_client.get(urlsplit(link).path, follow=True).content.decode()
    pages["word (error)"] = child_client.post(reverse("my_review:word"), {"word": "wrong"}).content.decode()
    child_client.post(reverse("my_review:word"), {"word": WORD})
    for name in ("home", "how_things_are", "meeting", "private", "send"):
        pages[name] = child_client.get(reverse(f"my_review:{name}")).content.decode()
    pages["not_safe"] = child_client.post(reverse("my_review:not_safe")).content.decode()
    pages["left"] = child_client.post(reverse("my_review:leave")).content.decode()
    pages["stopped"] = Client().get(reverse("my_review:start", args=["nothing-here"])).content.decode()
    return pages


@pytest.mark.parametrize("version", ["older", "younger"])
def test_no_child_page_links_to_or_loads_anything_off_site(client, iro, case, version):
    _child, review = case
    for name, html in _child_pages(client, iro, review, version).items():
        parser = _Links()
        parser.feed(html)
        assert parser.urls, name
        for url in parser.urls:
            parts = urlsplit(url)
            # tel: links dial Childline or the IRO; data: is the empty favicon. Nothing else may leave.
            assert parts.scheme in ("", "tel", "data"), f"{name}: {url}"
            assert not parts.netloc, f"{name}: {url}"
        assert "staff" not in html.lower()
        assert "Find a child" not in html
        assert "Sign out" not in html


def _reading_ease(html: str) -> float:
    parser = _Links()
    parser.feed(html)
    text = " ".join(line if line.endswith((".", "?", "!", ":")) else f"{line}." for line in parser.text)
    return textstat.flesch_reading_ease(text)


def test_the_child_pages_are_plain_words(client, iro, case):
    """Flesch reading ease of each page's visible text (headings, words, labels, hints, buttons),
    with the IRO's first name left in: 70 or more is "fairly easy" or easier."""
    _child, review = case
    scores = {name: _reading_ease(html) for name, html in _child_pages(client, iro, review).items()}
    assert min(scores.values()) >= 70, scores


def test_the_younger_pages_are_plainer_still(client, iro, young_case):
    """The younger version's pages, and the pages both versions share, score 95 or more ("very
    easy" is 90 and up; the older version's check-and-send page scores about 90)."""
    _child, review = young_case
    scores = {name: _reading_ease(html) for name, html in _child_pages(client, iro, review, "younger").items()}
    assert min(scores.values()) >= 95, scores


@pytest.mark.parametrize("version", ["older", "younger"])
def test_the_child_pages_name_no_one_but_the_iro(client, iro, case, other_iro, version):
    child, review = case
    for name, html in _child_pages(client, iro, review, version).items():
        for other in (child.last_name, child.local_id, iro.last_name, other_iro.first_name, other_iro.last_name):
            assert other not in html, f"{name} shows {other}"


# --- The younger version (under 11): faces and short choices ---------------------------------


def test_the_younger_version_is_suggested_for_under_11s_and_the_iro_can_switch(client, iro, case, young_case):
    _older_child, older_review = case
    _young_child, young_review = young_case
    today = timezone.localdate()
    assert my_review.version_offered(review=young_review, today=today) == "younger"
    assert my_review.version_offered(review=older_review, today=today) == "older"
    client.force_login(iro)
    html = client.get(reverse("reviews:my_review_invite", args=[young_review.pk])).content.decode()
    assert re.search(r'<input[^>]*value="younger"[^>]*checked', html)
    assert "younger version (faces and short choices)" in html
    # The IRO switches: the 8-year-old gets the older version, the 14-year-old the younger.
    _invite(client, iro, young_review, version="older")
    _invite(client, iro, older_review, version="younger")
    assert MyReviewInvitation.objects.get(review=young_review).version == "older"
    assert MyReviewInvitation.objects.get(review=older_review).version == "younger"


def test_each_face_is_a_radio_with_its_word_and_a_hidden_drawing(client, iro, young_case):
    _child, review = young_case
    link, _code = _invite(client, iro, review, version="younger")
    html = _child_opens(link).get(reverse("my_review:how_things_are")).content.decode()
    for topic in ("where_i_live_face", "school_face", "family_time_face", "health_face", "friends_face"):
        radios = re.findall(rf'<input type="radio" name="{topic}" value="([a-z_]+)"[^>]*id="(id_{topic}_\d)"', html)
        assert [value for value, _id in radios] == ["good", "ok", "not_good"], topic
        for value, input_id in radios:
            label = re.search(rf'<label for="{input_id}"[^>]*>(.*?)</label>', html, re.S).group(1)
            assert '<svg aria-hidden="true"' in label
            word = {"good": "Good", "ok": "OK", "not_good": "Not good"}[value]
            assert f"<span>{word}</span>" in label  # never a face without its word
    assert "What is good?" in html


def _younger_answers(child_client) -> None:
    response = child_client.post(
        reverse("my_review:how_things_are"),
        {"where_i_live_face": "good", "school_face": "not_good", "friends_face": "ok", "worries": WORRY},
    )
    assert response.status_code == 302
    assert response.url == reverse("my_review:meeting")
    response = child_client.post(
        reverse("my_review:meeting"),
        {"venue": "Family centre", "time_of_day": "after_school", "chair": "part", "advocate": "not_sure",
         "talk_alone_first": "yes", "want_there": "Nan"},
    )  # fmt: skip
    assert response.status_code == 302
    assert child_client.post(reverse("my_review:private"), {"private_note": PRIVATE}).status_code == 302


def test_younger_drafts_save_submit_and_staff_see_the_faces_in_words(client, iro, young_case, business_support):
    _child, review = young_case
    link, _code = _invite(client, iro, review, version="younger")
    child_client = _child_opens(link)
    _younger_answers(child_client)
    saved = MyReviewResponse.objects.get()
    assert (saved.version, saved.where_i_live_face, saved.school_face, saved.health_face) == (
        "younger", "good", "not_good", "",
    )  # fmt: skip
    assert saved.advocate is None  # "Not sure": the IRO asks in person
    assert saved.talk_alone_first is True
    assert saved.submitted_at is None
    # The drafts come back as the child left them.
    again = child_client.get(reverse("my_review:how_things_are")).content.decode()
    assert re.search(r'<input type="radio" name="school_face" value="not_good"[^>]*checked', again)
    check = child_client.get(reverse("my_review:send")).content.decode()
    assert "<dt>School</dt><dd>Not good</dd>" in check
    assert "Yes, some of it" in check
    client.force_login(iro)
    assert "Not good" not in client.get(reverse("reviews:detail", args=[review.pk])).content.decode()

    assert child_client.post(reverse("my_review:send")).status_code == 302
    html = client.get(reverse("reviews:detail", args=[review.pk])).content.decode()
    assert re.search(r"<dt[^>]*>Where I live: face</dt><dd[^>]*>Good</dd>", html)
    assert re.search(r"<dt[^>]*>School: face</dt><dd[^>]*>Not good</dd>", html)
    assert re.search(r"<dt[^>]*>Friends: face</dt><dd[^>]*>OK</dd>", html)
    assert "Health: face" in html  # no face picked: a row with a dash
    assert not re.search(r"<dt[^>]*>Where I live</dt>", html)  # the younger version asks no words on it
    assert WORRY in html
    assert "A family centre" in html
    assert PRIVATE in html
    rows = my_review.sent_answers_rows(response=MyReviewResponse.objects.get(), fields=my_review.HOW_THINGS_ARE_FIELDS)
    assert ("School: face", "Not good") in rows
    assert not any("not_good" in answer for _question, answer in rows)
    client.force_login(business_support)
    booking = client.get(reverse("reviews:book", args=[review.pk])).content.decode()
    assert "A family centre" in booking
    assert PRIVATE not in booking
    assert PRIVATE not in client.get(reverse("reviews:detail", args=[review.pk])).content.decode()


def test_the_older_version_shows_staff_no_face_rows(client, iro, case):
    _child, review = case
    link, _code = _invite(client, iro, review)
    _sent_answers(_child_opens(link))
    client.force_login(iro)
    html = client.get(reverse("reviews:detail", args=[review.pk])).content.decode()
    assert WORRY in html
    assert ": face" not in html


def test_a_face_that_is_not_one_of_the_three_is_an_error(client, iro, young_case):
    _child, review = young_case
    link, _code = _invite(client, iro, review, version="younger")
    response = _child_opens(link).post(reverse("my_review:how_things_are"), {"school_face": "great"})
    assert response.status_code == 200
    assert "Pick one of the faces." in response.content.decode()
    assert not MyReviewResponse.objects.exists()

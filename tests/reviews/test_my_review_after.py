""" "My review" after the review: the link renewed once the review is held, the child's letter,
"Did you feel listened to?", what staff see of it and where it is counted."""

import re
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
import textstat
from django.core.exceptions import ValidationError
from django.db import ProgrammingError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import AccessLog
from audits.selectors import listened_to_by_quarter, quarterly_qa_report
from children.records import RecordsAreKept
from reviews import my_review
from reviews.codes import DocumentKind
from reviews.documents import private_storage
from reviews.models import Document, MyReviewInvitation, MyReviewListenedTo, MyReviewResponse, Review
from reviews.my_review_models import MyReviewStage
from reviews.services import document_issue, document_produce, review_record_held
from tests.factories import child_in_care, names_word
from tests.reviews.test_my_review import _Links

pytestmark = pytest.mark.django_db

WORD = "Pineapple"
HELD_ON = date(2025, 3, 1)
# The decision as written for the professionals, and as the IRO wrote it for the child's letter.
DECISION = "Arrange family time with her brother every fortnight."
FOR_CHILD = "You will see your brother every other Saturday."
VIEWS = "I like my foster home and I want to stay."


@pytest.fixture
def case(iro):
    iro.first_name = "Robin"
    iro.save()
    child, review = child_in_care(iro, born=date(2012, 1, 1))
    return child, review


def _card(response) -> tuple[str, str]:
    assert response.status_code == 200, response.content.decode()[:2000]
    html = response.content.decode()
    link = re.search(r'data-testid="card-link">([^<]+)<', html).group(1)
    code = re.search(r'data-testid="card-code">([^<]+)<', html).group(1).replace(" ", "")
    return link, code


def _invite(client, user, review, word=WORD) -> str:
    client.force_login(user)
    response = client.post(reverse("reviews:my_review_invite", args=[review.pk]), {"word": word, "version": "older"})
    return _card(response)[0]


def _renew(client, user, review, word="") -> str:
    client.force_login(user)
    return _card(client.post(reverse("reviews:my_review_renew", args=[review.pk]), {"word": word}))[0]


def _hold(review, iro) -> Review:
    review.child_views = VIEWS
    review.save(update_fields=["child_views"])
    review.decisions.create(text=DECISION, owner="Social worker", deadline=date(2025, 3, 31), for_child=FOR_CHILD)
    return review_record_held(review=review, held_on=HELD_ON, chair=iro, participation_code="PN1")


@pytest.fixture(autouse=True)
def private_documents(settings, tmp_path):
    settings.IRO_PRIVATE_DOCUMENTS_ROOT = str(tmp_path / "documents")


def _produce_letter(review, iro, version=1) -> Document:
    """A version of the letter made as the worker makes it: its PDF and its HTML."""
    queued = Document.objects.create(
        review=review, kind=DocumentKind.LETTER, version=version, created_by=iro, reason="" if version == 1 else "New"
    )
    letter = document_produce(document_id=queued.pk)
    assert letter.state == "ready", letter.failure_reason
    assert letter.letter_html.lstrip().startswith('<p class="h4">Dear ')  # kept with the version
    return letter


def _issue_letter(review, iro, version=1) -> Document:
    return document_issue(document=_produce_letter(review, iro, version), issued_on=HELD_ON + timedelta(days=2))


def _child_opens(link: str, word: str = WORD) -> Client:
    child_client = Client()
    response = child_client.get(urlsplit(link).path, follow=True)
    assert response.status_code == 200
    response = child_client.post(reverse("my_review:word"), {"word": word}, follow=True)
    assert response.status_code == 200
    return child_client


@pytest.fixture
def held_with_letter(client, iro, case):
    """A review the child was invited to before it, held, its letter issued, the link renewed."""
    child, review = case
    before = _invite(client, iro, review)
    held = _hold(review, iro)
    _issue_letter(held, iro)
    after = _renew(client, iro, held)
    return child, held, before, after


# --- Renewing the link ----------------------------------------------------------------------


def test_the_renewed_link_opens_on_the_letter_with_the_word_the_child_knows(held_with_letter):
    _child, _held, _before, after = held_with_letter
    child_client = Client()
    response = child_client.get(urlsplit(after).path, follow=True)
    assert response.request["PATH_INFO"] == reverse("my_review:word")
    response = child_client.post(reverse("my_review:word"), {"word": WORD}, follow=True)
    assert response.request["PATH_INFO"] == reverse("my_review:letter")
    assert "Did you feel listened to?" in response.content.decode()


def test_the_renewed_code_opens_the_letter_too_and_the_old_code_does_not(client, iro, case):
    _child, review = case
    client.force_login(iro)
    _link, old_code = _card(
        client.post(reverse("reviews:my_review_invite", args=[review.pk]), {"word": WORD, "version": "older"})
    )
    held = _hold(review, iro)
    _issue_letter(held, iro)
    _link, new_code = _card(client.post(reverse("reviews:my_review_renew", args=[held.pk]), {"word": ""}))
    response = Client().post(reverse("my_review:code"), {"code": old_code})
    assert response.status_code == 200
    assert "That code does not work" in response.content.decode()
    child_client = Client()
    assert child_client.post(reverse("my_review:code"), {"code": new_code}).url == reverse("my_review:word")
    response = child_client.post(reverse("my_review:word"), {"word": WORD}, follow=True)
    assert response.request["PATH_INFO"] == reverse("my_review:letter")
    assert FOR_CHILD in response.content.decode()


def test_renewing_withdraws_the_link_from_before_the_review(held_with_letter):
    child, _held, before, _after = held_with_letter
    response = Client().get(urlsplit(before).path, follow=True)
    assert response.status_code == 404
    html = response.content.decode()
    assert "This link has stopped working" in html
    assert not names_word(child.first_name, html)
    assert FOR_CHILD not in html
    assert MyReviewInvitation.objects.filter(withdrawn_at=None).get().stage == MyReviewStage.AFTER


def test_the_renewed_link_works_for_28_days_from_renewal(held_with_letter):
    assert MyReviewInvitation.objects.get(withdrawn_at=None).expires_on == timezone.localdate() + timedelta(days=28)


def test_a_new_word_given_at_renewal_replaces_the_old_one(client, iro, case):
    _child, review = case
    _invite(client, iro, review)
    held = _hold(review, iro)
    after = _renew(client, iro, held, word="Mango")
    child_client = Client()
    child_client.get(urlsplit(after).path)
    response = child_client.post(reverse("my_review:word"), {"word": WORD})
    assert "That is not the word" in response.content.decode()
    assert child_client.post(reverse("my_review:word"), {"word": "mango"}).status_code == 302


def test_a_word_is_needed_when_the_child_never_had_one(client, iro, case):
    _child, review = case
    held = _hold(review, iro)
    client.force_login(iro)
    response = client.post(reverse("reviews:my_review_renew", args=[held.pk]), {"word": ""})
    assert response.status_code == 200
    assert "the child has not had one yet" in response.content.decode()
    assert not MyReviewInvitation.objects.exists()


def test_a_word_is_needed_after_a_locked_link(client, iro, case):
    _child, review = case
    _invite(client, iro, review)
    MyReviewInvitation.objects.update(locked_at=timezone.now())
    held = _hold(review, iro)
    with pytest.raises(ValidationError, match="the last link was locked"):
        my_review.invitation_renew(review=held, word="", created_by=iro, today=timezone.localdate())


def test_a_review_not_yet_held_cannot_be_renewed(client, iro, case):
    _child, review = case
    with pytest.raises(ValidationError, match="Only a held review"):
        my_review.invitation_renew(review=review, word=WORD, created_by=iro, today=timezone.localdate())
    client.force_login(iro)
    html = client.get(reverse("reviews:my_review_renew", args=[review.pk])).content.decode()
    assert "The review has not been held" in html
    assert "Renew the link and show the card" not in html


def test_a_held_review_still_cannot_have_a_before_the_review_invitation(iro, case):
    _child, review = case
    held = _hold(review, iro)
    with pytest.raises(ValidationError, match="still to happen"):
        my_review.invitation_create(review=held, word=WORD, version="older", created_by=iro, today=timezone.localdate())


def test_business_support_may_renew(client, iro, case, business_support):
    _child, review = case
    held = _hold(review, iro)
    link = _renew(client, business_support, held, word="Mango")
    assert link
    assert MyReviewInvitation.objects.get().created_by == business_support


# --- The letter -----------------------------------------------------------------------------


def test_before_the_letter_is_issued_the_child_is_told_it_is_not_ready(client, iro, case):
    _child, review = case
    _invite(client, iro, review)
    held = _hold(review, iro)
    child_client = _child_opens(_renew(client, iro, held))
    response = child_client.get(reverse("my_review:letter"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Your letter is not ready yet" in html
    assert FOR_CHILD not in html
    assert VIEWS not in html
    assert "Did you feel listened to?" not in html
    # Nor can the question be answered by posting to it.
    child_client.post(reverse("my_review:letter"), {"answer": "yes"})
    assert not MyReviewListenedTo.objects.exists()


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("&#x27;", "'").split())


def test_the_letter_page_says_what_the_issued_letter_says(held_with_letter):
    child, held, _before, after = held_with_letter
    html = _child_opens(after).get(reverse("my_review:letter")).content.decode()
    issued = Document.objects.get(review=held, kind=DocumentKind.LETTER)
    with private_storage().open(issued.file_name) as file:
        pdf = " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(file).pages)
    page = _text(html)
    for wording in (
        f"Dear {child.first_name},",
        FOR_CHILD,
        VIEWS,
        "This letter is about your review on Saturday 1 March.",
        "Your next review will be by",
    ):
        assert wording in pdf, wording
        assert wording in page, wording
    assert DECISION not in page  # the professionals' wording is not the child's


def test_the_child_reads_the_issued_version_even_if_the_record_changed_since(client, iro, case):
    _child, review = case
    _invite(client, iro, review)
    held = _hold(review, iro)
    _issue_letter(held, iro)
    child_client = _child_opens(_renew(client, iro, held))
    held.decisions.update(for_child="You will move to a new school.")
    _produce_letter(held, iro, version=2)  # made, not issued yet
    html = child_client.get(reverse("my_review:letter")).content.decode()
    assert FOR_CHILD in html
    assert "new school" not in html
    document_issue(document=Document.objects.get(review=held, version=2), issued_on=HELD_ON + timedelta(days=5))
    html = child_client.get(reverse("my_review:letter")).content.decode()
    assert "You will move to a new school." in html
    assert FOR_CHILD not in html


def test_a_letter_made_before_its_html_was_kept_is_drawn_from_the_record(client, iro, case):
    _child, review = case
    _invite(client, iro, review)
    held = _hold(review, iro)
    old = Document.objects.create(review=held, kind=DocumentKind.LETTER, version=1, state="ready", created_by=iro)
    document_issue(document=old, issued_on=HELD_ON + timedelta(days=2))
    assert not old.letter_html
    html = _child_opens(_renew(client, iro, held)).get(reverse("my_review:letter")).content.decode()
    assert FOR_CHILD in html


def test_markup_in_the_record_is_shown_as_text_in_the_letter(client, iro, case):
    _child, review = case
    _invite(client, iro, review)
    review.decisions.create(text="X", owner="Y", deadline=date(2025, 3, 31), for_child="<script>alert(1)</script>")
    held = _hold(review, iro)
    _issue_letter(held, iro)
    html = _child_opens(_renew(client, iro, held)).get(reverse("my_review:letter")).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_link_from_before_the_review_does_not_show_the_letter(client, iro, case):
    _child, review = case
    child_client = _child_opens(_invite(client, iro, review))
    response = child_client.get(reverse("my_review:letter"))
    assert response.status_code == 302
    assert response.url == reverse("my_review:home")


# --- "Did you feel listened to?" ------------------------------------------------------------


def test_the_faces_are_hidden_from_screen_readers_and_each_has_its_word(held_with_letter):
    *_rest, after = held_with_letter
    html = _child_opens(after).get(reverse("my_review:letter")).content.decode()
    assert html.count('<svg class="listened-face"') == 3
    assert html.count('aria-hidden="true" focusable="false"') == 3
    labels = re.findall(r'<label for="id_answer_\d">.*?<span>([^<]+)</span></label>', html, re.DOTALL)
    assert labels == ["Yes", "A bit", "No"]
    assert "<legend" in html


def test_one_answer_is_kept_and_can_be_changed_while_the_link_works(held_with_letter):
    *_rest, after = held_with_letter
    child_client = _child_opens(after)
    response = child_client.post(reverse("my_review:letter"), {"answer": "yes"})
    assert response.status_code == 302
    first = MyReviewListenedTo.objects.get()
    assert first.answer == "yes"
    response = child_client.post(reverse("my_review:letter"), {"answer": "a_bit"}, follow=True)
    assert "You answered: A bit." in response.content.decode()
    changed = MyReviewListenedTo.objects.get()
    assert changed.answer == "a_bit"
    assert changed.first_answered_at == first.first_answered_at
    assert changed.answered_at > first.answered_at


def test_no_face_chosen_is_an_error_on_the_form(held_with_letter):
    *_rest, after = held_with_letter
    response = _child_opens(after).post(reverse("my_review:letter"), {"answer": "maybe"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose a face." in html
    assert 'href="#id_answer_0"' in html  # the error summary links to the first face
    assert not MyReviewListenedTo.objects.exists()


def test_the_answers_from_before_the_review_cannot_be_changed_with_the_renewed_link(held_with_letter):
    *_rest, after = held_with_letter
    child_client = _child_opens(after)
    response = child_client.post(reverse("my_review:how_things_are"), {"worries": "Something new"})
    assert "can no longer be changed" in response.content.decode()
    assert not MyReviewResponse.objects.filter(worries="Something new").exists()


# --- A link that no longer works ------------------------------------------------------------


def _stale(how: str, client, iro, held, after: str) -> str:
    if how == "expired":
        MyReviewInvitation.objects.filter(withdrawn_at=None).update(expires_on=timezone.localdate() - timedelta(days=1))
    elif how == "withdrawn":
        assert client.post(reverse("reviews:my_review_withdraw", args=[held.pk])).status_code == 302
    elif how == "renewed again":
        _renew(client, iro, held)
    elif how == "locked":
        MyReviewInvitation.objects.filter(withdrawn_at=None).update(locked_at=timezone.now())
    return urlsplit(after).path


@pytest.mark.parametrize("how", ["expired", "withdrawn", "renewed again", "locked"])
def test_an_after_review_link_that_no_longer_works_gets_the_friendly_page_and_no_data(
    client, iro, held_with_letter, how
):
    child, held, _before, after = held_with_letter
    path = _stale(how, client, iro, held, after)
    response = Client().get(path, follow=True)
    assert response.status_code == 404
    html = response.content.decode()
    assert "This link has stopped working" in html
    for secret in (child.first_name, child.last_name, child.local_id, "Robin", FOR_CHILD, VIEWS):
        assert secret not in html


@pytest.mark.parametrize("how", ["expired", "withdrawn", "renewed again"])
def test_an_open_after_review_session_ends_when_the_link_stops(client, iro, held_with_letter, how):
    _child, held, _before, after = held_with_letter
    child_client = _child_opens(after)
    _stale(how, client, iro, held, after)
    response = child_client.get(reverse("my_review:letter"))
    assert response.status_code == 404
    assert FOR_CHILD not in response.content.decode()
    # The friendly page ended the session: an answer posted now goes nowhere.
    response = child_client.post(reverse("my_review:letter"), {"answer": "no"})
    assert response.status_code == 302
    assert response.url == reverse("my_review:code")
    assert not MyReviewListenedTo.objects.exists()


def test_the_renewed_token_is_not_in_the_final_url(held_with_letter):
    *_rest, after = held_with_letter
    token = urlsplit(after).path.rstrip("/").rsplit("/", 1)[1]
    response = Client().get(urlsplit(after).path, follow=True)
    assert all(token not in url for url, _status in response.redirect_chain)
    assert token not in response.request["PATH_INFO"]
    assert token not in response.content.decode()


# --- What staff see, and where it is counted ------------------------------------------------


def test_the_answer_is_on_the_review_page_for_those_who_read_the_record_and_each_showing_is_logged(
    client, iro, manager, business_support, held_with_letter
):
    child, held, _before, after = held_with_letter
    _child_opens(after).post(reverse("my_review:letter"), {"answer": "a_bit"})
    listened = MyReviewListenedTo.objects.get()
    for user, shown in ((iro, True), (manager, True), (business_support, False)):
        client.force_login(user)
        html = client.get(reverse("reviews:detail", args=[held.pk])).content.decode()
        rows = AccessLog.objects.filter(object_type="my_review_listened_to", user=user)
        if shown:
            assert 'data-testid="my-review-listened"' in html
            assert "A bit (answered" in html
            row = rows.get()
            assert row.child_id == child.pk
            assert row.object_id == str(listened.pk)
        else:
            assert 'data-testid="my-review-listened"' not in html
            assert not rows.exists()


def test_the_answers_are_counted_beside_participant_feedback(client, iro, other_iro, manager, held_with_letter):
    *_rest, after = held_with_letter
    _child_opens(after).post(reverse("my_review:letter"), {"answer": "yes"})
    _second_child, second_review = child_in_care(other_iro, born=date(2013, 2, 2))
    second = _hold(second_review, other_iro)
    _issue_letter(second, other_iro)
    _child_opens(_renew(client, other_iro, second, word="Mango"), word="Mango").post(
        reverse("my_review:letter"), {"answer": "no"}
    )
    start, end = date(2025, 1, 1), date(2025, 3, 31)
    rows = listened_to_by_quarter(start=start, end=end)
    assert rows == [{"quarter_start": date(2025, 1, 1), "answers": 2, "counts": [("Yes", 1), ("A bit", 0), ("No", 1)]}]
    assert quarterly_qa_report(start=start, end=end)["listened_to"] == rows
    assert listened_to_by_quarter(start=date(2025, 4, 1), end=date(2025, 6, 30)) == []
    client.force_login(manager)
    html = client.get(reverse("audits:qa_report"), {"start": "2025-01-01", "end": "2025-03-31"}).content.decode()
    table = html.split('data-testid="listened-to"', 1)[1].split("</table>", 1)[0]
    assert "Did you feel listened to?" in html
    assert re.sub(r"\s+", "", _text(table)).endswith("2101")  # answers, yes, a bit, no


# --- The child's pages after the review: nothing off-site, plain words ----------------------


def _after_pages(client, iro, review) -> dict[str, str]:
    """The child's pages after the review as they see them, by name."""
    _invite(client, iro, review)
    held = _hold(review, iro)
    child_client = _child_opens(_renew(client, iro, held))
    pages = {"letter not ready": child_client.get(reverse("my_review:letter")).content.decode()}
    _issue_letter(held, iro)
    pages["letter"] = child_client.get(reverse("my_review:letter")).content.decode()
    pages["letter (error)"] = child_client.post(reverse("my_review:letter"), {}).content.decode()
    pages["letter (answered)"] = child_client.post(
        reverse("my_review:letter"), {"answer": "yes"}, follow=True
    ).content.decode()
    return pages


def test_no_page_after_the_review_links_to_or_loads_anything_off_site(client, iro, case):
    _child, review = case
    for name, html in _after_pages(client, iro, review).items():
        parser = _Links()
        parser.feed(html)
        assert parser.urls, name
        for url in parser.urls:
            parts = urlsplit(url)
            assert parts.scheme in ("", "tel", "data"), f"{name}: {url}"
            assert not parts.netloc, f"{name}: {url}"
        assert "Find a child" not in html
        assert "Sign out" not in html


def test_the_pages_after_the_review_are_plain_words(client, iro, case):
    """Flesch reading ease of each page's visible text, the letter included: 70 or more."""
    _child, review = case
    scores = {}
    for name, html in _after_pages(client, iro, review).items():
        parser = _Links()
        parser.feed(html)
        text = " ".join(line if line.endswith((".", "?", "!", ":", ",")) else f"{line}." for line in parser.text)
        scores[name] = textstat.flesch_reading_ease(text)
    assert min(scores.values()) >= 70, scores


def test_the_listened_to_answer_is_kept_like_the_rest_of_the_record(held_with_letter):
    *_rest, after = held_with_letter
    _child_opens(after).post(reverse("my_review:letter"), {"answer": "yes"})
    listened = MyReviewListenedTo.objects.get()
    with pytest.raises(RecordsAreKept):
        listened.delete()
    with pytest.raises(RecordsAreKept):
        MyReviewListenedTo.objects.all().delete()
    refused = pytest.raises(ProgrammingError, match="records of a looked-after child are kept")
    with refused, transaction.atomic(), connection.cursor() as cursor:  # the database's trigger (migration 0015)
        cursor.execute("DELETE FROM reviews_myreviewlistenedto")
    assert MyReviewListenedTo.objects.count() == 1

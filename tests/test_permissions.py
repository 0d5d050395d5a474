"""The authorisation matrix: every URL × every role × own and other child.

A URL with no rule here fails the test, so a new page cannot ship without deciding who may
use it. Refusals are 403 (wrong role) or 404 (a child or review not on the IRO's caseload).
"""

import secrets
from datetime import date, timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import AccessAction, AccessLog
from audits.models import Escalation
from caseload.models import ReportPDF
from children.codes import AllocationKind, LegalStatus
from children.models import Allocation
from reviews import access, claims, my_review
from reviews.documents import private_storage
from reviews.models import CareEvent, Document, ReturnCheck, Review, Visit
from reviews.return_check import check_folder
from reviews.services import child_come_into_care, review_record_held
from tests.factories import BusinessSupportFactory, ChildFactory, IROFactory, ManagerFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = ("iro", "manager", "support", "no_role")
ALL_OK = {"iro": 200, "manager": 200, "support": 200, "no_role": 403}
IRO_ONLY = {"iro": 200, "manager": 403, "support": 403, "no_role": 403}
IRO_OWN_ONLY = {"iro": (200, 404), "manager": 403, "support": 403, "no_role": 403}
STAFF = {"iro": 403, "manager": 200, "support": 200, "no_role": 403}
SUPPORT_ONLY = {"iro": 403, "manager": 403, "support": 200, "no_role": 403}
READ_ALL_IRO_OWN = {"iro": (200, 404), "manager": 200, "support": 200, "no_role": 403}
CARE_EVENTS = {"iro": (200, 404), "manager": 403, "support": 200, "no_role": 403}
CHILD_LINK = {"iro": 302, "manager": 302, "support": 302, "no_role": 302}

# url name -> (what its argument is, expected GET status per role; (own, other) for an IRO)
RULES = {
    "home": (None, ALL_OK),
    # A signed-in user is sent on from the login page; anonymous visitors get it (test below).
    "accounts:login": (None, {"iro": 302, "manager": 302, "support": 302, "no_role": 302}),
    "accounts:logout": (None, "post-only"),
    "accounts:two_factor": (None, {"iro": 200, "manager": 200, "support": 200, "no_role": 200}),
    "accounts:notifications": (None, {"iro": 200, "manager": 200, "support": 200, "no_role": 200}),
    "accounts:notifications_read": (None, "post-only"),
    "healthz": (None, {"iro": 200, "manager": 200, "support": 200, "no_role": 200}),
    "caseload:mine": (None, IRO_ONLY),
    "caseload:all": (None, STAFF),
    # Finding a child: every role with children; an IRO only finds their own (the results).
    "caseload:search": (None, {"iro": 200, "manager": 200, "support": 200, "no_role": 403}),
    "caseload:child": ("child", READ_ALL_IRO_OWN),
    "caseload:child_access_log": ("child", {"iro": 403, "manager": 200, "support": 403, "no_role": 403}),
    # An IRO sees the dashboard and the report for their own caseload; a manager, any scope.
    "caseload:dashboard": (None, {"iro": 200, "manager": 200, "support": 403, "no_role": 403}),
    "caseload:dashboard_export": ("panel", {"iro": 200, "manager": 200, "support": 403, "no_role": 403}),
    "caseload:report": (None, {"iro": 200, "manager": 200, "support": 403, "no_role": 403}),
    # Without a period the narrative page sends the manager back to the report to choose one.
    "caseload:report_narrative": (None, {"iro": 403, "manager": 302, "support": 403, "no_role": 403}),
    # A report's PDF, made in the background: asked for by POST by those who read the report;
    # its progress page and download for whoever asked, and managers.
    "caseload:report_pdf_ask": (None, {"iro": 405, "manager": 405, "support": 403, "no_role": 403}),
    "caseload:report_pdf": ("report_pdf", {"iro": (200, 404), "manager": 200, "support": 403, "no_role": 403}),
    "caseload:report_pdf_download": (
        "report_pdf",
        {"iro": (200, 404), "manager": 200, "support": 403, "no_role": 403},
    ),
    "children:allocate": ("child", STAFF),
    "reviews:to_book": (None, STAFF),
    "reviews:detail": ("review", READ_ALL_IRO_OWN),
    "reviews:book": ("review", SUPPORT_ONLY),
    "reviews:cancel_booking": ("review", SUPPORT_ONLY),
    "reviews:cover": ("review", STAFF),
    "reviews:prepare": ("review", IRO_OWN_ONLY),
    "reviews:child_new": (None, SUPPORT_ONLY),
    "reviews:ssda903_import": (None, SUPPORT_ONLY),
    # The import's CSV report and the return check: business support's.
    "reviews:ssda903_import_report": ("import_report", SUPPORT_ONLY),
    "reviews:return_checks": (None, SUPPORT_ONLY),
    "reviews:return_check": ("return_check", SUPPORT_ONLY),
    "reviews:return_check_file": ("return_check_file", SUPPORT_ONLY),
    "reviews:visit_new": ("child", IRO_OWN_ONLY),
    "reviews:visit_correct": ("visit", IRO_OWN_ONLY),
    "audits:midway_new": ("child", IRO_OWN_ONLY),
    "audits:monitoring_form": ("held_review", IRO_OWN_ONLY),
    "audits:escalation_new": ("child", IRO_OWN_ONLY),
    "audits:escalation_detail": ("escalation", {"iro": (200, 404), "manager": 200, "support": 403, "no_role": 403}),
    "audits:escalations_open": (None, {"iro": 403, "manager": 200, "support": 403, "no_role": 403}),
    "audits:feedback_new": ("held_review", IRO_OWN_ONLY),
    "audits:qa_report": (None, {"iro": 403, "manager": 200, "support": 403, "no_role": 403}),
    "audits:disruption_new": ("child", IRO_OWN_ONLY),
    "reviews:document_download": ("document", {"iro": (200, 404), "manager": 200, "support": 403, "no_role": 403}),
    "reviews:document_request": ("held_review", "post-only"),
    "reviews:document_issue": ("document", "post-only"),
    "reviews:distribution_new": ("document", "post-only"),
    # Care events: business support and the IRO on the case; managers read, not record.
    "reviews:care_events": ("child", CARE_EVENTS),
    "reviews:care_event_placement": ("child", CARE_EVENTS),
    "reviews:care_event_legal_status": ("child", CARE_EVENTS),
    "reviews:care_event_placement_and_legal_status": ("child", CARE_EVENTS),
    "reviews:care_event_adoption": ("child", CARE_EVENTS),
    "reviews:care_event_leave": ("child", CARE_EVENTS),
    "reviews:care_event_return": ("child", CARE_EVENTS),
    "reviews:care_event_early_review": ("care_event", CARE_EVENTS),
    # "My review": the IRO on the case or business support invites the child.
    "reviews:my_review_invite": ("review", {"iro": (200, 404), "manager": 403, "support": 200, "no_role": 403}),
    "reviews:my_review_withdraw": ("review", "post-only"),
    # After the review: the same people renew the link for the letter and "listened to".
    "reviews:my_review_renew": ("held_review", {"iro": (200, 404), "manager": 403, "support": 200, "no_role": 403}),
    # The child's own pages: no account. The link (a bearer token plus the memorable word after
    # it) opens them for whoever holds it; without that session each page sends on to the code.
    "my_review:start": ("my_review_token", CHILD_LINK),
    "my_review:code": (None, {"iro": 200, "manager": 200, "support": 200, "no_role": 200}),
    "my_review:word": (None, CHILD_LINK),
    "my_review:home": (None, CHILD_LINK),
    "my_review:how_things_are": (None, CHILD_LINK),
    "my_review:meeting": (None, CHILD_LINK),
    "my_review:private": (None, CHILD_LINK),
    "my_review:send": (None, CHILD_LINK),
    "my_review:letter": (None, CHILD_LINK),
    "my_review:not_safe": (None, "post-only"),
    "my_review:leave": (None, "post-only"),
}


def _url_names(resolver: URLResolver, namespace: str = "") -> set[str]:
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            # The API answers clients by scope, not people by role: tests/api checks every endpoint's.
            if pattern.namespace in ("admin", "api"):
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _url_names(pattern, inner)
        elif isinstance(pattern, URLPattern):
            assert pattern.name, f"every URL needs a name: {pattern.pattern}"
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_url_has_a_rule():
    assert _url_names(get_resolver()) == set(RULES), "add the new URL to RULES with who may use it"


@pytest.fixture
def world():
    iro = IROFactory()
    other_iro = IROFactory()
    users = {"iro": iro, "manager": ManagerFactory(), "support": BusinessSupportFactory(), "no_role": UserFactory()}
    objects = {}
    for owner, key in ((iro, "own"), (other_iro, "other")):
        child = ChildFactory(date_of_birth=date(2012, 1, 1))
        review = child_come_into_care(
            child=child,
            start=date(2025, 1, 6),
            episode_fields={"legal_status": LegalStatus.C2, "category_of_need": "N1", "placement_type": "U4"},
        )
        Allocation.objects.create(child=child, iro=owner, kind=AllocationKind.CASE_HOLDING, start=date(2025, 1, 6))
        held = review_record_held(review=review, held_on=date(2025, 2, 3), chair=owner, participation_code="PN1")
        document = Document.objects.create(
            review=held,
            kind="outcomes",
            version=1,
            state="ready",
            created_by=owner,
            file_name=private_storage().save(f"{held.pk}/outcomes-v1.pdf", ContentFile(b"%PDF-1.7 test")),
        )
        following = Review.objects.get(period_of_care=held.period_of_care, status="due")
        escalation = Escalation.objects.create(
            child=child, raised_by=owner, raised_on=date(2025, 2, 3), theme="pep", concern="No PEP."
        )
        care_event = CareEvent.objects.create(
            child=child,
            period_of_care=held.period_of_care,
            kind="legal_status",
            occurred_on=date(2025, 2, 3),
            early_review_reason="significant_change",
            early_review_choice="pending",
            recorded_by=owner,
        )
        return_check = ReturnCheck.objects.create(year=2025, requested_by=users["support"], state="done")
        folder = check_folder(return_check)
        folder.mkdir(parents=True)
        (folder / "header.csv").write_text("CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n")
        ReturnCheck.objects.filter(pk=return_check.pk).update(folder=f"return_checks/{return_check.pk}")
        report_pdf = ReportPDF.objects.create(
            kind="annual",
            period_start=date(2025, 4, 1),
            period_end=date(2026, 3, 31),
            asked_on=date(2026, 5, 1),
            requested_by=owner,
            state="done",
            file_name=private_storage().save(f"report_pdfs/{owner.pk}/annual.pdf", ContentFile(b"%PDF-1.7 test")),
        )
        report = secrets.token_urlsafe(16)
        private_storage().save(f"imports/reports/{report}.csv", ContentFile(b"CHILD,STATUS,DETAIL\n"))
        invitation = my_review.invitation_create(
            review=following, word="Pineapple", version="older", created_by=owner, today=timezone.localdate()
        )
        objects[key] = {
            "my_review_token": invitation.token,
            "import_report": report,
            "return_check": return_check.pk,
            "report_pdf": report_pdf.pk,
            "return_check_file": (return_check.pk, "header"),
            "child": child.pk,
            "care_event": care_event.pk,
            "review": following.pk,
            "held_review": held.pk,
            "document": document.pk,
            "escalation": escalation.pk,
            "visit": Visit.objects.create(child=child, iro=owner, visited_on=date(2025, 1, 20), notes="Seen.").pk,
            "panel": ("caseload", "csv"),
        }
    return users, objects


@pytest.fixture(autouse=True)
def private_documents(settings, tmp_path):
    settings.IRO_PRIVATE_DOCUMENTS_ROOT = str(tmp_path)


# Where posting is narrower than reading: managers read the review record and escalations but
# only the IRO on the case writes them; business support read the review's scheduling only.
POST_NARROWER = {
    "reviews:detail": {"manager": 403, "support": 403},
    "audits:escalation_detail": {"manager": 403},
}


def _args(value) -> list:
    return list(value) if isinstance(value, tuple) else [value]


def _cases():
    for name, (argument, expected) in RULES.items():
        if expected == "post-only":
            continue
        for role in ROLES:
            for whose in ("own", "other") if argument else ("-",):
                status = expected[role]
                if isinstance(status, tuple):
                    status = status[0] if whose == "own" else status[1]
                yield pytest.param(name, argument, role, whose, status, id=f"{name}-{role}-{whose}")


def _assert_refusal_logged(response, user) -> None:
    if response.status_code in (403, 404):
        refused = AccessLog.objects.filter(action=AccessAction.REFUSED, user=user).order_by("-pk").first()
        assert refused is not None, "every refusal is logged"
        assert refused.status_code == response.status_code, "every refusal is logged"


@pytest.mark.parametrize(("name", "argument", "role", "whose", "expected"), list(_cases()))
def test_get(client, world, name, argument, role, whose, expected):
    users, objects = world
    url = reverse(name, args=_args(objects[whose][argument]) if argument else [])
    client.force_login(users[role])
    response = client.get(url)
    assert response.status_code == expected
    _assert_refusal_logged(response, users[role])


@pytest.mark.parametrize(("name", "argument", "role", "whose", "expected"), list(_cases()))
def test_post(client, world, name, argument, role, whose, expected):
    """The same matrix for POST: whoever is refused a page is refused posting to it too, and
    whoever may use it gets a form (or its result), never a refusal or an error."""
    users, objects = world
    url = reverse(name, args=_args(objects[whose][argument]) if argument else [])
    client.force_login(users[role])
    response = client.post(url, {})
    expected = POST_NARROWER.get(name, {}).get(role, expected)
    if expected in (403, 404):
        assert response.status_code == expected
    else:
        assert response.status_code in (200, 302, 405), response.status_code
    _assert_refusal_logged(response, users[role])


POSTS = {
    "reviews:document_request": {"kind": "outcomes"},
    "reviews:document_issue": {},
    "reviews:distribution_new": {"recipient": "Carer", "method": "post", "sent_on": "2025-02-04"},
}

CHILD_PAGES = tuple(name for name in RULES if name.startswith("my_review:"))
PUBLIC = ("accounts:login", "accounts:logout", "accounts:notifications_read", "healthz", *POSTS, *CHILD_PAGES)


@pytest.mark.parametrize("name", [name for name in RULES if name not in PUBLIC])
def test_anonymous_visitors_are_sent_to_sign_in(client, world, name):
    _users, objects = world
    argument = RULES[name][0]
    response = client.get(reverse(name, args=_args(objects["own"][argument]) if argument else []))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    ("role", "whose", "expected"),
    [("iro", "own", 200), ("iro", "other", 404), ("manager", "own", 403), ("support", "own", 403)],
)
def test_only_the_iro_on_the_case_may_post_the_review_record(client, world, role, whose, expected):
    users, objects = world
    client.force_login(users[role])
    response = client.post(
        reverse("reviews:detail", args=[objects[whose]["review"]]),
        {
            "save_draft": "1",
            "claim": claims.RECORD.claim(Review.objects.get(pk=objects[whose]["review"])),
            "attendees-TOTAL_FORMS": "0",
            "attendees-INITIAL_FORMS": "0",
            "decisions-TOTAL_FORMS": "0",
            "decisions-INITIAL_FORMS": "0",
        },
    )
    # A valid draft save redirects back to the review.
    assert response.status_code == (302 if expected == 200 else expected)


@pytest.mark.parametrize("name", list(POSTS))
@pytest.mark.parametrize(
    ("role", "whose", "expected"),
    [
        ("iro", "own", 302),
        ("iro", "other", 404),
        ("manager", "own", 403),
        ("support", "own", 403),
        ("no_role", "own", 403),
    ],
)
def test_document_actions_are_for_the_iro_on_the_case(client, world, name, role, whose, expected):
    users, objects = world
    client.force_login(users[role])
    response = client.post(reverse(name, args=[objects[whose][RULES[name][0]]]), POSTS[name])
    assert response.status_code == expected
    assert client.get(reverse(name, args=[objects[whose][RULES[name][0]]])).status_code in (403, 404, 405)


def test_anonymous_visitors_get_the_login_page(client):
    assert client.get(reverse("accounts:login")).status_code == 200


def test_logout_ends_the_session(client, world):
    users, _objects = world
    client.force_login(users["iro"])
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


# --- Cover ends -----------------------------------------------------------------------------

REVIEW_ARGUMENTS = ("review", "held_review", "document")
COVERED = [
    (name, argument, method)
    for name, (argument, expected) in RULES.items()
    if argument in REVIEW_ARGUMENTS
    for method in (("post",) if expected == "post-only" else ("get", "post"))
]


def _iro_expected(name: str) -> int:
    """What an IRO gets from a URL of a review they may not work on: 403 where the role may
    never use it, else 404 (the review is not on their caseload)."""
    expected = RULES[name][1]
    return expected["iro"] if expected != "post-only" and expected["iro"] == 403 else 404


@pytest.mark.parametrize(("name", "argument", "method"), COVERED)
def test_an_expired_cover_opens_nothing(client, world, name, argument, method):
    """The IRO covered the other child's reviews: one cover ended yesterday (a date business
    support set), the other when the held review's minutes fell due. Neither opens any review or
    document URL any more, for reading or writing."""
    users, objects = world
    iro, other = users["iro"], objects["other"]
    yesterday = timezone.localdate() - timedelta(days=1)
    Review.objects.filter(pk=other["review"]).update(covering_iro=iro, cover_ends_on=yesterday)
    Review.objects.filter(pk=other["held_review"]).update(covering_iro=iro)  # held 3 Feb 2025: minutes long due
    client.force_login(iro)
    url = reverse(name, args=_args(other[argument]))
    response = client.get(url) if method == "get" else client.post(url, POSTS.get(name, {}))
    assert response.status_code == _iro_expected(name)
    _assert_refusal_logged(response, iro)


def test_a_live_cover_opens_the_covered_review_and_its_documents(client, world):
    users, objects = world
    iro, other = users["iro"], objects["other"]
    today = timezone.localdate()
    Review.objects.filter(pk=other["review"]).update(covering_iro=iro, cover_ends_on=today)
    # A review held last week: its minutes are not due yet, so cover still runs.
    Review.objects.filter(pk=other["held_review"]).update(
        covering_iro=iro, held_on=today - timedelta(days=7), minutes_due_on=None
    )
    client.force_login(iro)
    assert client.get(reverse("reviews:detail", args=[other["review"]])).status_code == 200
    assert client.get(reverse("reviews:prepare", args=[other["review"]])).status_code == 200
    assert client.get(reverse("reviews:document_download", args=[other["document"]])).status_code == 200


def test_cover_in_the_database_and_in_memory_is_one_rule(world):
    """access._cover_active (a query) and access.cover_is_active (one review) agree on every
    combination of status, held date and end of cover."""
    users, objects = world
    pk = objects["other"]["review"]
    today = timezone.localdate()
    seen = set()
    for held_days_ago, status in ((None, "due"), (None, "cancelled"), (5, "held"), (40, "held")):
        held_on = today - timedelta(days=held_days_ago) if held_days_ago is not None else None
        for ends in (None, today - timedelta(days=1), today, today + timedelta(days=3)):
            Review.objects.filter(pk=pk).update(
                covering_iro=users["iro"],
                cover_ends_on=ends,
                status=status,
                held_on=held_on,
                participation_code="PN1" if held_on else "",
            )
            in_sql = Review.objects.filter(access._cover_active(today=today), pk=pk).exists()
            in_memory = access.cover_is_active(review=Review.objects.get(pk=pk), today=today)
            assert in_sql == in_memory, (status, held_on, ends)
            seen.add(in_memory)
    assert seen == {True, False}

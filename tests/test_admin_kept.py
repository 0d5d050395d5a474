"""The admin keeps what the application keeps and logs what it shows (docs/domain.md,
"Record keeping").

Every part of a child's record refuses deletion in the admin, in the models and (on
PostgreSQL) in the database; every admin read or change of a child's record writes an
access-log row naming the child, and a list page one row for the list."""

from datetime import date, datetime
from importlib import import_module
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from accounts.admin_mixins import KeptInline, KeptRecordAdmin
from accounts.models import AccessAction, AccessLog
from audits.models import (
    DisruptionMeeting,
    Escalation,
    EscalationStageChange,
    MidwayReview,
    MonitoringForm,
    ParticipantFeedback,
)
from children.models import Allocation, Child, Episode, PeriodOfCare
from children.records import NeverDeleted, RecordsAreKept
from reviews.models import (
    Booking,
    CareEvent,
    Decision,
    Distribution,
    Document,
    Invitee,
    ReportReceived,
    Review,
    Visit,
)
from reviews.my_review_models import MyReviewInvitation, MyReviewListenedTo, MyReviewResponse
from reviews.services import review_record_held
from tests.factories import UserFactory, child_in_care

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
# reviews 0009 adds the care events table to those PostgreSQL refuses to delete from.
KEPT_TABLES = (
    *import_module("audits.migrations.0006_kept_admin").KEPT_TABLES,
    "reviews_careevent",
    "reviews_myreviewinvitation",
    "reviews_myreviewresponse",
)

# Models that are part of a child's record (docs/domain.md, "Record keeping"): the admin never
# deletes any of them. Decisions and reports received are part of it too, but the application itself
# removes them from a draft review, so only the admin and the other models refuse.
# Settings and service records, not part of any child's record: a return check is a run of the DfE
# validator over an export (its files are the export, made again on demand).
NOT_A_CHILDS_RECORD = {"audits.RatingSchemeSetting", "reviews.ReturnCheck"}


@pytest.fixture
def staff(client):
    user = UserFactory(username="admin.one", is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


@pytest.fixture
def record(iro):
    """One child's whole record: a row of every kept model."""
    child, review = child_in_care(iro)
    held = review_record_held(review=review, held_on=date(2025, 2, 3), chair=iro, participation_code="PN1")
    document = Document.objects.create(
        review=held, kind="outcomes", version=1, state="ready", created_by=iro, issued_on=date(2025, 2, 4)
    )
    escalation = Escalation.objects.create(
        child=child, review=held, raised_by=iro, raised_on=date(2025, 2, 5), theme="pep", concern="No PEP."
    )
    rows = {
        Child: child,
        PeriodOfCare: PeriodOfCare.objects.get(child=child),
        Episode: Episode.objects.get(period_of_care__child=child),
        Allocation: Allocation.objects.get(child=child),
        Review: held,
        Document: document,
        Escalation: escalation,
        Decision: Decision.objects.create(review=held, text="Book a dentist", owner="Carer"),
        ReportReceived: ReportReceived.objects.create(review=held, kind="care_plan", received_on=date(2025, 2, 1)),
        Booking: Booking.objects.create(
            review=held, action="booked", booked_for=datetime(2025, 2, 3, 10, tzinfo=LONDON), recorded_by=iro
        ),
        Invitee: Invitee.objects.create(review=held, name="Sam Carer", role="foster carer"),
        Visit: Visit.objects.create(child=child, iro=iro, visited_on=date(2025, 1, 30)),
        Distribution: Distribution.objects.create(
            document=document, recipient="Social worker", method="email", sent_on=date(2025, 2, 4), recorded_by=iro
        ),
        MonitoringForm: MonitoringForm.objects.create(
            review=held, completed_by=iro, completed_on=date(2025, 2, 5), scheme="ofsted_4", care_plan_rating=2
        ),
        EscalationStageChange: EscalationStageChange.objects.create(
            escalation=escalation, to_stage="informal_sw", changed_on=date(2025, 2, 5), changed_by=iro
        ),
        MidwayReview: MidwayReview.objects.create(child=child, author=iro, held_on=date(2025, 3, 1), note="Fine."),
        ParticipantFeedback: ParticipantFeedback.objects.create(
            review=held,
            role="carer",
            received_on=date(2025, 2, 6),
            preparation="well",
            venue_suitable=True,
            child_voice_central=True,
            rating=4,
            recorded_by=iro,
        ),
        DisruptionMeeting: DisruptionMeeting.objects.create(
            child=child, chaired_by=iro, held_on=date(2025, 3, 2), placement="Foster home", learning_points="Plan."
        ),
        CareEvent: CareEvent.objects.create(
            child=child,
            period_of_care=held.period_of_care,
            kind="legal_status",
            occurred_on=date(2025, 3, 3),
            recorded_by=iro,
        ),
        MyReviewInvitation: MyReviewInvitation.objects.create(
            review=held,
            token_hash="t" * 64,
            code_hash="c" * 64,
            word_hash="w",
            created_by=iro,
            expires_on=date(2025, 2, 4),
        ),
        MyReviewResponse: MyReviewResponse.objects.create(review=held, where_i_live="With my carers."),
        MyReviewListenedTo: MyReviewListenedTo.objects.create(review=held, answer="yes"),
    }
    return rows


def _childs_record_models():
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label in ("children", "reviews", "audits")
        and not model._meta.label.split(".")[1].startswith("Historical")
        and model._meta.label not in NOT_A_CHILDS_RECORD
    ]


ADMIN_MODELS = [Child, PeriodOfCare, Episode, Allocation, Review, Document, MonitoringForm, Escalation]


def _admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


# --- Nothing deleted ----------------------------------------------------------------------------


def test_every_admin_of_a_childs_record_is_a_kept_record_admin():
    registered = {model: model_admin for model, model_admin in admin.site._registry.items()}
    for model in _childs_record_models():
        if model in registered:
            assert isinstance(registered[model], KeptRecordAdmin), model
            for inline in registered[model].inlines:
                assert issubclass(inline, KeptInline), inline
    # The history of a record is shown through its own admin, never as rows one could delete.
    assert not [model for model in registered if model.__name__.startswith("Historical")]
    assert sorted(model.__name__ for model in ADMIN_MODELS) == sorted(
        model.__name__ for model in _childs_record_models() if model in registered
    )


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda model: model.__name__)
def test_the_admin_refuses_to_delete(client, staff, record, model):
    row = record[model]
    response = client.post(_admin_url(model, "delete", row.pk), {"post": "yes"})
    assert response.status_code == 403
    assert model.objects.filter(pk=row.pk).exists()
    refusal = AccessLog.objects.get(action=AccessAction.REFUSED)
    assert (refusal.status_code, refusal.object_type) == (
        403,
        f"admin:{row._meta.app_label}_{model._meta.model_name}_delete",
    )

    changelist = client.get(_admin_url(model, "changelist"))
    assert changelist.status_code == 200
    assert "delete_selected" not in changelist.content.decode()
    forced = client.post(_admin_url(model, "changelist"), {"action": "delete_selected", ACTION_CHECKBOX_NAME: [row.pk]})
    assert forced.status_code in (200, 302)  # the list again, or back to it: no action taken
    assert model.objects.filter(pk=row.pk).exists()


def test_the_access_log_admin_refuses_to_delete_or_change(client, staff, record):
    client.get(_admin_url(Child, "change", record[Child].pk))
    row = AccessLog.objects.get()
    assert client.post(_admin_url(AccessLog, "delete", row.pk), {"post": "yes"}).status_code == 403
    assert AccessLog.objects.filter(pk=row.pk).exists()


def test_inlines_offer_no_delete_box(client, staff, record):
    page = client.get(_admin_url(Review, "change", record[Review].pk)).content.decode()
    assert "decisions-0-DELETE" not in page
    page = client.get(_admin_url(Child, "change", record[Child].pk)).content.decode()
    assert "allocations-0-DELETE" not in page
    assert "periods_of_care-0-DELETE" not in page


def test_archiving_in_the_admin_needs_a_reason_and_is_logged(client, staff, record):
    review = record[Review]
    url = _admin_url(Review, "changelist")
    refused = client.post(
        url, {"action": "archive_selected", ACTION_CHECKBOX_NAME: [review.pk], "reason": " "}, follow=True
    )
    assert "Give a reason for archiving." in refused.content.decode()
    review.refresh_from_db()
    assert review.archived_at is None

    client.post(url, {"action": "archive_selected", ACTION_CHECKBOX_NAME: [review.pk], "reason": "Entered twice."})
    review.refresh_from_db()
    assert (review.archived_by, review.archive_reason) == (staff, "Entered twice.")
    assert Review.objects.filter(pk=review.pk).exists()
    archived = AccessLog.objects.get(action=AccessAction.CHANGE, child_id=review.child_id)
    assert archived.object_type == "admin:reviews_review_changelist"


def test_models_of_a_childs_record_refuse_deletion(record):
    for model in _childs_record_models():
        if model in (Decision, ReportReceived):
            continue  # removed from a draft review by the application itself
        assert issubclass(model, NeverDeleted), model
        with pytest.raises(RecordsAreKept):
            record[model].delete()
        with pytest.raises(RecordsAreKept):
            model.objects.filter(pk=record[model].pk).delete()
        assert model.objects.filter(pk=record[model].pk).exists()


@pytest.mark.parametrize("table", KEPT_TABLES)
def test_the_database_refuses_to_delete_a_part_of_a_childs_record(record, table):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - the migration's fixed table names
        assert cursor.fetchone()[0] > 0  # a trigger per row: an empty table would prove nothing
    with pytest.raises(DatabaseError, match="kept"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - the migration's fixed table names


# --- Logged -------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda model: model.__name__)
def test_reading_a_record_in_the_admin_is_logged_with_the_child(client, staff, record, model):
    row = record[model]
    response = client.get(_admin_url(model, "change", row.pk), REMOTE_ADDR="10.9.8.7")
    assert response.status_code == 200
    [logged] = AccessLog.objects.all()
    assert (logged.user, logged.action, logged.child_id, logged.object_id, logged.status_code) == (
        staff,
        AccessAction.VIEW,
        record[Child].pk,
        str(row.pk),
        200,
    )
    assert logged.object_type == f"admin:{model._meta.app_label}_{model._meta.model_name}_change"
    assert logged.ip_address == "10.9.8.7"


def test_a_records_history_in_the_admin_is_logged(client, staff, record):
    review = record[Review]
    assert client.get(_admin_url(Review, "history", review.pk)).status_code == 200
    version = review.history.latest("history_date")
    assert client.get(_admin_url(Review, "simple_history", review.pk, version.history_id)).status_code == 200
    rows = list(AccessLog.objects.order_by("pk").values_list("action", "child_id", "object_type"))
    assert rows == [
        (AccessAction.VIEW, review.child_id, "admin:reviews_review_history"),
        (AccessAction.VIEW, review.child_id, "admin:reviews_review_simple_history"),
    ]


def test_a_change_in_the_admin_is_logged_as_a_change_with_the_child(client, staff, record):
    allocation = record[Allocation]
    response = client.post(
        _admin_url(Allocation, "change", allocation.pk),
        {
            "child": allocation.child_id,
            "iro": allocation.iro_id,
            "kind": "case_holding",
            "start": "2025-01-06",
            "end": "2025-06-30",
        },
    )
    assert response.status_code == 302
    allocation.refresh_from_db()
    assert allocation.end == date(2025, 6, 30)
    [logged] = AccessLog.objects.all()
    assert (logged.action, logged.child_id, logged.object_type, logged.object_id) == (
        AccessAction.CHANGE,
        record[Child].pk,
        "admin:children_allocation_change",
        str(allocation.pk),
    )


def test_an_addition_in_the_admin_is_logged_with_the_new_records_child(client, staff, record, other_iro):
    child = record[Child]
    response = client.post(
        _admin_url(Allocation, "add"),
        {"child": child.pk, "iro": other_iro.pk, "kind": "cover", "start": "2025-03-01", "end": "2025-03-14"},
    )
    assert response.status_code == 302
    cover = Allocation.objects.get(child=child, kind="cover")
    [logged] = AccessLog.objects.all()
    assert (logged.action, logged.child_id, logged.object_id) == (AccessAction.CHANGE, child.pk, str(cover.pk))


def test_a_list_page_writes_one_row_for_the_list(client, staff, record):
    child_in_care(record[Allocation].iro)  # two children listed
    assert client.get(_admin_url(Child, "changelist")).status_code == 200
    [logged] = AccessLog.objects.all()
    assert (logged.action, logged.child_id, logged.object_type) == (
        AccessAction.VIEW,
        None,
        "admin:children_child_changelist",
    )


def test_an_empty_add_form_reads_no_record(client, staff):
    assert client.get(_admin_url(Allocation, "add")).status_code == 200
    assert not AccessLog.objects.exists()


def test_a_404_under_admin_with_a_long_view_name_is_a_logged_refusal(client, staff, record):
    view_name = "admin:children_periodofcare_simple_history"
    assert len(view_name) > 40  # the old column's width
    response = client.get(_admin_url(PeriodOfCare, "simple_history", record[PeriodOfCare].pk, 999_999))
    assert response.status_code == 404
    refusal = AccessLog.objects.get()
    assert (refusal.action, refusal.status_code, refusal.object_type, refusal.user) == (
        AccessAction.REFUSED,
        404,
        view_name,
        staff,
    )

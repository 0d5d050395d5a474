"""Care events in through the API (api/views_write.py): the scope, the child, episodes through the
screens' services, allocation by staff identifier, refusals in the import's words (422), and an
access-log row naming the client for each write."""

from datetime import date

import pytest

from accounts.models import AccessLog
from api.scopes import Scope
from children.models import Allocation, Child, Episode, PeriodOfCare
from reviews.care_event_models import CareEvent
from reviews.codes import ReviewStatus
from reviews.models import Review
from reviews.timescales import add_working_days
from tests.factories import IROFactory, UserFactory

from .write_helpers import CHILD, CHILD_ID, FIRST_EPISODE, START, allocation_url, child_url, episodes_url, on

pytestmark = pytest.mark.django_db


@pytest.fixture
def writer(make_credential):
    return make_credential(Scope.CARE_EVENTS_WRITE, name="Case system")


@pytest.fixture
def api(writer, api_for):
    return api_for(writer)


@pytest.fixture
def in_care(api):
    """Child C100 in care from 6 Jan 2025 (sent through the API)."""
    with on(date(2025, 1, 6)):
        assert api.put(child_url(), CHILD, format="json").status_code == 201
        assert api.post(episodes_url(), FIRST_EPISODE, format="json").status_code == 201
    return Child.objects.get(local_id=CHILD_ID)


def _problems(response) -> list[tuple[str, object, str]]:
    assert response.status_code == 422, response.content
    assert response.data["detail"] == "Nothing was written."
    return [(p["field"], p["value"], p["rule"]) for p in response.data["problems"]]


# --- Scope -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("put", child_url(), CHILD),
        ("post", episodes_url(), FIRST_EPISODE),
        ("post", allocation_url(), {"staff_id": "S1"}),
    ],
)
def test_every_write_refuses_a_client_without_the_care_events_scope(make_credential, api_for, method, url, body):
    reader = api_for(make_credential(Scope.CHILDREN_READ, Scope.REVIEWS_READ))
    response = getattr(reader, method)(url, body, format="json")
    assert response.status_code == 403
    assert "care-events:write" in str(response.data["detail"])
    assert not Child.objects.exists()


def test_a_write_method_the_view_does_not_name_is_refused(api):
    assert api.get(child_url()).status_code == 403
    assert api.delete(episodes_url()).status_code == 403
    assert api.put(allocation_url(), {"staff_id": "S1"}, format="json").status_code == 403


# --- The child -----------------------------------------------------------------------------------


def test_a_child_is_added_then_brought_up_to_date(api):
    with on(date(2025, 1, 6)):
        added = api.put(child_url(), CHILD, format="json")
        assert added.status_code == 201
        assert added.data["created"] is True
        updated = api.put(child_url(), {**CHILD, "preferred_name": "Sammy", "UPN": ""}, format="json")
    assert updated.status_code == 200
    assert updated.data["created"] is False
    child = Child.objects.get(local_id=CHILD_ID)
    assert (child.preferred_name, child.upn, child.sex, child.date_of_birth) == ("Sammy", "", "M", date(2012, 1, 1))
    assert Child.objects.count() == 1


def test_a_corrected_date_of_birth_moves_the_clock(api, in_care):
    review = Review.objects.get(child=in_care, status=ReviewStatus.DUE)
    assert review.due_date == add_working_days(START, 20)
    # Born 1 Feb 2007: 18 on 1 Feb 2025, so no review is due after care ends at 18.
    with on(date(2025, 1, 6)):
        response = api.put(child_url(), {**CHILD, "DOB": "2007-02-01"}, format="json")
    assert response.status_code == 200
    review.refresh_from_db()
    assert review.due_date != add_working_days(START, 20)


def test_child_problems_name_field_value_and_the_import_rule(api):
    with on(date(2025, 6, 2)):
        response = api.put(child_url(), {**CHILD, "SEX": "1", "ETHNIC": "XXXX", "UPN": "=1+1"}, format="json")
    problems = _problems(response)
    assert (
        "SEX",
        "1",
        "SEX is '1', but in 2025-26 SEX is M, F or U (DfE rule 101: The child or young person's reported sex is "
        "not valid.)",
    ) in problems
    assert ("ETHNIC", "XXXX", "'XXXX' is not a ETHNIC code") in problems
    assert ("UPN", "=1+1", "'=1+1' may hold only letters, digits and spaces") in problems
    assert not Child.objects.exists()


def test_a_bad_child_id_in_the_path_is_refused_naming_it(api):
    response = api.put(child_url("C-1"), CHILD, format="json")
    assert _problems(response) == [
        ("CHILD", "C-1", "A CHILD id has only letters and digits (no spaces, punctuation or symbols).")
    ]


def test_type_problems_have_the_same_shape(api):
    response = api.put(child_url(), {**CHILD, "DOB": "01/01/2012", "first_name": ""}, format="json")
    problems = _problems(response)
    fields = {field for field, _value, _rule in problems}
    assert fields == {"DOB", "first_name"}
    assert ("DOB", "01/01/2012") in {(field, value) for field, value, _rule in problems}


# --- Episodes ----------------------------------------------------------------------------------


def test_the_first_episode_starts_care_and_the_first_review_is_due_in_20_working_days(api, in_care):
    period = PeriodOfCare.objects.get(child=in_care)
    assert period.start == START
    episode = Episode.objects.get(period_of_care=period)
    assert (episode.reason_new_episode, episode.legal_status, episode.placement_provider) == ("S", "C2", "PR1")
    review = Review.objects.get(child=in_care, status=ReviewStatus.DUE)
    assert review.due_date == add_working_days(START, 20) == date(2025, 2, 3)


def test_an_episode_for_a_child_not_held_is_refused(api):
    response = api.post(episodes_url(), FIRST_EPISODE, format="json")
    assert _problems(response) == [
        (
            "CHILD",
            CHILD_ID,
            "child C100 is not held here: send the child first (PUT /api/v1/care-events/children/C100/)",
        )
    ]


def test_episode_problems_are_the_imports_words(api):
    with on(date(2025, 6, 2)):
        api.put(child_url(), CHILD, format="json")
        response = api.post(
            episodes_url(), {**FIRST_EPISODE, "DECOM": "2025-05-01", "LS": "Q9", "PLACE": "H5"}, format="json"
        )
    problems = _problems(response)
    assert ("LS", "Q9", "'Q9' is not a LS code") in problems
    assert (
        "PLACE",
        "H5",
        "PLACE is H5, but H5 is not a placement code in 2025-26 (DfE rule 146: Placement type code is not a valid "
        "code.); H5 is a code for 2022-23 to 2024-25",
    ) in problems
    assert not PeriodOfCare.objects.exists()


def test_a_placement_change_goes_through_the_screens_service(api, in_care):
    with on(date(2025, 1, 20)):
        response = api.post(
            episodes_url(),
            {"DECOM": "2025-01-20", "RNE": "P", "PLACE": "U5", "PL_POST": "MK9 3EJ", "REASON_PLACE_CHANGE": "CARPL"},
            format="json",
        )
    assert response.status_code == 201, response.content
    # The details the RNE does not change are carried over from the current episode.
    assert (response.data["LS"], response.data["CIN"], response.data["HOME_POST"]) == ("C2", "N1", "MK9 3EJ")
    assert response.data["early_review"]["reason"] == "significant_change"
    assert response.data["early_review"]["choice"] == "pending"
    event = CareEvent.objects.get(child=in_care)
    assert (event.kind, event.episode.placement_type, event.previous_placement_type) == ("placement", "U5", "U4")
    first = Episode.objects.get(period_of_care__child=in_care, start=START)
    assert (first.end, first.reason_ended) == (date(2025, 1, 20), "X1")


def test_placed_for_adoption_goes_through_the_screens_adoption_event(api, in_care):
    with on(date(2025, 1, 20)):
        wrong = api.post(episodes_url(), {"DECOM": "2025-01-20", "RNE": "P", "PLACE": "A3"}, format="json")
        placed = api.post(episodes_url(), {"DECOM": "2025-01-20", "RNE": "T", "PLACE": "A3"}, format="json")
    # A3 is with the current foster carers: RNE T, as the screens' "Placed for adoption" makes it.
    assert _problems(wrong) == [("RNE", "P", "PLACE A3 from the current placement U4 with legal status C2 is RNE T")]
    assert placed.status_code == 201, placed.content
    event = CareEvent.objects.get(child=in_care)
    assert (event.kind, event.episode.reason_new_episode, event.episode.reason_place_change) == (
        "adoption_placement",
        "T",
        "CARPL",
    )


def test_a_carried_over_detail_sent_with_another_value_is_refused(api, in_care):
    with on(date(2025, 1, 20)):
        response = api.post(
            episodes_url(), {"DECOM": "2025-01-20", "RNE": "P", "PLACE": "U5", "LS": "E1"}, format="json"
        )
    assert _problems(response) == [
        (
            "LS",
            "E1",
            "RNE P keeps LS 'C2' from the current episode (from Mon 6 Jan 2025); a change of legal status is RNE "
            "L, B or U",
        )
    ]
    assert Episode.objects.filter(period_of_care__child=in_care).count() == 1


def test_a_services_refusal_is_on_the_field_the_api_names(api, in_care):
    with on(date(2025, 1, 20)):
        response = api.post(episodes_url(), {"DECOM": "2025-01-20", "RNE": "L", "LS": "C2"}, format="json")
    assert _problems(response) == [("LS", "C2", "C2 is the current legal status: choose the new one.")]


def test_an_episode_sent_with_other_details_than_the_one_held_is_refused(api, in_care):
    with on(date(2025, 1, 20)):
        response = api.post(episodes_url(), {**FIRST_EPISODE, "PLACE": "U6"}, format="json")
    (problem,) = _problems(response)
    assert problem[:2] == ("PLACE", "U6")
    assert "is held with PLACE 'U4'" in problem[2]
    assert "identified by CHILD and DECOM" in problem[2]


def test_x1_is_never_sent_the_next_episode_ends_the_current_one(api, in_care):
    with on(date(2025, 1, 20)):
        response = api.post(episodes_url(), {**FIRST_EPISODE, "DEC": "2025-01-20", "REC": "X1"}, format="json")
    ((field, value, rule),) = _problems(response)
    assert (field, value) == ("REC", "X1")
    assert rule.startswith("X1 says a new episode follows, but none does")


def test_leaving_care_that_calls_for_a_review_asks_for_the_answer(api):
    # Accommodated under s20 at 16, not going home: reg 33(3)(e).
    with on(date(2025, 1, 6)):
        api.put(child_url(), {**CHILD, "DOB": "2008-06-01"}, format="json")
        api.post(episodes_url(), {**FIRST_EPISODE, "LS": "V2"}, format="json")
    with on(date(2025, 2, 10)):
        ending = {"DECOM": "2025-01-06", "DEC": "2025-02-10", "REC": "E11"}
        problems = _problems(api.post(episodes_url(), ending, format="json"))
        assert problems == [
            ("early_review_choice", None, "Say whether a review has considered this, or why there is none.")
        ]
        done = api.post(
            episodes_url(),
            {**ending, "early_review_choice": "none", "no_early_review_reason": "Moved in with an aunt."},
            format="json",
        )
    assert done.status_code == 200, done.content
    assert (done.data["looked_after"], done.data["DEC"], done.data["REC"]) == (False, "2025-02-10", "E11")
    assert CareEvent.objects.get(kind="left_care").no_early_review_reason == "Moved in with an aunt."


def test_return_to_care_is_a_new_period_with_rne_s(api, in_care):
    with on(date(2025, 2, 3)):
        left = api.post(episodes_url(), {"DECOM": "2025-01-06", "DEC": "2025-02-03", "REC": "E4A"}, format="json")
    assert left.status_code == 200, left.content
    with on(date(2025, 4, 14)):
        response = api.post(
            episodes_url(), {**FIRST_EPISODE, "DECOM": "2025-04-14", "LS": "V2", "CIN": "N4"}, format="json"
        )
    assert response.status_code == 201, response.content
    # reg 33(1): Good Friday 18 Apr, Easter Monday 21 Apr and 5 May are skipped.
    assert response.data["next_review_due"] == "2025-05-15"
    assert CareEvent.objects.get(child=in_care, kind="returned_to_care").occurred_on == date(2025, 4, 14)
    assert PeriodOfCare.objects.filter(child=in_care).count() == 2


def test_coming_into_care_more_than_a_year_ahead_is_refused_as_on_the_screen(api):
    with on(date(2025, 1, 6)):
        api.put(child_url(), CHILD, format="json")
        response = api.post(episodes_url(), {**FIRST_EPISODE, "DECOM": "2026-02-01"}, format="json")
    assert _problems(response) == [
        ("DECOM", "2026-02-01", "Looked after from must be no later than 7 January 2026 (a year from today).")
    ]


def test_a_continuing_episode_for_a_child_not_in_care_is_refused(api):
    api.put(child_url(), CHILD, format="json")
    response = api.post(episodes_url(), {**FIRST_EPISODE, "RNE": "P"}, format="json")
    assert _problems(response) == [
        (
            "RNE",
            "P",
            "RNE P continues a period of care, but child C100 is not looked after now; a new period needs RNE S",
        )
    ]


# --- Allocation by staff identifier ------------------------------------------------------------


def test_an_iro_is_allocated_by_staff_identifier(api, in_care):
    iro = IROFactory(first_name="Alex", last_name="Morgan")
    iro.iro_profile.staff_id = "IRO042"
    iro.iro_profile.save()
    with on(date(2025, 1, 7)):
        response = api.post(allocation_url(), {"staff_id": "IRO042", "start": "2025-01-06"}, format="json")
        again = api.post(allocation_url(), {"staff_id": "IRO042"}, format="json")
    assert response.status_code == 201, response.content
    assert response.data == {
        "CHILD": CHILD_ID,
        "staff_id": "IRO042",
        "iro": "Alex Morgan",
        "start": "2025-01-06",
        "created": True,
    }
    assert (again.status_code, again.data["created"]) == (200, False)
    assert Allocation.objects.get(child=in_care, end__isnull=True).iro == iro


def test_an_unknown_staff_identifier_is_refused_naming_it(api, in_care):
    response = api.post(allocation_url(), {"staff_id": "NOBODY"}, format="json")
    assert _problems(response) == [
        (
            "staff_id",
            "NOBODY",
            "No IRO has the staff identifier 'NOBODY': add it to their IRO profile (admin, Users) first.",
        )
    ]
    assert not Allocation.objects.exists()


def test_a_staff_identifier_belongs_to_one_iro(db):
    from django.core.exceptions import ValidationError  # noqa: PLC0415 - this test only

    first, second = IROFactory(), IROFactory()
    first.iro_profile.staff_id = "IRO042"
    first.iro_profile.full_clean()
    first.iro_profile.save()
    second.iro_profile.staff_id = "IRO042"
    with pytest.raises(ValidationError, match="Another IRO has this staff identifier"):
        second.iro_profile.full_clean()
    # Blank is allowed for any number of IROs.
    second.iro_profile.staff_id = ""
    second.iro_profile.full_clean()


def test_the_staff_identifier_is_edited_with_the_iro_profile_in_the_admin(client):
    from django.urls import reverse  # noqa: PLC0415 - this test only

    from tests.accounts.test_profile import _admin_post  # noqa: PLC0415 - the user admin's form, as posted

    holder, iro = IROFactory(), IROFactory()
    holder.iro_profile.staff_id = "W1042"
    holder.iro_profile.save()
    client.force_login(UserFactory(username="admin.one", is_staff=True, is_superuser=True))
    url = reverse("admin:accounts_user_change", args=[iro.pk])
    assert 'name="iro_profile-0-staff_id"' in client.get(url).content.decode()

    refused = client.post(url, _admin_post(iro, staff_id="W1042"))
    assert refused.status_code == 200
    assert "Another IRO has this staff identifier." in refused.content.decode()
    saved = client.post(url, _admin_post(iro, staff_id="W1043"))
    assert saved.status_code == 302
    iro.iro_profile.refresh_from_db()
    assert iro.iro_profile.staff_id == "W1043"


# --- The access log ----------------------------------------------------------------------------


def test_each_write_logs_a_change_naming_the_client(make_credential, api_for):
    first = make_credential(Scope.CARE_EVENTS_WRITE, name="Liquidlogic")
    second = make_credential(Scope.CARE_EVENTS_WRITE, name="Mosaic")
    with on(date(2025, 1, 6)):
        api_for(first).put(child_url(), CHILD, format="json")
        api_for(second).post(episodes_url(), FIRST_EPISODE, format="json")
    child = Child.objects.get(local_id=CHILD_ID)
    rows = list(AccessLog.objects.filter(child_id=child.pk).order_by("pk"))
    assert [(str(row.user), row.action, row.object_type, row.method) for row in rows] == [
        ("Liquidlogic (API client)", "change", "api:child", "PUT"),
        ("Mosaic (API client)", "change", "api:episode", "POST"),
    ]
    assert rows[0].path == child_url()


def test_a_refused_write_logs_no_change(api):
    api.put(child_url(), {**CHILD, "SEX": "Z"}, format="json")
    assert not AccessLog.objects.filter(action="change").exists()


# --- The schema ----------------------------------------------------------------------------------


def test_the_schema_documents_each_write_with_its_422_body_and_the_idempotency_key(api):
    import json  # noqa: PLC0415 - this test only

    schema = json.loads(api.get("/api/v1/schema/?format=json").content)
    problems = schema["components"]["schemas"]["Problems"]
    assert set(problems["required"]) == {"detail", "problems"}
    assert set(schema["components"]["schemas"]["Problem"]["properties"]) == {"field", "value", "rule"}
    for path, method in (
        ("/api/v1/care-events/children/{child_id}/", "put"),
        ("/api/v1/care-events/children/{child_id}/episodes/", "post"),
        ("/api/v1/care-events/children/{child_id}/allocation/", "post"),
    ):
        operation = schema["paths"][path][method]
        refused = operation["responses"]["422"]["content"]["application/json"]["schema"]
        assert refused == {"$ref": "#/components/schemas/Problems"}, path
        assert "Idempotency-Key" in {p["name"] for p in operation["parameters"] if p["in"] == "header"}, path
        assert operation["security"] == [{"client": []}], path
    episode = schema["components"]["schemas"]["EpisodeWriteRequest"]["properties"]
    ssda903 = {"DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "HOME_POST", "PL_POST", "URN", "DEC", "REC"}
    assert ssda903 <= set(episode)

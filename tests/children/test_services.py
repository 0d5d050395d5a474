"""children.services called directly: a child's record, and a period of care started and ended
(with its episodes), each validated before anything is written."""

from datetime import date

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from children.codes import EPISODE_CONTINUES, Ethnicity, LegalStatus, Mother, ReasonEpisodeCeased, ReasonNewEpisode, Sex
from children.models import Child, Episode, PeriodOfCare
from children.services import child_create, episode_add, period_of_care_end, period_of_care_start
from tests.factories import ChildFactory

pytestmark = pytest.mark.django_db

EPISODE = {"legal_status": LegalStatus.C2, "category_of_need": "N1", "placement_type": "U4"}


def _details(**fields):
    return {
        "local_id": "C123",
        "first_name": "Sam",
        "last_name": "Jones",
        "date_of_birth": date(2012, 3, 4),
        "sex": Sex.FEMALE,
        "ethnicity": Ethnicity.WBRI,
        **fields,
    }


# --- child_create -------------------------------------------------------------------------------


def test_child_create_writes_the_childs_record_with_every_field():
    child = child_create(
        **_details(
            preferred_name="Sammy",
            upn="A123456789012",
            mother=Mother.YES,
            mother_child_date_of_birth=date(2028, 1, 1),
            school="Hill School",
            social_worker="Jo Smith",
            email="sam@example.org",
        )
    )
    stored = Child.objects.get()
    assert stored == child
    assert (
        stored.local_id,
        stored.first_name,
        stored.last_name,
        stored.preferred_name,
        stored.date_of_birth,
        stored.sex,
        stored.ethnicity,
        stored.upn,
        stored.mother,
        stored.mother_child_date_of_birth,
        stored.school,
        stored.social_worker,
        stored.email,
    ) == (
        "C123",
        "Sam",
        "Jones",
        "Sammy",
        date(2012, 3, 4),
        "F",
        "WBRI",
        "A123456789012",
        "1",
        date(2028, 1, 1),
        "Hill School",
        "Jo Smith",
        "sam@example.org",
    )


def test_child_create_leaves_the_optional_fields_blank():
    child = child_create(**_details())
    assert (child.preferred_name, child.upn, child.mother, child.mother_child_date_of_birth, child.email) == (
        "",
        "",
        "",
        None,
        "",
    )


@pytest.mark.parametrize(
    ("field", "fields"),
    [
        ("local_id", {"local_id": "=1+1"}),
        ("local_id", {"local_id": "C12345678901"}),
        ("sex", {"sex": "X"}),
        ("ethnicity", {"ethnicity": "NOPE"}),
        ("mother", {"sex": Sex.MALE, "mother": Mother.NO}),
        ("mother_child_date_of_birth", {"mother": Mother.YES, "mother_child_date_of_birth": date(2012, 3, 4)}),
        ("email", {"email": "not an address"}),
    ],
)
def test_child_create_refuses_a_bad_field_and_writes_nothing(field, fields):
    with pytest.raises(ValidationError) as refused:
        child_create(**_details(**fields))
    assert field in refused.value.message_dict
    assert not Child.objects.exists()


def test_child_create_refuses_a_childs_date_of_birth_for_a_girl_who_is_not_a_mother():
    with pytest.raises(ValidationError) as refused:
        child_create(**_details(mother=Mother.NO, mother_child_date_of_birth=date(2028, 1, 1)))
    assert "only recorded for a mother" in str(refused.value.message_dict[NON_FIELD_ERRORS])
    assert not Child.objects.exists()


def test_child_create_refuses_a_child_id_already_used():
    child_create(**_details())
    with pytest.raises(ValidationError) as refused:
        child_create(**_details(first_name="Another"))
    assert "local_id" in refused.value.message_dict
    assert Child.objects.get().first_name == "Sam"


# --- period_of_care_start -----------------------------------------------------------------------


def test_period_of_care_start_opens_a_period_and_its_first_episode_with_rne_s():
    child = ChildFactory(date_of_birth=date(2012, 3, 4))
    period = period_of_care_start(child=child, start=date(2025, 1, 6), episode_fields=EPISODE)
    stored = PeriodOfCare.objects.get(child=child)
    assert stored == period
    assert (stored.start, stored.end, stored.reason_ended) == (date(2025, 1, 6), None, "")
    episode = stored.episodes.get()
    assert (episode.start, episode.end, episode.reason_new_episode) == (
        date(2025, 1, 6),
        None,
        ReasonNewEpisode.STARTED,
    )
    assert (episode.legal_status, episode.category_of_need, episode.placement_type) == ("C2", "N1", "U4")


def test_period_of_care_start_on_the_day_of_birth_is_allowed_and_the_day_before_is_not():
    child = ChildFactory(date_of_birth=date(2025, 1, 6))
    with pytest.raises(ValidationError) as refused:
        period_of_care_start(child=child, start=date(2025, 1, 5), episode_fields=EPISODE)
    assert "start" in refused.value.message_dict
    assert not PeriodOfCare.objects.exists()
    period_of_care_start(child=child, start=date(2025, 1, 6), episode_fields=EPISODE)
    assert PeriodOfCare.objects.filter(child=child).count() == 1


def test_period_of_care_start_refuses_a_second_period_while_one_is_open():
    child = ChildFactory(date_of_birth=date(2012, 3, 4))
    period_of_care_start(child=child, start=date(2025, 1, 6), episode_fields=EPISODE)
    with pytest.raises(ValidationError) as refused:
        period_of_care_start(child=child, start=date(2025, 6, 1), episode_fields=EPISODE)
    assert "start" in refused.value.message_dict
    assert PeriodOfCare.objects.filter(child=child).count() == 1
    assert Episode.objects.count() == 1


def test_period_of_care_start_with_a_bad_episode_writes_no_period_either():
    child = ChildFactory(date_of_birth=date(2012, 3, 4))
    with pytest.raises(ValidationError) as refused:
        period_of_care_start(child=child, start=date(2025, 1, 6), episode_fields={**EPISODE, "legal_status": "ZZ"})
    assert "legal_status" in refused.value.message_dict
    assert not PeriodOfCare.objects.exists()
    assert not Episode.objects.exists()


def test_a_new_period_may_start_the_day_after_the_last_one_ended():
    child = ChildFactory(date_of_birth=date(2012, 3, 4))
    first = period_of_care_start(child=child, start=date(2025, 1, 6), episode_fields=EPISODE)
    period_of_care_end(period_of_care=first, end=date(2025, 3, 1), reason_ended=ReasonEpisodeCeased.E13)
    second = period_of_care_start(child=child, start=date(2025, 3, 2), episode_fields=EPISODE)
    assert list(PeriodOfCare.objects.filter(child=child)) == [first, second]


# --- period_of_care_end -------------------------------------------------------------------------


@pytest.fixture
def period():
    return period_of_care_start(
        child=ChildFactory(date_of_birth=date(2012, 3, 4)), start=date(2025, 1, 6), episode_fields=EPISODE
    )


def test_period_of_care_end_closes_the_period_and_its_open_episode_with_the_same_date_and_reason(period):
    period_of_care_end(period_of_care=period, end=date(2025, 3, 1), reason_ended=ReasonEpisodeCeased.E13)
    period.refresh_from_db()
    assert (period.end, period.reason_ended) == (date(2025, 3, 1), "E13")
    assert list(period.episodes.values_list("end", "reason_ended")) == [(date(2025, 3, 1), "E13")]


def test_period_of_care_end_leaves_an_episode_already_closed_as_it_was(period):
    episode_add(
        period_of_care=period,
        start=date(2025, 2, 1),
        episode_fields={**EPISODE, "reason_new_episode": ReasonNewEpisode.PLACEMENT_AND_CARER, "placement_type": "U6"},
    )
    period_of_care_end(period_of_care=period, end=date(2025, 3, 1), reason_ended=ReasonEpisodeCeased.E13)
    assert list(period.episodes.order_by("start").values_list("end", "reason_ended")) == [
        (date(2025, 2, 1), EPISODE_CONTINUES),
        (date(2025, 3, 1), "E13"),
    ]


def test_a_period_of_care_may_end_on_the_day_it_starts(period):
    period_of_care_end(period_of_care=period, end=date(2025, 1, 6), reason_ended=ReasonEpisodeCeased.E13)
    period.refresh_from_db()
    assert period.end == date(2025, 1, 6)


def test_a_period_of_care_cannot_end_before_it_starts(period):
    with pytest.raises(ValidationError) as refused:
        period_of_care_end(period_of_care=period, end=date(2025, 1, 5), reason_ended=ReasonEpisodeCeased.E13)
    assert "A period of care cannot end before it starts." in refused.value.message_dict[NON_FIELD_ERRORS]
    period.refresh_from_db()
    assert (period.end, period.reason_ended) == (None, "")
    assert period.episodes.get().end is None


def test_period_of_care_end_refuses_x1_which_continues_care(period):
    with pytest.raises(ValidationError) as refused:
        period_of_care_end(period_of_care=period, end=date(2025, 3, 1), reason_ended=EPISODE_CONTINUES)
    assert "reason_ended" in refused.value.message_dict
    period.refresh_from_db()
    assert period.end is None


def test_period_of_care_end_needs_a_reason(period):
    with pytest.raises(ValidationError) as refused:
        period_of_care_end(period_of_care=period, end=date(2025, 3, 1), reason_ended="")
    assert "Give the reason care ended" in str(refused.value.message_dict[NON_FIELD_ERRORS])
    period.refresh_from_db()
    assert period.end is None


def test_period_of_care_end_before_the_open_episode_began_writes_nothing(period):
    episode_add(
        period_of_care=period,
        start=date(2025, 2, 1),
        episode_fields={**EPISODE, "reason_new_episode": ReasonNewEpisode.PLACEMENT_AND_CARER, "placement_type": "U6"},
    )
    with pytest.raises(ValidationError) as refused:
        period_of_care_end(period_of_care=period, end=date(2025, 1, 20), reason_ended=ReasonEpisodeCeased.E13)
    assert refused.value.message_dict == {"start": ["The episode must start inside its period of care."]}
    period.refresh_from_db()
    assert (period.end, period.reason_ended) == (None, "")  # the period's save was rolled back too
    assert period.episodes.get(start=date(2025, 2, 1)).end is None

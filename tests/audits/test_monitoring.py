"""Monitoring forms: graded on the scheme in force on the review date, never mixing schemes."""

from datetime import date

import pytest
from django.urls import reverse

from audits.codes import RatingScheme
from audits.models import MonitoringForm, RatingSchemeSetting
from audits.selectors import monitoring_form_completion, scheme_on
from children.codes import AllocationKind, LegalStatus
from children.models import Allocation
from reviews.services import child_come_into_care, review_record_held
from tests.factories import ChildFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seed_year_schemes():
    # The seed's year: the legacy 1–5 scheme for quarters 1–2, Ofsted 1–4 from quarter 3.
    RatingSchemeSetting.objects.create(scheme=RatingScheme.LEGACY_5, effective_from=date(2013, 4, 1))
    RatingSchemeSetting.objects.create(scheme=RatingScheme.OFSTED_4, effective_from=date(2013, 10, 1))


def _held(iro, held_on, born=date(2005, 1, 1)):
    child = ChildFactory(date_of_birth=born)
    review = child_come_into_care(
        child=child,
        start=date(2013, 4, 1),
        episode_fields={"legal_status": LegalStatus.C2, "category_of_need": "N1", "placement_type": "U4"},
    )
    Allocation.objects.create(child=child, iro=iro, kind=AllocationKind.CASE_HOLDING, start=date(2013, 4, 1))
    return review_record_held(review=review, held_on=held_on, chair=iro, participation_code="PN1")


def test_the_scheme_follows_its_effective_dates(seed_year_schemes):
    assert scheme_on(date(2013, 6, 30)) == RatingScheme.LEGACY_5
    assert scheme_on(date(2013, 10, 1)) == RatingScheme.OFSTED_4
    assert scheme_on(date(2012, 1, 1)) == RatingScheme.OFSTED_4  # before any setting: Ofsted


def test_a_quarter_two_review_is_graded_1_to_5(client, iro, seed_year_schemes):
    review = _held(iro, date(2013, 6, 10))
    client.force_login(iro)
    url = reverse("audits:monitoring_form", args=[review.pk])
    assert "Legacy 1–5 (5 best)" in client.get(url).content.decode()
    assert client.post(url, {"care_plan_rating": "5", "pep_rating": "3"}).status_code == 302
    form = MonitoringForm.objects.get(review=review)
    assert (form.scheme, form.care_plan_rating, form.pep_rating) == (RatingScheme.LEGACY_5, 5, 3)


def test_a_quarter_three_review_refuses_a_5_with_a_clear_message(client, iro, seed_year_schemes):
    review = _held(iro, date(2013, 11, 4))
    client.force_login(iro)
    url = reverse("audits:monitoring_form", args=[review.pk])
    response = client.post(url, {"care_plan_rating": "5"})
    assert response.status_code == 200
    assert "Select a valid choice. 5 is not one of the available choices." in response.content.decode()
    assert client.post(url, {"care_plan_rating": "1"}).status_code == 302
    assert MonitoringForm.objects.get(review=review).scheme == RatingScheme.OFSTED_4


def test_the_pathway_plan_is_graded_only_from_16(client, iro):
    young = _held(iro, date(2013, 11, 4), born=date(2005, 1, 1))
    older = _held(iro, date(2013, 11, 4), born=date(1996, 1, 1))
    client.force_login(iro)
    assert "Pathway plan" not in client.get(reverse("audits:monitoring_form", args=[young.pk])).content.decode()
    assert "Pathway plan" in client.get(reverse("audits:monitoring_form", args=[older.pk])).content.decode()


def test_completion_rate_per_iro(iro, other_iro):
    with_form = _held(iro, date(2013, 11, 4))
    _held(iro, date(2013, 11, 5))
    _held(other_iro, date(2013, 11, 6))
    MonitoringForm.objects.create(
        review=with_form, completed_by=iro, completed_on=date(2013, 11, 6), scheme=RatingScheme.OFSTED_4
    )
    rates = {
        user.pk: (user.reviews_held, user.forms_completed)
        for user in monitoring_form_completion(start=date(2013, 4, 1), end=date(2014, 3, 31))
    }
    assert rates == {iro.pk: (2, 1), other_iro.pk: (1, 0)}

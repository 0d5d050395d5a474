import re
from datetime import date
from decimal import Decimal

import factory
from django.contrib.auth.models import Group

from accounts.models import IROProfile, User
from accounts.roles import Role
from children.codes import AllocationKind, CategoryOfNeed, Ethnicity, LegalStatus, PlacementType, ReasonNewEpisode, Sex
from children.models import Allocation, Child, Episode, PeriodOfCare
from reviews import claims
from reviews.codes import ReviewSequence, ReviewStatus
from reviews.models import Decision, Review
from reviews.services import child_come_into_care


def _give_role(default: Role | None = None) -> factory.PostGeneration:
    """`UserFactory(role=Role.MANAGER)`; subclasses give their role by default."""

    def add(user, create, extracted, **kwargs):
        role = extracted or default
        if create and role:
            user.groups.add(Group.objects.get_or_create(name=Role(role).value)[0])

    return factory.PostGeneration(add)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("correct-horse-battery")
    role = _give_role()


class IROFactory(UserFactory):
    role = _give_role(Role.IRO)
    profile = factory.RelatedFactory("tests.factories.IROProfileFactory", factory_related_name="user")


class IROProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IROProfile

    user = factory.SubFactory(UserFactory)
    fte = Decimal("1.0")
    active_from = date(2010, 1, 1)


class ManagerFactory(UserFactory):
    role = _give_role(Role.MANAGER)


class BusinessSupportFactory(UserFactory):
    role = _give_role(Role.BUSINESS_SUPPORT)


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Child

    local_id = factory.Sequence(lambda n: f"C{n:06d}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    date_of_birth = date(2008, 6, 1)
    sex = Sex.MALE
    ethnicity = Ethnicity.WBRI


class PeriodOfCareFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PeriodOfCare

    child = factory.SubFactory(ChildFactory)
    start = date(2014, 4, 14)


class EpisodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Episode

    period_of_care = factory.SubFactory(PeriodOfCareFactory)
    start = factory.LazyAttribute(lambda episode: episode.period_of_care.start)
    reason_new_episode = ReasonNewEpisode.STARTED
    legal_status = LegalStatus.C2
    category_of_need = CategoryOfNeed.N1
    placement_type = PlacementType.U4
    home_postcode = "MK9 3EJ"
    placement_postcode = "NN1 1DE"


class AllocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Allocation

    child = factory.SubFactory(ChildFactory)
    iro = factory.SubFactory(IROFactory)
    kind = AllocationKind.CASE_HOLDING
    start = date(2014, 4, 14)


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    period_of_care = factory.SubFactory(PeriodOfCareFactory)
    child = factory.LazyAttribute(lambda review: review.period_of_care.child)
    sequence = ReviewSequence.FIRST
    status = ReviewStatus.DUE
    due_date = date(2014, 5, 15)


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decision

    review = factory.SubFactory(ReviewFactory)
    text = "Update the care plan."
    owner = "Social worker"


def child_in_care(iro, *, start: date = date(2025, 1, 6), born: date = date(2012, 1, 1)):
    """A child who came into care on `start` (full care order, foster placement), held by `iro`:
    returns the child and their first review, due."""
    child = ChildFactory(date_of_birth=born)
    review = child_come_into_care(
        child=child,
        start=start,
        episode_fields={"legal_status": LegalStatus.C2, "category_of_need": "N1", "placement_type": "U4"},
    )
    Allocation.objects.create(child=child, iro=iro, kind=AllocationKind.CASE_HOLDING, start=start)
    return child, review


def claimed(review, page: str, data: dict) -> dict:
    """A POST of one of a review's pages ("record", "prepare", "book", "cancel", "cover") with the
    claim the page carries when opened now (reviews.claims)."""
    return {"claim": getattr(claims, page.upper()).claim(Review.objects.get(pk=review.pk)), **data}


def names_word(name: str, text: str) -> bool:
    """`name` stands in `text` as a word of its own: a random name that is part of another word
    ("Rob" in "Robin", "Sam" in "same") is not the name shown."""
    return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text) is not None

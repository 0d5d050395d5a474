"""The demo authority written to the database: users, then the generator's records in bulk.

`build_demo` runs in one transaction. The rows go in with iro_service.bulk.BulkInserter, which
skips clean(): the generator (caseload.demo.generate) keeps to the model rules, and
tests/caseload/test_seed_demo.py runs full_clean() over every row it makes.
"""

import itertools
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import IROProfile, Team
from accounts.roles import Role
from audits.models import Escalation, MonitoringForm
from children.codes import AllocationKind
from children.models import Allocation, Child, Episode, PeriodOfCare
from children.postcodes import distances_in_miles
from iro_service.bulk import BulkInserter
from reviews.codes import BookingAction
from reviews.facts import review_facts_refresh
from reviews.models import Booking, Decision, Invitee, ReportReceived, Review, Visit
from reviews.my_review import CHILD_FIELDS
from reviews.my_review_models import MyReviewResponse, MyReviewVersion

from .generate import (
    LONDON,
    ChildRecord,
    IroRecord,
    MyReviewRecord,
    PeriodRecord,
    ReviewRecord,
    demo_children,
    demo_iros,
)
from .words import DEMO_ID_PREFIX, DEMO_IROS, DEMO_OTHERS, DEMO_PASSWORD, HOME_POSTCODES, PLACEMENT_POSTCODES

User = get_user_model()

# The IROs have been in post this long on the demo's today (before any care period begins).
IRO_IN_POST_FOR = timedelta(days=365 * 12)


@dataclass
class DemoSummary:
    children: int = 0
    in_care: int = 0
    periods: int = 0
    episodes: int = 0
    reviews: int = 0
    decisions: int = 0
    logins: list[str] = field(default_factory=list)


class DemoDataError(Exception):
    pass


def existing_demo_size() -> int | None:
    """None for an empty database; the number of demo children if it holds demo data.

    Raises DemoDataError if it holds anything else: demo data never mixes with real records.
    """
    if not Child.objects.exists():
        return None
    if Child.objects.exclude(local_id__startswith=DEMO_ID_PREFIX).exists():
        raise DemoDataError(
            "This database holds children that are not demo data; seed_demo only fills an empty "
            "database or one it filled itself."
        )
    return Child.objects.count()


@transaction.atomic
def build_demo(*, children: int, today: date, years: int = 3, seed: int = 2014) -> DemoSummary:
    """Create the demo authority. The database must hold no children (see existing_demo_size)."""
    if children < 1:
        raise DemoDataError("--children must be at least 1.")
    if Child.objects.exists():
        raise DemoDataError("build_demo needs a database with no children.")
    iros = demo_iros(children)
    iro_users, logins = _make_users(iros, today)
    support_id = User.objects.get(username="support").pk  # business support books the reviews
    writer = _Writer(iro_ids=[user.pk for user in iro_users], booked_by_id=support_id, today=today)
    for child in demo_children(children=children, today=today, years=years, seed=seed, iros=iros):
        writer.child(child)
    summary = writer.finish()
    review_facts_refresh()  # every review is the demo's: one statement
    summary.in_care = children
    summary.logins = logins
    return summary


def _make_users(iros: list[IroRecord], today: date) -> tuple[list[Any], list[str]]:
    """The IROs (in the order given) and the other roles, in their groups; and the logins to print."""
    groups = {role: Group.objects.get_or_create(name=role.value)[0] for role in Role}
    team = Team.objects.get_or_create(name="IRO service")[0]
    # One password hash for every demo login: hashing 1,000 passwords one by one takes minutes.
    hashed = User(username="x")
    hashed.set_password(DEMO_PASSWORD)
    people = [(iro.username, iro.first_name, iro.last_name) for iro in iros]
    people += [(username, first, last) for username, first, last, _role in DEMO_OTHERS]
    User.objects.bulk_create(
        User(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@example.org",
            password=hashed.password,
        )
        for username, first, last in people
    )
    users = User.objects.filter(username__in=[iro.username for iro in iros]).order_by("pk")
    by_name = {user.username: user for user in users}
    IROProfile.objects.bulk_create(
        IROProfile(
            user=by_name[iro.username],
            fte=iro.fte,
            team=team,
            active_from=today - IRO_IN_POST_FOR,
            work_phone=iro.work_phone,
        )
        for iro in iros
    )
    groups[Role.IRO].user_set.add(*users)
    for username, _first, _last, role in DEMO_OTHERS:
        groups[role].user_set.add(User.objects.get(username=username))
    demo_logins = [iro.username for iro in iros[: len(DEMO_IROS)]] + [username for username, *_rest in DEMO_OTHERS]
    return [by_name[iro.username] for iro in iros], demo_logins


class _Writer:
    """Writes the generator's records as rows, in bulk, giving each the ids it points at."""

    def __init__(self, *, iro_ids: list[int], booked_by_id: int, today: date) -> None:
        self.iro_ids = iro_ids  # by the IRO's place in demo_iros
        self.booked_by_id = booked_by_id
        self.created_at = datetime.combine(today, time(9), tzinfo=LONDON)
        # The demo's few postcodes (caseload.demo.words): every home-to-placement distance in one query.
        placements = [code for codes, _weight in PLACEMENT_POSTCODES for code in codes]
        self.distances = distances_in_miles(itertools.product(HOME_POSTCODES, placements))
        self.tables = {
            model: BulkInserter(model)
            for model in (
                Child,
                PeriodOfCare,
                Episode,
                Allocation,
                Review,
                Decision,
                MonitoringForm,
                Escalation,
                Visit,
                Booking,
                Invitee,
                ReportReceived,
                MyReviewResponse,
            )
        }

    def distance(self, home: str, placement: str) -> int | None:
        if (home, placement) not in self.distances:
            self.distances.update(distances_in_miles([(home, placement)]))
        return self.distances[home, placement]

    def child(self, child: ChildRecord) -> None:
        child_id = self.tables[Child].add(
            local_id=child.local_id,
            first_name=child.first_name,
            last_name=child.last_name,
            preferred_name=child.preferred_name,
            date_of_birth=child.date_of_birth,
            sex=child.sex,
            ethnicity=child.ethnicity,
            upn=child.upn,
            mother=child.mother,
            mother_child_date_of_birth=child.mother_child_date_of_birth,
            school=child.school,
            social_worker=child.social_worker,
            created_at=self.created_at,
        )
        for period in child.periods:
            self.period(child_id, period)

    def period(self, child_id: int, period: PeriodRecord) -> None:
        period_id = self.tables[PeriodOfCare].add(
            child_id=child_id, start=period.start, end=period.end, reason_ended=period.reason_ended
        )
        for episode in period.episodes:
            self.tables[Episode].add(
                period_of_care_id=period_id,
                start=episode.start,
                reason_new_episode=episode.reason_new_episode,
                legal_status=episode.legal_status,
                category_of_need=episode.category_of_need,
                end=episode.end,
                reason_ended=episode.reason_ended,
                reason_place_change=episode.reason_place_change,
                home_postcode=episode.home_postcode,
                placement_type=episode.placement.type,
                placement_provider=episode.placement.provider,
                placement_postcode=episode.placement.postcode,
                urn=episode.placement.urn,
                placement_distance_miles=self.distance(episode.home_postcode, episode.placement.postcode),
            )
        for allocation in period.allocations:
            self.tables[Allocation].add(
                child_id=child_id,
                iro_id=self.iro_ids[allocation.iro],
                kind=AllocationKind.CASE_HOLDING,
                start=allocation.start,
                end=allocation.end,
            )
        for review in period.reviews:
            self.review(child_id, period_id, review)

    def review(self, child_id: int, period_id: int, review: ReviewRecord) -> None:
        chair_id = None if review.chair is None else self.iro_ids[review.chair]
        review_id = self.tables[Review].add(
            child_id=child_id,
            period_of_care_id=period_id,
            sequence=review.sequence,
            status=review.status,
            due_date=review.due_date,
            due_schedule=review.due_schedule,
            due_rule=review.due_rule,
            held_on=review.held_on,
            booked_for=review.booked_for,
            venue=review.venue,
            venue_chosen_by_child=review.venue_chosen_by_child,
            lateness_reason=review.lateness_reason,
            chair_id=chair_id,
            outcomes_due_on=review.outcomes_due_on,
            minutes_due_on=review.minutes_due_on,
            participation_code=review.participation_code,
            parents_participated=review.parents_participated,
            child_visited_on=review.child_visited_on,
            wishes_and_feelings_received=review.wishes_and_feelings_received,
            wishes_and_feelings_received_on=review.wishes_and_feelings_received_on,
            outcomes_issued_on=review.outcomes_issued_on,
            minutes_issued_on=review.minutes_issued_on,
            child_chaired=review.child_chaired,
        )
        for decision in review.decisions:
            self.tables[Decision].add(
                review_id=review_id,
                text=decision.text,
                owner=decision.owner,
                for_child=decision.for_child,
                deadline=decision.deadline,
                completed_on=decision.completed_on,
            )
        if form := review.monitoring_form:
            self.tables[MonitoringForm].add(
                review_id=review_id,
                completed_by_id=chair_id,
                completed_on=form.completed_on,
                scheme=form.scheme,
                care_plan_rating=form.care_plan_rating,
                placement_plan_rating=form.placement_plan_rating,
                health_plan_rating=form.health_plan_rating,
                pep_rating=form.pep_rating,
                pathway_plan_rating=form.pathway_plan_rating,
                shared_on=form.completed_on,
            )
        if escalation := review.escalation:
            self.tables[Escalation].add(
                child_id=child_id,
                review_id=review_id,
                raised_by_id=chair_id,
                raised_on=escalation.raised_on,
                theme=escalation.theme,
                concern=escalation.concern,
                stage=escalation.stage,
                stage_deadline=escalation.stage_deadline,
                outcome=escalation.outcome,
                closed_on=escalation.closed_on,
                resolution=escalation.resolution,
            )
        self.booking(review_id, review)
        if answers := review.my_review:
            self.my_review(review_id, answers)
        if visit := review.visit:
            self.tables[Visit].add(
                child_id=child_id, iro_id=chair_id, visited_on=visit.visited_on, seen_alone=visit.seen_alone, notes=""
            )

    def booking(self, review_id: int, review: ReviewRecord) -> None:
        """The booking history entry, invitees and reports received, as the pages leave them."""
        if booking := review.booking:
            self.tables[Booking].add(
                review_id=review_id,
                action=BookingAction.BOOKED,
                booked_for=booking.booked_for,
                venue=booking.venue,
                reason="",
                recorded_by_id=self.booked_by_id,
                recorded_at=booking.recorded_at,
            )
        for invitee in review.invitees:
            self.tables[Invitee].add(
                review_id=review_id, name=invitee.name, role=invitee.role, email="", attended=invitee.attended
            )
        for report in review.reports_received:
            self.tables[ReportReceived].add(review_id=review_id, kind=report.kind, received_on=report.received_on)

    def my_review(self, review_id: int, answers: MyReviewRecord) -> None:
        """The child's answers, sent: what they sent is also kept as sent (`sent_answers`)."""
        given = {"going_well": answers.going_well, "chair": answers.chair, "advocate": answers.advocate}
        sent = {name: None if name in ("advocate", "talk_alone_first") else "" for name in sorted(CHILD_FIELDS)}
        self.tables[MyReviewResponse].add(
            review_id=review_id,
            version=MyReviewVersion.OLDER,
            **given,
            feels_unsafe_at=answers.feels_unsafe_at,
            saved_at=answers.submitted_at,
            submitted_at=answers.submitted_at,
            sent_answers=sent | given,
        )

    def finish(self) -> DemoSummary:
        written = {model: table.finish() for model, table in self.tables.items()}
        return DemoSummary(
            children=written[Child],
            periods=written[PeriodOfCare],
            episodes=written[Episode],
            reviews=written[Review],
            decisions=written[Decision],
        )

"""The demo authority planned in memory: plain records drawn from a seeded random stream.

No database here: `demo_children` yields one child at a time, with its periods of care, episodes,
allocations and reviews, and for each booked or held review what the pages would have left
(venue, booking, invitees, reports received, decisions, monitoring form, escalation, visit).
IROs are numbered by their place in `demo_iros` (`AllocationRecord.iro`, `ReviewRecord.chair`);
caseload.demo.write turns those numbers into users.

Deterministic: the same arguments give the same records. The records obey the model rules
(reviews.timescales for the clock; the DfE's SSDA903 rules cited where they shape a choice),
because the writer's bulk inserts skip clean().
"""

import itertools
import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from audits.codes import EscalationOutcome, EscalationStage, EscalationTheme, RatingScheme
from children.ages import age_on
from children.codes import (
    ADOPTION_PLACEMENTS,
    LegalStatus,
    Mother,
    PlacementProvider,
    PlacementType,
    ReasonEpisodeCeased,
    ReasonNewEpisode,
    Sex,
)
from reviews.codes import (
    USUAL_VENUES,
    ChildChaired,
    ParticipationCode,
    ReviewStatus,
    child_chaired_problem,
    participation_codes_on,
    reports_expected,
)
from reviews.my_review_models import ChairChoice
from reviews.services import sequence_for
from reviews.timescales import (
    DueDate,
    Spell,
    add_working_days,
    minutes_due,
    outcomes_due,
    review_due,
    review_due_series,
)

from .words import (
    AGE_BANDS,
    BOOKING_TIMES,
    CARER_ROLES,
    CATEGORY_WEIGHTS,
    CHILD_CHAIRED_WEIGHTS_11_PLUS,
    DECISION_TEXTS,
    DEMO_ID_PREFIX,
    DEMO_IROS,
    ESCALATION_CONCERN,
    ESCALATION_RESOLUTION,
    ETHNICITY_WEIGHTS,
    FIRST_NAMES_F,
    FIRST_NAMES_M,
    HELD_REVIEW_VENUES,
    HOME_POSTCODES,
    LAST_NAMES,
    LATE_BOOKING_REASON,
    LATE_REVIEW_SHARE,
    LEAVING_REASONS,
    LEGAL_STATUS_WEIGHTS,
    MY_REVIEW_GOING_WELL,
    OWN_AUTHORITY_POSTCODES,
    PARTICIPATION_WEIGHTS_4_PLUS,
    PLACE_CHANGE_REASONS,
    PLACEMENT_MIN_AGE,
    PLACEMENT_POSTCODES,
    PLACEMENT_WEIGHTS,
    PLACEMENTS_WITHOUT_URN,
    SCHOOLS,
    STATUS_NEXT,
    UPN_CHECK_LETTERS,
)

LONDON = ZoneInfo("Europe/London")
CHILDREN_PER_IRO = 60  # beyond the seed's six IROs, one more for every 60 children in care


@dataclass
class IroRecord:
    username: str
    first_name: str
    last_name: str
    fte: Decimal
    work_phone: str


@dataclass(frozen=True)
class Placement:
    type: str
    provider: str
    postcode: str
    urn: str


@dataclass
class EpisodeRecord:
    start: date
    end: date | None
    reason_new_episode: str
    legal_status: str
    category_of_need: str
    home_postcode: str
    placement: Placement  # its distance from home is found by the writer (children.postcodes)
    reason_place_change: str = ""
    reason_ended: str = ""


@dataclass
class AllocationRecord:
    iro: int  # the IRO's place in demo_iros
    start: date
    end: date | None


@dataclass
class DecisionRecord:
    text: str
    owner: str
    for_child: str
    deadline: date
    completed_on: date | None


@dataclass
class MonitoringFormRecord:
    completed_on: date
    care_plan_rating: int
    placement_plan_rating: int
    health_plan_rating: int
    pep_rating: int
    pathway_plan_rating: int | None
    scheme: str = RatingScheme.OFSTED_4


@dataclass
class EscalationRecord:
    raised_on: date
    theme: str
    stage: str
    stage_deadline: date
    outcome: str
    closed_on: date | None
    resolution: str
    concern: str = ESCALATION_CONCERN


@dataclass
class VisitRecord:
    visited_on: date
    seen_alone: bool


@dataclass
class BookingRecord:
    """The booking history entry the booking page leaves (booked by business support)."""

    booked_for: datetime
    venue: str
    recorded_at: datetime


@dataclass
class InviteeRecord:
    name: str
    role: str
    attended: bool | None


@dataclass
class ReportRecord:
    kind: str
    received_on: date


@dataclass
class MyReviewRecord:
    """The child's answers as "Send to my IRO" leaves them (reviews/my_review.py), and when they
    pressed "I don't feel safe" if they did."""

    submitted_at: datetime
    advocate: bool | None
    chair: str
    going_well: str
    feels_unsafe_at: datetime | None = None


@dataclass
class ReviewRecord:
    sequence: str
    status: str
    due_date: date | None
    due_schedule: str
    due_rule: str
    held_on: date | None = None
    booked_for: datetime | None = None
    venue: str = ""
    venue_chosen_by_child: bool = False
    lateness_reason: str = ""
    chair: int | None = None  # the IRO's place in demo_iros; held reviews only
    # As the review page records a held review, and *Before the review* what came before it.
    outcomes_due_on: date | None = None
    minutes_due_on: date | None = None
    participation_code: str = ""
    parents_participated: bool | None = None
    child_visited_on: date | None = None
    wishes_and_feelings_received: bool = False
    wishes_and_feelings_received_on: date | None = None
    outcomes_issued_on: date | None = None
    minutes_issued_on: date | None = None
    booking: BookingRecord | None = None
    invitees: list[InviteeRecord] = field(default_factory=list)
    reports_received: list[ReportRecord] = field(default_factory=list)
    decisions: list[DecisionRecord] = field(default_factory=list)
    monitoring_form: MonitoringFormRecord | None = None
    escalation: EscalationRecord | None = None
    visit: VisitRecord | None = None
    child_chaired: str = ""
    my_review: MyReviewRecord | None = None

    def held_day(self) -> date:
        """The date of a held review (the series gives one to every review it holds)."""
        if self.held_on is None:
            raise ValueError(f"A held review has no date: {self}")
        return self.held_on

    def booked_time(self) -> datetime:
        """When a booked (or held) review is booked for (set before its booking is recorded)."""
        if self.booked_for is None:
            raise ValueError(f"A booked review has no time: {self}")
        return self.booked_for


@dataclass
class PeriodRecord:
    start: date
    end: date | None
    reason_ended: str
    episodes: list[EpisodeRecord]
    reviews: list[ReviewRecord]
    allocations: list[AllocationRecord]


@dataclass
class ChildRecord:
    local_id: str
    first_name: str
    last_name: str
    date_of_birth: date
    sex: str
    ethnicity: str
    upn: str
    mother: str
    school: str
    social_worker: str
    preferred_name: str = ""
    mother_child_date_of_birth: date | None = None
    periods: list[PeriodRecord] = field(default_factory=list)


def demo_iros(children: int) -> list[IroRecord]:
    """The seed's six IROs (four full-time, two part-time), and more for a larger demo."""
    count = max(len(DEMO_IROS), -(-children // CHILDREN_PER_IRO))
    specs = list(DEMO_IROS) + [
        (f"iro{index}", "IRO", f"Number {index}", Decimal("1.0")) for index in range(len(DEMO_IROS) + 1, count + 1)
    ]
    return [
        # Ofcom's numbers for drama (01632 960000 to 960999): never anyone's real line.
        IroRecord(username, first, last, fte, work_phone=f"01632 960 {number % 1000:03d}")
        for number, (username, first, last, fte) in enumerate(specs)
    ]


def demo_children(*, children: int, today: date, years: int, seed: int, iros: list[IroRecord]) -> Iterator[ChildRecord]:
    """`children` children in care on `today`, then about a fifth as many who have left care."""
    generator = _Generator(seed=seed, today=today, years=years, iro_weights=[float(iro.fte) for iro in iros])
    left_care = max(1, children // 5)
    for index in range(children + left_care):
        yield generator.child(index + 1, in_care=index < children)


_Choice = TypeVar("_Choice")


def _weighted(rng: random.Random, weights: Mapping[_Choice, float]) -> _Choice:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _between(rng: random.Random, first: date, last: date) -> date:
    if last <= first:
        return first
    return first + timedelta(days=rng.randint(0, (last - first).days))


def _working_day_on_or_before(day: date) -> date:
    return add_working_days(day + timedelta(days=1), -1)


def _working_day_on_or_after(day: date) -> date:
    return add_working_days(day - timedelta(days=1), 1)


def _upn(rng: random.Random) -> str:
    """A well-formed unique pupil number: check letter, LA 826, school, year, serial."""
    digits = f"826{rng.randint(2000, 7999)}{rng.randint(10, 25)}{rng.randint(0, 999):03d}"
    check = sum(int(digit) * weight for digit, weight in zip(digits, range(2, 14), strict=True)) % 23
    return UPN_CHECK_LETTERS[check] + digits


def _placement_postcode(rng: random.Random) -> str:
    postcodes, _ = rng.choices(PLACEMENT_POSTCODES, weights=[w for _, w in PLACEMENT_POSTCODES])[0]
    return rng.choice(postcodes)


def _due_fields(due: DueDate) -> dict[str, Any]:
    return {"due_date": due.due, "due_schedule": due.schedule, "due_rule": due.rule}


def _iro_on(allocations: list[AllocationRecord], day: date) -> int:
    for allocation in allocations:
        if allocation.start <= day and (allocation.end is None or day <= allocation.end):
            return allocation.iro
    return allocations[-1].iro


class _Generator:
    """Three random streams: `rng` for the child, the clock, the codes and caseloads; `extras_rng`
    for what the booking and *Before the review* pages add (venue, booking history, invitees,
    reports received), so that the first stream is the same as before those were added; and
    `my_review_rng` for My review and who chaired, so that neither of the others changed."""

    def __init__(self, *, seed: int, today: date, years: int, iro_weights: list[float]) -> None:
        # Reviewed: reproducible demo data, not security.
        self.rng = random.Random(seed)  # noqa: S311 # nosec B311
        self.extras_rng = random.Random(seed + 1)  # noqa: S311 # nosec B311
        self.my_review_rng = random.Random(seed + 2)  # noqa: S311 # nosec B311
        self.today = today
        self.window_start = today - timedelta(days=round(365.25 * years))
        self.iro_weights = iro_weights
        # The booking service refuses two reviews of one IRO in the same slot: the slots taken.
        self.slots_taken: set[tuple[int, datetime]] = set()

    # The child, the periods of care and episodes.

    def child(self, index: int, in_care: bool) -> ChildRecord:
        rng = self.rng
        (low, high) = rng.choices([band for band, _ in AGE_BANDS], weights=[w for _, w in AGE_BANDS])[0]
        years_old = rng.randint(low, high)
        dob = self.today - timedelta(days=round(365.25 * years_old) + rng.randint(1, 364))
        sex = rng.choice([Sex.MALE, Sex.FEMALE])
        first = rng.choice(FIRST_NAMES_F if sex == Sex.FEMALE else FIRST_NAMES_M)
        child = ChildRecord(
            local_id=f"{DEMO_ID_PREFIX}{index:07d}",
            first_name=first,
            last_name=rng.choice(LAST_NAMES),
            date_of_birth=dob,
            sex=sex,
            ethnicity=_weighted(rng, ETHNICITY_WEIGHTS),
            upn=_upn(rng),
            mother=Mother.NO if sex == Sex.FEMALE else "",
            school=rng.choice(SCHOOLS) if 4 <= years_old <= 16 else "",
            social_worker=f"{rng.choice(FIRST_NAMES_F + FIRST_NAMES_M)} {rng.choice(LAST_NAMES)}",
        )
        child.periods = self.periods(dob, in_care)
        for period in child.periods:
            self.prepare_reviews(period, dob, child.social_worker)
        return child

    def periods(self, dob: date, in_care: bool) -> list[PeriodRecord]:
        rng = self.rng
        earliest = max(dob, self.window_start)
        planned: list[PeriodRecord] = []
        if in_care:
            # About 1 in 10 children in care left and came back within the window.
            returned = rng.random() < 0.10 and (self.today - earliest).days > 200
            start = _between(rng, earliest, self.today - timedelta(days=1))
            if returned:
                first_start = _between(rng, earliest, self.today - timedelta(days=200))
                first_end = _between(rng, first_start + timedelta(days=30), self.today - timedelta(days=60))
                if first_end > first_start:
                    planned.append(self.period(first_start, first_end, dob))
                    start = _between(rng, first_end + timedelta(days=14), self.today - timedelta(days=1))
            planned.append(self.period(start, None, dob))
        else:
            start = _between(rng, earliest, self.today - timedelta(days=60))
            end = _between(rng, start + timedelta(days=14), self.today - timedelta(days=1))
            planned.append(self.period(start, end, dob))
        return planned

    def period(self, start: date, end: date | None, dob: date) -> PeriodRecord:
        rng = self.rng
        last_day = end or self.today
        home = rng.choice(HOME_POSTCODES)
        legal_status = _weighted(rng, LEGAL_STATUS_WEIGHTS)
        if legal_status == LegalStatus.J1 and age_on(dob, start) < 10:  # rule 358: remand from 10
            legal_status = LegalStatus.C2
        category = _weighted(rng, CATEGORY_WEIGHTS)
        # Placement changes: roughly one every nine months, spaced through the period.
        changes = min(6, int(rng.expovariate(1.0) * max(1, (last_day - start).days) / 270))
        change_days = sorted({_between(rng, start + timedelta(days=1), last_day) for _ in range(changes)})
        starts = [start, *[day for day in change_days if start < day < last_day]]
        episodes = self.episodes(starts, end, dob=dob, legal_status=legal_status, category=category, home=home)
        # The last episode ends when care ends, and says why (the ones before it ended in a change, X1).
        period_reason = self.leaving_reason(episodes[-1].placement.type) if end else ""
        episodes[-1].reason_ended = period_reason
        spells = [Spell(e.start, e.legal_status, e.placement.type, e.end) for e in episodes]
        return PeriodRecord(
            start=start,
            end=end,
            reason_ended=period_reason,
            episodes=episodes,
            reviews=self.reviews(start, end, dob, spells),
            allocations=self.allocations(start, end),
        )

    def episodes(
        self, starts: list[date], end: date | None, *, dob: date, legal_status: str, category: str, home: str
    ) -> list[EpisodeRecord]:
        """One episode from each start: the first as care began, each later one a move, a new
        legal status, or both."""
        episodes: list[EpisodeRecord] = []
        for position, episode_start in enumerate(starts):
            reason_new: str
            if position == 0:
                reason_new = ReasonNewEpisode.STARTED
                placement = self.placement(legal_status, dob, episode_start, home)
            else:
                reason_new, legal_status, placement = self.change(episodes[-1], dob, episode_start)
            moved = reason_new in (
                ReasonNewEpisode.PLACEMENT_AND_CARER,
                ReasonNewEpisode.LEGAL_STATUS_PLACEMENT_AND_CARER,
            )
            episodes.append(
                EpisodeRecord(
                    start=episode_start,
                    end=starts[position + 1] if position + 1 < len(starts) else end,
                    reason_new_episode=reason_new,
                    legal_status=legal_status,
                    category_of_need=category,
                    home_postcode=home,
                    placement=placement,
                    reason_ended=ReasonEpisodeCeased.X1,  # the last one's is set with the period's
                    # Rule 225: a move records why (custody only from age 10, rule 234: not used here).
                    reason_place_change=self.rng.choice(PLACE_CHANGE_REASONS) if moved else "",
                )
            )
        # Rule 225: the reason for a move is recorded on the episode the child moved from.
        for earlier, later in itertools.pairwise(episodes):
            earlier.reason_place_change, later.reason_place_change = later.reason_place_change, ""
        return episodes

    def change(self, previous: EpisodeRecord, dob: date, day: date) -> tuple[str, str, Placement]:
        """A new episode after `previous`: why (reason new episode), the legal status, the placement."""
        next_status = STATUS_NEXT.get(previous.legal_status)
        choices = [ReasonNewEpisode.PLACEMENT_AND_CARER, ReasonNewEpisode.PLACEMENT_AND_CARER]
        if next_status:  # rules 434, 436: L and B need the legal status to change
            choices += [ReasonNewEpisode.LEGAL_STATUS, ReasonNewEpisode.LEGAL_STATUS_PLACEMENT_AND_CARER]
        reason_new = self.rng.choice(choices)
        legal_status = previous.legal_status
        # (Offered only when there is a next legal status.)
        if next_status and reason_new in (
            ReasonNewEpisode.LEGAL_STATUS,
            ReasonNewEpisode.LEGAL_STATUS_PLACEMENT_AND_CARER,
        ):
            legal_status = next_status
        if reason_new == ReasonNewEpisode.LEGAL_STATUS:  # same placement, new legal status
            return reason_new, legal_status, previous.placement
        while True:
            placement = self.placement(legal_status, dob, day, previous.home_postcode)
            if (placement.type, placement.postcode) != (previous.placement.type, previous.placement.postcode):
                return reason_new, legal_status, placement

    def placement(self, legal_status: str, dob: date, day: date, home: str) -> Placement:
        placement_type = self.placement_type(legal_status, dob, day)
        rng = self.rng
        postcode = _placement_postcode(rng)
        if placement_type == PlacementType.K3:  # rule 241: supported accommodation within the authority
            postcode = next(code for code in OWN_AUTHORITY_POSTCODES if code != home)
        while postcode == home and placement_type != PlacementType.P1:  # rule 392d
            postcode = _placement_postcode(rng)
        if placement_type == PlacementType.P1:
            provider = PlacementProvider.PR0  # rule 530
        elif placement_type.startswith("U"):
            provider = PlacementProvider.PR1
        else:
            provider = PlacementProvider.PR4
        return Placement(
            type=placement_type,
            provider=provider,
            postcode=postcode,
            urn="" if placement_type in PLACEMENTS_WITHOUT_URN else f"SC{rng.randint(100000, 999999)}",
        )

    def placement_type(self, legal_status: str, dob: date, day: date) -> str:
        """A placement that fits the child's legal status and age (DfE rules 371, 373, 378, 408)."""
        placement = _weighted(self.rng, PLACEMENT_WEIGHTS)
        if age_on(dob, day) < PLACEMENT_MIN_AGE.get(placement, 0):
            return PlacementType.U4
        if placement in ADOPTION_PLACEMENTS and legal_status not in (LegalStatus.E1, LegalStatus.D1):
            return PlacementType.U4
        if placement == PlacementType.P1 and legal_status == LegalStatus.V2:
            return PlacementType.U6
        return placement

    def leaving_reason(self, last_placement: str) -> str:
        """Why care ended, consistent with the last placement (rules 387, 390, 516)."""
        reason = _weighted(self.rng, LEAVING_REASONS)
        if reason in (ReasonEpisodeCeased.E11, ReasonEpisodeCeased.E12) and last_placement not in ADOPTION_PLACEMENTS:
            return ReasonEpisodeCeased.E4A
        if reason in (ReasonEpisodeCeased.E45, ReasonEpisodeCeased.E46) and not last_placement.startswith("U"):
            return ReasonEpisodeCeased.E4A
        if reason == ReasonEpisodeCeased.E5:  # independent living: not before 14; the demo keeps it for 16+
            return ReasonEpisodeCeased.E13
        return reason

    def allocations(self, start: date, end: date | None) -> list[AllocationRecord]:
        rng = self.rng
        iro = rng.choices(range(len(self.iro_weights)), weights=self.iro_weights)[0]
        last_day = end or self.today
        # About one child in eight changed IRO (the seed's agency cover and retirements).
        if rng.random() < 0.12 and (last_day - start).days > 90:
            handover = _between(rng, start + timedelta(days=30), last_day - timedelta(days=30))
            second = rng.choices(range(len(self.iro_weights)), weights=self.iro_weights)[0]
            if second != iro:
                return [
                    AllocationRecord(iro, start, handover - timedelta(days=1)),
                    AllocationRecord(second, handover, end),
                ]
        return [AllocationRecord(iro, start, end)]

    # Reviews on the clock, and what the pages leave on them.

    def reviews(self, start: date, end: date | None, dob: date, spells: list[Spell]) -> list[ReviewRecord]:
        """Held reviews along the child's clock (reviews.timescales: reg 33, short breaks, adoption,
        18), then the outstanding one if care goes on; due dates as the clock stores them."""
        held = self.held_days(start, end, dob, spells)
        dues = review_due_series(date_of_birth=dob, period_start=start, spells=spells, reviews_held_on=held)
        reviews = [
            ReviewRecord(
                sequence=sequence_for(position),
                status=ReviewStatus.HELD,
                held_on=held_on,
                **_due_fields(dues[position]),
            )
            for position, held_on in enumerate(held)
        ]
        if end is None:
            following = dues[len(held)]
            booked_for = self.outstanding_slot(following.due)
            reviews.append(
                ReviewRecord(
                    sequence=sequence_for(len(held)),
                    status=ReviewStatus.BOOKED if booked_for else ReviewStatus.DUE,
                    booked_for=booked_for,
                    **_due_fields(following),
                )
            )
        return reviews

    def held_days(self, start: date, end: date | None, dob: date, spells: list[Spell]) -> list[date]:
        """The days the reviews were held: about 5% late, most in the fortnight before they fell due."""
        rng = self.rng
        last_day = end or self.today
        held: list[date] = []
        while True:
            anchor = held[-1] if held else start
            known = [spell for spell in spells if spell.start <= anchor] or spells[:1]
            due = review_due(date_of_birth=dob, period_start=start, spells=known, reviews_held_on=held).due
            if due is None:  # care ends at 18 first
                return held
            if rng.random() < LATE_REVIEW_SHARE:
                held_on = _working_day_on_or_after(due + timedelta(days=rng.randint(1, 15)))
            else:
                # Most reviews are held on a working day in the fortnight before they fall due.
                held_on = _working_day_on_or_before(due - timedelta(days=rng.randint(0, 14)))
            earliest = (held[-1] + timedelta(days=7)) if held else start + timedelta(days=1)
            held_on = max(held_on, _working_day_on_or_after(earliest))
            if held_on > last_day or held_on >= self.today:
                return held
            held.append(held_on)

    def outstanding_slot(self, due: date | None) -> datetime | None:
        """When the outstanding review is booked for, if booked: most reviews due within a month are."""
        rng = self.rng
        if not (due and (due - self.today).days <= 30 and rng.random() < 0.6):
            return None
        booking_day = max(
            _working_day_on_or_after(self.today + timedelta(days=1)),
            _working_day_on_or_before(due - timedelta(days=rng.randint(0, 10))),
        )
        return datetime.combine(booking_day, rng.choice(BOOKING_TIMES), tzinfo=LONDON)

    def prepare_reviews(self, period: PeriodRecord, dob: date, social_worker: str) -> None:
        """Fill in each held or booked review as the pages would have left it."""
        since = period.start  # a review is booked once the one before it was held (or care began)
        for review in period.reviews:
            if review.status == ReviewStatus.HELD:
                self.hold(review, period, dob=dob, since=since, social_worker=social_worker)
                since = review.held_day()
            elif review.status == ReviewStatus.BOOKED:
                self.book_outstanding(review, period.allocations)
                self.book(review, since=since, social_worker=social_worker, held=False)

    def free_slot(self, iro: int, wanted: datetime) -> datetime:
        """`wanted`, or the next slot of BOOKING_TIMES (that day, then the working days after) when
        the IRO has a review booked then."""
        day, position = wanted.date(), BOOKING_TIMES.index(wanted.time())
        while True:
            slot = datetime.combine(day, BOOKING_TIMES[position], tzinfo=LONDON)
            if (iro, slot) not in self.slots_taken:
                self.slots_taken.add((iro, slot))
                return slot
            position += 1
            if position == len(BOOKING_TIMES):
                day, position = add_working_days(day, 1), 0

    def book_outstanding(self, review: ReviewRecord, allocations: list[AllocationRecord]) -> None:
        """A booked outstanding review's fields as the booking page sets them: a slot free in the
        chair's diary, a venue (one of the usual ones), and why it is late if after the due date."""
        rng = self.extras_rng
        wanted = review.booked_time()
        booked_for = self.free_slot(_iro_on(allocations, wanted.date()), wanted)
        review.booked_for = booked_for
        late = review.due_date is not None and booked_for.date() > review.due_date
        review.venue = rng.choice(USUAL_VENUES)
        review.venue_chosen_by_child = rng.random() < 0.15
        review.lateness_reason = LATE_BOOKING_REASON if late else ""

    def book(self, review: ReviewRecord, *, since: date, social_worker: str, held: bool) -> None:
        """The booking history entry and invitees, as the booking page (reviews.services.review_book) leaves them."""
        booked_for = review.booked_time()
        review.booking = BookingRecord(
            booked_for=booked_for,
            venue=review.venue,
            recorded_at=self.booked_on(booked_for.date(), since),
        )
        review.invitees = self.invitees(social_worker, held=held)

    def hold(self, review: ReviewRecord, period: PeriodRecord, *, dob: date, since: date, social_worker: str) -> None:
        """A held review as the review pages leave it: its record, decisions, monitoring form and
        escalation, its booking, the reports received and the IRO's visit before it."""
        held_on = review.held_day()
        review.chair = _iro_on(period.allocations, held_on)
        self.held_review_details(review, dob, period.start)
        self.my_review(review, dob)
        review.decisions = self.decisions(held_on)
        review.monitoring_form = self.monitoring_form(held_on, dob)
        review.escalation = self.escalation(held_on)
        self.book(review, since=since, social_worker=social_worker, held=True)
        review.reports_received = self.reports_received(dob, held_on, period.start)
        if review.child_visited_on:
            # The pre-review visit as the IRO recorded it.
            review.visit = VisitRecord(
                visited_on=review.child_visited_on,
                seen_alone=self.rng.random() < 0.6 and age_on(dob, review.child_visited_on) >= 8,
            )

    def held_review_details(self, review: ReviewRecord, dob: date, period_start: date) -> None:
        rng = self.rng
        held_on = review.held_day()
        if ParticipationCode.PN1 not in participation_codes_on(dob, held_on):  # under 4
            code = ParticipationCode.PN0
        else:
            code = _weighted(rng, PARTICIPATION_WEIGHTS_4_PLUS)
        if rng.random() < 0.92:
            outcomes_on = _between(rng, held_on, outcomes_due(held_on))
        else:
            outcomes_on = outcomes_due(held_on) + timedelta(days=rng.randint(1, 20))
        if rng.random() < 0.16:
            minutes_on = _between(rng, held_on + timedelta(days=5), minutes_due(held_on))
        else:
            minutes_on = minutes_due(held_on) + timedelta(days=rng.randint(1, 60))
        review.outcomes_due_on = outcomes_due(held_on)
        review.minutes_due_on = minutes_due(held_on)
        review.participation_code = code
        review.parents_participated = rng.random() < 0.31
        visited = rng.random() < 0.80
        review.child_visited_on = (
            max(period_start, _working_day_on_or_before(held_on - timedelta(days=rng.randint(1, 21))))
            if visited
            else None
        )
        review.wishes_and_feelings_received = rng.random() < 0.6
        # The booking page asks why a review is booked after its due date.
        review.lateness_reason = LATE_BOOKING_REASON if review.due_date and held_on > review.due_date else ""
        review.outcomes_issued_on = outcomes_on if outcomes_on <= self.today else None
        review.minutes_issued_on = minutes_on if minutes_on <= self.today else None
        review.venue = rng.choice(HELD_REVIEW_VENUES)
        review.booked_for = datetime.combine(held_on, time(rng.choice([10, 14])), tzinfo=LONDON)
        # As *Before the review* stores it: received, and the day it came.
        review.wishes_and_feelings_received_on = (
            self.before_review_day(held_on, period_start) if review.wishes_and_feelings_received else None
        )
        review.venue_chosen_by_child = self.extras_rng.random() < 0.15

    def my_review(self, review: ReviewRecord, dob: date) -> None:
        """Who chaired, as the chair records it, and My review for a child of 11 or over (the
        older version, the one built): about a third send their answers a few days before, a few
        of them pressing "I don't feel safe" too. Younger children's reviews record neither."""
        rng = self.my_review_rng
        held_on = review.held_on
        if held_on is None or age_on(dob, held_on) < 11:
            return
        weights = CHILD_CHAIRED_WEIGHTS_11_PLUS
        chaired = rng.choices(list(weights), weights=list(weights.values()))[0]
        # Only a child who was there can have chaired (reviews.codes.child_chaired_problem).
        if child_chaired_problem(chaired, participation_code=review.participation_code):
            chaired = ChildChaired.NO
        review.child_chaired = chaired
        if rng.random() >= 0.35:
            return
        sent = datetime.combine(held_on - timedelta(days=rng.randint(1, 10)), time(rng.randint(16, 20)), tzinfo=LONDON)
        advocate = rng.choices([True, False, None], weights=[2, 5, 3])[0]
        review.my_review = MyReviewRecord(
            submitted_at=sent,
            advocate=advocate,
            chair=rng.choice([ChairChoice.NOT_SAID, ChairChoice.NONE, ChairChoice.NONE, ChairChoice.PART]),
            going_well=rng.choice(MY_REVIEW_GOING_WELL),
            feels_unsafe_at=sent - timedelta(minutes=rng.randint(5, 50)) if rng.random() < 0.04 else None,
        )

    def decisions(self, held_on: date) -> list[DecisionRecord]:
        rng = self.rng
        decisions = []
        for text, owner, for_child in rng.sample(DECISION_TEXTS, rng.randint(1, 3)):
            deadline = held_on + timedelta(days=rng.choice([28, 42, 90]))
            # Most actions are done by their deadline; some drift.
            done = deadline - timedelta(days=rng.randint(0, 20)) if rng.random() < 0.85 else None
            decisions.append(
                DecisionRecord(
                    text=text,
                    owner=owner,
                    for_child=for_child,
                    deadline=deadline,
                    completed_on=done if done and held_on <= done <= self.today else None,
                )
            )
        return decisions

    def monitoring_form(self, held_on: date, dob: date) -> MonitoringFormRecord | None:
        # The seed's IROs completed monitoring forms for 44% of reviews.
        rng = self.rng
        completed_on = held_on + timedelta(days=rng.randint(1, 10))
        if not (rng.random() < 0.44 and completed_on <= self.today):
            return None
        ratings = [rng.choices([1, 2, 3, 4], weights=[10, 55, 30, 5])[0] for _ in range(4)]
        return MonitoringFormRecord(
            completed_on=completed_on,
            care_plan_rating=ratings[0],
            placement_plan_rating=ratings[1],
            health_plan_rating=ratings[2],
            pep_rating=ratings[3],
            pathway_plan_rating=rng.choice([2, 3]) if age_on(dob, held_on) >= 16 else None,
        )

    def escalation(self, held_on: date) -> EscalationRecord | None:
        # About 50 escalations a year for 300 children, most resolved informally.
        rng = self.rng
        if not rng.random() < 0.06:
            return None
        closed = held_on + timedelta(days=rng.randint(3, 40))
        is_open = closed > self.today
        return EscalationRecord(
            raised_on=held_on,
            theme=_weighted(rng, {theme: 1 for theme in EscalationTheme}),
            stage=(
                EscalationStage.INFORMAL_SOCIAL_WORKER if rng.random() < 0.8 else EscalationStage.INFORMAL_TEAM_MANAGER
            ),
            stage_deadline=add_working_days(held_on, 10),
            outcome=EscalationOutcome.OPEN if is_open else EscalationOutcome.RESOLVED,
            closed_on=None if is_open else closed,
            resolution="" if is_open else ESCALATION_RESOLUTION,
        )

    def before_review_day(self, review_day: date, period_start: date) -> date:
        """A day in the three weeks before the review (not before care began) when something for
        it arrived: the wishes and feelings form, a report."""
        return _between(
            self.extras_rng, max(period_start, review_day - timedelta(days=21)), review_day - timedelta(days=1)
        )

    def booked_on(self, review_day: date, since: date) -> datetime:
        """When business support booked a review for `review_day`: one to five weeks before,
        not before the review was due to be booked (`since`: care began, or the review before)."""
        rng = self.extras_rng
        day = _between(rng, max(since, review_day - timedelta(days=35)), max(since, review_day - timedelta(days=7)))
        day = min(day, self.today - timedelta(days=1), review_day - timedelta(days=1))
        return datetime.combine(day, time(rng.randint(9, 16), rng.choice([0, 15, 30, 45])), tzinfo=LONDON)

    def invitees(self, social_worker: str, *, held: bool) -> list[InviteeRecord]:
        """Whom the booking page invited: the social worker and a carer; at a held review, who came."""
        rng = self.extras_rng
        carer = f"{rng.choice(FIRST_NAMES_F + FIRST_NAMES_M)} {rng.choice(LAST_NAMES)}"
        people = [("Social worker", social_worker), (rng.choice(CARER_ROLES), carer)]
        return [
            InviteeRecord(name=name, role=role, attended=(rng.random() < 0.9) if held else None)
            for role, name in people
        ]

    def reports_received(self, dob: date, review_day: date, period_start: date) -> list[ReportRecord]:
        """The reports expected before the review (reviews.codes.reports_expected), most received."""
        return [
            ReportRecord(kind=kind.value, received_on=self.before_review_day(review_day, period_start))
            for kind in reports_expected(date_of_birth=dob, on=review_day)
            if self.extras_rng.random() < 0.8
        ]

"""Demo and scale data shaped like the seed authority (Milton Keynes, 2013-14).

`build_demo(children=300, today=...)` creates IROs and the other roles, children looked
after today (plus about a fifth as many who have left care), periods of care, episodes with
placement changes, allocations, reviews held on the statutory clock (about 5% late) with
the seed's participation mix, decisions, monitoring forms and escalations. Every booked or held
review carries what the pages would have left: a venue, its booking history entry (booked by
business support), invitees, and for a held review the wishes and feelings form and the
reports received before it.

Deterministic: the same arguments give the same rows. Everything is written with bulk
inserts in batches, so `--children 80000` runs in minutes. The rows obey the model rules
(a test runs full_clean() over a generated set); bulk_create skips clean(), so the
generator must, and the rules it follows are the ones in reviews.timescales.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import IROProfile, Team
from accounts.roles import Role
from audits.codes import EscalationOutcome, EscalationStage, EscalationTheme, RatingScheme
from audits.models import Escalation, MonitoringForm
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
from children.models import Allocation, AllocationKind, Child, Episode, PeriodOfCare
from children.postcodes import distance_in_miles
from iro_service.bulk import BulkInserter
from reviews.codes import (
    USUAL_VENUES,
    BookingAction,
    ParticipationCode,
    ReviewStatus,
    participation_codes_on,
    reports_expected,
)
from reviews.models import Booking, Decision, Invitee, ReportReceived, Review, Visit
from reviews.services import sequence_for
from reviews.timescales import Spell, add_working_days, minutes_due, outcomes_due, review_due, review_due_series

from .words import (
    AGE_BANDS,
    BOOKING_TIMES,
    CARER_ROLES,
    CATEGORY_WEIGHTS,
    DECISION_TEXTS,
    DEMO_ID_PREFIX,
    DEMO_IROS,
    DEMO_OTHERS,
    DEMO_PASSWORD,
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

User = get_user_model()

LONDON = ZoneInfo("Europe/London")


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


def _weighted(rng: random.Random, weights: dict) -> object:
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


def _make_users(n_iros: int, today: date) -> tuple[list, list[str]]:
    groups = {role: Group.objects.get_or_create(name=role.value)[0] for role in Role}
    team = Team.objects.get_or_create(name="IRO service")[0]
    iros = []
    iro_specs = list(DEMO_IROS) + [
        (f"iro{index}", "IRO", f"Number {index}", Decimal("1.0")) for index in range(len(DEMO_IROS) + 1, n_iros + 1)
    ]
    profiles = []
    # One password hash for every demo login: hashing 1,000 passwords one by one takes minutes.
    hashed = User(username="x")
    hashed.set_password(DEMO_PASSWORD)
    for username, first, last, _fte in iro_specs:
        iros.append(
            User(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{username}@example.org",
                password=hashed.password,
            )
        )
    others = [
        User(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@example.org",
            password=hashed.password,
        )
        for username, first, last, _role in DEMO_OTHERS
    ]
    User.objects.bulk_create(iros + others)
    iros = list(User.objects.filter(username__in=[spec[0] for spec in iro_specs]).order_by("pk"))
    by_name = {user.username: user for user in iros}
    for number, (username, _first, _last, fte) in enumerate(iro_specs):
        profiles.append(
            IROProfile(
                user=by_name[username],
                fte=fte,
                team=team,
                active_from=today - timedelta(days=365 * 12),
                # Ofcom's numbers for drama (01632 960000 to 960999): never anyone's real line.
                work_phone=f"01632 960 {number % 1000:03d}",
            )
        )
    IROProfile.objects.bulk_create(profiles)
    groups[Role.IRO].user_set.add(*iros)
    for username, _first, _last, role in DEMO_OTHERS:
        groups[role].user_set.add(User.objects.get(username=username))
    iro_order = [by_name[spec[0]] for spec in iro_specs]
    return iro_order, [spec[0] for spec in iro_specs[: len(DEMO_IROS)]] + [o[0] for o in DEMO_OTHERS]


def _due_fields(due) -> dict:
    return {"due_date": due.due, "due_schedule": due.schedule, "due_rule": due.rule}


@dataclass
class _PlannedPeriod:
    start: date
    end: date | None
    reason_ended: str
    episodes: list[dict]
    reviews: list[dict]
    allocations: list[tuple[int, date, date | None]]  # (iro index, start, end)


class _Generator:
    def __init__(
        self, *, rng: random.Random, extras_rng: random.Random, today: date, years: int, iro_weights: list[float]
    ) -> None:
        self.rng = rng
        # What the booking and *Before the review* pages add (venue, booking history, invitees,
        # reports received) is drawn from its own stream, so the clock, codes and caseloads that
        # come from `rng` are the same as before those were added.
        self.extras_rng = extras_rng
        self.today = today
        self.window_start = today - timedelta(days=round(365.25 * years))
        self.iro_weights = iro_weights

    def child(self, index: int, in_care: bool) -> tuple[dict, list[_PlannedPeriod]]:
        rng = self.rng
        (low, high) = rng.choices([band for band, _ in AGE_BANDS], weights=[w for _, w in AGE_BANDS])[0]
        years_old = rng.randint(low, high)
        dob = self.today - timedelta(days=round(365.25 * years_old) + rng.randint(1, 364))
        sex = rng.choice([Sex.MALE, Sex.FEMALE])
        first = rng.choice(FIRST_NAMES_F if sex == Sex.FEMALE else FIRST_NAMES_M)
        child = {
            "local_id": f"{DEMO_ID_PREFIX}{index:07d}",
            "first_name": first,
            "last_name": rng.choice(LAST_NAMES),
            "preferred_name": "",
            "date_of_birth": dob,
            "sex": sex,
            "ethnicity": _weighted(rng, ETHNICITY_WEIGHTS),
            "upn": _upn(rng),
            "mother": Mother.NO if sex == Sex.FEMALE else "",
            "mother_child_date_of_birth": None,
            "school": rng.choice(SCHOOLS) if 4 <= years_old <= 16 else "",
            "social_worker": f"{rng.choice(FIRST_NAMES_F + FIRST_NAMES_M)} {rng.choice(LAST_NAMES)}",
        }
        periods = self.periods(dob, in_care)
        return child, periods

    def periods(self, dob: date, in_care: bool) -> list[_PlannedPeriod]:
        rng = self.rng
        earliest = max(dob, self.window_start)
        planned: list[_PlannedPeriod] = []
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

    def placement(self, legal_status: str, dob: date, day: date) -> str:
        """A placement that fits the child's legal status and age (DfE rules 371, 373, 378, 408)."""
        placement = _weighted(self.rng, PLACEMENT_WEIGHTS)
        if age_on(dob, day) < PLACEMENT_MIN_AGE.get(placement, 0):
            return PlacementType.U4
        if placement in ADOPTION_PLACEMENTS and legal_status not in (LegalStatus.E1, LegalStatus.D1):
            return PlacementType.U4
        if placement == PlacementType.P1 and legal_status == LegalStatus.V2:
            return PlacementType.U6
        return placement

    def placement_fields(self, placement: str, home: str) -> dict:
        rng = self.rng
        postcode = _placement_postcode(rng)
        if placement == PlacementType.K3:  # rule 241: supported accommodation within the authority
            postcode = next(code for code in OWN_AUTHORITY_POSTCODES if code != home)
        while postcode == home and placement != PlacementType.P1:  # rule 392d
            postcode = _placement_postcode(rng)
        if placement == PlacementType.P1:
            provider = PlacementProvider.PR0  # rule 530
        elif placement.startswith("U"):
            provider = PlacementProvider.PR1
        else:
            provider = PlacementProvider.PR4
        return {
            "placement_type": placement,
            "placement_provider": provider,
            "placement_postcode": postcode,
            "urn": "" if placement in PLACEMENTS_WITHOUT_URN else f"SC{rng.randint(100000, 999999)}",
        }

    def period(self, start: date, end: date | None, dob: date) -> _PlannedPeriod:
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
        change_days = [day for day in change_days if start < day < last_day]
        episodes: list[dict] = []
        starts = [start, *change_days]
        for position, episode_start in enumerate(starts):
            episode_end = starts[position + 1] if position + 1 < len(starts) else end
            placement: dict
            if position == 0:
                rne = ReasonNewEpisode.STARTED
                placement = self.placement_fields(self.placement(legal_status, dob, episode_start), home)
            else:
                previous = episodes[-1]
                next_status = STATUS_NEXT.get(legal_status)
                choices = [ReasonNewEpisode.PLACEMENT_AND_CARER, ReasonNewEpisode.PLACEMENT_AND_CARER]
                if next_status:  # rules 434, 436: L and B need the legal status to change
                    choices += [ReasonNewEpisode.LEGAL_STATUS, ReasonNewEpisode.LEGAL_STATUS_PLACEMENT_AND_CARER]
                rne = rng.choice(choices)
                if rne in (ReasonNewEpisode.LEGAL_STATUS, ReasonNewEpisode.LEGAL_STATUS_PLACEMENT_AND_CARER):
                    legal_status = next_status
                if rne == ReasonNewEpisode.LEGAL_STATUS:  # same placement, new legal status
                    placement = {
                        key: previous[key]
                        for key in ("placement_type", "placement_provider", "placement_postcode", "urn")
                    }
                else:
                    while True:
                        placement = self.placement_fields(self.placement(legal_status, dob, episode_start), home)
                        if (placement["placement_type"], placement["placement_postcode"]) != (
                            previous["placement_type"],
                            previous["placement_postcode"],
                        ):
                            break
            if episode_end is None:
                reason_ended = ""
            elif episode_end == end:
                reason_ended = "PENDING"  # filled with the period's reason below
            else:
                reason_ended = ReasonEpisodeCeased.X1
            moved = rne in (ReasonNewEpisode.PLACEMENT_AND_CARER, ReasonNewEpisode.LEGAL_STATUS_PLACEMENT_AND_CARER)
            episodes.append(
                {
                    "start": episode_start,
                    "reason_new_episode": rne,
                    "legal_status": legal_status,
                    "category_of_need": category,
                    "end": episode_end,
                    "reason_ended": reason_ended,
                    # Rule 225: a move records why (custody only from age 10, rule 234: not used here).
                    "reason_place_change": rng.choice(PLACE_CHANGE_REASONS) if moved else "",
                    "home_postcode": home,
                    **placement,
                }
            )
        # Rule 225: the reason for a move is recorded on the episode the child moved from.
        for earlier, later in zip(episodes, episodes[1:], strict=False):
            earlier["reason_place_change"], later["reason_place_change"] = later["reason_place_change"], ""
        period_reason = self.leaving_reason(episodes[-1]["placement_type"]) if end else ""
        for episode in episodes:
            if episode["reason_ended"] == "PENDING":
                episode["reason_ended"] = period_reason
        spells = [Spell(e["start"], e["legal_status"], e["placement_type"], e["end"]) for e in episodes]
        return _PlannedPeriod(
            start=start,
            end=end,
            reason_ended=period_reason,
            episodes=episodes,
            reviews=self.reviews(start, end, dob, spells),
            allocations=self.allocations(start, end),
        )

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

    def allocations(self, start: date, end: date | None) -> list[tuple[int, date, date | None]]:
        rng = self.rng
        iro = rng.choices(range(len(self.iro_weights)), weights=self.iro_weights)[0]
        last_day = end or self.today
        # About one child in eight changed IRO (the seed's agency cover and retirements).
        if rng.random() < 0.12 and (last_day - start).days > 90:
            handover = _between(rng, start + timedelta(days=30), last_day - timedelta(days=30))
            second = rng.choices(range(len(self.iro_weights)), weights=self.iro_weights)[0]
            if second != iro:
                return [(iro, start, handover - timedelta(days=1)), (second, handover, end)]
        return [(iro, start, end)]

    def reviews(self, start: date, end: date | None, dob: date, spells: list[Spell]) -> list[dict]:
        """Held reviews along the child's clock (reviews.timescales: reg 33, short breaks, adoption,
        18), then the outstanding one if care goes on; due dates as the clock stores them."""
        rng = self.rng
        last_day = end or self.today
        held: list[date] = []
        while True:
            anchor = held[-1] if held else start
            known = [spell for spell in spells if spell.start <= anchor] or spells[:1]
            due = review_due(date_of_birth=dob, period_start=start, spells=known, reviews_held_on=held).due
            if due is None:  # care ends at 18 first
                break
            if rng.random() < LATE_REVIEW_SHARE:
                held_on = _working_day_on_or_after(due + timedelta(days=rng.randint(1, 15)))
            else:
                # Most reviews are held on a working day in the fortnight before they fall due.
                held_on = _working_day_on_or_before(due - timedelta(days=rng.randint(0, 14)))
            earliest = (held[-1] + timedelta(days=7)) if held else start + timedelta(days=1)
            held_on = max(held_on, _working_day_on_or_after(earliest))
            if held_on > last_day or held_on >= self.today:
                break
            held.append(held_on)
        dues = review_due_series(date_of_birth=dob, period_start=start, spells=spells, reviews_held_on=held)
        reviews = [
            {"status": ReviewStatus.HELD, "held_on": held_on, **_due_fields(dues[position])}
            for position, held_on in enumerate(held)
        ]
        if end is None:
            following = dues[len(held)]
            booked_for = None
            if following.due and (following.due - self.today).days <= 30 and rng.random() < 0.6:
                booking_day = max(
                    _working_day_on_or_after(self.today + timedelta(days=1)),
                    _working_day_on_or_before(following.due - timedelta(days=rng.randint(0, 10))),
                )
                booked_for = datetime.combine(booking_day, rng.choice(BOOKING_TIMES), tzinfo=LONDON)
            reviews.append(
                {
                    "status": ReviewStatus.BOOKED if booked_for else ReviewStatus.DUE,
                    "held_on": None,
                    "booked_for": booked_for,
                    **_due_fields(following),
                }
            )
        return reviews

    def held_review_details(self, review: dict, dob: date, period_start: date) -> dict:
        rng = self.rng
        held_on = review["held_on"]
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
        details = {
            "outcomes_due_on": outcomes_due(held_on),
            "minutes_due_on": minutes_due(held_on),
            "participation_code": code,
            "parents_participated": rng.random() < 0.31,
            "child_visited_on": (
                max(period_start, _working_day_on_or_before(held_on - timedelta(days=rng.randint(1, 21))))
                if rng.random() < 0.80
                else None
            ),
            "wishes_and_feelings_received": rng.random() < 0.6,
            # The booking page asks why a review is booked after its due date.
            "lateness_reason": LATE_BOOKING_REASON if review["due_date"] and held_on > review["due_date"] else "",
            "outcomes_issued_on": outcomes_on if outcomes_on <= self.today else None,
            "minutes_issued_on": minutes_on if minutes_on <= self.today else None,
            "venue": rng.choice(HELD_REVIEW_VENUES),
            "booked_for": datetime.combine(held_on, time(rng.choice([10, 14])), tzinfo=LONDON),
        }
        # As *Before the review* stores it: received, and the day it came.
        received = details["wishes_and_feelings_received"]
        details["wishes_and_feelings_received_on"] = self.before_review_day(held_on, period_start) if received else None
        details["venue_chosen_by_child"] = self.extras_rng.random() < 0.15
        return details

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

    def invitees(self, social_worker: str, *, held: bool) -> list[dict]:
        """Whom the booking page invited: the social worker and a carer; at a held review, who came."""
        rng = self.extras_rng
        carer = f"{rng.choice(FIRST_NAMES_F + FIRST_NAMES_M)} {rng.choice(LAST_NAMES)}"
        people = [{"name": social_worker, "role": "Social worker"}, {"name": carer, "role": rng.choice(CARER_ROLES)}]
        for person in people:
            person["attended"] = (rng.random() < 0.9) if held else None
        return people

    def reports_received(self, dob: date, review_day: date, period_start: date) -> list[tuple[str, date]]:
        """The reports expected before the review (reviews.codes.reports_expected), most received."""
        return [
            (kind.value, self.before_review_day(review_day, period_start))
            for kind in reports_expected(date_of_birth=dob, on=review_day)
            if self.extras_rng.random() < 0.8
        ]


@transaction.atomic
def build_demo(*, children: int, today: date, years: int = 3, seed: int = 2014) -> DemoSummary:
    """Create the demo authority. The database must hold no children (see existing_demo_size)."""
    if children < 1:
        raise DemoDataError("--children must be at least 1.")
    if Child.objects.exists():
        raise DemoDataError("build_demo needs a database with no children.")
    # Reviewed: reproducible demo data, not security.
    rng = random.Random(seed)  # noqa: S311 # nosec B311
    n_iros = max(len(DEMO_IROS), -(-children // 60))
    iros, logins = _make_users(n_iros, today)
    fte = [float(spec[3]) for spec in DEMO_IROS] + [1.0] * (n_iros - len(DEMO_IROS))
    generator = _Generator(
        rng=rng,
        extras_rng=random.Random(seed + 1),  # noqa: S311 # nosec B311
        today=today,
        years=years,
        iro_weights=fte,
    )
    support_id = User.objects.get(username="support").pk  # business support books the reviews
    writer = _Writer(generator=generator, iro_ids=[iro.pk for iro in iros], booked_by_id=support_id, today=today)
    left_care = max(1, children // 5)
    for index in range(children + left_care):
        writer.child(index + 1, in_care=index < children)
    summary = writer.finish()
    summary.in_care = children
    summary.logins = logins
    return summary


class _Writer:
    """Turns the generator's plans into rows, written in bulk (iro_service.bulk).

    bulk inserts skip clean(): the generator keeps to the model rules, and
    tests/caseload/test_seed_demo.py runs full_clean() over every row it makes.
    """

    def __init__(self, *, generator: _Generator, iro_ids: list[int], booked_by_id: int, today: date) -> None:
        self.generator = generator
        self.rng = generator.rng
        self.iro_ids = iro_ids
        self.booked_by_id = booked_by_id
        self.today = today
        self.created_at = datetime.combine(today, time(9), tzinfo=LONDON)
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
            )
        }
        # The booking service refuses two reviews of one IRO in the same slot: the slots taken.
        self.slots_taken: set[tuple[int, datetime]] = set()

    def child(self, index: int, *, in_care: bool) -> None:
        child, periods = self.generator.child(index, in_care)
        child_id = self.tables[Child].add(**child, created_at=self.created_at)
        for plan in periods:
            self.period(child_id, child["date_of_birth"], plan, social_worker=child["social_worker"])

    def free_slot(self, iro_id: int, wanted: datetime) -> datetime:
        """`wanted`, or the next slot of BOOKING_TIMES (that day, then the working days after) when
        the IRO has a review booked then."""
        day, position = wanted.date(), BOOKING_TIMES.index(wanted.time())
        while True:
            slot = datetime.combine(day, BOOKING_TIMES[position], tzinfo=LONDON)
            if (iro_id, slot) not in self.slots_taken:
                self.slots_taken.add((iro_id, slot))
                return slot
            position += 1
            if position == len(BOOKING_TIMES):
                day, position = add_working_days(day, 1), 0

    def booking(self, review_id: int, review: dict, *, since: date, social_worker: str, held: bool) -> None:
        """The booking history entry and invitees, as the booking page (reviews.services.review_book) leaves them."""
        self.tables[Booking].add(
            review_id=review_id,
            action=BookingAction.BOOKED,
            booked_for=review["booked_for"],
            venue=review["venue"],
            reason="",
            recorded_by_id=self.booked_by_id,
            recorded_at=self.generator.booked_on(review["booked_for"].date(), since),
        )
        for invitee in self.generator.invitees(social_worker, held=held):
            self.tables[Invitee].add(review_id=review_id, email="", **invitee)

    def period(self, child_id: int, date_of_birth: date, plan: _PlannedPeriod, *, social_worker: str) -> None:
        period_id = self.tables[PeriodOfCare].add(
            child_id=child_id, start=plan.start, end=plan.end, reason_ended=plan.reason_ended
        )
        for episode in plan.episodes:
            self.tables[Episode].add(
                period_of_care_id=period_id,
                placement_distance_miles=distance_in_miles(episode["home_postcode"], episode["placement_postcode"]),
                **episode,
            )
        for iro_index, start, end in plan.allocations:
            self.tables[Allocation].add(
                child_id=child_id,
                iro_id=self.iro_ids[iro_index],
                kind=AllocationKind.CASE_HOLDING,
                start=start,
                end=end,
            )
        since = plan.start  # a review is booked once the one before it was held (or care began)
        for position, review in enumerate(plan.reviews):
            if review["status"] != ReviewStatus.HELD:
                if review["status"] == ReviewStatus.BOOKED:
                    review = {**review, **self.outstanding_booking(review, plan)}
                review_id = self.tables[Review].add(
                    child_id=child_id, period_of_care_id=period_id, sequence=sequence_for(position), **review
                )
                if review["status"] == ReviewStatus.BOOKED:
                    self.booking(review_id, review, since=since, social_worker=social_worker, held=False)
                continue
            chair_id = self.iro_ids[_iro_index_on(plan.allocations, review["held_on"])]
            details = self.generator.held_review_details(review, date_of_birth, plan.start)
            review_id = self.tables[Review].add(
                child_id=child_id,
                period_of_care_id=period_id,
                sequence=sequence_for(position),
                chair_id=chair_id,
                **review,
                **details,
            )
            self.held_review_extras(child_id, review_id, review["held_on"], chair_id, date_of_birth)
            self.booking(review_id, details, since=since, social_worker=social_worker, held=True)
            for kind, received_on in self.generator.reports_received(date_of_birth, review["held_on"], plan.start):
                self.tables[ReportReceived].add(review_id=review_id, kind=kind, received_on=received_on)
            since = review["held_on"]
            if details["child_visited_on"]:
                # The pre-review visit as the IRO recorded it.
                self.tables[Visit].add(
                    child_id=child_id,
                    iro_id=chair_id,
                    visited_on=details["child_visited_on"],
                    seen_alone=self.rng.random() < 0.6 and age_on(date_of_birth, details["child_visited_on"]) >= 8,
                    notes="",
                )

    def outstanding_booking(self, review: dict, plan: _PlannedPeriod) -> dict:
        """A booked outstanding review's fields as the booking page sets them: a slot free in the
        chair's diary, a venue (one of the usual ones), and why it is late if after the due date."""
        rng = self.generator.extras_rng
        chair_id = self.iro_ids[_iro_index_on(plan.allocations, review["booked_for"].date())]
        booked_for = self.free_slot(chair_id, review["booked_for"])
        late = review["due_date"] is not None and booked_for.date() > review["due_date"]
        return {
            "booked_for": booked_for,
            "venue": rng.choice(USUAL_VENUES),
            "venue_chosen_by_child": rng.random() < 0.15,
            "lateness_reason": LATE_BOOKING_REASON if late else "",
        }

    def held_review_extras(
        self, child_id: int, review_id: int, held_on: date, chair_id: int, date_of_birth: date
    ) -> None:
        rng = self.rng
        for text, owner, for_child in rng.sample(DECISION_TEXTS, rng.randint(1, 3)):
            deadline = held_on + timedelta(days=rng.choice([28, 42, 90]))
            # Most actions are done by their deadline; some drift.
            done = deadline - timedelta(days=rng.randint(0, 20)) if rng.random() < 0.85 else None
            self.tables[Decision].add(
                review_id=review_id,
                text=text,
                owner=owner,
                for_child=for_child,
                deadline=deadline,
                completed_on=done if done and held_on <= done <= self.today else None,
            )
        # The seed's IROs completed monitoring forms for 44% of reviews.
        completed_on = held_on + timedelta(days=rng.randint(1, 10))
        if rng.random() < 0.44 and completed_on <= self.today:
            ratings = [rng.choices([1, 2, 3, 4], weights=[10, 55, 30, 5])[0] for _ in range(4)]
            pathway = rng.choice([2, 3]) if age_on(date_of_birth, held_on) >= 16 else None
            self.tables[MonitoringForm].add(
                review_id=review_id,
                completed_by_id=chair_id,
                completed_on=completed_on,
                scheme=RatingScheme.OFSTED_4,
                care_plan_rating=ratings[0],
                placement_plan_rating=ratings[1],
                health_plan_rating=ratings[2],
                pep_rating=ratings[3],
                pathway_plan_rating=pathway,
                shared_on=completed_on,
            )
        # About 50 escalations a year for 300 children, most resolved informally.
        if rng.random() < 0.06:
            closed = held_on + timedelta(days=rng.randint(3, 40))
            is_open = closed > self.today
            self.tables[Escalation].add(
                child_id=child_id,
                review_id=review_id,
                raised_by_id=chair_id,
                raised_on=held_on,
                theme=_weighted(rng, {theme: 1 for theme in EscalationTheme}),
                concern=ESCALATION_CONCERN,
                stage=(
                    EscalationStage.INFORMAL_SOCIAL_WORKER
                    if rng.random() < 0.8
                    else EscalationStage.INFORMAL_TEAM_MANAGER
                ),
                stage_deadline=add_working_days(held_on, 10),
                outcome=EscalationOutcome.OPEN if is_open else EscalationOutcome.RESOLVED,
                closed_on=None if is_open else closed,
                resolution="" if is_open else ESCALATION_RESOLUTION,
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


def _iro_index_on(allocations: list[tuple[int, date, date | None]], day: date) -> int:
    for iro_index, start, end in allocations:
        if start <= day and (end is None or day <= end):
            return iro_index
    return allocations[-1][0]

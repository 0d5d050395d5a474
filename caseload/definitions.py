"""What each figure of the dashboards and the annual IRO report counts: one home for the
definitions (docs/domain.md, "Report definitions"). Each is a query predicate here, and its words in `definitions()`
go on the report's definitions page; every figure's label in words is in `FIGURE_LABELS`. What is
printed is what is counted.

Prefixes let the same rule apply from another model: `looked_after_on(day, "periods_of_care__")`.
Who is looked after and who is allocated on a day have their one home in children.predicates.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from audits.codes import EscalationOutcome, EscalationStage
from audits.models import EscalationStageChange
from children.codes import SHORT_BREAK_LEGAL_STATUSES
from children.models import Episode, PeriodOfCare
from children.predicates import looked_after_during, looked_after_on
from reviews.codes import PARTICIPATED_CODES, ChildChaired, ParticipationCode, ReviewStatus
from reviews.models import Review
from reviews.timescales import MINUTES_WORKING_DAYS, OUTCOMES_WORKING_DAYS, Schedule

SHORT_BREAKS = sorted(SHORT_BREAK_LEGAL_STATUSES)


# --- The report period ----------------------------------------------------------------------


def report_year_containing(day: date) -> tuple[date, date]:
    """The report year (1 April to 31 March, the financial year) that `day` falls in."""
    first = date(day.year if day.month >= 4 else day.year - 1, 4, 1)
    return first, date(first.year + 1, 3, 31)


def last_complete_report_year(today: date) -> tuple[date, date]:
    """The latest report year that ended before today: the annual report's default period."""
    start, _end = report_year_containing(today)
    return date(start.year - 1, 4, 1), date(start.year, 3, 31)


@dataclass(frozen=True)
class ReportPeriod:
    """The period asked for, and the part of it that has happened: a period reaching past today
    stops at today and is reported "to date" (no figure is given for a day not yet reached)."""

    start: date
    asked_end: date
    today: date

    @property
    def to_date(self) -> bool:
        return self.asked_end > self.today

    @property
    def end(self) -> date:
        return max(self.start, min(self.asked_end, self.today))

    @property
    def not_started(self) -> bool:
        return self.start > self.today


# --- Children looked after ------------------------------------------------------------------


def looked_after_throughout(start: date, end: date, prefix: str = "") -> Q:
    """One period of care covering every day from S to E: start ≤ S and (no end, or end > E)."""
    return Q(**{f"{prefix}start__lte": start}) & (Q(**{f"{prefix}end__isnull": True}) | Q(**{f"{prefix}end__gt": end}))


def episode_open_on(day: date, prefix: str = "") -> Q:
    """An episode in force on D: a new episode starts on the day the last one ends (DEC = DECOM)."""
    return looked_after_on(day, prefix)


def _episodes_during(start: date, end: date) -> Q:
    """An episode in force at some time from S to E (the same bounds as a period's)."""
    return looked_after_during(start, end)


def _short_break_episodes(condition: Q) -> QuerySet[Episode]:
    return Episode.objects.filter(condition, legal_status__in=SHORT_BREAKS)


# The "on a short break" tests below are `IN (SELECT ...)` over the few short-break episodes
# (index episode_short_break_idx), not EXISTS per row: PostgreSQL reads the short breaks once per
# statement into a hash, instead of one index look-up per period for each figure (some 400,000 in
# the children-looked-after aggregate at 80,000 children). period_of_care_id and child_id are
# never NULL, so NOT IN means what NOT EXISTS did.
def on_short_break_on(day: date, period_ref: str = "pk") -> Q:
    """The period of care (by the outer `period_ref`) is on a short break (V3/V4) on D: the
    episode in force that day has legal status V3 or V4. DfE statistics leave such a child out of
    the children looked after that day."""
    return Q(**{f"{period_ref}__in": _short_break_episodes(episode_open_on(day)).values("period_of_care_id")})


def child_on_short_break_on(day: date, child_ref: str = "child_id") -> Q:
    """The child (by the outer `child_ref`) is on a short break (V3/V4) on D."""
    return Q(**{f"{child_ref}__in": _short_break_episodes(episode_open_on(day)).values("period_of_care__child_id")})


def short_breaks_only_during(start: date, end: date, period_ref: str = "pk") -> Q:
    """The period of care (by the outer `period_ref`) had, within [S, E], only V3/V4 episodes (and
    at least one). A period with no episode recorded is not a short break."""
    episodes = Episode.objects.filter(_episodes_during(start, end), period_of_care_id=OuterRef(period_ref))
    had_a_short_break = Q(
        **{f"{period_ref}__in": _short_break_episodes(_episodes_during(start, end)).values("period_of_care_id")}
    )
    return had_a_short_break & ~Q(Exists(episodes.exclude(legal_status__in=SHORT_BREAKS)))


def counted_looked_after_on(day: date) -> Q:
    """On PeriodOfCare: looked after on D and not on a short break that day."""
    return looked_after_on(day) & ~on_short_break_on(day)


def counted_looked_after_during(start: date, end: date) -> Q:
    """On PeriodOfCare: looked after at some time in [S, E] other than only on short breaks."""
    return looked_after_during(start, end) & ~short_breaks_only_during(start, end)


def child_short_breaks_only_during(start: date, end: date) -> Q:
    """On PeriodOfCare: a short-breaks-only period of a child who had no other period counted in
    [S, E] ("children on short breaks only")."""
    counted = PeriodOfCare.objects.filter(counted_looked_after_during(start, end), child_id=OuterRef("child_id"))
    return looked_after_during(start, end) & short_breaks_only_during(start, end) & ~Q(Exists(counted))


def iro_active_on(day: date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}active_from__lte": day}) & (
        Q(**{f"{prefix}active_to__isnull": True}) | Q(**{f"{prefix}active_to__gte": day})
    )


# --- Reviews ----------------------------------------------------------------------------------


def held_between(start: date, end: date) -> Q:
    """A review is in the period if it was held on a date in [S, E]."""
    return Q(status=ReviewStatus.HELD, held_on__gte=start, held_on__lte=end)


# A short-break review (reg 48, due_schedule "reg48", stored by reviews.timescales) is not a
# looked-after child review in the DfE's sense: it is counted on its own line, never in the
# review figures (held, timeliness, participation, documents).
SHORT_BREAK_REVIEW = Q(due_schedule=Schedule.REG48)
COUNTED_REVIEW = ~SHORT_BREAK_REVIEW
# Held on or before its due date (docs/domain.md, "Report definitions"). Reviews with no due date
# (the first known review of a period that began before the records, or care ending at 18) are
# not on the clock.
ON_THE_CLOCK = Q(due_date__isnull=False)
IN_TIMESCALE = Q(held_on__lte=F("due_date"))
PARTICIPATED = Q(participation_code__in=sorted(PARTICIPATED_CODES))
ATTENDED_NO_VIEW = Q(participation_code=ParticipationCode.PN4)
AGED_UNDER_4 = Q(participation_code=ParticipationCode.PN0)
PARENTS_PARTICIPATED = Q(parents_participated=True)
MONITORING_FORM_COMPLETED = Q(monitoring_form__isnull=False)
OUTCOMES_ON_TIME = Q(outcomes_issued_on__lte=F("outcomes_due_on"))
MINUTES_ON_TIME = Q(minutes_issued_on__lte=F("minutes_due_on"))


def outcomes_deadline_passed(end: date) -> Q:
    """The outcomes' deadline fell on or before the period's last day: only these are counted."""
    return Q(outcomes_due_on__lte=end)


def minutes_deadline_passed(end: date) -> Q:
    return Q(minutes_due_on__lte=end)


def outcomes_not_yet_due(end: date) -> Q:
    return Q(outcomes_due_on__gt=end)


def minutes_not_yet_due(end: date) -> Q:
    return Q(minutes_due_on__gt=end)


def overdue_not_held_at(end: date) -> Q:
    """On Review: due on or before the last day and not held by it (still due or booked, or held
    after it), while the child was looked after on the due date; short-break reviews and reviews
    marked not needed are left out."""
    not_held_by_end = Q(status__in=[ReviewStatus.DUE, ReviewStatus.BOOKED]) | Q(
        status=ReviewStatus.HELD, held_on__gt=end
    )
    in_care_when_due = Q(period_of_care__end__isnull=True) | Q(period_of_care__end__gt=F("due_date"))
    return COUNTED_REVIEW & Q(due_date__lte=end) & not_held_by_end & in_care_when_due


def late_in(start: date, end: date) -> Q:
    """On Review: late in the period: held in it after its due date, or overdue and not held at its end."""
    return (COUNTED_REVIEW & held_between(start, end) & ON_THE_CLOCK & ~IN_TIMESCALE) | overdue_not_held_at(end)


def every_review_in_time(start: date, end: date) -> Q:
    """On PeriodOfCare: the child had no review late in the period (`late_in`)."""
    return ~Q(Exists(Review.objects.filter(late_in(start, end), child_id=OuterRef("child_id"))))


# --- "My review" (issue #18): the child's own say before the review -----------------------------

# On Review, among the reviews held (`held_between`, `COUNTED_REVIEW`): counts only, never the
# child's words. "Before the review" is by the day in London: sent or pressed on the review day
# counts. The child can change their answers only until the review is held (reviews/my_review.py),
# so the answers last sent are the ones the review had.
MY_REVIEW_USED = Q(my_review_response__submitted_at__date__lte=F("held_on"))
CHILD_CHAIRED = Q(child_chaired__in=[ChildChaired.ALL, ChildChaired.PART])
ASKED_FOR_ADVOCATE = MY_REVIEW_USED & Q(my_review_response__sent_answers__advocate=True)
# `feels_unsafe_at` holds the last press: a press after the review day is not counted for it.
SAID_NOT_SAFE = Q(my_review_response__feels_unsafe_at__date__lte=F("held_on"))
# The measures by their JSON key, in the order the tables show them.
MY_REVIEW_MEASURES: dict[str, Q] = {
    "used": MY_REVIEW_USED,
    "chaired": CHILD_CHAIRED,
    "advocate": ASKED_FOR_ADVOCATE,
    "not_safe": SAID_NOT_SAFE,
}


# --- Escalations ------------------------------------------------------------------------------

# Management level: team manager or above (the seed's "escalated to management level").
MANAGEMENT_STAGES = [stage for stage in EscalationStage if stage != EscalationStage.INFORMAL_SOCIAL_WORKER]


def escalation_raised_between(start: date, end: date) -> Q:
    """Escalations raised in [S, E], at any stage including the informal social-worker stage."""
    return Q(raised_on__gte=start, raised_on__lte=end)


def escalated_to_management_by(end: date) -> Q:
    """On Escalation: moved to team manager or above on or before the last day (by its stage
    history; a record with no history, by its stage)."""
    changes = EscalationStageChange.objects.filter(escalation_id=OuterRef("pk"))
    return Q(Exists(changes.filter(to_stage__in=MANAGEMENT_STAGES, changed_on__lte=end))) | (
        Q(stage__in=MANAGEMENT_STAGES) & ~Q(Exists(changes))
    )


def escalation_outcome_at(end: date) -> dict[str, Q]:
    """An escalation's outcome as it stood at the end of the last day: resolved or withdrawn if
    closed so by then, otherwise open. The one definition of "resolved" for the annual report and
    the QA report (both count the escalations raised in the period)."""
    closed_by_end = Q(closed_on__lte=end)
    return {
        EscalationOutcome.RESOLVED: Q(outcome=EscalationOutcome.RESOLVED) & closed_by_end,
        EscalationOutcome.WITHDRAWN: Q(outcome=EscalationOutcome.WITHDRAWN) & closed_by_end,
        EscalationOutcome.OPEN: Q(outcome=EscalationOutcome.OPEN) | Q(closed_on__gt=end),
    }


# --- Children per FTE -------------------------------------------------------------------------

CASELOAD_BASES = {"fte": "FTE in post", "funded_posts": "funded posts"}


@dataclass(frozen=True)
class CaseloadBasis:
    name: str  # "fte" or "funded_posts"
    funded_posts: Decimal | None


def caseload_basis() -> CaseloadBasis:
    """The authority's choice (settings IRO_CASELOAD_BASIS and IRO_FUNDED_POSTS), checked."""
    name = getattr(settings, "IRO_CASELOAD_BASIS", "fte") or "fte"
    if name not in CASELOAD_BASES:
        raise ImproperlyConfigured(f'IRO_CASELOAD_BASIS is {name!r}: use "fte" or "funded_posts".')
    raw = getattr(settings, "IRO_FUNDED_POSTS", "")
    posts = None
    if raw not in ("", None):
        try:
            posts = Decimal(str(raw))
        except InvalidOperation:
            posts = None
        if posts is None or not posts.is_finite() or posts <= 0:
            raise ImproperlyConfigured(f"IRO_FUNDED_POSTS is {raw!r}: give the number of funded posts, e.g. 4.")
    if name == "funded_posts" and posts is None:
        raise ImproperlyConfigured('IRO_CASELOAD_BASIS is "funded_posts": set IRO_FUNDED_POSTS, e.g. 4.')
    return CaseloadBasis(name, posts)


# Caseload guidance (IRO Handbook 2010): between 50 and 70 children per full-time IRO.
CASELOAD_GUIDANCE = (50, 70)

# Age bands of the dashboards: (label, youngest, oldest or None).
AGE_BANDS = [("0–4", 0, 4), ("5–9", 5, 9), ("10–15", 10, 15), ("16+", 16, None)]


# --- The words --------------------------------------------------------------------------------

# Every figure of the report's JSON, by its key path, in words (the page shows these, never keys).
FIGURE_LABELS: dict[str, str] = {
    "looked_after.at_start": "Children looked after on the first day",
    "looked_after.at_end": "Children looked after on the last day",
    "looked_after.during": "Children looked after at any time in the period",
    "looked_after.short_breaks_only": "Children on short breaks only (not counted above)",
    "looked_after.throughout": "Children looked after throughout the period",
    "reviews.held": "Reviews held",
    "reviews.first": "First reviews",
    "reviews.second": "Second reviews",
    "reviews.subsequent": "Subsequent reviews",
    "reviews.on_clock": "Reviews held with a known due date",
    "reviews.in_timescale": "Reviews held in timescale",
    "reviews.in_timescale_pct": "Held in timescale, pooled over the period (%)",
    "reviews.in_timescale_month_on_month_pct": "Held in timescale, month on month (%)",
    "reviews.overdue_not_held": "Reviews overdue and not held at the period end",
    "reviews.children_all_in_time": "Children looked after throughout whose every review was in time",
    "reviews.children_all_in_time_pct": "Children looked after throughout whose every review was in time (%)",
    "reviews.short_break_reviews_held": "Short-break reviews held (reg 48, not counted above)",
    "participation.participated": "Reviews in which the child participated (PN1–PN3, PN5, PN6)",
    "participation.participated_pct": "Participated, of all reviews held (%)",
    "participation.participated_pct_aged_4_plus": "Participated, of reviews of children aged 4 and over (%)",
    "participation.attended_no_view": "Attended but conveyed no view (PN4)",
    "pre_review_visits_pct": "Reviews with a pre-review visit by the IRO (%)",
    "parents_participated_pct": "Reviews in which parents participated (%)",
    "monitoring_forms.completed": "Monitoring forms completed",
    "monitoring_forms.completed_pct": "Monitoring forms completed, of reviews held (%)",
    "documents.outcomes_on_time": f"Outcomes issued within {OUTCOMES_WORKING_DAYS} working days",
    "documents.outcomes_due": "Reviews whose outcomes were due by the period end",
    "documents.outcomes_on_time_pct": f"Outcomes issued within {OUTCOMES_WORKING_DAYS} working days (%)",
    "documents.outcomes_not_yet_due": "Outcomes not yet due at the period end",
    "documents.minutes_on_time": f"Minutes issued within {MINUTES_WORKING_DAYS} working days",
    "documents.minutes_due": "Reviews whose minutes were due by the period end",
    "documents.minutes_on_time_pct": f"Minutes issued within {MINUTES_WORKING_DAYS} working days (%)",
    "documents.minutes_not_yet_due": "Minutes not yet due at the period end",
    "caseload.iro_fte": "IRO FTE in post on the last day",
    "caseload.basis": "Children per FTE is counted against",
    "caseload.funded_posts": "Funded IRO posts",
    "caseload.children_per_fte": "Children per full-time IRO",
    "my_review.held": "Reviews held (the My review shares are of these)",
    "my_review.used": "The child sent their answers in My review before the review",
    "my_review.used_pct": "The child used My review (%)",
    "my_review.chaired": "The child chaired all or part of the review",
    "my_review.chaired_pct": "The child chaired, all or part (%)",
    "my_review.advocate": "The child asked in My review for an advocate",
    "my_review.advocate_pct": "The child asked for an advocate (%)",
    "my_review.not_safe": "The child said in My review they did not feel safe",
    "my_review.not_safe_pct": "The child said they did not feel safe (%)",
    "escalations.raised": "Escalations raised (any stage, including informal with the social worker)",
    "escalations.escalated_to_management": "Escalated to management level (team manager or above)",
    "escalations.resolved": "Escalations resolved",
    "escalations.formal_dispute_resolution": "Reached formal dispute resolution (service manager or above)",
}
for _code in ParticipationCode:
    FIGURE_LABELS[f"participation.{_code.value}"] = _code.label


def definitions() -> list[tuple[str, str]]:
    """The definitions page, in words (the caseload basis is the authority's setting)."""
    basis = caseload_basis()
    if basis.name == "funded_posts" and basis.funded_posts is not None:  # caseload_basis() sees to both
        per_fte = (
            f"Children looked after on the last day divided by the authority's {basis.funded_posts.normalize()} "
            "funded full-time IRO posts (setting IRO_CASELOAD_BASIS = funded_posts). A team's or one IRO's "
            "figures use the FTE of their IROs in post."
        )
    else:
        per_fte = (
            "Children looked after on the last day divided by the summed full-time equivalence of the IROs in "
            "post (active) on the last day (setting IRO_CASELOAD_BASIS = fte)."
        )
    return [
        (
            "Report period",
            "The report year runs from 1 April to 31 March; the report opens on the last complete year. A "
            "period reaching past today is reported to date: it stops at today, and no month that has not "
            "been reached is shown.",
        ),
        (
            "Looked after on a date",
            "A period of care that started on or before the date and had not ended by it, leaving out a child "
            "whose episode that day was a short break (legal status V3 or V4), as DfE statistics do.",
        ),
        (
            "Looked after during the period",
            "A period of care that started on or before the last day and had not ended before the first day, "
            "leaving out a period with only short-break (V3/V4) episodes in the period; a child with two such "
            "periods counts once.",
        ),
        (
            "Children on short breaks only",
            "Children looked after in the period only under V3 or V4 (an agreed series of short breaks): "
            "shown on their own line and left out of the children looked after and children per FTE.",
        ),
        ("Reviews held", "Reviews held on a date within the period, other than short-break reviews."),
        (
            "Short-break reviews",
            "Reviews on the short-break clock (regulation 48: three months after the first break, then six "
            "months). Regulation 33 does not apply to them, so they are counted on their own line and in no "
            "other review figure: not in timescale, participation or documents.",
        ),
        ("First, second, subsequent", "A review's place among the reviews of its own period of care."),
        (
            "In timescale",
            "Held on or before its due date (regulation 33: 20 working days after the child came into care for "
            "the first review, 3 months after the first for the second, 6 months after the previous one for "
            "the rest; for a child placed for adoption the earlier of that and the adoption review date). "
            "Reviews whose due date is not known are left out.",
        ),
        (
            "Pooled and month on month",
            "Pooled: the reviews held in timescale in the whole period as a share of the reviews held with a "
            "due date. Month on month (the seed's measure): the share for each calendar month, then the "
            "average of those monthly shares, each month weighing the same; a month with no review held is "
            "left out.",
        ),
        (
            "Overdue and not held at the period end",
            "Reviews due on or before the last day and not held by it (still to be held, or held after it), "
            "while the child was still looked after on the due date; short-break reviews and reviews marked "
            "not needed are left out.",
        ),
        (
            "Children whose every review was in time",
            "Of the children looked after throughout the period (one period of care covering every day of it, "
            "not on short breaks), those with no review late: none held in the period after its due date and "
            "none overdue and not held at its end. A child with no review due in the period counts as in time.",
        ),
        (
            "Participated",
            "The child's views reached the review: participation codes PN1, PN2, PN3, PN5 and PN6, as a share "
            "of all reviews held; the share aged 4 and over leaves PN0 (under 4 at the time of the review) out. "
            "PN4 (attends but conveys no view) is not participation and is shown on its own.",
        ),
        (
            "My review",
            "Of the reviews held (short-break reviews left out): used My review, the child sent their answers "
            "to the IRO on or before the day of the review; chaired, the IRO recorded that the child chaired "
            "all or part of the meeting (a review with nothing recorded counts as not chaired); asked for an "
            "advocate, the answers the child sent said they wanted one; did not feel safe, the child pressed "
            "\u201cI don't feel safe\u201d in My review on or before the day of the review (the last time they "
            "pressed it is what is kept). Counts only: what the child wrote is never in a report. By quarter "
            "of the report year (April to June, July to September, October to December, January to March) "
            "and for the whole period.",
        ),
        (
            "Pre-review visit",
            "The IRO recorded a visit to the child after the previous review in the period of care (or, for the "
            "first, on or after the day the period began) and on or before the review.",
        ),
        ("Parents participated", "The review record says the parents participated."),
        ("Monitoring form completed", "The IRO completed a monitoring form for the review."),
        (
            "Outcomes and minutes on time",
            f"Issued within {OUTCOMES_WORKING_DAYS} (outcomes) and {MINUTES_WORKING_DAYS} (minutes) working "
            "days of the review, bank holidays in England excluded, as a share of the reviews held whose "
            "deadline fell on or before the last day. Reviews whose deadline falls after it are shown as not "
            "yet due.",
        ),
        ("IRO FTE", "The summed full-time equivalence of the IROs in post (active) on the last day."),
        (f"Children per FTE (against {CASELOAD_BASES[basis.name]})", per_fte),
        (
            "Escalations",
            "Raised: raised in the period, at any stage, including concerns taken informally to the social "
            "worker. Escalated to management level: of those, the ones moved to team manager or above by the "
            "last day. Resolved: of those raised in the period, the ones closed as resolved by the last day "
            "(the QA report counts the same). Formal dispute resolution: first reached a formal stage "
            "(service manager or above) in the period.",
        ),
        (
            "IRO continuity",
            "Children looked after during the period who had more than one case-holding IRO in it.",
        ),
        ("Percentages", "Shares of reviews held in the period unless named otherwise, to one decimal place."),
    ]

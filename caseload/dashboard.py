"""The managers' dashboard (an IRO sees the same for their own caseload): panels of figures,
each a table with a chart beside it, all aggregated in the database (docs/domain.md,
"Report definitions").

Each panel runs a fixed number of queries whatever the data size; panels that share figures
(the review counts, the children looked after) share one query through `Dashboard`'s cached
properties. Month series are conditional aggregates with one column per month.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils.safestring import SafeString

from accounts.models import IROProfile
from accounts.roles import Role
from accounts.selectors import iro_users
from audits.codes import EscalationStage, EscalationTheme
from audits.models import Escalation
from children.ages import latest_birth_date_for_age
from children.codes import LegalStatus
from children.models import Allocation, Episode, PeriodOfCare
from children.postcodes import DISTANCE_BANDS
from children.predicates import allocated_during, allocated_on
from reviews.codes import OUTSTANDING_STATUSES, ParticipationCode
from reviews.models import Review

from . import charts
from .definitions import (
    AGE_BANDS,
    CASELOAD_GUIDANCE,
    FIGURE_LABELS,
    MY_REVIEW_MEASURES,
    SHORT_BREAKS,
    ReportPeriod,
    child_on_short_break_on,
    counted_looked_after_on,
    episode_open_on,
    iro_active_on,
)
from .models import MonthEndMeasure
from .month_ends import month_end_counts
from .statistics import (
    MAX_MONTHS,
    Scope,
    caseload_divisor,
    escalation_counts,
    iro_fte,
    looked_after,
    months,
    my_review_counts,
    overdue_reviews,
    percentage,
    ratio,
    report_figures,
    review_counts,
)


@dataclass
class Panel:
    slug: str
    title: str
    columns: list[str]
    rows: Sequence[Sequence[object]]
    chart: SafeString | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def month_ends(start: date, end: date, *, to_date: bool = False) -> list[date]:
    """The last day of each month in [start, end] (the end itself if no month ends inside); for a
    period reported to date, today (the end) after the last month end reached."""
    days: list[date] = []
    day = start + relativedelta(day=31)
    while day <= end and len(days) < MAX_MONTHS:
        days.append(day)
        day = day + relativedelta(months=1, day=31)
    if to_date and (not days or days[-1] != end):
        days.append(end)
    return days or [end]


def _month_end_label(day: date) -> str:
    """ "Mar 2026" for a month end; "28 Nov 2026 (to date)" for a day within a month."""
    if day == day + relativedelta(day=31):
        return f"{day:%b %Y}"
    return f"{day:%-d %b %Y} (to date)"


def _band(children: int, fte: Decimal | None) -> str:
    per_fte = ratio(children, fte)
    if per_fte is None:
        return "No FTE recorded"
    low, high = CASELOAD_GUIDANCE
    if per_fte < low:
        return f"Below {low}"
    if per_fte > high:
        return f"Above {high}"
    return f"Within {low}–{high}"


IRO_TABLE_PAGE = 50


class Dashboard:
    """The panels for one scope and period; `today` sets "this month" and "next month", and a
    period reaching past today stops at it (reported to date: no month not yet reached)."""

    def __init__(self, *, start: date, end: date, today: date, scope: Scope, iro_page: int | None = None) -> None:
        self.period = ReportPeriod(start, end, today)
        self.start, self.end, self.today, self.scope = start, self.period.end, today, scope
        # The dashboard page shows the caseload per IRO IRO_TABLE_PAGE at a time (page 1 first);
        # None: every IRO (the downloads and the annual report).
        self.iro_page = iro_page

    @property
    def reaches_today(self) -> bool:
        """The period runs to today or past it: reviews due this month and next belong in it."""
        return self.period.asked_end >= self.today

    # Figures shared between panels and the report summary: one query each.
    @cached_property
    def looked_after(self) -> dict[str, int]:
        return looked_after(start=self.start, end=self.end, scope=self.scope)

    @cached_property
    def reviews(self) -> dict[str, int]:
        return review_counts(start=self.start, end=self.end, scope=self.scope)

    @cached_property
    def fte(self) -> Decimal:
        return iro_fte(on=self.end, scope=self.scope)

    @cached_property
    def escalations(self) -> dict[str, int]:
        return escalation_counts(start=self.start, end=self.end, scope=self.scope)

    @cached_property
    def overdue(self) -> int:
        return overdue_reviews(end=self.end, scope=self.scope)

    @cached_property
    def my_review(self) -> dict[str, int]:
        return my_review_counts(start=self.start, end=self.end, scope=self.scope)

    @property
    def month_ends(self) -> list[date]:
        return month_ends(self.start, self.end, to_date=self.period.to_date)

    @cached_property
    def allocated_at_month_ends(self) -> dict[str, int]:
        """Case-holding allocations (of the scope's IROs) at each month end, leaving out a child on
        a short break that day: the caseload trend's numerator, and an IRO's "children in care"."""
        return month_end_counts(
            measure=MonthEndMeasure.ALLOCATED, days=self.month_ends, today=self.today, scope=self.scope
        )

    @cached_property
    def report(self) -> dict[str, Any]:
        return report_figures(
            looked=self.looked_after,
            reviews=self.reviews,
            fte=self.fte,
            escalations=self.escalations,
            overdue=self.overdue,
            my_review=self.my_review,
            start=self.start,
            end=self.end,
            period=self.period,
            scope=self.scope,
        )

    def panels(self) -> list[Panel]:
        return [build(self) for build in PANELS.values()]

    # The panels.
    def caseload_per_iro(self) -> Panel:
        this_month = self.today.replace(day=1)
        next_month = this_month + relativedelta(months=1)
        after_next = next_month + relativedelta(months=1)
        iros = (
            iro_users(including_left=True)
            .filter(self.scope.by("pk"))
            .select_related("iro_profile__team")
            .annotate(
                children=Count(
                    "allocations",
                    filter=allocated_on(self.end, "allocations__")
                    & ~child_on_short_break_on(self.end, "allocations__child_id"),
                )
            )
            .order_by("last_name", "first_name", "pk")
        )
        paging: dict[str, Any] = {}
        if self.iro_page is not None:
            first = (self.iro_page - 1) * IRO_TABLE_PAGE
            page = list(iros[first : first + IRO_TABLE_PAGE + 1])  # one more: is there a next page?
            if not page and self.iro_page > 1:  # past the last IRO (an old link): the first page
                self.iro_page, first = 1, 0
                page = list(iros[: IRO_TABLE_PAGE + 1])
            paging = {
                "page": self.iro_page,
                "size": IRO_TABLE_PAGE,
                "first": first + 1,
                "last": first + min(len(page), IRO_TABLE_PAGE),
                "has_previous": self.iro_page > 1,
                "has_next": len(page) > IRO_TABLE_PAGE,
            }
            iros = page[:IRO_TABLE_PAGE]  # type: ignore[assignment]
        # Reviews due or booked for each IRO's current children, this month and next: one
        # grouped query (by the IRO now holding the child), read through the status/due index.
        # Only for a period that runs to today: a past year has no "this month".
        due: dict[int, Mapping[str, object]] = {}
        if self.reaches_today:
            due = {
                row["iro_id"]: row
                for row in Review.objects.filter(
                    status__in=OUTSTANDING_STATUSES, due_date__gte=this_month, due_date__lt=after_next
                )
                .filter(allocated_on(self.today, "child__allocations__") & self.scope.by("child__allocations__iro_id"))
                .filter(Q(child__allocations__iro_id__in=[iro.pk for iro in iros]) if paging else Q())
                .values(iro_id=F("child__allocations__iro_id"))
                .annotate(
                    this_month=Count("id", filter=Q(due_date__lt=next_month)),
                    next_month=Count("id", filter=Q(due_date__gte=next_month)),
                )
                .order_by()
            }
        rows = []
        for iro in iros:
            profile = getattr(iro, "iro_profile", None)
            fte = profile.fte if profile else None
            row = [
                iro.get_full_name() or iro.username,
                profile.team.name if profile and profile.team else "",
                float(fte) if fte is not None else None,
                iro.children,
                ratio(iro.children, fte),
                _band(iro.children, fte),
            ]
            if self.reaches_today:
                row += [due.get(iro.pk, {}).get("this_month", 0), due.get(iro.pk, {}).get("next_month", 0)]
            rows.append(row)
        low, high = CASELOAD_GUIDANCE
        columns = ["IRO", "Team", "FTE", "Children", "Children per FTE", f"Against the {low}–{high} guidance"]
        note = f"Case-holding allocations on {self.end:%-d %B %Y}, leaving out children on a short break that day"
        if self.reaches_today:
            columns += [f"Reviews due {this_month:%B}", f"Reviews due {next_month:%B}"]
            note += "; reviews due or booked as of today"
        if paging and (paging["has_previous"] or paging["has_next"]):
            shown = f"IROs {paging['first']} to {paging['last']} by name"
            note += f"; {shown}, {IRO_TABLE_PAGE} a page (the downloads have all)"
        return Panel(
            slug="caseload",
            title="Caseload per IRO",
            extra={"paging": paging},
            columns=columns,
            rows=rows,
            # The chart under "Caseload per IRO" plots each IRO's children; per FTE is in the table.
            chart=charts.bar_chart(_chart_labels(rows), _chart_values(rows, 3), title="Children held, by IRO"),
            note=note + ".",
        )

    def caseload_trend(self) -> Panel:
        days = self.month_ends
        allocations = self.allocated_at_month_ends
        profiles = iro_fte_by_day(days, self.scope)
        rows = []
        for i, day in enumerate(days):
            basis, _posts, divisor = caseload_divisor(profiles[i], self.scope)
            rows.append(
                [_month_end_label(day), allocations[f"m{i}"], float(profiles[i]), ratio(allocations[f"m{i}"], divisor)]
            )
        low, high = CASELOAD_GUIDANCE
        return Panel(
            slug="caseload_trend",
            title="Caseload trend by month",
            columns=["Month end", "Children allocated", "IRO FTE", "Children per FTE"],
            rows=rows,
            chart=charts.column_chart(
                _chart_labels(rows),
                _chart_values(rows, 3),
                title="Children per FTE at each month end",
                guides=[(low, f"{low}"), (high, f"{high}")],
            ),
            note="Children per FTE against "
            + ("the authority's funded posts" if basis == "funded_posts" else "the FTE of the IROs in post")
            + ". Dashed lines: the IRO Handbook's guidance of 50 to 70 children per full-time IRO.",
        )

    def in_care(self) -> Panel:
        days = self.month_ends
        if self.scope.whole_authority:
            counts = month_end_counts(
                measure=MonthEndMeasure.LOOKED_AFTER, days=days, today=self.today, scope=self.scope
            )
            note = "Children looked after at each month end (not on a short break)."
        else:
            counts = self.allocated_at_month_ends
            note = "Children on the caseload at each month end (not on a short break)."
        rows = [[_month_end_label(day), counts[f"m{i}"]] for i, day in enumerate(days)]
        looked = self.looked_after
        to_date = " (to date)" if self.period.to_date else ""
        return Panel(
            slug="in_care",
            title="Children in care at each month end",
            columns=["Month end", "Children"],
            rows=rows,
            chart=charts.column_chart(
                [_month_end_label(day) for day in days], [counts[f"m{i}"] for i in range(len(days))], title=note
            ),
            note=f"{note} Looked after on {self.start:%-d %b %Y}: {looked['at_start']}; "
            f"on {self.end:%-d %b %Y}{to_date}: {looked['at_end']}; at any time in the period: {looked['during']}; "
            f"{FIGURE_LABELS['looked_after.short_breaks_only'].lower()}: {looked['short_breaks_only']}.",
        )

    def age_bands(self) -> Panel:
        day = self.end
        bands = {}
        for label, youngest, oldest in AGE_BANDS:
            condition = Q(child__date_of_birth__lte=latest_birth_date_for_age(day, youngest))
            if oldest is not None:
                condition &= Q(child__date_of_birth__gt=latest_birth_date_for_age(day, oldest + 1))
            bands[label] = condition
        children = PeriodOfCare.objects.filter(
            counted_looked_after_on(day) & self.scope.on_caseload("child_id", on=day)
        )
        return _banded_panel(
            children,
            bands,
            slug="ages",
            title="Age bands",
            heading="Age",
            note=f"Children looked after on {day:%-d %B %Y} (not on a short break), by age that day.",
        )

    def legal_status(self) -> Panel:
        day = self.end
        counts = dict(
            Episode.objects.filter(episode_open_on(day) & self.scope.on_caseload("period_of_care__child_id", on=day))
            .exclude(legal_status__in=SHORT_BREAKS)
            .values_list("legal_status")
            .annotate(n=Count("id"))
            .order_by()
        )
        total = sum(counts.values())
        rows = [
            [f"{status.value}: {status.label}", counts[status.value], percentage(counts[status.value], total)]
            for status in LegalStatus
            if counts.get(status.value)
        ]
        return Panel(
            slug="legal_status",
            title="Legal status",
            columns=["Legal status", "Children", "%"],
            rows=rows,
            chart=charts.bar_chart(
                [row[0] for row in rows], [row[1] for row in rows], title="Children by legal status"
            ),
            note=f"The legal status in force on {day:%-d %B %Y}; short breaks (V3, V4) are not counted as looked "
            "after, as in DfE statistics.",
        )

    def distance(self) -> Panel:
        day = self.end
        bands: dict[str, Q] = {}
        lower: float = -1
        for label, upper in DISTANCE_BANDS:
            condition = Q(placement_distance_miles__gt=lower)
            if upper != float("inf"):
                condition &= Q(placement_distance_miles__lte=upper)
            bands[label] = condition
            lower = upper
        bands["Not known"] = Q(placement_distance_miles__isnull=True)
        placements = Episode.objects.filter(
            episode_open_on(day) & self.scope.on_caseload("period_of_care__child_id", on=day)
        ).exclude(legal_status__in=SHORT_BREAKS)
        return _banded_panel(
            placements,
            bands,
            slug="distance",
            title="Placement distance",
            heading="Distance from home",
            note=f"Placements in force on {day:%-d %B %Y} (not short breaks): straight-line distance from the home "
            "postcode (ONS postcode data). Not known: a postcode missing or not in the data.",
        )

    def timeliness(self) -> Panel:
        reviews, figures = self.reviews, self.report["reviews"]
        shown = months(self.start, self.end)
        last = len(shown) - 1 if self.period.to_date else None  # the month in progress
        rows = [
            [
                f"{month:%b %Y}" + (" (to date)" if i == last else ""),
                reviews[f"m{i}_held"],
                reviews[f"m{i}_in_timescale"],
                percentage(reviews[f"m{i}_in_timescale"], reviews[f"m{i}_on_clock"]),
            ]
            for i, month in enumerate(shown)
        ]
        return Panel(
            slug="timeliness",
            title="Reviews held in timescale by month",
            columns=["Month", "Reviews held", "In timescale", "% in timescale"],
            rows=rows,
            chart=charts.column_chart(
                _chart_labels(rows), _chart_values(rows, 3), title="% of reviews held in timescale", unit="%"
            ),
            note=f"{FIGURE_LABELS['reviews.in_timescale_month_on_month_pct']}: "
            f"{_shown(figures['in_timescale_month_on_month_pct'])}%; "
            f"{FIGURE_LABELS['reviews.in_timescale_pct']}: {_shown(figures['in_timescale_pct'])}% of "
            f"{figures['on_clock']} reviews on the statutory clock. "
            f"{FIGURE_LABELS['reviews.overdue_not_held']}: {figures['overdue_not_held']}. "
            f"{FIGURE_LABELS['reviews.short_break_reviews_held']}: {figures['short_break_reviews_held']}.",
        )

    def participation(self) -> Panel:
        held = self.reviews["held"]
        rows = [
            [code.label, self.reviews[code.value], percentage(self.reviews[code.value], held)]
            for code in ParticipationCode
        ]
        rows.append(["Total", held, percentage(held, held)])
        figures = self.report["participation"]
        return Panel(
            slug="participation",
            title="Participation by PN code",
            columns=["Participation code", "Reviews", "%"],
            rows=rows,
            chart=charts.bar_chart(
                [code.value for code in ParticipationCode],
                [self.reviews[code.value] for code in ParticipationCode],
                title="Reviews by participation code",
            ),
            note=f"Participated (PN1–PN3, PN5, PN6): {figures['participated']} of {held} reviews "
            f"({_shown(figures['participated_pct'])}%); {_shown(figures['participated_pct_aged_4_plus'])}% of those "
            f"aged 4 and over. {FIGURE_LABELS['participation.attended_no_view']}, not counted as participation: "
            f"{figures['attended_no_view']}.",
        )

    def my_review_panel(self) -> Panel:
        return my_review_panel(self.report)

    def review_quality(self) -> Panel:
        held, reviews = self.reviews["held"], self.reviews
        rows = [
            [label, reviews[key], held, percentage(reviews[key], held), None]
            for label, key in [
                ("Pre-review visit by the IRO", "pre_review_visits"),
                ("Parents participated", "parents_participated"),
                ("Monitoring form completed", "monitoring_forms"),
            ]
        ]
        for kind in ("outcomes", "minutes"):
            rows.append(
                [
                    FIGURE_LABELS[f"documents.{kind}_on_time"],
                    reviews[f"{kind}_on_time"],
                    reviews[f"{kind}_due"],
                    percentage(reviews[f"{kind}_on_time"], reviews[f"{kind}_due"]),
                    reviews[f"{kind}_not_yet_due"],
                ]
            )
        return Panel(
            slug="review_quality",
            title="Visits, parents, monitoring forms and documents",
            columns=["Measure", "Reviews", "Out of", "%", "Not yet due"],
            rows=rows,
            chart=charts.bar_chart(
                _chart_labels(rows), _chart_values(rows, 3), title="% of the reviews counted", unit="%"
            ),
            note="Out of: the reviews held, or for outcomes and minutes the reviews held whose deadline fell on or "
            "before the last day; the rest are not yet due. Monitoring forms: the target is 80% of reviews.",
        )

    def escalations_panel(self) -> Panel:
        counts = {
            (theme, stage): n
            for theme, stage, n in Escalation.objects.filter(
                Q(raised_on__gte=self.start, raised_on__lte=self.end) & self.scope.by("raised_by_id")
            )
            .values_list("theme", "stage")
            .annotate(n=Count("id"))
            .order_by()
        }
        stages = list(EscalationStage)
        rows = []
        for theme in EscalationTheme:
            row = [counts.get((theme.value, stage.value), 0) for stage in stages]
            rows.append([theme.label, *row, sum(row)])
        totals = [sum(row[i + 1] for row in rows) for i in range(len(stages))]
        rows.append(["Total", *totals, sum(totals)])
        figures = self.escalations
        return Panel(
            slug="escalations",
            title="Escalations by stage and theme",
            columns=["Theme", *(stage.label for stage in stages), "Total"],
            rows=rows,
            chart=charts.bar_chart(
                _chart_labels(rows[:-1]), _chart_values(rows[:-1], -1), title="Escalations raised, by theme"
            ),
            note=f"Raised in the period, by the stage reached. "
            f"{FIGURE_LABELS['escalations.raised']}: {figures['raised']}; "
            f"{FIGURE_LABELS['escalations.escalated_to_management'].lower()}: {figures['escalated_to_management']}; "
            f"resolved by the period end: {figures['resolved']}; "
            f"{FIGURE_LABELS['escalations.formal_dispute_resolution'].lower()}: "
            f"{figures['formal_dispute_resolution']}.",
        )

    def continuity(self) -> Panel:
        allocations = Allocation.objects.filter(allocated_during(self.start, self.end))
        if not self.scope.whole_authority:
            allocations = allocations.filter(
                child_id__in=Allocation.objects.filter(
                    allocated_during(self.start, self.end) & self.scope.by("iro_id")
                ).values("child_id")
            )
        changed = (
            allocations.values("child_id").annotate(iros=Count("iro_id", distinct=True)).filter(iros__gt=1).count()
        )
        during = self.looked_after["during"]
        rows = [
            ["Children looked after during the period", during, None],
            ["Had more than one case-holding IRO", changed, percentage(changed, during)],
            ["Kept one IRO (or none recorded)", during - changed, percentage(during - changed, during)],
        ]
        return Panel(
            slug="continuity",
            title="IRO continuity",
            columns=["Children", "Number", "%"],
            rows=rows,
            chart=charts.bar_chart(_chart_labels(rows[1:]), _chart_values(rows[1:], 1), title="IRO continuity"),
            note="The handbook expects one IRO for each child; a change of IRO is counted when a child had "
            "case-holding allocations to two or more IROs in the period.",
        )


def _shown(value: object) -> object:
    return "–" if value is None else value


def _quarter_label(start: date, end: date, *, to_date: bool) -> str:
    """ "Apr–Jun 2025" for a whole quarter; the days for one the period cuts ("1 May–30 Jun 2025")."""
    first = date(start.year, (start.month - 1) // 3 * 3 + 1, 1)
    whole = start == first and end == first + relativedelta(months=3, days=-1)
    label = f"{start:%b}–{end:%b %Y}" if whole else f"{start:%-d %b}–{end:%-d %b %Y}"
    return label + (" (to date)" if to_date else "")


# The panel's columns for each of the My review measures (caseload.definitions.MY_REVIEW_MEASURES):
# the count, then its share of the reviews held.
MY_REVIEW_COLUMNS = {
    "used": ("Used My review", "% used"),
    "chaired": ("Chaired", "% chaired"),
    "advocate": ("Asked for an advocate", "% asked"),
    "not_safe": ("Said not safe", "% not safe"),
}


def my_review_panel(report: dict[str, Any]) -> Panel:
    """My review by quarter, from the report's figures (no query of its own): the dashboard's
    panel, and the table in the annual report's participation section. Counts only."""
    figures = report["my_review"]

    def row(label: str, counts: dict[str, Any]) -> list[object]:
        return [
            label,
            counts["held"],
            *(value for name in MY_REVIEW_MEASURES for value in (counts[name], counts[f"{name}_pct"])),
        ]

    last = len(figures["quarters"]) - 1
    rows = [
        row(
            _quarter_label(
                date.fromisoformat(quarter["start"]),
                date.fromisoformat(quarter["end"]),
                to_date=report["period"]["to_date"] and i == last,
            ),
            quarter,
        )
        for i, quarter in enumerate(figures["quarters"])
    ]
    rows.append(row("Whole period", figures))
    return Panel(
        slug="my_review",
        title="My review: the child's say, by quarter",
        columns=[
            "Quarter",
            "Reviews held",
            *(column for name in MY_REVIEW_MEASURES for column in MY_REVIEW_COLUMNS[name]),
        ],
        rows=rows,
        chart=charts.bar_chart(
            [MY_REVIEW_COLUMNS[name][0] for name in MY_REVIEW_MEASURES],
            [figures[f"{name}_pct"] for name in MY_REVIEW_MEASURES],
            title="% of the reviews held in the period",
            unit="%",
        ),
        note="Of the reviews held in each quarter (short-break reviews left out): the child sent their answers "
        "in My review before the review, chaired all or part of it, asked in My review for an advocate, or "
        "said in My review they did not feel safe. Counts only; % is of the reviews held.",
    )


def _chart_labels(rows: Sequence[Sequence[object]]) -> list[str]:
    """The first column of a panel's rows (their labels), for its chart."""
    labels: list[str] = []
    for row in rows:
        label = row[0]
        if not isinstance(label, str):
            raise TypeError(f"A chart label is not text: {label!r}")
        labels.append(label)
    return labels


def _chart_values(rows: Sequence[Sequence[object]], column: int) -> list[float | None]:
    """One column of a panel's rows (numbers, None where there is none), for its chart."""
    values: list[float | None] = []
    for row in rows:
        value = row[column]
        if value is not None and not isinstance(value, int | float):
            raise TypeError(f"A chart value is not a number: {value!r}")
        values.append(value)
    return values


def _banded_panel(
    queryset: QuerySet[Any], bands: dict[str, Q], *, slug: str, title: str, heading: str, note: str
) -> Panel:
    """Children counted into bands (one conditional aggregate each), with their share."""
    counts = queryset.aggregate(**{f"b{i}": Count("id", filter=band) for i, band in enumerate(bands.values())})
    total = sum(counts.values())
    rows = [[label, counts[f"b{i}"], percentage(counts[f"b{i}"], total)] for i, label in enumerate(bands)]
    return Panel(
        slug=slug,
        title=title,
        columns=[heading, "Children", "%"],
        rows=rows,
        chart=charts.bar_chart(
            [row[0] for row in rows], [row[1] for row in rows], title=f"Children by {heading.lower()}"
        ),
        note=note,
    )


def iro_fte_by_day(days: list[date], scope: Scope) -> list[Decimal]:
    """The summed FTE of IROs active on each day: one query."""
    sums = IROProfile.objects.filter(scope.by("user_id"), user__groups__name=Role.IRO).aggregate(
        **{f"d{i}": Sum("fte", filter=iro_active_on(day)) for i, day in enumerate(days)}
    )
    return [sums[f"d{i}"] or Decimal(0) for i in range(len(days))]


PANELS: dict[str, Callable[[Dashboard], Panel]] = {
    "caseload": Dashboard.caseload_per_iro,
    "caseload_trend": Dashboard.caseload_trend,
    "in_care": Dashboard.in_care,
    "ages": Dashboard.age_bands,
    "legal_status": Dashboard.legal_status,
    "distance": Dashboard.distance,
    "timeliness": Dashboard.timeliness,
    "participation": Dashboard.participation,
    "my_review": Dashboard.my_review_panel,
    "review_quality": Dashboard.review_quality,
    "escalations": Dashboard.escalations_panel,
    "continuity": Dashboard.continuity,
}

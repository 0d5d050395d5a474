"""Care events in, from the council's case system: the child, their episodes, their IRO.

Nothing here is a rule of its own. Each request is checked by the SSDA903 import's rules
(reviews.ssda903.check: the same code lists by collection year, the same words), then written by
the services the screens use (children.services, reviews.services, reviews.care_events), which
refresh the review clock in the same transaction. A refusal is `Refused`, a list of problems,
each naming the field (the SSDA903 column), the value sent and the rule broken; the view answers
it with 422 and, as each service here is atomic, nothing is written.

An episode is identified by CHILD and DECOM (as the import does): an episode sent again writes
nothing, with or without an Idempotency-Key.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils.formats import date_format

from accounts.models import IROProfile
from accounts.models import User as UserModel
from children import services as children_services
from children.code_years import collection_year_of, current_codes
from children.codes import ADOPTION_PLACEMENTS, EPISODE_CONTINUES, AllocationKind, ReasonNewEpisode
from children.forms import CARE_START_AHEAD
from children.models import Allocation, Child, Episode, PeriodOfCare
from children.validators import child_id_problem
from reviews import care_events
from reviews.care_event_models import CareEvent
from reviews.codes import OUTSTANDING_STATUSES
from reviews.models import Review
from reviews.services import child_come_into_care, review_due_dates_refresh
from reviews.ssda903 import check
from reviews.ssda903.records import EPISODES, EpisodeRecord, HeaderRecord

# A request is checked as one row of an SSDA903 file called "request"; its problem lines
# ("request:1: LS: 'Q9' is not a LS code") become problems (field LS, value "Q9", the words).
_WHERE = "request"
_PREFIX = f"{_WHERE}:1: "

# The model's field -> the API's (SSDA903) name, to say which field a service's refusal is about.
CHILD_COLUMNS = {
    "local_id": "CHILD", "first_name": "first_name", "last_name": "last_name", "preferred_name": "preferred_name",
    "sex": "SEX", "date_of_birth": "DOB", "ethnicity": "ETHNIC", "upn": "UPN", "mother": "MOTHER",
    "mother_child_date_of_birth": "MC_DOB",
}  # fmt: skip
EPISODE_COLUMNS = {
    "start": "DECOM", "reason_new_episode": "RNE", "legal_status": "LS", "category_of_need": "CIN",
    "placement_type": "PLACE", "placement_provider": "PLACE_PROVIDER", "reason_place_change": "REASON_PLACE_CHANGE",
    "home_postcode": "HOME_POST", "placement_postcode": "PL_POST", "urn": "URN", "end": "DEC", "reason_ended": "REC",
    "early_review_choice": "early_review_choice", "no_early_review_reason": "no_early_review_reason",
}  # fmt: skip
ALLOCATION_COLUMNS = {"iro": "staff_id", "start": "start", "reason": "reason"}
# The columns an episode's details are compared by (DECOM identifies it; DEC and REC end it).
DETAIL_COLUMNS = ("RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN")
PLACEMENT_COLUMNS = ("PLACE", "PLACE_PROVIDER", "PL_POST", "URN", "REASON_PLACE_CHANGE")
# What each reason for a new episode changes (docs/domain.md, "Care events that move the clock");
# every other detail is carried over from the current episode, as the screens do.
CHANGES = {
    ReasonNewEpisode.LEGAL_STATUS: ("LS",),
    ReasonNewEpisode.PLACEMENT_AND_CARER: PLACEMENT_COLUMNS,
    ReasonNewEpisode.PLACEMENT_SAME_CARER: PLACEMENT_COLUMNS,
    ReasonNewEpisode.LEGAL_STATUS_PLACEMENT_AND_CARER: ("LS", *PLACEMENT_COLUMNS),
    ReasonNewEpisode.LEGAL_STATUS_PLACEMENT_SAME_CARER: ("LS", *PLACEMENT_COLUMNS),
}
WHAT_CHANGES = {
    "LS": "a change of legal status is RNE L, B or U",
    "CIN": "no care event changes it (correct it on the screens)",
    "HOME_POST": "no care event changes it (correct it on the screens)",
    **dict.fromkeys(PLACEMENT_COLUMNS, "a change of placement is RNE P, T, B or U"),
}
NEEDED_TO_START = ("LS", "CIN", "PLACE")


@dataclass(frozen=True)
class Problem:
    field: str
    value: object
    rule: str


class Refused(Exception):
    """Nothing was written: the problems say why (the view answers 422)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.rule}" for p in problems))
        self.problems = problems


def _refuse(field: str, value: object, rule: str) -> Refused:
    return Refused([Problem(field, value, rule)])


def _import_problems(lines: Iterable[str], sent: Mapping[str, Any]) -> list[Problem]:
    problems = []
    for line in lines:
        column, _, rule = line.removeprefix(_PREFIX).partition(": ")
        problems.append(Problem(column, sent.get(column), rule))
    return problems


def service_problems(
    error: ValidationError, columns: Mapping[str, str], sent: Mapping[str, Any], *, child_id: str
) -> list[Problem]:
    """A service's refusal (the screens' words), each message on the field the API calls it by;
    a refusal about the record as a whole is on CHILD."""
    if not hasattr(error, "error_dict"):
        return [Problem("CHILD", child_id, message) for message in error.messages]
    problems = []
    for name, messages in error.message_dict.items():
        field = columns.get(name, name) if name != NON_FIELD_ERRORS else "CHILD"
        value = child_id if field == "CHILD" else sent.get(field)
        problems += [Problem(field, value, message) for message in messages]
    return problems


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def _held_child(child_id: str) -> Child:
    if problem := child_id_problem(child_id):
        raise _refuse("CHILD", child_id, problem)
    child = Child.objects.select_for_update().filter(local_id=child_id).first()
    if child is None:
        raise _refuse(
            "CHILD",
            child_id,
            f"child {child_id} is not held here: send the child first (PUT /api/v1/care-events/children/{child_id}/)",
        )
    if child.archived_at is not None:
        raise _refuse("CHILD", child_id, f"child {child_id}'s record is archived: nothing more is recorded on it")
    return child


# --- The child ---------------------------------------------------------------------------------


def _header_problems(child_id: str, data: Mapping[str, Any], sent: Mapping[str, Any], today: date) -> list[Problem]:
    # The columns in the header file's order (reviews.ssda903.records.HEADER).
    cells = (child_id, data["SEX"], _iso(data["DOB"]), data["ETHNIC"], data["UPN"], data["MOTHER"],
             _iso(data["MC_DOB"]))  # fmt: skip
    record = HeaderRecord(_WHERE, 1, cells, (data["DOB"], data["MC_DOB"]))
    lines = [*check.row_problems(record, {}), *check.header_problems(record, current_codes(today))]
    problems = _import_problems(lines, sent)
    # As the screens say (children.forms.ChildForm).
    if data["DOB"] > today:
        problems.append(Problem("DOB", sent.get("DOB"), "Date of birth must be today or in the past."))
    if data["MC_DOB"] and data["MC_DOB"] > today:
        problems.append(
            Problem("MC_DOB", sent.get("MC_DOB"), "The child's date of birth must be today or in the past.")
        )
    return problems


def _child_update(child: Child, fields: dict[str, Any]) -> Child:
    """Save the fields that changed; a corrected date of birth moves the clock (as the admin does)."""
    changed = [name for name, value in fields.items() if getattr(child, name) != value]
    if not changed:
        return child
    for name in changed:
        setattr(child, name, fields[name])
    child.full_clean()
    child.save(update_fields=changed)
    if "date_of_birth" in changed:
        for period in child.periods_of_care.order_by("start"):
            review_due_dates_refresh(period_of_care=period)
    return child


@transaction.atomic
def child_upsert(*, child_id: str, data: Mapping[str, Any], sent: Mapping[str, Any], today: date) -> tuple[Child, bool]:
    """The child's record as the case system holds it: added, or brought up to date. Returns the
    child and whether it was added."""
    if problem := child_id_problem(child_id):
        raise _refuse("CHILD", child_id, problem)
    if problems := _header_problems(child_id, data, sent, today):
        raise Refused(problems)
    fields = {
        "first_name": data["first_name"],
        "last_name": data["last_name"],
        "preferred_name": data["preferred_name"],
        "sex": current_codes(today).stored_sex(data["SEX"]),
        "date_of_birth": data["DOB"],
        "ethnicity": data["ETHNIC"],
        "upn": data["UPN"],
        "mother": data["MOTHER"],
        "mother_child_date_of_birth": data["MC_DOB"],
    }
    try:
        child = Child.objects.select_for_update().filter(local_id=child_id).first()
        if child is None:
            try:
                with transaction.atomic():
                    return children_services.child_create(local_id=child_id, **fields), True
            except (IntegrityError, ValidationError):
                # The same child added by another request at the same moment (refused by the unique
                # CHILD, as the row or as full_clean saw it): bring that one up to date.
                child = Child.objects.select_for_update().filter(local_id=child_id).first()
                if child is None:
                    raise
        if child.archived_at is not None:
            raise _refuse("CHILD", child_id, f"child {child_id}'s record is archived: nothing more is recorded on it")
        return _child_update(child, fields), False
    except ValidationError as error:
        raise Refused(service_problems(error, CHILD_COLUMNS, sent, child_id=child_id)) from None


# --- Episodes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EpisodeWritten:
    child: Child
    episode: Episode
    created: bool
    event: CareEvent | None


def episode_columns(episode: Episode) -> dict[str, str]:
    """A held episode's details by SSDA903 column."""
    return {
        "RNE": episode.reason_new_episode,
        "LS": episode.legal_status,
        "CIN": episode.category_of_need,
        "PLACE": episode.placement_type,
        "PLACE_PROVIDER": episode.placement_provider,
        "REASON_PLACE_CHANGE": episode.reason_place_change,
        "HOME_POST": episode.home_postcode,
        "PL_POST": episode.placement_postcode,
        "URN": episode.urn,
    }


def _episode_check(child: Child, values: Mapping[str, Any], sent: Mapping[str, Any]) -> None:
    """The import's rules for one episode row (codes of the year it was last open in)."""
    cells = {"CHILD": child.local_id, **values, "DECOM": _iso(values["DECOM"]), "DEC": _iso(values["DEC"])}
    record = EpisodeRecord(_WHERE, 1, tuple(cells[column] for column in EPISODES), (values["DECOM"], values["DEC"]))
    year = collection_year_of(values["DEC"] or values["DECOM"])
    lines = [
        *check.row_problems(record, {}),
        *check.episode_problems(record, child.date_of_birth, year=year, year_chosen=False),
    ]
    if values["REC"] == EPISODE_CONTINUES:
        lines.append(
            f"{_PREFIX}REC: X1 says a new episode follows, but none does: send the next episode (RNE L, P, T, B or "
            "U) and this one ends the day it starts"
        )
    if problems := _import_problems(lines, sent):
        raise Refused(problems)


def _carried_over(
    rne: str, data: Mapping[str, Any], current: Episode, sent: Mapping[str, Any]
) -> tuple[dict[str, str], list[Problem]]:
    """The new episode's details: what its RNE changes as sent, the rest the current episode's. A
    carried-over detail sent with another value is a problem (the screens would not change it)."""
    held = episode_columns(current)
    changes = CHANGES.get(ReasonNewEpisode(rne), ()) if rne in ReasonNewEpisode.values else ()
    values: dict[str, str] = {"RNE": rne}
    problems = []
    for column in DETAIL_COLUMNS[1:]:
        if column in changes:
            values[column] = data[column]
        elif column == "REASON_PLACE_CHANGE":
            values[column] = ""
            if data[column]:
                problems.append(Problem(column, sent.get(column), f"RNE {rne} is not a change of placement"))
        else:
            values[column] = held[column]
            if data[column] and data[column] != held[column]:
                problems.append(
                    Problem(
                        column,
                        sent.get(column),
                        f"RNE {rne} keeps {column} {held[column]!r} from the current episode (from "
                        f"{date_format(current.start)}); {WHAT_CHANGES[column]}",
                    )
                )
    for column in ("LS", "PLACE"):
        if column in changes and not data[column]:
            problems.append(Problem(column, sent.get(column), f"RNE {rne} changes {column}: give the new one"))
    return values, problems


def _new_period(
    child: Child, data: Mapping[str, Any], sent: Mapping[str, Any], *, recorded_by: UserModel, today: date
) -> tuple[Episode, CareEvent | None]:
    """RNE S: the child comes into care (New child in care) or returns to care."""
    missing = [
        Problem(column, sent.get(column), f"RNE S starts a period of care: give its {column}")
        for column in NEEDED_TO_START
        if not data[column]
    ]
    if missing:
        raise Refused(missing)
    episode_fields = {
        "legal_status": data["LS"],
        "category_of_need": data["CIN"],
        "placement_type": data["PLACE"],
        "placement_provider": data["PLACE_PROVIDER"],
        "reason_place_change": data["REASON_PLACE_CHANGE"],
        "home_postcode": data["HOME_POST"],
        "placement_postcode": data["PL_POST"],
        "urn": data["URN"],
    }
    if not child.periods_of_care.exists():
        # As *New child in care* allows: a planned admission, not years ahead.
        latest = today + CARE_START_AHEAD
        if data["DECOM"] > latest:
            raise _refuse(
                "DECOM",
                sent.get("DECOM"),
                f"Looked after from must be no later than {latest.day} {latest:%B %Y} (a year from today).",
            )
        child_come_into_care(child=child, start=data["DECOM"], episode_fields=episode_fields)
        event = None
    else:
        event = care_events.return_to_care(
            child=child, start=data["DECOM"], episode_fields=episode_fields, recorded_by=recorded_by, today=today
        )
    return Episode.objects.get(period_of_care__child=child, start=data["DECOM"]), event


def _change(
    period: PeriodOfCare,
    current: Episode,
    values: Mapping[str, str],
    data: Mapping[str, Any],
    sent: Mapping[str, Any],
    *,
    recorded_by: UserModel,
    today: date,
) -> CareEvent:
    """RNE L, P, T, B or U: the care event the screens record for it."""
    rne, start = values["RNE"], data["DECOM"]
    common: dict[str, Any] = {
        "period_of_care": period,
        "significant_change": data["significant_change"],
        "recorded_by": recorded_by,
        "today": today,
    }
    placement: dict[str, Any] = {
        "placement_type": values["PLACE"],
        "placement_provider": values["PLACE_PROVIDER"],
        "placement_postcode": values["PL_POST"],
        "urn": values["URN"],
    }
    if values["PLACE"] in ADOPTION_PLACEMENTS and values["PLACE"] != current.placement_type:
        # Placed for adoption: the screens' own event, which sets RNE from the carers (A3, A5: the
        # current ones) and whether the legal status changes.
        event = care_events.adoption_placement(placed_on=start, legal_status=values["LS"], **placement, **common)
        made = event.episode.reason_new_episode if event.episode else rne
        if made != rne:
            raise _refuse(
                "RNE",
                sent.get("RNE"),
                f"PLACE {values['PLACE']} from the current placement {current.placement_type} with legal status "
                f"{values['LS']} is RNE {made}",
            )
        return event
    if rne == ReasonNewEpisode.LEGAL_STATUS:
        return care_events.legal_status_change(start=start, legal_status=values["LS"], **common)
    placement["reason_place_change"] = values["REASON_PLACE_CHANGE"]
    if rne in care_events.PLACEMENT_REASONS:
        return care_events.placement_change(start=start, reason_new_episode=rne, **placement, **common)
    return care_events.placement_and_legal_status_change(
        start=start, reason_new_episode=rne, legal_status=values["LS"], **placement, **common
    )


def _leave_care(period: PeriodOfCare, data: Mapping[str, Any], *, recorded_by: UserModel, today: date) -> CareEvent:
    return care_events.leave_care(
        period_of_care=period,
        end=data["DEC"],
        reason_ended=data["REC"],
        early_review_choice=data["early_review_choice"],
        no_early_review_reason=data["no_early_review_reason"],
        recorded_by=recorded_by,
        today=today,
    )


def _episode_again(
    child: Child,
    held: Episode,
    data: Mapping[str, Any],
    sent: Mapping[str, Any],
    *,
    recorded_by: UserModel,
    today: date,
) -> EpisodeWritten:
    """An episode already held (CHILD and DECOM): the same details write nothing; DEC and REC on
    the current episode end care."""
    held_values = episode_columns(held)
    differ = [
        Problem(
            column,
            sent.get(column),
            f"the episode from {date_format(held.start)} is held with {column} {held_values[column]!r}: an episode is "
            "identified by CHILD and DECOM, and one held is corrected on the screens, not sent again",
        )
        for column in DETAIL_COLUMNS
        if data[column] and data[column] != held_values[column]
    ]
    if differ:
        raise Refused(differ)
    end, reason = data["DEC"], data["REC"]
    if not end and not reason:
        return EpisodeWritten(child, held, created=False, event=None)  # sent again (perhaps after it ended)
    if held.end is not None:
        if (held.end, held.reason_ended) == (end, reason):
            return EpisodeWritten(child, held, created=False, event=None)
        ended = f"ended on {date_format(held.end)} (REC {held.reason_ended})"
        raise Refused(
            [
                Problem(column, sent.get(column), f"the episode from {date_format(held.start)} is held as {ended}")
                for column in ("DEC", "REC")
            ]
        )
    _episode_check(child, {**held_values, "DECOM": held.start, "DEC": end, "REC": reason}, sent)
    event = _leave_care(held.period_of_care, data, recorded_by=recorded_by, today=today)
    held.refresh_from_db()
    return EpisodeWritten(child, held, created=False, event=event)


@transaction.atomic
def episode_record(
    *, child_id: str, data: Mapping[str, Any], sent: Mapping[str, Any], recorded_by: UserModel, today: date
) -> EpisodeWritten:
    """One SSDA903 episode: a new period (RNE S), a change (L, P, T, B, U) and, with DEC and a REC
    other than X1, the end of care; each through the screens' services, the clock following."""
    child = _held_child(child_id)
    try:
        held = Episode.objects.filter(period_of_care__child=child, start=data["DECOM"]).first()
        if held is not None:
            return _episode_again(child, held, data, sent, recorded_by=recorded_by, today=today)
        rne = data["RNE"]
        if not rne:
            raise _refuse("RNE", sent.get("RNE"), "a new episode needs its reason (RNE): S, L, P, T, B or U")
        period = care_events.open_period(child)
        current = care_events.current_episode(period) if period else None
        if rne != ReasonNewEpisode.STARTED and rne in ReasonNewEpisode.values and (period is None or current is None):
            raise _refuse(
                "RNE",
                sent.get("RNE"),
                f"RNE {rne} continues a period of care, but child {child_id} is not looked after now; a new period "
                "needs RNE S",
            )
        if current is not None and rne != ReasonNewEpisode.STARTED:
            details, problems = _carried_over(rne, data, current, sent)
        else:
            details, problems = {column: data[column] for column in DETAIL_COLUMNS}, []
        values = {**details, "DECOM": data["DECOM"], "DEC": data["DEC"], "REC": data["REC"]}
        try:
            _episode_check(child, values, sent)
        except Refused as refused:
            problems = refused.problems + problems
        if problems:
            raise Refused(problems)
        if rne == ReasonNewEpisode.STARTED:
            episode, event = _new_period(child, data, sent, recorded_by=recorded_by, today=today)
        else:
            if period is None or current is None:
                raise RuntimeError("refused above: a change needs the current episode")
            event = _change(period, current, details, data, sent, recorded_by=recorded_by, today=today)
            episode = Episode.objects.get(period_of_care=period, start=data["DECOM"])
        if data["DEC"] and data["REC"]:
            _leave_care(episode.period_of_care, data, recorded_by=recorded_by, today=today)
            episode.refresh_from_db()
        return EpisodeWritten(child, episode, created=True, event=event)
    except ValidationError as error:
        raise Refused(service_problems(error, EPISODE_COLUMNS, sent, child_id=child_id)) from None


def looked_after(child: Child) -> bool:
    return care_events.open_period(child) is not None


def outstanding_review(child: Child) -> Review | None:
    return Review.objects.filter(child=child, status__in=OUTSTANDING_STATUSES).order_by("due_date").first()


# --- The IRO -----------------------------------------------------------------------------------


@transaction.atomic
def allocation_by_staff_id(
    *, child_id: str, staff_id: str, start: date | None, reason: str, sent: Mapping[str, Any], today: date
) -> tuple[Allocation, IROProfile, bool]:
    """Make the IRO with this staff identifier the child's case-holding IRO (from `start`, or
    today), as the allocation page does. Returns the allocation, the IRO's profile and whether it
    is new (False: they held the child already)."""
    child = _held_child(child_id)
    profile = IROProfile.objects.select_related("user").filter(staff_id=staff_id).first()
    if profile is None:
        raise _refuse(
            "staff_id",
            staff_id,
            f"No IRO has the staff identifier {staff_id!r}: add it to their IRO profile (admin, Users) first.",
        )
    start = start or today
    if not profile.user.is_active or (profile.active_to is not None and profile.active_to < start):
        raise _refuse("staff_id", staff_id, f"{profile.user} (staff identifier {staff_id!r}) is not an active IRO.")
    current = Allocation.objects.filter(child=child, kind=AllocationKind.CASE_HOLDING, end__isnull=True).first()
    if current is not None and current.iro_id == profile.user_id:
        return current, profile, False
    try:
        allocation = children_services.allocation_case_holding_set(
            child=child, iro=profile.user, start=start, reason=reason
        )
    except ValidationError as error:
        raise Refused(service_problems(error, ALLOCATION_COLUMNS, sent, child_id=child_id)) from None
    return allocation, profile, True

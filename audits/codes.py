"""Code lists for quality assurance, defined once."""

from django.db import models


class RatingScheme(models.TextChoices):
    """Stored with every rating: numbers are never compared across schemes."""

    OFSTED_4 = "ofsted_4", "Ofsted 1–4 (1 Outstanding, 4 Inadequate)"
    LEGACY_5 = "legacy_5", "Legacy 1–5 (5 best)"


RATING_RANGES = {RatingScheme.OFSTED_4: (1, 4), RatingScheme.LEGACY_5: (1, 5)}
# Keyed by the stored code: a plain str from a form or a row finds the member's entry.
RATING_LABELS: dict[str, dict[int, str]] = {
    RatingScheme.OFSTED_4: {1: "1 Outstanding", 2: "2 Good", 3: "3 Requires improvement", 4: "4 Inadequate"},
    RatingScheme.LEGACY_5: {1: "1 (worst)", 2: "2", 3: "3", 4: "4", 5: "5 (best)"},
}


class EscalationTheme(models.TextChoices):
    # The seed's six themes, plus other.
    CARE_PLAN_NOT_UPDATED = "care_plan", "Care plan not updated in time for the review"
    PEP_NOT_COMPLETED = "pep", "PEP not completed"
    S20_PROCEEDINGS = "s20", "Section 20 accommodation where proceedings seem needed"
    NOT_VISITED = "not_visited", "Child not visited within statutory timescales"
    PLACEMENT_CHANGE = "placement_change", "Change of placement opposed or promoted"
    PLACEMENT_NOT_WORKING = "placement_not_working", "Placement or education not working"
    OTHER = "other", "Other"


class EscalationStage(models.TextChoices):
    INFORMAL_SOCIAL_WORKER = "informal_sw", "Informal: social worker"
    INFORMAL_TEAM_MANAGER = "informal_tm", "Informal: team manager"
    FORMAL_SERVICE_MANAGER = "formal_sm", "Formal: service manager"
    FORMAL_HEAD_OF_SERVICE = "formal_hos", "Formal: head of service"
    FORMAL_DIRECTOR = "formal_director", "Formal: director"
    CAFCASS = "cafcass", "Referral to Cafcass"


class EscalationOutcome(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"
    WITHDRAWN = "withdrawn", "Withdrawn"


FORMAL_STAGES = (
    EscalationStage.FORMAL_SERVICE_MANAGER,
    EscalationStage.FORMAL_HEAD_OF_SERVICE,
    EscalationStage.FORMAL_DIRECTOR,
)
STAGE_ORDER: list[str] = list(EscalationStage)
# Working days each stage has to respond (interpretation: docs/domain.md, "Escalation"; the whole formal process
# is measured against 20 working days, IRO Handbook 6.2 as council procedures quote it).
STAGE_RESPONSE_WORKING_DAYS: dict[str, int] = {
    EscalationStage.INFORMAL_SOCIAL_WORKER: 5,
    EscalationStage.INFORMAL_TEAM_MANAGER: 5,
    EscalationStage.FORMAL_SERVICE_MANAGER: 5,
    EscalationStage.FORMAL_HEAD_OF_SERVICE: 5,
    EscalationStage.FORMAL_DIRECTOR: 10,
    EscalationStage.CAFCASS: 20,
}
FORMAL_PROCESS_WORKING_DAYS = 20


class ParticipantRole(models.TextChoices):
    CHILD = "child", "Child or young person"
    PARENT = "parent", "Parent"
    CARER = "carer", "Carer"
    SOCIAL_WORKER = "social_worker", "Social worker"
    OTHER = "other", "Other"


class Preparation(models.TextChoices):
    WELL = "well", "Well prepared"
    PARTLY = "partly", "Partly prepared"
    NOT = "not", "Not prepared"

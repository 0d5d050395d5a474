"""The shapes of the care-event writes (README "API", "Writing (care events)").

The SSDA903 columns keep their SSDA903 names (CHILD, SEX, DOB, ETHNIC, UPN, MOTHER, MC_DOB; DECOM,
RNE, LS, CIN, PLACE, PLACE_PROVIDER, REASON_PLACE_CHANGE, HOME_POST, PL_POST, URN, DEC, REC), so a
case system can send what it puts in its return, and a refusal names the column as the import
does. What SSDA903 does not hold (names, the early-review answer, the IRO's staff identifier) is
in snake_case. Dates are ISO 8601 (YYYY-MM-DD). Codes are checked by the import's rules
(api.services_write), not here: these serializers only check types and lengths.
"""

from typing import Any

from rest_framework import serializers

from accounts.models import IROProfile
from reviews.care_event_models import EarlyReviewChoice

HEADER_FIELDS = ("SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB")
EPISODE_FIELDS = (
    "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN",
    "DEC", "REC",
)  # fmt: skip


def _code(help_text: str) -> serializers.CharField:
    # Long enough for any code: a longer value is refused by the code list, in the import's words.
    return serializers.CharField(max_length=40, help_text=help_text)


def _optional(help_text: str, max_length: int = 40) -> serializers.CharField:
    return serializers.CharField(
        max_length=max_length, required=False, allow_blank=True, default="", help_text=help_text
    )


class ChildWriteSerializer(serializers.Serializer[dict[str, Any]]):
    """PUT: the child's record as the case system holds it (the SSDA903 header row and names)."""

    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    preferred_name = _optional("The name the child goes by, if not the first name.", max_length=100)
    SEX = _code("M, F or U (from 2024-25; 1 or 2 are read as M or F).")
    DOB = serializers.DateField(help_text="Date of birth, YYYY-MM-DD.")
    ETHNIC = _code("The SSDA903 ethnicity code, e.g. WBRI.")
    UPN = _optional("Unique pupil number; blank if not known.")
    MOTHER = _optional("1 if she is a mother herself, 0 if not; blank for boys or if not known.")
    MC_DOB = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Her child's date of birth (mothers only)."
    )


class ChildWrittenSerializer(serializers.Serializer[dict[str, Any]]):
    CHILD = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    preferred_name = serializers.CharField()
    SEX = serializers.CharField()
    DOB = serializers.DateField()
    ETHNIC = serializers.CharField()
    UPN = serializers.CharField()
    MOTHER = serializers.CharField()
    MC_DOB = serializers.DateField(allow_null=True)
    created = serializers.BooleanField(help_text="True when this request added the child (201).")


class EpisodeWriteSerializer(serializers.Serializer[dict[str, Any]]):
    """POST: one SSDA903 episode. An episode is identified by CHILD and DECOM: sending the same one
    again writes nothing. RNE S starts a period of care; L, P, T, B and U record a change (the
    screens' care events); DEC with a REC other than X1 ends care."""

    DECOM = serializers.DateField(help_text="The episode's start, YYYY-MM-DD.")
    RNE = _optional("Reason for new episode: S, L, P, T, B or U. Required for a new episode.")
    LS = _optional("Legal status. Required for RNE S, L, B and U; for P and T the current one is kept.")
    CIN = _optional("Category of need. Required for RNE S; later episodes keep the period's.")
    PLACE = _optional("Placement type. Required for RNE S, P, T, B and U; for L the current one is kept.")
    PLACE_PROVIDER = _optional("Placement provider (PR0-PR5); blank if not known or not given for this PLACE.")
    REASON_PLACE_CHANGE = _optional("Reason for a change of placement (RNE P, T, B, U), e.g. CARPL.")
    HOME_POST = _optional("The child's home postcode. For RNE S; later episodes keep the period's.", max_length=8)
    PL_POST = _optional("The placement's postcode.", max_length=8)
    URN = _optional("The placement's Ofsted unique reference number.", max_length=10)
    DEC = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="The episode's end, with REC, when care ends."
    )
    REC = _optional("Reason episode ceased. With DEC; X1 is never sent (the next episode continues care).")
    significant_change = serializers.BooleanField(
        required=False, default=False, help_text="A significant change to the care plan (reg 32(2) review prompt)."
    )
    early_review_choice = serializers.ChoiceField(
        choices=[EarlyReviewChoice.ALREADY_REVIEWED, EarlyReviewChoice.NONE],
        required=False,
        allow_blank=True,
        default="",
        help_text="When care ends in a way the regulations want reviewed first (reg 33(3)(c)-(e)): "
        "'already_reviewed', or 'none' with no_early_review_reason.",
    )
    no_early_review_reason = _optional("Why there is no review before care ends ('none').", max_length=1000)


class EarlyReviewSerializer(serializers.Serializer[dict[str, Any]]):
    reason = serializers.CharField(help_text="The early-review reason code (reviews.codes.EarlyReviewReason).")
    words = serializers.CharField(help_text="The reason in words.")
    choice = serializers.CharField(help_text="'pending' until someone answers the prompt on the care events page.")


class EpisodeWrittenSerializer(serializers.Serializer[dict[str, Any]]):
    CHILD = serializers.CharField()
    DECOM = serializers.DateField()
    RNE = serializers.CharField()
    LS = serializers.CharField()
    CIN = serializers.CharField()
    PLACE = serializers.CharField()
    PLACE_PROVIDER = serializers.CharField()
    REASON_PLACE_CHANGE = serializers.CharField()
    HOME_POST = serializers.CharField()
    PL_POST = serializers.CharField()
    URN = serializers.CharField()
    DEC = serializers.DateField(allow_null=True)
    REC = serializers.CharField()
    created = serializers.BooleanField(help_text="True when this request recorded the episode (201).")
    looked_after = serializers.BooleanField(help_text="Whether the child is looked after now (an open period).")
    next_review_due = serializers.DateField(
        allow_null=True, help_text="The outstanding review's due date; null once care has ended."
    )
    next_review_rule = serializers.CharField(help_text="The rule that set it, in words.")
    early_review = EarlyReviewSerializer(
        allow_null=True, help_text="The early review this change calls for, if any (answered on the screens)."
    )


class AllocationWriteSerializer(serializers.Serializer[dict[str, Any]]):
    staff_id = serializers.CharField(
        max_length=IROProfile._meta.get_field("staff_id").max_length or 30,
        help_text="The IRO's staff identifier (their IRO profile's).",
    )
    start = serializers.DateField(required=False, default=None, allow_null=True, help_text="From; today if not given.")
    reason = _optional("Why the child moves to this IRO (kept on the allocation).", max_length=300)


class AllocationWrittenSerializer(serializers.Serializer[dict[str, Any]]):
    CHILD = serializers.CharField()
    staff_id = serializers.CharField()
    iro = serializers.CharField(help_text="The IRO's name.")
    start = serializers.DateField()
    created = serializers.BooleanField(help_text="False when this IRO already held the child (200).")


class ProblemSerializer(serializers.Serializer[dict[str, Any]]):
    field = serializers.CharField(help_text="The field or header, e.g. 'LS' or 'Idempotency-Key'.")
    value = serializers.JSONField(allow_null=True, help_text="The value sent (null if none).")
    rule = serializers.CharField(help_text="What is wrong, in the SSDA903 import's and the screens' words.")


class ProblemsSerializer(serializers.Serializer[dict[str, Any]]):
    """The body of every 422: nothing was written."""

    detail = serializers.CharField()
    problems = ProblemSerializer(many=True)

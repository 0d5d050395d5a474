"""The demo authority's word lists and weights: names, places, venues, decision texts, and how
often each code comes up (shaped like the seed authority, Milton Keynes 2013-14). Data only: the
generator (caseload.demo.generate) draws from these.
"""

from datetime import time
from decimal import Decimal

from accounts.roles import Role
from children.codes import (
    CategoryOfNeed,
    Ethnicity,
    LegalStatus,
    PlacementType,
    ReasonEpisodeCeased,
    ReasonPlaceChange,
)
from reviews.codes import ChildChaired, ParticipationCode

# Reviewed: the published demo login, for local demo data only.
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 # nosec B105
DEMO_ID_PREFIX = "D"  # every demo child's local id starts with it

# (username, first name, last name, FTE): 4 full-time and 2 part-time IROs, as in the seed.
DEMO_IROS = [
    ("iro", "Alex", "Morgan", Decimal("1.0")),
    ("iro2", "Priya", "Shah", Decimal("1.0")),
    ("iro3", "Tom", "Okafor", Decimal("1.0")),
    ("iro4", "Helen", "Walsh", Decimal("1.0")),
    ("iro5", "David", "Clarke", Decimal("0.5")),
    ("iro6", "Grace", "Adeyemi", Decimal("0.6")),
]
DEMO_OTHERS = [
    ("manager", "Sam", "Fletcher", Role.MANAGER),
    ("support", "Jo", "Bennett", Role.BUSINESS_SUPPORT),
]

# Real postcodes, every one in the ONS data (docs/domain.md, "Quality assurance": placement distance).
HOME_POSTCODES = ["MK9 3EJ", "MK6 5LD", "MK42 9AP"]
OWN_AUTHORITY_POSTCODES = ["MK9 3EJ", "MK6 5LD"]  # Milton Keynes itself (MK42 is Bedford)
# Placement postcodes by distance band from Milton Keynes, weighted like the seed
# (most within 20 miles; 27 of ~300 at 51-100 miles and 8 over 100).
PLACEMENT_POSTCODES = [
    (["MK9 3EJ", "MK6 5LD", "NN1 1DE", "MK42 9AP"], 0.70),
    (["LU1 2BQ", "HP20 1UA", "OX1 1BX", "CB2 3QJ"], 0.18),
    (["B1 1BB", "SW1A 2AA", "NG2 3NG"], 0.09),
    (["EX1 1UR", "LS1 1UR", "M2 5DB"], 0.03),
]

FIRST_NAMES_F = [
    "Amelia",
    "Olivia",
    "Isla",
    "Ava",
    "Mia",
    "Ivy",
    "Lily",
    "Freya",
    "Grace",
    "Chloe",
    "Aisha",
    "Zara",
    "Maya",
    "Ruby",
    "Ella",
    "Layla",
    "Sofia",
    "Evie",
    "Poppy",
    "Jade",
]
FIRST_NAMES_M = [
    "Oliver",
    "George",
    "Noah",
    "Arthur",
    "Leo",
    "Harry",
    "Oscar",
    "Jack",
    "Charlie",
    "Musa",
    "Jacob",
    "Ethan",
    "Kai",
    "Theo",
    "Ryan",
    "Tyler",
    "Callum",
    "Adam",
    "Zain",
    "Liam",
]
LAST_NAMES = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Khan",
    "Lewis",
    "Harris",
    "Clarke",
    "Jackson",
    "Wood",
    "Turner",
    "Martin",
    "Cooper",
    "Hill",
    "Ward",
    "Hughes",
    "Moore",
    "Mensah",
    "Nowak",
    "Ali",
    "Begum",
    "Kelly",
]

SCHOOLS = [
    "Oakfield Primary",
    "Brookside Academy",
    "St Mary's Primary",
    "Denbigh School",
    "Lakeside Academy",
    "Riverside Primary",
    "Ashcroft High",
    "Virtual school placement (out of area)",
]

ETHNICITY_WEIGHTS = {
    Ethnicity.WBRI: 60,
    Ethnicity.WOTH: 6,
    Ethnicity.MWBC: 6,
    Ethnicity.MWBA: 3,
    Ethnicity.MWAS: 2,
    Ethnicity.MOTH: 4,
    Ethnicity.BAFR: 6,
    Ethnicity.BCRB: 2,
    Ethnicity.BOTH: 2,
    Ethnicity.APKN: 2,
    Ethnicity.AIND: 1,
    Ethnicity.ABAN: 1,
    Ethnicity.AOTH: 2,
    Ethnicity.OOTH: 2,
    Ethnicity.WROM: 1,
}
# Age on the demo's "today" of the children in care (England's CLA statistics, roughly).
AGE_BANDS = [((0, 0), 6), ((1, 4), 14), ((5, 9), 18), ((10, 15), 38), ((16, 17), 24)]
LEGAL_STATUS_WEIGHTS = {
    LegalStatus.C2: 50,
    LegalStatus.C1: 14,
    LegalStatus.V2: 20,
    LegalStatus.E1: 8,
    LegalStatus.J1: 2,
}
PLACEMENT_WEIGHTS = {
    PlacementType.U4: 30,
    PlacementType.U6: 22,
    PlacementType.U1: 6,
    PlacementType.U3: 8,
    PlacementType.K2: 11,
    PlacementType.K3: 5,
    PlacementType.P1: 6,
    PlacementType.R1: 2,
    PlacementType.S1: 2,
    PlacementType.A6: 4,
    PlacementType.R3: 2,
}
# DfE rules the demo keeps to (so that its export passes the SSDA903 validator):
PLACEMENTS_WITHOUT_URN = {"P1", "P3", "R1", "R2", "R5", "T0", "T1", "T2", "T3", "T4", "Z1"}  # rule 218
PLACEMENT_MIN_AGE: dict[str, int] = {PlacementType.K3: 16, PlacementType.S1: 4}  # rules 371, 373
STATUS_NEXT: dict[str, str] = {
    LegalStatus.C1: LegalStatus.C2,
    LegalStatus.V2: LegalStatus.C1,
    LegalStatus.C2: LegalStatus.E1,
}
CATEGORY_WEIGHTS = {
    CategoryOfNeed.N1: 65,
    CategoryOfNeed.N2: 3,
    CategoryOfNeed.N3: 3,
    CategoryOfNeed.N4: 8,
    CategoryOfNeed.N5: 14,
    CategoryOfNeed.N6: 2,
    CategoryOfNeed.N7: 1,
    CategoryOfNeed.N8: 4,
}
# The seed's mix for children aged 4 and over: PN1 332, PN2 2, PN5 105, PN6 153, PN7 23 of 615.
PARTICIPATION_WEIGHTS_4_PLUS = {
    ParticipationCode.PN1: 332,
    ParticipationCode.PN2: 2,
    ParticipationCode.PN3: 2,
    ParticipationCode.PN4: 1,
    ParticipationCode.PN5: 105,
    ParticipationCode.PN6: 153,
    ParticipationCode.PN7: 23,
}
LEAVING_REASONS = {
    ReasonEpisodeCeased.E4A: 35,
    ReasonEpisodeCeased.E11: 10,
    ReasonEpisodeCeased.E45: 8,
    ReasonEpisodeCeased.E41: 6,
    ReasonEpisodeCeased.E5: 8,
    ReasonEpisodeCeased.E13: 10,
    ReasonEpisodeCeased.E8: 10,
    ReasonEpisodeCeased.E3: 3,
}
PLACE_CHANGE_REASONS = [
    ReasonPlaceChange.CARPL, ReasonPlaceChange.CLOSE, ReasonPlaceChange.STAND, ReasonPlaceChange.CREQB,
    ReasonPlaceChange.CREQO, ReasonPlaceChange.CHILD, ReasonPlaceChange.LAREQ, ReasonPlaceChange.OTHER,
]  # fmt: skip
LATE_REVIEW_SHARE = 0.05
# Review start times, one review slot (reviews.codes.REVIEW_SLOT_MINUTES, 90) apart, so that an IRO's
# bookings never overlap when each has its own slot (the booking service refuses an overlap).
BOOKING_TIMES = [time(9, 30), time(11, 0), time(13, 30), time(15, 0)]
LATE_BOOKING_REASON = "No date before the due date suited the child, the carers and the social worker."
CARER_ROLES = ["Foster carer", "Foster carer", "Key worker", "Parent"]
# (decision, who owns it, the decision as the IRO says it to the child in the letter)
DECISION_TEXTS = [
    (
        "Social worker to update the care plan to reflect the review's decisions.",
        "Social worker",
        "Your social worker will write what we decided into your plan.",
    ),
    (
        "Personal education plan to be reviewed with the virtual school.",
        "Designated teacher",
        "Your teacher will check your plan for school to make sure it is still right for you.",
    ),
    (
        "Arrange a health assessment within the statutory timescale.",
        "Looked-after children nurse",
        "You will have a health check with a nurse soon.",
    ),
    (
        "Family time with birth mother to continue fortnightly, supervised.",
        "Social worker",
        "You will keep seeing your mum every two weeks, with someone there to help.",
    ),
    (
        "Referral to CAMHS to be followed up.",
        "Social worker",
        "Your social worker will find out when you can talk to someone about how you feel.",
    ),
    (
        "Foster carers to support the young person to join a local club.",
        "Foster carer",
        "Your carers will help you join a club near home.",
    ),
    (
        "Pathway plan to be completed before the next review.",
        "Personal adviser",
        "You and your adviser will finish your plan for the future before your next review.",
    ),
    (
        "Life-story work to begin.",
        "Social worker",
        "You will start making a book about your life with your social worker.",
    ),
]

# A unique pupil number's check letters (the DfE's UPN check, no I, O or S).
UPN_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
# Where the seed's held reviews took place.
HELD_REVIEW_VENUES = ["Foster home", "School", "Civic offices", "Children's home", "Family centre"]
ESCALATION_CONCERN = "The care plan had not been updated before the review."
ESCALATION_RESOLUTION = "Resolved with the social worker."

# "My review" (issue #18): how often the chair records that a child aged 11 or over chaired their
# review, and what such a child, sending their answers, might say is going well. Made up for the
# demo: the seed gives no figures.
CHILD_CHAIRED_WEIGHTS_11_PLUS = {
    ChildChaired.NOT_RECORDED: 20,
    ChildChaired.NO: 62,
    ChildChaired.PART: 12,
    ChildChaired.ALL: 6,
}
MY_REVIEW_GOING_WELL = [
    "Football on Saturdays.",
    "I like my new school.",
    "Seeing my brother more.",
    "Cooking tea with my carer.",
    "",
]

"""SSDA903 code lists for the child and their episodes, defined once.

Forms, imports, exports and reports all use these. Labels follow the DfE's
"children looked after" return guidance; the codes are what the return carries.
"""

from django.db import models


class Sex(models.TextChoices):
    MALE = "M", "Male"
    FEMALE = "F", "Female"
    UNKNOWN = "U", "Unknown"


class Ethnicity(models.TextChoices):
    WBRI = "WBRI", "White British"
    WIRI = "WIRI", "White Irish"
    WOTH = "WOTH", "Any other White background"
    WIRT = "WIRT", "Traveller of Irish heritage"
    WROM = "WROM", "Gypsy/Roma"
    MWBC = "MWBC", "White and Black Caribbean"
    MWBA = "MWBA", "White and Black African"
    MWAS = "MWAS", "White and Asian"
    MOTH = "MOTH", "Any other mixed background"
    AIND = "AIND", "Indian"
    APKN = "APKN", "Pakistani"
    ABAN = "ABAN", "Bangladeshi"
    AOTH = "AOTH", "Any other Asian background"
    BCRB = "BCRB", "Caribbean"
    BAFR = "BAFR", "African"
    BOTH = "BOTH", "Any other Black background"
    CHNE = "CHNE", "Chinese"
    OOTH = "OOTH", "Any other ethnic group"
    REFU = "REFU", "Refused"
    NOBT = "NOBT", "Information not yet obtained"


class LegalStatus(models.TextChoices):
    C1 = "C1", "Interim care order"
    C2 = "C2", "Full care order"
    D1 = "D1", "Freeing order granted"
    E1 = "E1", "Placement order granted"
    V2 = "V2", "Single period of accommodation under section 20"
    V3 = "V3", "Agreed series of short-term breaks, each break recorded as its own episode of care"
    V4 = "V4", "Agreed series of short-term breaks, the agreement recorded (not the individual breaks)"
    L1 = "L1", "Under police protection and in local authority accommodation"
    L2 = "L2", "Emergency protection order"
    L3 = "L3", "Under a child assessment order and in local authority accommodation"
    J1 = "J1", "Remanded to local authority accommodation or youth detention accommodation"
    J2 = "J2", "Placed in local authority accommodation under the Police and Criminal Evidence Act 1984 (PACE)"
    J3 = "J3", "Sentenced to a youth rehabilitation order with residence requirement"


# Regulation 48 short breaks follow their own review pattern, not the reg 33 clock.
SHORT_BREAK_LEGAL_STATUSES = frozenset({LegalStatus.V3, LegalStatus.V4})


class ReasonNewEpisode(models.TextChoices):
    STARTED = "S", "Started to be looked after"
    LEGAL_STATUS = "L", "Change of legal status only"
    PLACEMENT_AND_CARER = "P", "Change of placement and carer(s) only"
    PLACEMENT_SAME_CARER = "T", "Change of placement but same carer(s) only"
    LEGAL_STATUS_PLACEMENT_AND_CARER = "B", "Change of legal status and placement and carer(s)"
    LEGAL_STATUS_PLACEMENT_SAME_CARER = "U", "Change of legal status and placement, same carer(s)"


# An episode with one of these continues the child's current period of care.
CONTINUING_EPISODE_REASONS = frozenset(set(ReasonNewEpisode) - {ReasonNewEpisode.STARTED})


class CategoryOfNeed(models.TextChoices):
    N1 = "N1", "Abuse or neglect"
    N2 = "N2", "Child's disability"
    N3 = "N3", "Parental illness or disability"
    N4 = "N4", "Family in acute stress"
    N5 = "N5", "Family dysfunction"
    N6 = "N6", "Socially unacceptable behaviour"
    N7 = "N7", "Low income"
    N8 = "N8", "Absent parenting"


class PlacementType(models.TextChoices):
    # 2025/26 list (docs/domain.md, "Code lists by collection year").
    U1 = "U1", "Foster placement with relative or friend, long term"
    U2 = "U2", "Foster placement with relative or friend who is also an approved adopter (FFA)"
    U3 = "U3", "Foster placement with relative or friend, not long term or FFA"
    U4 = "U4", "Foster placement with other foster carer, long term"
    U5 = "U5", "Foster placement with other foster carer who is also an approved adopter (FFA)"
    U6 = "U6", "Foster placement with other foster carer, not long term or FFA"
    K1 = "K1", "Secure children's home"
    K2 = "K2", "Children's home"
    K3 = "K3", "Registered supported accommodation"
    R1 = "R1", "Residential care home"
    R2 = "R2", "NHS/health trust or other establishment providing medical or nursing care"
    R3 = "R3", "Family centre or mother and baby unit"
    R5 = "R5", "Young offender institution or prison"
    S1 = "S1", "Residential school, except one also registered as a children's home"
    P1 = "P1", "Placed with own parent(s) or other person(s) with parental responsibility"
    P3 = "P3", "Residential employment"
    A3 = "A3", "Placed for adoption with parental consent, with current foster carer(s)"
    A4 = "A4", "Placed for adoption with parental consent, not with current foster carer(s)"
    A5 = "A5", "Placed for adoption with placement order, with current foster carer(s)"
    A6 = "A6", "Placed for adoption with placement order, not with current foster carer(s)"
    T0 = "T0", "Temporary: all types of temporary move"
    T1 = "T1", "Temporary periods in hospital"
    T2 = "T2", "Temporary absences of the child on holiday"
    T3 = "T3", "Temporary accommodation whilst normal foster carer(s) is/are on holiday"
    T4 = "T4", "Temporary accommodation of seven days or less, for any reason not covered by T1 to T3"
    Z11 = "Z11", "Other placements (must be listed on a schedule)"
    Z12 = "Z12", "Other placement: living independently"
    Z13 = "Z13", "Other placement: other unregulated accommodation"
    Z14 = "Z14", "Other placement: not otherwise listed"


class WithdrawnPlacementType(models.TextChoices):
    # Withdrawn for 2025-26 (children.code_years): valid in earlier years' files, and still shown
    # and exported for those years; never offered by a form.
    H5 = "H5", "Semi-independent living accommodation not subject to children's homes regulations"
    P2 = "P2", "Independent living (flat, lodgings, bedsit, B&B or with friends), with or without formal support"
    Z1 = "Z1", "Other placements (must be listed on a schedule sent to the DfE with the return)"


# Placed for adoption: the Adoption Agencies Regulations 2005 reg 36 review schedule applies.
ADOPTION_PLACEMENTS = frozenset({PlacementType.A3, PlacementType.A4, PlacementType.A5, PlacementType.A6})


class PlacementProvider(models.TextChoices):
    PR0 = "PR0", "Parent(s) or other person(s) with parental responsibility"
    PR1 = "PR1", "Own provision (by the council)"
    PR2 = "PR2", "Other local authority provision"
    PR3 = "PR3", "Other public provision (for example, a primary care trust)"
    PR4 = "PR4", "Private provision"
    PR5 = "PR5", "Voluntary/third sector provision"


class ReasonEpisodeCeased(models.TextChoices):
    # Meanings as the DfE guidance defines them (docs/domain.md, "Code lists"): people choose a
    # code by its label, and a wrong choice is published nationally.
    E11 = "E11", "Adopted: application for an adoption order unopposed"
    E12 = "E12", "Adopted: consent dispensed with by the court"
    E13 = "E13", "Left care to live with parent(s), relative(s) or other person(s) with no parental responsibility"
    E14 = "E14", "Accommodation on remand ended"
    E15 = "E15", "Age assessment found the young person is 18 or over"
    E16 = "E16", "Child moved abroad"
    E17 = "E17", "Aged 18 or over and stayed with their current carers (staying put)"
    E2 = "E2", "Died"
    E3 = "E3", "Care taken over by another local authority in the UK"
    E41 = "E41", "Residence order or child arrangements order granted"
    E45 = "E45", "Special guardianship order to former foster carer(s) who are relatives or friends"
    E46 = "E46", "Special guardianship order to former foster carer(s) other than relatives or friends"
    E47 = "E47", "Special guardianship order to carer(s) other than former foster carers, who are relatives or friends"
    E48 = "E48", "Special guardianship order to carer(s) other than former foster carers, not relatives or friends"
    E4A = "E4A", "Returned home to parent(s) or others with parental responsibility, as part of care planning"
    E4B = "E4B", "Returned home to parent(s) or others with parental responsibility, NOT as part of care planning"
    E5 = "E5", "Independent living with formalised advice or support (such as a hostel, foyer or staying close)"
    E6 = "E6", "Independent living with no formalised advice or support (such as a bedsit or own flat)"
    E7 = "E7", "Transferred to residential care funded by adult social care"
    E8 = "E8", "Stopped being looked after for any other reason (none of the other codes applies)"
    E9 = "E9", "Sentenced to custody"
    X1 = "X1", "Episode ends and a new episode begins on the same day, for any reason"


# X1 ends an episode but not the period of care; every other reason ends the period.
EPISODE_CONTINUES = ReasonEpisodeCeased.X1
# A short break (V3) that ends with the child going home as planned: the agreed series of breaks
# goes on, and so does its reg 48 review clock; any other reason ends the series.
SHORT_BREAK_ENDED_AS_PLANNED = ReasonEpisodeCeased.E4A


class ReasonPlaceChange(models.TextChoices):
    CARPL = "CARPL", "Change to/implementation of care plan"
    CLOSE = "CLOSE", "Resignation/closure of provision"
    ALLEG = "ALLEG", "Allegation (s47)"
    STAND = "STAND", "Standards of care concern"
    APPRR = "APPRR", "Approval removed"
    CREQB = "CREQB", "Carer(s) requests placement end due to child's behaviour"
    CREQO = "CREQO", "Carer(s) requests placement end other than due to child's behaviour"
    CHILD = "CHILD", "Child requests placement end"
    LAREQ = "LAREQ", "Responsible/area authority requests placement end"
    PLACE = "PLACE", "Change in the status of placement only"
    CUSTOD = "CUSTOD", "Custody arrangement"
    OTHER = "OTHER", "Other"


class Mother(models.TextChoices):
    # SSDA903 MOTHER: is the child (a girl) herself a mother?
    YES = "1", "Yes"
    NO = "0", "No"


class AllocationKind(models.TextChoices):
    """An IRO's allocation to a child: the case-holding IRO, or cover for a review."""

    CASE_HOLDING = "case_holding", "Case-holding IRO"
    COVER = "cover", "Cover"

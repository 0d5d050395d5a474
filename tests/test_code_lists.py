"""Code labels say what the DfE guidance and the regulations mean (docs/domain.md, "Code lists",
"Early reviews"): people choose a code by its label, and a wrong choice is published nationally."""

import re

import pytest

from children.codes import LegalStatus, ReasonEpisodeCeased, ReasonNewEpisode
from reviews.codes import EARLY_REVIEW_REGULATION, EarlyReviewReason


def _words(label: str) -> str:
    return label.lower()


# Per REC code: phrases its label must contain, and phrases that would give it another code's meaning.
REC_MEANINGS = {
    "X1": (["new episode", "same day"], []),
    "E11": (["adopted", "unopposed"], []),
    "E12": (["adopted", "consent dispensed"], []),
    "E2": (["died"], []),
    "E3": (["another local authority"], []),
    "E4A": (["returned home", "parental responsibility", "as part of care planning"], ["not as part"]),
    "E4B": (["returned home", "parental responsibility", "not as part of care planning"], []),
    "E13": (["parent(s), relative(s)", "no parental responsibility"], []),
    "E41": (["residence order", "child arrangements order"], []),
    "E45": (["special guardianship", "former foster carer", "who are relatives or friends"], ["other than former"]),
    "E46": (["special guardianship", "former foster carer", "other than relatives or friends"], ["other than former"]),
    "E47": (["special guardianship", "other than former foster carers", "who are relatives or friends"], []),
    "E48": (["special guardianship", "other than former foster carers", "not relatives or friends"], []),
    "E5": (["independent living", "with formalised advice or support"], ["no formalised"]),
    "E6": (["independent living", "no formalised"], ["with formalised"]),
    "E7": (["residential care", "adult social care"], ["custody"]),
    "E8": (["any other reason"], []),
    "E9": (["sentenced to custody"], ["adult"]),
    "E14": (["remand ended"], []),
    "E15": (["age assessment", "18 or over"], []),
    "E16": (["moved abroad"], []),
    "E17": (["18 or over", "current carers", "staying put"], []),
}


def test_every_rec_code_is_checked():
    assert set(REC_MEANINGS) == set(ReasonEpisodeCeased.values)


@pytest.mark.parametrize("code", sorted(REC_MEANINGS))
def test_rec_label_says_what_the_dfe_guidance_means(code):
    label = _words(ReasonEpisodeCeased(code).label)
    must, must_not = REC_MEANINGS[code]
    for phrase in must:
        assert phrase in label, f"{code}: {label!r} lacks {phrase!r}"
    for phrase in must_not:
        assert phrase not in label, f"{code}: {label!r} says {phrase!r}"


def test_e4b_is_the_opposite_of_e4a():
    e4a, e4b = _words(ReasonEpisodeCeased.E4A.label), _words(ReasonEpisodeCeased.E4B.label)
    assert "not" not in e4a.split()
    assert "not" in e4b.split()
    assert "care planning" in e4a
    assert "care planning" in e4b


def test_the_four_special_guardianship_codes_are_four_different_meanings():
    labels = {code: _words(ReasonEpisodeCeased(code).label) for code in ("E45", "E46", "E47", "E48")}
    former_foster_carers = {code for code, label in labels.items() if "other than former foster carers" not in label}
    relatives_or_friends = {code for code, label in labels.items() if "who are relatives or friends" in label}
    assert former_foster_carers == {"E45", "E46"}
    assert relatives_or_friends == {"E45", "E47"}
    assert len(set(labels.values())) == 4


def test_no_two_codes_share_a_label():
    for codes in (ReasonEpisodeCeased, LegalStatus, ReasonNewEpisode, EarlyReviewReason):
        labels = [_words(label) for label in codes.labels]
        assert len(labels) == len(set(labels)), codes.__name__


def test_short_break_legal_statuses_say_how_the_breaks_are_recorded():
    v3, v4 = _words(LegalStatus.V3.label), _words(LegalStatus.V4.label)
    for label in (v3, v4):
        assert "agreed series of short-term breaks" in label
        assert "single" not in label
        assert "multiple" not in label
    assert "each break recorded" in v3
    assert "episode" in v3
    assert "agreement recorded" in v4
    assert "not the individual breaks" in v4


def test_other_legal_statuses_say_what_the_domain_doc_says():
    expected = {
        "C1": "interim care order",
        "C2": "full care order",
        "D1": "freeing order",
        "E1": "placement order",
        "V2": "single period of accommodation under section 20",
        "L1": "police protection",
        "L2": "emergency protection order",
        "L3": "child assessment order",
        "J1": "remanded",
        "J2": "pace",
        "J3": "youth rehabilitation order with residence requirement",
    }
    for code, phrase in expected.items():
        assert phrase in _words(LegalStatus(code).label), code


# Per early-review reason: the regulation it rests on and what its label must say.
EARLY_REVIEW_MEANINGS = {
    "iro_request": ("reg 33(3)(a)", ["iro"]),
    "reg30_visit": ("reg 33(3)(b)", ["visit", "reg 30", "welfare"]),
    "s21_ending": ("reg 33(3)(c)", ["remand", "pace", "section 21(2)(b) or (c)", "ending"]),
    "secure": ("reg 33(3)(d)", ["secure training centre", "young offender institution", "ending"]),
    "accommodation_ceasing": ("reg 33(3)(e)", ["section 20", "stop", "parent", "parental responsibility"]),
    "significant_change": ("reg 32(2)", ["significant change to the care plan"]),
}


def test_every_early_review_reason_is_checked():
    assert set(EarlyReviewReason.values) == set(EARLY_REVIEW_MEANINGS) | {"other"}


@pytest.mark.parametrize("value", sorted(EARLY_REVIEW_MEANINGS))
def test_early_review_reason_is_true_to_its_regulation(value):
    regulation, phrases = EARLY_REVIEW_MEANINGS[value]
    reason = EarlyReviewReason(value)
    label = _words(reason.label)
    assert EARLY_REVIEW_REGULATION[reason] == regulation
    assert label.endswith(f"({regulation})") or label.endswith(f", {regulation})"), label
    for phrase in phrases:
        assert phrase in label, f"{value}: {label!r} lacks {phrase!r}"


def test_the_mislabels_of_the_past_are_gone():
    significant = _words(EarlyReviewReason.SIGNIFICANT_CHANGE.label)
    assert "reg 30" not in significant
    assert "reg 32(2)" in significant
    assert "secure accommodation" not in _words(EarlyReviewReason.SECURE_DETENTION.label)


def test_only_other_has_no_regulation_and_each_regulation_is_named_once():
    assert set(EarlyReviewReason) - set(EARLY_REVIEW_REGULATION) == {EarlyReviewReason.OTHER}
    assert len(set(EARLY_REVIEW_REGULATION.values())) == len(EARLY_REVIEW_REGULATION)
    # Each label names only its own paragraph of reg 33(3), if any.
    for reason, regulation in EARLY_REVIEW_REGULATION.items():
        named = set(re.findall(r"reg 33\(3\)\([a-e]\)|reg 32\(2\)", _words(reason.label)))
        assert named == {regulation}, reason

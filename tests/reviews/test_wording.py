"""The draft of a decision said to the child (reviews.wording): the child's name as "you"."""

from types import SimpleNamespace

import pytest

from reviews.wording import child_names, for_child_draft

NAMES = ["Ella Smith", "Ella"]


@pytest.mark.parametrize(
    ("decision", "said_to_the_child"),
    [
        ("Increase Ella's supervised contact with her mother.", "Increase your supervised contact with her mother."),
        ("Ella to attend the dentist.", "You will attend the dentist."),
        ("Ella Smith is settled; Ella has a new school place.", "You are settled; you have a new school place."),
        (
            "Social worker to visit Ella monthly. Ella’s carers to help.",
            "Social worker to visit you monthly. Your carers to help.",
        ),
        ("ELLA doesn't want to move.", "You don't want to move."),
    ],
)
def test_the_childs_name_becomes_you(decision, said_to_the_child):
    assert for_child_draft(decision, NAMES) == said_to_the_child


def test_other_words_that_start_with_the_name_are_left_alone():
    assert for_child_draft("Ellan Vannin trip to be arranged.", NAMES) == "Ellan Vannin trip to be arranged."


def test_the_family_name_alone_is_not_the_child():
    names = child_names(SimpleNamespace(first_name="Ella", preferred_name="", last_name="Jones"))
    assert names == ["Ella Jones", "Ella"]
    assert for_child_draft("Mrs Jones to call Ella Jones weekly.", names) == "Mrs Jones to call you weekly."


def test_the_preferred_name_counts_too():
    names = child_names(SimpleNamespace(first_name="Elizabeth", preferred_name="Lily", last_name="Jones"))
    assert for_child_draft("Lily to choose her bedroom colours.", names) == "You will choose her bedroom colours."


def test_a_decision_without_the_name_is_kept_as_written():
    assert for_child_draft("  Life-story work\nto begin. ", NAMES) == "Life-story work to begin."

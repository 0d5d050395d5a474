"""SSDA903 code lists by collection year (children.code_years): a file is checked against its own
year, with the DfE rule's number and words; a code withdrawn since still displays and exports."""

import io
from datetime import date
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse

from children.code_years import (
    ALL_PLACEMENT_TYPE_CHOICES,
    CODES_BY_YEAR,
    codes_for_year,
    collection_year_of,
    current_codes,
)
from children.forms import NewChildForm
from children.models import Child, Episode
from reviews.care_event_forms import PlacementAndLegalStatusForm, PlacementChangeForm, ReturnToCareForm
from reviews.ssda903 import EPISODES, HEADER, REVIEWS, ImportProblems, export_rows, import_files
from tests.reviews.test_ssda903 import _csv, _uploads

RULE_146 = "DfE rule 146: Placement type code is not a valid code."

# A 2023-24 return: SEX coded 1/2, placements H5 (from 16), P2 and Z1, all valid that year.
HEADER_2324 = [
    ["H1", "1", "01/05/2007", "WBRI", "", "", ""],
    ["H2", "2", "01/06/2006", "WBRI", "", "0", ""],
    ["H3", "2", "01/09/2008", "WBRI", "", "0", ""],
]
EPISODES_2324 = [
    ["H1", "10/05/2023", "S", "C2", "N1", "H5", "PR4", "", "", "", "", "", ""],
    ["H2", "01/07/2023", "S", "V2", "N4", "P2", "PR1", "", "", "", "", "", ""],
    ["H3", "01/08/2023", "S", "C2", "N1", "Z1", "", "", "", "", "", "", ""],
]
REVIEWS_2324 = [["H1", "01/05/2007", "01/11/2023", "PN1"]]


def _files(header, episodes, reviews=()) -> dict[str, bytes]:
    return {"h.csv": _csv(HEADER, header), "e.csv": _csv(EPISODES, episodes), "r.csv": _csv(REVIEWS, list(reviews))}


def _problems(files, **options) -> list[str]:
    with pytest.raises(ImportProblems) as raised:
        import_files(files, **options)
    return raised.value.problems


def _moved(rows: list[list[str]], years: int) -> list[list[str]]:
    """The rows with every date `years` later (the same children, a later return)."""

    def later(cell: str) -> str:
        if len(cell) == 10 and cell[2] == "/" and cell[5] == "/":
            return f"{cell[:6]}{int(cell[6:]) + years}"
        return cell

    return [[later(cell) if column else cell for column, cell in enumerate(row)] for row in rows]


# --- The table ------------------------------------------------------------------------------


def test_every_years_codes_have_words_and_the_years_run_without_a_gap():
    labelled = {code for code, _ in ALL_PLACEMENT_TYPE_CHOICES}
    for codes in CODES_BY_YEAR.values():
        assert codes.placement_types <= labelled
        assert codes.provider_rule_213 <= codes.placements_without_provider <= codes.placement_types
        assert codes.placement_from_16 in codes.placement_types
    assert sorted(CODES_BY_YEAR) == list(range(min(CODES_BY_YEAR), max(CODES_BY_YEAR) + 1))


@pytest.mark.parametrize(
    ("year", "held", "withdrawn"),
    [
        (2024, {"H5", "P2", "Z1"}, {"K3", "Z11"}),
        (2025, {"H5", "P2", "Z1", "K3"}, {"Z11"}),
        (2026, {"K3", "Z14"}, {"H5", "P2", "Z1"}),
    ],
)
def test_placement_codes_by_year(year, held, withdrawn):
    codes = codes_for_year(year).placement_types
    assert held <= codes
    assert not withdrawn & codes


def test_sex_is_1_2_until_2023_24_and_m_f_u_from_2024_25():
    assert codes_for_year(2024).stored_sex("1") == "M"
    assert codes_for_year(2024).stored_sex("2") == "F"
    assert codes_for_year(2025).stored_sex("1") is None
    assert codes_for_year(2025).stored_sex("U") == "U"
    assert codes_for_year(2024).exported_sex("F") == "2"
    assert codes_for_year(2025).exported_sex("F") == "F"


def test_the_collection_year_of_a_day_turns_on_1_april():
    assert collection_year_of(date(2025, 3, 31)) == 2025
    assert collection_year_of(date(2025, 4, 1)) == 2026


@pytest.mark.parametrize(
    ("today", "offered", "not_offered"), [(date(2025, 3, 1), "H5", "Z11"), (date(2026, 11, 28), "Z11", "H5")]
)
def test_forms_offer_the_years_placements(today, offered, not_offered):
    with time_machine.travel(today, tick=False):
        forms = [NewChildForm(), PlacementChangeForm(), ReturnToCareForm(), PlacementAndLegalStatusForm()]
    for form in forms:
        codes = {code for code, _ in form.fields["placement_type"].choices} - {""}
        assert codes <= current_codes(today).placement_types
        assert offered in codes
        assert not_offered not in codes


@pytest.mark.parametrize(("place", "rule"), [("T4", "213"), ("Z11", "213"), ("T0", "213")])
@time_machine.travel(date(2026, 11, 28), tick=False)
def test_a_form_refuses_a_provider_where_the_return_takes_none(place, rule):
    form = PlacementChangeForm(
        data={"start": "2026-11-01", "reason_new_episode": "P", "placement_type": place,
              "placement_provider": "PR1", "reason_place_change": "CARPL"}
    )  # fmt: skip
    assert not form.is_valid()
    assert form.errors["placement_provider"] == [
        f"Choose 'Not known': a {place} placement has no placement provider in the DfE return "
        f"(2026-27, rule {rule}: Placement provider information not required.)"
    ]
    form = PlacementChangeForm(data={**form.data, "placement_provider": ""})
    assert "placement_provider" not in form.errors


# --- The import -----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("year", [None, 2024])
def test_a_2023_24_file_with_h5_p2_z1_and_sex_1_2_imports_with_sex_stored_m_f(year):
    summary = import_files(_files(HEADER_2324, EPISODES_2324, REVIEWS_2324), year=year)
    assert summary.year == 2024
    assert summary.children_added == 3
    assert dict(Child.objects.values_list("local_id", "sex")) == {"H1": "M", "H2": "F", "H3": "F"}
    assert sorted(Episode.objects.values_list("placement_type", flat=True)) == ["H5", "P2", "Z1"]


@pytest.mark.django_db
def test_a_withdrawn_code_held_still_displays_and_exports_for_its_year():
    import_files(_files(HEADER_2324, EPISODES_2324, REVIEWS_2324))
    episode = Episode.objects.get(placement_type="H5")
    assert episode.get_placement_type_display().startswith("Semi-independent living accommodation")
    rows = export_rows(2024)
    assert {row[0]: row[1] for row in rows["header"]} == {"H1": "1", "H2": "2", "H3": "2"}  # 2023-24's coding
    assert {row[5] for row in rows["episodes"]} == {"H5", "P2", "Z1"}
    assert {row[1] for row in export_rows(2025)["header"]} == {"M", "F"}


@pytest.mark.django_db
def test_a_2025_26_file_with_h5_is_refused_with_the_rules_words():
    problems = _problems(_files(_moved(HEADER_2324, 0), _moved(EPISODES_2324, 2)))
    assert (
        f"e.csv:2: PLACE: PLACE is H5, but H5 is not a placement code in 2025-26 ({RULE_146}); "
        "H5 is a code for 2022-23 to 2024-25"
    ) in problems
    assert any(problem.startswith("e.csv:3: PLACE: PLACE is P2") for problem in problems)
    assert any(problem.startswith("e.csv:4: PLACE: PLACE is Z1") for problem in problems)
    assert not Child.objects.exists()


@pytest.mark.django_db
def test_a_2024_25_file_in_the_old_sex_coding_is_refused_by_rule_101():
    problems = _problems(_files(HEADER_2324, _moved(EPISODES_2324, 1)))
    assert (
        "h.csv:2: SEX: SEX is '1', but in 2024-25 SEX is M, F or U "
        "(DfE rule 101: The child or young person's reported sex is not valid.)"
    ) in problems


@pytest.mark.django_db
def test_a_2023_24_file_in_todays_sex_coding_is_read_too():
    header = [[row[0], {"1": "M", "2": "F"}[row[1]], *row[2:]] for row in HEADER_2324]
    import_files(_files(header, EPISODES_2324))
    assert dict(Child.objects.values_list("local_id", "sex")) == {"H1": "M", "H2": "F", "H3": "F"}


def _episode(child: str, decom: str, place: str, provider: str) -> list[str]:
    return [child, decom, "S", "C2", "N1", place, provider, "", "", "", "", "", ""]


@pytest.mark.django_db
def test_from_2025_26_t4_takes_no_provider_under_rule_213_though_rule_178_no_longer_lists_it():
    # The validator's 2025-26 rule 178 dropped T4 from its list, but its rule 213 keeps it: a
    # provider on a T4 fails 213, none fails neither, so the import asks for none.
    header = [["T1", "M", "01/01/2010", "WBRI", "", "", ""]]
    problems = _problems(_files(header, [_episode("T1", "01/05/2025", "T4", "PR1")]))
    assert problems == [
        "e.csv:2: PLACE_PROVIDER: PLACE_PROVIDER is 'PR1', but in 2025-26 PLACE T4 takes no provider "
        "(DfE rule 213: Placement provider information not required.)"
    ]
    import_files(_files(header, [_episode("T1", "01/05/2025", "T4", "")]))
    assert Episode.objects.get().placement_provider == ""


@pytest.mark.django_db
def test_until_2024_25_z1_takes_no_provider_under_rule_178_and_t0_under_rule_213():
    header = [["T1", "M", "01/01/2010", "WBRI", "", "", ""]]
    problems = _problems(_files(header, [_episode("T1", "01/05/2024", "Z1", "PR1")]))
    assert problems == [
        "e.csv:2: PLACE_PROVIDER: PLACE_PROVIDER is 'PR1', but in 2024-25 PLACE Z1 takes no provider "
        "(DfE rule 178: Placement provider code is not a valid code.)"
    ]
    problems = _problems(_files(header, [_episode("T1", "01/05/2025", "T0", "PR1")]))
    assert any("in 2025-26 PLACE T0 takes no provider (DfE rule 213" in problem for problem in problems)
    problems = _problems(_files(header, [_episode("T1", "01/05/2025", "Z11", "PR2")]))
    assert any("in 2025-26 PLACE Z11 takes no provider (DfE rule 213" in problem for problem in problems)


@pytest.mark.django_db
def test_rule_371_k3_only_from_16_in_2024_25():
    header = [["K1", "F", "15/06/2008", "WBRI", "", "0", ""]]
    problems = _problems(_files(header, [_episode("K1", "14/06/2024", "K3", "PR4")]))
    assert (
        "e.csv:2: DECOM: PLACE is K3 from 14/06/2024, but the child was 15 then: K3 is only from the 16th birthday "
        "(DfE rule 371: Child in supported accommodation not subject to children's homes regulations should be at "
        "least 16.)"
    ) in problems
    import_files(_files(header, [_episode("K1", "15/06/2024", "K3", "PR4")]))  # the 16th birthday
    assert Episode.objects.get().placement_type == "K3"


@pytest.mark.django_db
def test_a_file_for_a_chosen_year_holds_no_later_date():
    problems = _problems(_files(HEADER_2324, _moved(EPISODES_2324, 1)), year=2024)
    assert (
        "e.csv:2: DECOM: 10/05/2024 is after 31/03/2024, the end of the collection year 2023-24 chosen for these files"
    ) in problems


@pytest.mark.django_db
def test_an_episode_of_an_earlier_year_in_a_history_file_is_checked_against_its_own_year():
    """A whole-history file (export --all) holds H5 episodes that ended before 2025-26."""
    header = [["H1", "M", "01/05/2007", "WBRI", "", "", ""]]
    episodes = [
        ["H1", "10/05/2023", "S", "C2", "N1", "H5", "PR4", "01/06/2024", "X1", "", "", "", ""],
        ["H1", "01/06/2024", "P", "C2", "N1", "K3", "PR4", "", "", "CARPL", "", "", ""],
        ["H1", "01/06/2025", "P", "C2", "N1", "K3", "PR4", "", "", "CARPL", "", "", ""],
    ]
    episodes[1][7:9] = ["01/06/2025", "X1"]
    summary = import_files(_files(header, episodes))
    assert summary.year == 2026
    assert summary.episodes_added == 3


@pytest.mark.django_db
def test_the_command_takes_the_year_and_refuses_one_without_code_lists(tmp_path: Path):
    for name, content in _files(HEADER_2324, EPISODES_2324, REVIEWS_2324).items():
        (tmp_path / name).write_bytes(content)
    with pytest.raises(CommandError, match="code lists are held for 2022-23"):
        call_command("import_ssda903", str(tmp_path), year=2019, stdout=io.StringIO())
    out = io.StringIO()
    call_command("import_ssda903", str(tmp_path), year=2024, stdout=out)
    assert "checked against the 2023-24 code lists (as chosen)" in out.getvalue()
    assert Child.objects.get(local_id="H2").sex == "F"


@pytest.mark.django_db
def test_the_upload_page_checks_the_files_against_the_year_chosen(client, business_support, settings, tmp_path):
    settings.IRO_PRIVATE_DOCUMENTS_ROOT = str(tmp_path)
    client.force_login(business_support)
    url = reverse("reviews:ssda903_import")
    files = _files(HEADER_2324, EPISODES_2324, REVIEWS_2324)
    page = client.post(url, {"files": _uploads(files), "year": "2024"}).content.decode()
    assert "The files are valid." in page
    assert "checked against the 2023-24 code lists (as chosen)" in page
    page = client.post(url, {"files": _uploads(files), "year": "2026"}).content.decode()
    assert "nothing was imported" in page
    assert "is after 31/03/2026" not in page
    assert "PLACE is H5, but H5 is not a placement code in 2025-26" in page
    assert not Child.objects.exists()

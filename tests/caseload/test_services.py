"""caseload.services called directly: the annual report's narrative, made once per period and
then changed section by section."""

from datetime import date

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from caseload.models import NARRATIVE_SECTIONS, ReportNarrative
from caseload.services import report_narrative_save

pytestmark = pytest.mark.django_db

START, END = date(2025, 4, 1), date(2026, 3, 31)


def test_report_narrative_save_makes_the_periods_narrative_the_first_time(manager):
    narrative = report_narrative_save(
        start=START,
        end=END,
        sections={"purpose": "Why we exist.", "objectives": "Fewer late reviews."},
        updated_by=manager,
    )
    stored = ReportNarrative.objects.get()
    assert stored == narrative
    assert (stored.period_start, stored.period_end, stored.updated_by) == (START, END, manager)
    assert (stored.purpose, stored.objectives, stored.caseload) == ("Why we exist.", "Fewer late reviews.", "")


def test_report_narrative_save_changes_only_the_sections_given_and_who_saved_last(manager, business_support):
    report_narrative_save(
        start=START, end=END, sections={"purpose": "Why we exist.", "caseload": "Too high."}, updated_by=manager
    )
    report_narrative_save(start=START, end=END, sections={"caseload": "Lower now."}, updated_by=business_support)
    stored = ReportNarrative.objects.get()
    assert (stored.purpose, stored.caseload, stored.updated_by) == ("Why we exist.", "Lower now.", business_support)


def test_report_narrative_save_keeps_one_narrative_per_period(manager):
    report_narrative_save(start=START, end=END, sections={"purpose": "2025-26"}, updated_by=manager)
    report_narrative_save(
        start=date(2024, 4, 1), end=date(2025, 3, 31), sections={"purpose": "2024-25"}, updated_by=manager
    )
    report_narrative_save(start=START, end=END, sections={"purpose": "2025-26, revised"}, updated_by=manager)
    assert list(ReportNarrative.objects.order_by("period_start").values_list("period_start", "purpose")) == [
        (date(2024, 4, 1), "2024-25"),
        (START, "2025-26, revised"),
    ]


def test_report_narrative_save_writes_every_section_it_knows(manager):
    sections = {name: f"Text for {name}" for name in NARRATIVE_SECTIONS}
    narrative = report_narrative_save(start=START, end=END, sections=sections, updated_by=manager)
    narrative.refresh_from_db()
    assert {name: getattr(narrative, name) for name in NARRATIVE_SECTIONS} == sections


@pytest.mark.parametrize("name", ["updated_by", "period_start", "summary"])
def test_report_narrative_save_refuses_a_name_that_is_not_a_section_and_writes_nothing(manager, name):
    with pytest.raises(ValueError, match=name):
        report_narrative_save(start=START, end=END, sections={"purpose": "Why.", name: "x"}, updated_by=manager)
    assert not ReportNarrative.objects.exists()


def test_report_narrative_save_refuses_a_period_that_ends_before_it_starts(manager):
    with pytest.raises(ValidationError) as refused:
        report_narrative_save(start=END, end=START, sections={"purpose": "Why."}, updated_by=manager)
    assert "The period ends before it starts." in refused.value.message_dict[NON_FIELD_ERRORS]
    assert not ReportNarrative.objects.exists()

"""Writes for the read side: the annual report's narrative (the figures are computed, never stored)."""

from datetime import date

from django.db import transaction

from accounts.models import User

from .models import NARRATIVE_SECTIONS, ReportNarrative


@transaction.atomic
def report_narrative_save(*, start: date, end: date, sections: dict[str, str], updated_by: User) -> ReportNarrative:
    """The managers' narrative for the report of [start, end]: made the first time, then changed.
    Only the narrative's sections are written; the row is locked so two saves apply in turn."""
    unknown = set(sections) - set(NARRATIVE_SECTIONS)
    if unknown:
        raise ValueError(f"not sections of the report's narrative: {sorted(unknown)}")
    narrative = ReportNarrative.objects.select_for_update().filter(
        period_start=start, period_end=end
    ).first() or ReportNarrative(period_start=start, period_end=end)
    for name, text in sections.items():
        setattr(narrative, name, text)
    narrative.updated_by = updated_by
    narrative.full_clean()
    narrative.save()
    return narrative

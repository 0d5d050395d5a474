from datetime import date

from django import template

from children.ages import age_on
from children.codes import LegalStatus, PlacementType

register = template.Library()


@register.filter
def age(date_of_birth: date | None, today: date) -> int | str:
    return age_on(date_of_birth, today) if date_of_birth else ""


@register.filter
def legal_status_label(code: str | None) -> str:
    return LegalStatus(code).label if code in LegalStatus.values else ""


@register.filter
def placement_label(code: str | None) -> str:
    return PlacementType(code).label if code in PlacementType.values else ""

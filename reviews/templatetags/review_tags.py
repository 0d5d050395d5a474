from django import template

from reviews.codes import ReviewState

register = template.Library()

_BADGE_CLASSES = {
    ReviewState.OVERDUE: "text-bg-danger",
    ReviewState.DUE_SOON: "text-bg-warning",
    ReviewState.ON_TRACK: "text-bg-success",
    ReviewState.CLOCK_UNKNOWN: "text-bg-dark",
    ReviewState.CARE_ENDS_AT_18: "text-bg-secondary",
}


@register.inclusion_tag("includes/review_state_badge.html")
def review_state_badge(state: str) -> dict[str, str]:
    state = ReviewState(state) if state in ReviewState.values else ReviewState.CLOCK_UNKNOWN
    return {"label": state.label, "css_class": _BADGE_CLASSES[state], "state": state.value}

"""Find a child by name, CHILD ID, date of birth or UPN, from the box in every
page's header. Only children the user may open are found (reviews.access.children_readable:
everything for managers and business support, their own caseload for an IRO), and each child
opened from the results is logged by the child's page as usual; the results page, a list,
writes one access-log row. Two queries whatever the data size (the count and the page)."""

from datetime import date, datetime

from django import forms
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.audit import access_log_write
from accounts.models import AccessAction
from accounts.permissions import AuthenticatedRequest, role_required
from accounts.roles import Role
from children.models import Child
from reviews import access

RESULTS_PER_PAGE = 50
DATE_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d %b %Y", "%d %B %Y")


class ChildSearchForm(forms.Form):
    q = forms.CharField(
        label="Find a child",
        max_length=100,
        help_text="Name, CHILD ID, date of birth (for example 3/3/2015) or UPN.",
        widget=forms.TextInput(attrs={"type": "search", "class": "form-control", "autocomplete": "off"}),
    )


def _date(text: str) -> date | None:
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007 (a date, no time of day)
        except ValueError:
            continue
    return None


def matching(children: QuerySet[Child], text: str) -> QuerySet[Child]:
    """The children whose CHILD ID or UPN is the text, whose date of birth it is, or whose names
    contain each of its words."""
    text = " ".join(text.split())
    found = Q(local_id__iexact=text) | Q(upn__iexact=text.replace(" ", ""))
    born = _date(text)
    if born is not None:
        found |= Q(date_of_birth=born)
    words = text.split(" ")
    if words and words != [""]:
        by_name = Q()
        for word in words:
            by_name &= Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(preferred_name__icontains=word)
        found |= by_name
    return children.filter(found).order_by("last_name", "first_name", "local_id", "pk")


@role_required(Role.IRO, Role.MANAGER, Role.BUSINESS_SUPPORT)
def child_search(request: AuthenticatedRequest) -> HttpResponse:
    form = ChildSearchForm(request.GET or None)
    page = None
    if form.is_valid():
        readable = access.children_readable(user=request.user, today=timezone.localdate())
        results = matching(readable, form.cleaned_data["q"]).only(
            "pk", "local_id", "first_name", "last_name", "preferred_name", "date_of_birth", "upn"
        )
        page = Paginator(results, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
        # A list page: one row for the list; each child opened from it is logged by its page.
        access_log_write(request=request, action=AccessAction.VIEW, object_type="child_search", status_code=200)
    return render(
        request,
        "caseload/child_search.html",
        {"form": form, "page": page, "query": form.cleaned_data["q"] if form.is_valid() else ""},
    )

from datetime import timedelta
from urllib.parse import urlencode

from dateutil.relativedelta import relativedelta
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.permissions import role_required
from accounts.roles import Role
from reviews import access
from reviews.selectors import children_with_next_review, iro_booked_reviews, iro_home_caseload

from .forms import CaseloadFilterForm
from .selectors import child_record

PAGE_SIZE = 50


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on its own home page."""
    if request.user.is_iro:
        return my_caseload(request)
    if request.user.is_manager or request.user.is_business_support:
        return all_caseloads(request)
    raise PermissionDenied("Your account has no role in the IRO service yet; ask a manager to give you one.")


@role_required(Role.IRO)
def my_caseload(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    children = iro_home_caseload(today=today, iro_id=request.user.pk)
    page = Paginator(children, PAGE_SIZE).get_page(request.GET.get("page"))
    week_start = today - timedelta(days=today.weekday())
    month_end = today + relativedelta(day=31)
    booked = list(
        iro_booked_reviews(iro_id=request.user.pk, start=min(week_start, today.replace(day=1)), end=month_end)
    )
    week_end = week_start + timedelta(days=6)
    this_week = [review for review in booked if week_start <= timezone.localtime(review.booked_for).date() <= week_end]
    this_month = [review for review in booked if timezone.localtime(review.booked_for).month == today.month]
    return render(
        request,
        "caseload/my_caseload.html",
        {"page": page, "today": today, "this_week": this_week, "this_month": this_month},
    )


@role_required(Role.MANAGER, Role.BUSINESS_SUPPORT)
def all_caseloads(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = CaseloadFilterForm(request.GET or None)
    iro = form.cleaned_data["iro"] if form.is_valid() else None
    children = children_with_next_review(today=today, iro_id=iro.pk if iro else None)
    page = Paginator(children, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "caseload/all_caseloads.html",
        {
            "page": page,
            "today": today,
            "form": form,
            "selected_iro": iro,
            "query": urlencode({"iro": iro.pk}) if iro else "",
        },
    )


@role_required(Role.IRO, Role.MANAGER, Role.BUSINESS_SUPPORT)
def child_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The child's page: summary, next review due and the rule that set it, and a timeline."""
    today = timezone.localdate()
    child = access.child_for(user=request.user, pk=pk, today=today)
    sensitive = access.can_read_sensitive(user=request.user)
    record = child_record(child=child, today=today, sensitive=sensitive)
    return render(
        request,
        "caseload/child_detail.html",
        {
            **record,
            "child": child,
            "today": today,
            "show_sensitive": sensitive,
            "may_work": request.user.is_iro
            and access.iro_children(iro=request.user, today=today).filter(pk=pk).exists(),
            "may_allocate": request.user.is_business_support or request.user.is_manager,
        },
    )

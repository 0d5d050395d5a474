from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.permissions import role_required
from accounts.roles import Role
from reviews.selectors import children_with_next_review

from .forms import CaseloadFilterForm

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
    children = children_with_next_review(today=today, iro_id=request.user.pk)
    page = Paginator(children, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "caseload/my_caseload.html", {"page": page, "today": today})


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

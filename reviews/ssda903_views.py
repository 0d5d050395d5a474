"""SSDA903 pages beside the upload (reviews.views.ssda903_import): the import's report download and
the return check (business support)."""

import re

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from accounts.audit import audited
from accounts.models import AccessAction
from accounts.permissions import AuthenticatedRequest, role_required
from accounts.roles import Role

from . import return_check
from .documents import private_storage
from .forms import ReturnCheckForm
from .return_check_models import ReturnCheck
from .ssda903 import TABLES
from .ssda903.upload import upload_report_path

# secrets.token_urlsafe(16): 22 URL-safe characters, nothing that could climb out of the folder.
REPORT_TOKEN = re.compile(r"[A-Za-z0-9_-]{22}")


def _no_child(_object_id: object) -> None:
    return None  # a report or a check is about the whole return, no one child


@role_required(Role.BUSINESS_SUPPORT)
@audited("ssda903_import_report", action=AccessAction.EXPORT, arg="token", child_of=_no_child)
def import_report(request: AuthenticatedRequest, token: str) -> FileResponse:
    """An import's report, as CSV (business support's: the page that made it links here)."""
    if not REPORT_TOKEN.fullmatch(token):
        raise Http404("No such report.")
    try:
        handle = private_storage().open(upload_report_path(token), "rb")
    except FileNotFoundError:
        raise Http404("No such report, or it is no longer kept.") from None
    return FileResponse(handle, as_attachment=True, filename="ssda903-import-report.csv", content_type="text/csv")


@role_required(Role.BUSINESS_SUPPORT)
@audited("ssda903_return_check")
def return_checks(request: AuthenticatedRequest) -> HttpResponse:
    """Choose a collection year and check its return; the checks made so far."""
    form = ReturnCheckForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = return_check.return_check_request(year=form.cleaned_data["year"], requested_by=request.user)
        return redirect("reviews:return_check", pk=check.pk)
    checks = Paginator(ReturnCheck.objects.select_related("requested_by"), 20).get_page(request.GET.get("page"))
    context = {"form": form, "checks": checks, "installed": return_check.validator_installed()}
    if not context["installed"]:
        context["not_installed"] = return_check.not_installed_message()
    return render(request, "reviews/return_checks.html", context)


@role_required(Role.BUSINESS_SUPPORT)
@audited("ssda903_return_check", child_of=_no_child)
def return_check_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A check: running, or its problems grouped by DfE rule, and its three files."""
    check = get_object_or_404(ReturnCheck.objects.select_related("requested_by"), pk=pk)
    files = [(table, check.rows.get(table)) for table in TABLES if return_check.check_file(check, table)]
    return render(request, "reviews/return_check.html", {"check": check, "files": files})


@role_required(Role.BUSINESS_SUPPORT)
@audited("ssda903_return_check", action=AccessAction.EXPORT, child_of=_no_child)
def return_check_file(request: AuthenticatedRequest, pk: int, table: str) -> FileResponse:
    check = get_object_or_404(ReturnCheck, pk=pk)
    path = return_check.check_file(check, table)
    if path is None:
        raise Http404("This file was not written, or is no longer kept.")
    name = f"ssda903-{check.year_label}-{table}.csv"
    return FileResponse(path.open("rb"), as_attachment=True, filename=name, content_type="text/csv")

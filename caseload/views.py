from datetime import date
from typing import cast
from urllib.parse import urlencode

from dateutil.relativedelta import relativedelta
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, SuspiciousFileOperation, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.audit import access_log_write, audited
from accounts.iro_picker import IROPick, iro_pick
from accounts.models import AccessAction, AccessLog
from accounts.permissions import AuthenticatedRequest, role_required
from accounts.roles import Role
from audits.selectors import monitoring_form_due, monitoring_forms_outstanding
from children.selectors import children_arriving, children_looked_after_count
from iro_service.formerrors import form_errors_apply
from iro_service.inputs import with_default_period
from iro_service.keyset import keyset_page
from reviews import access
from reviews.documents import private_storage
from reviews.selectors import caseload_groups, children_with_next_review, iro_booked_reviews, iro_home_caseload
from reviews.timescales import add_working_days

from .access_log import described
from .annual_report import labelled_figures
from .dashboard import PANELS, Dashboard, my_review_panel
from .definitions import ReportPeriod, definitions, last_complete_report_year, report_year_containing
from .exports import table_response
from .forms import DashboardFilterForm, NarrativeForm, PeriodForm, ReportPDFRequestForm
from .models import ReportNarrative, ReportPDF, ReportPDFKind, ReportPDFState
from .selectors import child_record, report_pdf_for
from .services import report_narrative_save, report_pdf_request
from .statistics import Scope, annual_report, scope_for

PAGE_SIZE = 50


@login_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    """Each role lands on its own home page."""
    if request.user.is_iro:
        return my_caseload(request)
    if request.user.is_manager or request.user.is_business_support:
        return all_caseloads(request)
    raise PermissionDenied("Your account has no role in the IRO service yet; ask a manager to give you one.")


# The IRO's home lists the reviews booked in the next this many working days, then the rest of
# the month (a Friday's "this week" was all but over).
BOOKED_AHEAD_WORKING_DAYS = 10


@role_required(Role.IRO)
def my_caseload(request: AuthenticatedRequest) -> HttpResponse:
    today = timezone.localdate()
    page = keyset_page(
        caseload_groups(iro_home_caseload(today=today, iro_id=request.user.pk)),
        request.GET.get("page"),
        PAGE_SIZE,
        count=children_looked_after_count(today=today, iro_id=request.user.pk),
    )
    soon_end = add_working_days(today, BOOKED_AHEAD_WORKING_DAYS)
    # "The rest of the month": of the month the ten working days end in.
    month_end = soon_end + relativedelta(day=31)
    booked = list(iro_booked_reviews(iro_id=request.user.pk, start=today, end=month_end))
    soon = [review for review in booked if timezone.localtime(review.booked_for).date() <= soon_end]
    later = [review for review in booked if soon_end < timezone.localtime(review.booked_for).date() <= month_end]
    forms_due = [
        (review, monitoring_form_due(cast(date, review.held_on)))  # held reviews have their date (a constraint)
        for review in monitoring_forms_outstanding(today=today, chair_id=request.user.pk).select_related("child")
    ]
    return render(
        request,
        "caseload/my_caseload.html",
        {
            "page": page,
            "today": today,
            "soon": soon,
            "soon_end": soon_end,
            "later": later,
            "month_end": month_end,
            "forms_due": forms_due,
            "arriving": children_arriving(today=today, iro_id=request.user.pk),
        },
    )


@role_required(Role.MANAGER, Role.BUSINESS_SUPPORT)
def all_caseloads(request: AuthenticatedRequest) -> HttpResponse:
    today = timezone.localdate()
    pick = iro_pick(request.GET)
    if pick.problem:
        messages.error(request, pick.problem)
    iro, iro_id = pick.chosen, pick.chosen_id
    page = keyset_page(
        caseload_groups(children_with_next_review(today=today, iro_id=iro_id)),
        request.GET.get("page"),
        PAGE_SIZE,
        count=children_looked_after_count(today=today, iro_id=iro_id),
    )
    return render(
        request,
        "caseload/all_caseloads.html",
        {
            "page": page,
            "today": today,
            "pick": pick,
            "selected_iro": iro,
            "query": urlencode({"iro": iro_id}) if iro_id else "",
            "arriving": children_arriving(today=today, iro_id=iro.pk if iro else None),
        },
    )


@role_required(Role.IRO, Role.MANAGER, Role.BUSINESS_SUPPORT)
@audited("child")
def child_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
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


NOT_STARTED = "The period starts after today: nothing has happened in it yet."


def _dashboard_filters(
    request: AuthenticatedRequest, *, report: bool = False
) -> tuple[DashboardFilterForm, date, date, Scope]:
    """The period and whose figures: an IRO only ever their own. The annual report opens on the
    last complete report year, the dashboard on this report year to date. A period that starts
    after today is refused (the default is shown, with the reason)."""
    today = timezone.localdate()
    default_start, default_end = last_complete_report_year(today) if report else report_year_containing(today)
    is_manager = request.user.is_manager
    params = with_default_period(request.GET, default_start, default_end)
    typed = iro_pick({"iro_name": request.GET["iro_name"]}) if is_manager and "iro_name" in request.GET else None
    if typed is not None:  # the box was sent: what it holds decides (blank: all IROs)
        params["iro"] = str(typed.chosen_id or "")
        if typed.problem:
            messages.error(request, typed.problem)
    form = DashboardFilterForm(params, for_manager=is_manager, initial={"start": default_start, "end": default_end})
    if form.is_valid() and ReportPeriod(form.cleaned_data["start"], form.cleaned_data["end"], today).not_started:
        form.add_error(None, NOT_STARTED)
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        team, iro = form.cleaned_data.get("team"), form.cleaned_data.get("iro")
    else:
        start, end, team, iro = default_start, default_end, None, None
    form.pick = typed if typed is not None else IROPick(chosen=iro, typed=str(iro) if iro else "")
    form.keep = urlencode({"start": start, "end": end} | ({"team": team.pk} if team else {}))
    return form, start, end, scope_for(user=request.user, team=team, iro=iro)


def _shown_params(form: DashboardFilterForm, start: date, end: date) -> dict[str, object]:
    """The filter of what the page shows (this report year when the filter was refused), so that
    its links and downloads are for exactly the figures on it."""
    shown: dict[str, object] = {"start": start, "end": end}
    if form.is_valid():
        shown |= {name: form.cleaned_data[name].pk for name in ("team", "iro") if form.cleaned_data.get(name)}
    return shown


def _shown_query(form: DashboardFilterForm, start: date, end: date) -> str:
    return urlencode(_shown_params(form, start, end))


NO_FILE = "No file was made: correct the period below, then download again."
PDF_IN_BACKGROUND = (
    "The PDF is now made in the background: choose “Make the PDF” below, and the next page shows how far it has got "
    "and offers the download when it is ready."
)


def _dashboard_page(
    request: AuthenticatedRequest, form: DashboardFilterForm, start: date, end: date, scope: Scope
) -> HttpResponse:
    iro_page = request.GET.get("iro_page", "")
    board = Dashboard(
        start=start,
        end=end,
        today=timezone.localdate(),
        scope=scope,
        iro_page=int(iro_page) if iro_page.isdecimal() and 0 < int(iro_page) < 10_000 else 1,
    )
    return render(
        request,
        "caseload/dashboard.html",
        {
            "form": form,
            "start": start,
            "end": board.end,
            "asked_end": end,
            "to_date": board.period.to_date,
            "default_label": "this report year to date",
            "scope": scope,
            "figures": board.report,
            "panels": board.panels(),
            "query": _shown_query(form, start, end),
        },
    )


@role_required(Role.MANAGER, Role.IRO)
def dashboard(request: AuthenticatedRequest) -> HttpResponse:
    return _dashboard_page(request, *_dashboard_filters(request))


@role_required(Role.MANAGER, Role.IRO)
def dashboard_export(request: AuthenticatedRequest, panel: str, fmt: str) -> HttpResponse:
    if panel not in PANELS or fmt not in ("csv", "xlsx"):
        raise Http404("No such table.")
    form, start, end, scope = _dashboard_filters(request)
    if not form.is_valid():  # no file for some other period than the one asked for: the page says why
        messages.error(request, NO_FILE)
        return _dashboard_page(request, form, start, end, scope)
    table = PANELS[panel](Dashboard(start=start, end=end, today=timezone.localdate(), scope=scope))
    access_log_write(request=request, action=AccessAction.EXPORT, object_type="dashboard_table", object_id=panel)
    return table_response(
        name=f"{panel}-{start}-{end}", title=table.title, columns=table.columns, rows=table.rows, fmt=fmt
    )


@role_required(Role.MANAGER, Role.IRO)
def annual_report_view(request: AuthenticatedRequest) -> HttpResponse:
    """The annual IRO report: figures on the page, and as JSON or PDF."""
    form, start, end, scope = _dashboard_filters(request, report=True)
    today = timezone.localdate()
    wanted = request.GET.get("format")
    if wanted in ("json", "pdf") and not form.is_valid():  # as for the dashboard's downloads
        messages.error(request, NO_FILE)
        wanted = None
    if wanted == "pdf":  # an old link: the PDF is made in the background now, from the page's button
        messages.info(request, PDF_IN_BACKGROUND)
        return redirect(f"{reverse('caseload:report')}?{_shown_query(form, start, end)}#report-pdf")
    if wanted == "json":
        access_log_write(request=request, action=AccessAction.EXPORT, object_type="annual_report", object_id=wanted)
        response: HttpResponse = JsonResponse(
            annual_report(start=start, end=end, scope=scope, today=today), json_dumps_params={"indent": 2}
        )
        response["Content-Disposition"] = f'attachment; filename="iro-report-{start}-{end}.json"'
        return response
    figures = annual_report(start=start, end=end, scope=scope, today=today)
    period = ReportPeriod(start, end, today)
    return render(
        request,
        "caseload/annual_report.html",
        {
            "form": form,
            "start": start,
            "end": period.end,
            "asked_end": end,
            "to_date": period.to_date,
            "default_label": "the last complete report year",
            "scope": scope,
            "labelled": labelled_figures(figures),
            "my_review": my_review_panel(figures),
            "definitions": definitions(),
            "narrative": ReportNarrative.objects.filter(period_start=start, period_end=end).first(),
            "query": _shown_query(form, start, end),
            "pdf_kind": ReportPDFKind.ANNUAL,
            "pdf_params": {name: str(value) for name, value in _shown_params(form, start, end).items()},
        },
    )


@role_required(Role.MANAGER)
def report_narrative(request: AuthenticatedRequest) -> HttpResponse:
    """Managers write the report's narrative sections, kept per report year."""
    period = PeriodForm(request.GET or None)
    if not period.is_valid():
        messages.error(request, "Choose the report's period first.")
        return redirect("caseload:report")
    start, end = period.cleaned_data["start"], period.cleaned_data["end"]
    narrative = ReportNarrative.objects.filter(period_start=start, period_end=end).first()
    form = NarrativeForm(request.POST or None, instance=narrative)
    if request.method == "POST" and form.is_valid():
        try:
            report_narrative_save(start=start, end=end, sections=form.cleaned_data, updated_by=request.user)
        except ValidationError as error:
            form_errors_apply(form, error)
        else:
            messages.success(request, "The report's narrative is saved.")
            return redirect(f"{reverse('caseload:report')}?{urlencode({'start': start, 'end': end})}")
    return render(request, "caseload/report_narrative.html", {"form": form, "start": start, "end": end})


@role_required(Role.MANAGER)
@audited("access_log")
def child_access_log(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Who has seen, changed, downloaded or exported this child's record (managers)."""
    child = access.child_for(user=request.user, pk=pk, today=timezone.localdate())
    rows = AccessLog.objects.filter(child_id=child.pk).select_related("user").order_by("-at", "-pk")
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "caseload/child_access_log.html",
        {"child": child, "page": page, "entries": described(list(page))},
    )


# --- Report PDFs, made in the background (caseload.services.report_pdf_request) --------------


def _no_child(_object_id: object) -> None:
    return None  # a report is about the whole service (or a team, or an IRO), no one child


def _problems(form: ReportPDFRequestForm) -> str:
    return " ".join(str(message) for messages_ in form.errors.values() for message in messages_)


@role_required(Role.MANAGER, Role.IRO)
@require_POST
def report_pdf_ask(request: AuthenticatedRequest) -> HttpResponse:
    """The report page's "Make the PDF": queue it (or find the same one still being made), then
    show its progress."""
    form = ReportPDFRequestForm(request.POST)
    kind = request.POST.get("kind")
    if kind == ReportPDFKind.QA and not request.user.is_manager:
        raise PermissionDenied("The QA report is for managers.")
    back = reverse("audits:qa_report") if kind == ReportPDFKind.QA else reverse("caseload:report")
    today = timezone.localdate()
    annual = form.is_valid() and form.cleaned_data["kind"] == ReportPDFKind.ANNUAL
    if annual and ReportPeriod(form.cleaned_data["start"], form.cleaned_data["end"], today).not_started:
        form.add_error(None, NOT_STARTED)
    if not form.is_valid():
        messages.error(request, f"No PDF was made: {_problems(form)}")
        return redirect(back)
    report_pdf = report_pdf_request(
        requested_by=request.user,
        kind=form.cleaned_data["kind"],
        start=form.cleaned_data["start"],
        end=form.cleaned_data["end"],
        team=form.cleaned_data["team"],
        iro=form.cleaned_data["iro"],
        today=today,
    )
    return redirect(report_pdf)


def _report_pdf_params(report_pdf: ReportPDF) -> dict[str, str]:
    """The report's filter the PDF was asked for with (to ask again, or go back to the page)."""
    params = {"start": str(report_pdf.period_start), "end": str(report_pdf.period_end)}
    for name, value in (("team", report_pdf.team_id), ("iro", report_pdf.iro_id)):
        if value:
            params[name] = str(value)
    return params


def _report_page_url(report_pdf: ReportPDF) -> str:
    """The report page the PDF was asked for from, with its filter."""
    page = reverse("audits:qa_report") if report_pdf.kind == ReportPDFKind.QA else reverse("caseload:report")
    return f"{page}?{urlencode(_report_pdf_params(report_pdf))}"


@role_required(Role.MANAGER, Role.IRO)
def report_pdf(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """How far the PDF has got; the download once it is ready, or why it could not be made."""
    report_pdf = report_pdf_for(user=request.user, pk=pk)
    return render(
        request,
        "caseload/report_pdf.html",
        {
            "report_pdf": report_pdf,
            "report_url": _report_page_url(report_pdf),
            "pdf_kind": report_pdf.kind,
            "pdf_params": _report_pdf_params(report_pdf),
        },
    )


@role_required(Role.MANAGER, Role.IRO)
@audited("report_pdf", action=AccessAction.DOWNLOAD, child_of=_no_child)
def report_pdf_download(request: AuthenticatedRequest, pk: int) -> FileResponse:
    """The finished PDF, for whoever asked for it and managers; every download is logged."""
    report_pdf = report_pdf_for(user=request.user, pk=pk)
    if report_pdf.state != ReportPDFState.DONE:
        raise Http404("This PDF is not ready.")
    try:
        # Checked against the private root (safe_join), as review documents are.
        handle = private_storage().open(report_pdf.file_name, "rb")
    except (SuspiciousFileOperation, FileNotFoundError, IsADirectoryError):
        raise Http404("This PDF's file is not available.") from None
    return FileResponse(handle, as_attachment=True, filename=report_pdf.download_name, content_type="application/pdf")

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.permissions import role_required
from accounts.roles import Role
from children.ages import age_on
from reviews.access import child_for_iro_work, review_for_iro_work
from reviews.codes import PATHWAY_PLAN_FROM_AGE, ReviewStatus
from reviews.timescales import add_working_days

from .codes import MONITORING_FORM_WORKING_DAYS, RatingScheme
from .forms import MidwayReviewForm, MonitoringFormForm
from .models import MonitoringForm
from .selectors import scheme_on
from .services import midway_review_record, monitoring_form_record


@role_required(Role.IRO)
def midway_new(request: HttpRequest, child_pk: int) -> HttpResponse:
    today = timezone.localdate()
    child = child_for_iro_work(user=request.user, pk=child_pk, today=today)
    form = MidwayReviewForm(request.POST or None, initial={"held_on": today})
    if request.method == "POST" and form.is_valid():
        midway_review_record(
            child=child, author=request.user, held_on=form.cleaned_data["held_on"], note=form.cleaned_data["note"]
        )
        messages.success(request, "Midway review recorded.")
        return redirect("caseload:child", pk=child.pk)
    return render(request, "audits/midway_form.html", {"child": child, "form": form})


@role_required(Role.IRO)
def monitoring_form(request: HttpRequest, review_pk: int) -> HttpResponse:
    """The monitoring form after a held review, by the IRO who chairs the child's reviews."""
    review = review_for_iro_work(user=request.user, pk=review_pk, today=timezone.localdate())
    if review.status != ReviewStatus.HELD:
        raise Http404("A monitoring form follows a held review.")
    existing = MonitoringForm.objects.filter(review=review).first()
    scheme = existing.scheme if existing else scheme_on(review.held_on)
    form = MonitoringFormForm(
        request.POST or None,
        scheme=scheme,
        with_pathway_plan=age_on(review.child.date_of_birth, review.held_on) >= PATHWAY_PLAN_FROM_AGE,
    )
    if request.method == "POST" and existing is None and form.is_valid():
        try:
            monitoring_form_record(
                review=review,
                completed_by=request.user,
                ratings=form.ratings(),
                comments=form.comments(),
                shared_on=form.cleaned_data["shared_on"],
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "Monitoring form saved.")
            return redirect("reviews:detail", pk=review.pk)
    return render(
        request,
        "audits/monitoring_form.html",
        {
            "review": review,
            "form": form,
            "existing": existing,
            "scheme_label": RatingScheme(scheme).label,
            "due": add_working_days(review.held_on, MONITORING_FORM_WORKING_DAYS),
        },
    )

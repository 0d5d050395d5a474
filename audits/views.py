from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.permissions import role_required
from accounts.roles import Role
from reviews.access import child_for_iro_work

from .forms import MidwayReviewForm
from .services import midway_review_record


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

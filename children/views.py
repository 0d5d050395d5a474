from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from accounts.audit import audited
from accounts.permissions import role_required
from accounts.roles import Role

from .forms import CaseHoldingIROForm
from .models import Child
from .selectors import current_allocations, iro_caseloads
from .services import allocation_case_holding_set


@role_required(Role.BUSINESS_SUPPORT, Role.MANAGER)
@audited("child")
def allocate(request: HttpRequest, pk: int) -> HttpResponse:
    """Allocate (or reassign) the child's case-holding IRO, seeing each IRO's caseload per FTE."""
    today = timezone.localdate()
    child = get_object_or_404(Child, pk=pk)
    current = current_allocations(today=today).filter(child=child, kind="case_holding").select_related("iro").first()
    form = CaseHoldingIROForm(request.POST or None, initial={"start": today, "iro": current.iro if current else None})
    if request.method == "POST" and form.is_valid():
        try:
            allocation_case_holding_set(child=child, iro=form.cleaned_data["iro"], start=form.cleaned_data["start"])
        except ValidationError as error:
            for field, field_errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, field_errors)
        else:
            messages.success(request, f"{child.display_name} is now held by {form.cleaned_data['iro']}.")
            return redirect("caseload:child", pk=child.pk)
    return render(
        request,
        "children/child_allocate.html",
        {"child": child, "current": current, "form": form, "caseloads": iro_caseloads(today=today)},
    )

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from accounts.audit import audited
from accounts.permissions import AuthenticatedRequest, role_required
from accounts.roles import Role
from iro_service.formerrors import form_errors_apply

from .codes import AllocationKind
from .forms import CaseHoldingIROForm
from .models import Allocation, Child
from .selectors import allocation_history, iro_caseloads
from .services import allocation_case_holding_set


@role_required(Role.BUSINESS_SUPPORT, Role.MANAGER)
@audited("child")
def allocate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Allocate (or reassign) the child's case-holding IRO, seeing each IRO's caseload per FTE."""
    today = timezone.localdate()
    child = get_object_or_404(Child, pk=pk)

    def holder() -> Allocation | None:
        # The open allocation, as the service sees it: today's holder, or the IRO allocated from
        # a start still to come (a child whose care starts later: *New child in care*).
        return (
            Allocation.objects.filter(child=child, kind=AllocationKind.CASE_HOLDING, end__isnull=True)
            .select_related("iro")
            .first()
        )

    current = holder()
    initial: dict[str, object] = {"start": today, "iro": current.iro if current else None}
    initial["held_by_when_opened"] = current.iro_id if current else "none"
    form = CaseHoldingIROForm(request.POST or None, initial=initial, reassigning=current is not None)
    if request.method == "POST" and form.is_valid() and current and current.iro == form.cleaned_data["iro"]:
        # Nothing to do: say so rather than "now held by" as if something had happened.
        messages.info(request, f"Nothing changed: {child.display_name} is already held by {current.iro}.")
        return redirect("caseload:child", pk=child.pk)
    if request.method == "POST" and form.is_valid():
        try:
            allocation_case_holding_set(
                child=child,
                iro=form.cleaned_data["iro"],
                start=form.cleaned_data["start"],
                held_by_when_opened=form.held_by_claim(),
                reason=form.reason_given(),
            )
        except ValidationError as error:
            # Shown against what is held now, so that saving again is a deliberate choice.
            current = holder()
            data = request.POST.copy()
            data["held_by_when_opened"] = str(current.iro_id) if current else "none"
            form = CaseHoldingIROForm(data, reassigning=current is not None)
            form.is_valid()
            form_errors_apply(form, error)
        else:
            messages.success(request, f"{child.display_name} is now held by {form.cleaned_data['iro']}.")
            return redirect("caseload:child", pk=child.pk)
    return render(
        request,
        "children/child_allocate.html",
        {
            "child": child,
            "current": current,
            "today": today,
            "form": form,
            "caseloads": iro_caseloads(today=today),
            "history": allocation_history(child=child),
        },
    )

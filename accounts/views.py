from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .services import notifications_mark_read

PAGE_SIZE = 50


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """My reminders, newest first. Everyone signed in has their own; nobody sees another's."""
    page = Paginator(request.user.notifications.all(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/notification_list.html", {"page": page})


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    ids = [int(value) for value in request.POST.getlist("notification") if value.isdigit()]
    count = notifications_mark_read(user=request.user, notification_ids=ids or None)
    messages.success(request, f"{count} reminder{'s' if count != 1 else ''} marked as read.")
    return redirect("accounts:notifications")

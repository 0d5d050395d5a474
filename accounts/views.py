from base64 import b32encode
from typing import Any

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.paginator import Paginator
from django.core.validators import MaxLengthValidator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from iro_service.inputs import ids_from

from .permissions import AuthenticatedRequest
from .services import TokenCheck, notifications_mark_read, totp_device_for, totp_token_check

PAGE_SIZE = 50


@login_required
def notifications(request: AuthenticatedRequest) -> HttpResponse:
    """My reminders, newest first. Everyone signed in has their own; nobody sees another's."""
    page = Paginator(request.user.notifications.all(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/notification_list.html", {"page": page})


@login_required
@require_POST
def notifications_read(request: AuthenticatedRequest) -> HttpResponse:
    posted = request.POST.getlist("notification")
    ids = ids_from(posted)
    if ids is None:  # not ids ('²' passes str.isdigit): mark nothing rather than guess
        messages.error(request, "Those reminders are not known: choose one from your list, or mark them all as read.")
        return redirect("accounts:notifications")
    count = notifications_mark_read(user=request.user, notification_ids=ids or None)
    messages.success(request, f"{count} reminder{'s' if count != 1 else ''} marked as read.")
    return redirect("accounts:notifications")


class LoginForm(AuthenticationForm):
    """Django's sign-in form, with the username's length checked.

    Django sets the username field's max_length after building the field, so no validator checks
    it; a longer name went on to authenticate() and django-axes wrote it into a 255-character
    column, a server error. Refused here, it never reaches either."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        if not isinstance(username, forms.CharField):  # Django's UsernameField is one
            raise TypeError(f"the username field is a {type(username).__name__}, not a CharField")
        longest = username.max_length
        self.fields["username"].validators.append(
            MaxLengthValidator(longest, f"Enter a username of {longest} characters or fewer.")
        )


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Code from your authenticator app",
        min_length=6,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


@login_required
def two_factor(request: AuthenticatedRequest) -> HttpResponse:
    """Set up (first time) and enter the time-based code of the user's authenticator app."""
    device = totp_device_for(user=request.user)
    setting_up = not device.confirmed
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = totp_token_check(device=device, token=form.cleaned_data["token"])
        if check is TokenCheck.RIGHT:
            otp_login(request, device)
            return redirect("home")
        if check is TokenCheck.THROTTLED:
            form.add_error("token", "Too many wrong codes: wait a few seconds, then enter the code your app shows.")
        else:
            form.add_error("token", "That code is not right (or has expired). Enter the code your app shows now.")
    context = {"form": form, "setting_up": setting_up}
    if setting_up:
        context["secret"] = b32encode(device.bin_key).decode()
        # segno draws the QR code of the otpauth URL (no user text) as SVG markup.
        qr = segno.make(device.config_url, error="m").svg_inline(scale=4)
        # Reviewed: generated markup with no user input in it.
        context["qr_svg"] = mark_safe(qr)  # noqa: S308 # nosec B308 B703
    return render(request, "registration/two_factor.html", context)

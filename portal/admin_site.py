"""The editors' admin site: password plus a second factor (TOTP or a backup code)."""

from __future__ import annotations

import logging
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.signals import user_login_failed
from django.contrib.sessions.models import Session
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

logger = logging.getLogger(__name__)


class OneStepOTPAuthenticationForm(OTPAdminAuthenticationForm):
    """Password and code in one step: the code's shape says which device it is for.

    django-otp asks for the device in a second round trip when none is chosen. Six digits are
    the authenticator app's; anything else is a backup code. Only the signed-in user's own
    confirmed devices are considered, so the choice cannot reach another account's device.
    """

    # One message for every failure (unknown user, wrong password, wrong or missing code, not
    # staff, inactive): which part was right is exactly what a password guesser wants to know.
    error_messages = {
        **OTPAdminAuthenticationForm.error_messages,
        "invalid_login": _(
            "Please enter a correct username, password and code. Note that the username and "
            "password may be case-sensitive."
        ),
        "inactive": _(
            "Please enter a correct username, password and code. Note that the username and "
            "password may be case-sensitive."
        ),
    }

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except forms.ValidationError as error:
            if self.user_cache is not None:
                # The password was right and the code was not: a failed sign-in all the same.
                # Django only signals failed passwords, so say it here for django-axes.
                user_login_failed.send(
                    sender=type(self),
                    credentials={"username": self.cleaned_data.get("username")},
                    request=self.request,
                )
                self.user_cache = None
            raise forms.ValidationError(
                self.error_messages["invalid_login"], code="invalid_login"
            ) from error

    def _chosen_device(self, user: Any) -> Any:
        device = super()._chosen_device(user)
        if device is not None:
            return device
        token = (self.cleaned_data.get("otp_token") or "").strip()
        if not token:
            return None
        model = TOTPDevice if token.isdigit() and len(token) == 6 else StaticDevice
        return model.objects.filter(user=user, confirmed=True).first()


def end_sessions_of(user: Any) -> int:
    """Delete the user's stored sessions (the database session store); returns how many."""
    mine = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]
    Session.objects.filter(pk__in=mine).delete()
    return len(mine)


class MailvetAdminSite(OTPAdminSite):
    site_header = _("mailvet editors")
    site_title = _("mailvet editors")
    index_title = _("Curation")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not settings.ADMIN_REQUIRE_OTP:
            # Demo mode only: plain Django login. The setting defaults to requiring OTP.
            self.login_form = AdminAuthenticationForm
            self.login_template = None
        else:
            self.login_form = OneStepOTPAuthenticationForm

    def get_urls(self) -> list[Any]:
        view = self.admin_view(require_POST(self.logout_everywhere))
        return [path("logout-everywhere/", view, name="logout_everywhere"), *super().get_urls()]

    def logout_everywhere(self, request: HttpRequest) -> HttpResponse:
        """End every session of the signed-in account, on every device, this one included:
        what to do after losing a laptop or suspecting someone else signed in."""
        ended = end_sessions_of(request.user)
        logout(request)
        logger.info("%s ended %d sessions", request.user, ended)
        return HttpResponseRedirect(reverse("admin:login"))

    def has_permission(self, request: HttpRequest) -> bool:
        if settings.ADMIN_REQUIRE_OTP:
            return super().has_permission(request)  # active staff AND verified by a device
        return AdminSite.has_permission(self, request)

"""The editors' admin site: password plus a second factor (TOTP or a backup code)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice


class OneStepOTPAuthenticationForm(OTPAdminAuthenticationForm):
    """Password and code in one step: the code's shape says which device it is for.

    django-otp asks for the device in a second round trip when none is chosen. Six digits are
    the authenticator app's; anything else is a backup code. Only the signed-in user's own
    confirmed devices are considered, so the choice cannot reach another account's device.
    """

    def _chosen_device(self, user: Any) -> Any:
        device = super()._chosen_device(user)
        if device is not None:
            return device
        token = (self.cleaned_data.get("otp_token") or "").strip()
        if not token:
            return None
        model = TOTPDevice if token.isdigit() and len(token) == 6 else StaticDevice
        return model.objects.filter(user=user, confirmed=True).first()


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

    def has_permission(self, request: HttpRequest) -> bool:
        if settings.ADMIN_REQUIRE_OTP:
            return super().has_permission(request)  # active staff AND verified by a device
        return AdminSite.has_permission(self, request)

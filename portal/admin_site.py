"""The editors' admin site: password plus a second factor (TOTP or a backup code)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite


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
            self.login_form = OTPAdminAuthenticationForm

    def has_permission(self, request: HttpRequest) -> bool:
        if settings.ADMIN_REQUIRE_OTP:
            return super().has_permission(request)  # active staff AND verified by a device
        return AdminSite.has_permission(self, request)

"""The editors' admin site: password plus a second factor (TOTP, security key or backup code)."""

from __future__ import annotations

import logging
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.signals import user_login_failed
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST
from django.views.i18n import JavaScriptCatalog
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import security_keys

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

    # Set when the password was right, no code was typed and the account has a security key:
    # the site then sends the browser to the key step instead of showing an error.
    security_key_user: Any = None

    def clean_otp(self, user: Any) -> None:
        code = (self.cleaned_data.get("otp_token") or "").strip()
        if user is not None and not code and security_keys.has_security_key(user):
            self.security_key_user = user
            raise forms.ValidationError(_("Use your security key."), code="security_key")
        super().clean_otp(user)

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except forms.ValidationError as error:
            if self.security_key_user is not None:
                raise  # not a failure: the key step follows
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
            self.login_template = "admin/portal/login.html"

    def get_urls(self) -> list[Any]:
        view = self.admin_view(require_POST(self.logout_everywhere))
        keys = "security-keys/"
        return [
            path("logout-everywhere/", view, name="logout_everywhere"),
            path("login/key/", self.security_key_sign_in, name="security_key_sign_in"),
            path(
                "login/key/begin/",
                security_keys.BeginKeySignIn.as_view(),
                name="security_key_sign_in_begin",
            ),
            path(
                "login/key/complete/",
                security_keys.CompleteKeySignIn.as_view(),
                name="security_key_sign_in_complete",
            ),
            # The library's script messages; also on the key step, before anyone is signed in.
            path(
                f"{keys}jsi18n/",
                JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]),
                name="security_key_jsi18n",
            ),
            path(keys, self.admin_view(self.security_key_list), name="security_keys"),
            path(
                f"{keys}<int:pk>/remove/",
                self.admin_view(require_POST(self.security_key_remove)),
                name="security_key_remove",
            ),
            path(
                f"{keys}register/begin/",
                security_keys.BeginKeyRegistration.as_view(),
                name="security_key_register_begin",
            ),
            path(
                f"{keys}register/complete/",
                security_keys.CompleteKeyRegistration.as_view(),
                name="security_key_register_complete",
            ),
            *super().get_urls(),
        ]

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        response = super().login(request, extra_context)
        form = (getattr(response, "context_data", None) or {}).get("form")
        user = getattr(form, "security_key_user", None)
        if request.method != "POST" or user is None:
            return response
        security_keys.start_key_step(request, user)
        target = reverse("admin:security_key_sign_in")
        next_url = request.POST.get("next") or request.GET.get("next")
        if next_url:
            target = f"{target}?{urlencode({'next': next_url})}"
        return HttpResponseRedirect(target)

    @method_decorator(never_cache)
    @method_decorator(csrf_protect)
    def security_key_sign_in(self, request: HttpRequest) -> HttpResponse:
        """The second step after a right password: the browser asks for the key."""
        if security_keys.pending_user(request) is None:
            return HttpResponseRedirect(reverse("admin:login"))
        context = {
            **self.each_context(request),
            "title": _("Use your security key"),
            "next": request.GET.get("next", reverse("admin:index")),
            "configuration": security_keys.script_configuration(request),
        }
        request.current_app = self.name
        return TemplateResponse(request, "admin/portal/security_key_sign_in.html", context)

    def security_key_list(self, request: HttpRequest) -> HttpResponse:
        """The signed-in user's own keys: add one, see them, remove them."""
        context = {
            **self.each_context(request),
            "title": _("Security keys"),
            "keys": security_keys.keys_of(request.user),
            "may_change": security_keys.signed_in_recently(request),
            "minutes": security_keys.RECENT_SIGN_IN_SECONDS // 60,
            "configuration": security_keys.script_configuration(request),
        }
        request.current_app = self.name
        return TemplateResponse(request, "admin/portal/security_keys.html", context)

    def security_key_remove(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not security_keys.signed_in_recently(request):
            raise PermissionDenied  # the page offers no removal then
        key = get_object_or_404(security_keys.keys_of(request.user), pk=pk)
        key.delete()
        messages.success(request, _("The security key was removed."))
        return HttpResponseRedirect(reverse("admin:security_keys"))

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

"""Security keys (WebAuthn / FIDO2) as a second factor beside TOTP, through django-otp-webauthn.

Signing in: the password comes first, in the usual one-step form. When it is right, no code was
typed and the account has a key, the session remembers who is half-way (for PENDING_SECONDS) and
the browser goes to the key step; only a key verified there signs the user in. A wrong password
never gets that far, so it tells nothing about keys. A failed key step is counted by django-axes
like a wrong code, reads like every other failure, and ends the half-way state: the next try
starts with the password again.

Enrolment: staff add and remove their own keys on their "Security keys" page, within
RECENT_SIGN_IN_SECONDS of signing in. The backup codes stay the way back in when a key is lost.

The library's own URLs (passwordless sign-in among them) are not mounted; the admin site mounts
the subclasses below.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest
from django.http.request import split_domain_port
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp_webauthn.helpers import WebAuthnHelper
from django_otp_webauthn.models import WebAuthnCredential
from django_otp_webauthn.views import (
    BeginCredentialAuthenticationView,
    BeginCredentialRegistrationView,
    CompleteCredentialAuthenticationView,
    CompleteCredentialRegistrationView,
)
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import APIException
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

PENDING_SESSION_KEY = "mailvet_security_key_pending"
SIGNED_IN_SESSION_KEY = "mailvet_signed_in_at"
# Long enough to find the key and touch it; the library asks browsers to wait as long.
PENDING_SECONDS = 300
# Adding or removing a second factor needs a fresh sign-in: a session left open on a shared
# computer must not be enough to add someone else's key.
RECENT_SIGN_IN_SECONDS = 600
# The signed-in user is loaded by this backend when the key step logs them in.
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"

GENERIC_FAILURE = _(
    "Please enter a correct username, password and code. Note that the username and "
    "password may be case-sensitive."
)


# --- Relying party: the site's host, unless configured ------------------------------------------


def relying_party_id(request: HttpRequest) -> str:
    """OTP_WEBAUTHN_RP_ID, else the host the request came to (ALLOWED_HOSTS has vetted it)."""
    return settings.OTP_WEBAUTHN_RP_ID or split_domain_port(request.get_host())[0]


class SecurityKeyHelper(WebAuthnHelper):
    def get_allowed_origins(self) -> list[str]:
        # Without OTP_WEBAUTHN_ALLOWED_ORIGINS, the origin the request came to. The browser writes
        # the page's real origin into the signed client data, so a page elsewhere still fails;
        # production names its origin (WEBAUTHN_ORIGINS) so a proxy's scheme cannot matter.
        configured = list(settings.OTP_WEBAUTHN_ALLOWED_ORIGINS)
        return configured or [f"{self.request.scheme}://{self.request.get_host()}"]

    def create_credential(self, user: Any, *args: Any, **kwargs: Any) -> Any:
        device = super().create_credential(user, *args, **kwargs)
        number = WebAuthnCredential.objects.filter(user=user).count() + 1
        device.name = f"security key {number}"
        return device


def keys_of(user: Any) -> Any:
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("created_at")


def has_security_key(user: Any) -> bool:
    return keys_of(user).exists()


# --- The half-way state between the password and the key ---------------------------------------


def start_key_step(request: HttpRequest, user: Any) -> None:
    request.session[PENDING_SESSION_KEY] = {
        "user": str(user.pk),
        "since": time.time(),
        # A password change meanwhile voids the state, as it voids sessions.
        "hash": user.get_session_auth_hash(),
    }


def end_key_step(request: HttpRequest) -> None:
    request.session.pop(PENDING_SESSION_KEY, None)


def pending_user(request: HttpRequest) -> Any:
    """The user whose password was right a moment ago in this session, or None."""
    state = request.session.get(PENDING_SESSION_KEY)
    if not isinstance(state, dict) or time.time() - state.get("since", 0) > PENDING_SECONDS:
        return None
    user = get_user_model()._default_manager.filter(pk=state.get("user")).first()
    if user is None or not (user.is_active and user.is_staff):
        return None
    if user.get_session_auth_hash() != state.get("hash"):
        return None
    return user


@receiver(user_logged_in)
def _remember_sign_in_time(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_SESSION_KEY] = time.time()


def signed_in_recently(request: HttpRequest) -> bool:
    signed_in_at = request.session.get(SIGNED_IN_SESSION_KEY, 0)
    return time.time() - signed_in_at <= RECENT_SIGN_IN_SECONDS


def script_configuration(request: HttpRequest) -> dict[str, Any]:
    """What the library's scripts read from the page (a JSON data block, not a script)."""
    return {
        "autocompleteLoginFieldSelector": None,  # no passwordless sign-in
        "nextFieldSelector": "input[name='next']",
        "csrfToken": get_token(request),
        "beginAuthenticationUrl": reverse("admin:security_key_sign_in_begin"),
        "completeAuthenticationUrl": reverse("admin:security_key_sign_in_complete"),
        "beginRegistrationUrl": reverse("admin:security_key_register_begin"),
        "completeRegistrationUrl": reverse("admin:security_key_register_complete"),
    }


# --- The library's ceremonies, bound to this site's rules ---------------------------------------


class Refused(APIException):
    status_code = 403
    default_detail = GENERIC_FAILURE
    default_code = "refused"


class RecentSignInNeeded(APIException):
    status_code = 403
    default_detail = _("Sign in again to add or remove a security key.")
    default_code = "recent_sign_in_needed"


class CsrfChecked:
    """DRF exempts its views from CSRF unless a session authenticated the request; the key
    step has no session user yet, so check the token here for every request."""

    schema = None  # the admin's, not the public API's: left out of its OpenAPI schema

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # On Django's request: DRF's would parse the body first, and refuse a form body.
        SessionAuthentication().enforce_csrf(request._request)
        super().initial(request, *args, **kwargs)  # type: ignore[misc]


class BeginKeySignIn(CsrfChecked, BeginCredentialAuthenticationView):
    authentication_classes = []

    def get_user(self) -> Any:
        return pending_user(self.request)

    def check_can_authenticate(self) -> None:
        if self.get_user() is None:
            raise Refused()


class CompleteKeySignIn(CsrfChecked, CompleteCredentialAuthenticationView):
    authentication_classes = []

    def get_user(self) -> Any:
        return pending_user(self.request)

    def check_can_authenticate(self) -> None:
        if self.get_user() is None:
            raise Refused()

    def post(self, *args: Any, **kwargs: Any) -> Response:
        user = self.get_user()
        try:
            return super().post(*args, **kwargs)
        except APIException:
            # A key that does not verify is a failed sign-in like a wrong code: counted by
            # django-axes, the same message, and the password has to be entered again.
            end_key_step(self.request)
            if user is not None:
                user_login_failed.send(
                    sender=type(self),
                    credentials={"username": user.get_username()},
                    request=self.request._request,
                )
            raise Refused() from None

    def complete_auth(self, device: Any) -> None:
        request = self.request._request
        user = device.user
        end_key_step(request)
        user.otp_device = device  # django-otp stores it in the session at login
        auth_login(request, user, backend=MODEL_BACKEND)
        otp_login(request, device)

    def get_success_url(self) -> str:
        return self.get_redirect_url() or reverse("admin:index")


class MaySignInToAdmin(BasePermission):
    """The admin's own rule: active staff, verified by a second factor (unless in demo mode)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        from django.contrib import admin

        return admin.site.has_permission(request._request)


class RegistrationRules:
    schema = None  # the admin's, not the public API's: left out of its OpenAPI schema
    authentication_classes = [SessionAuthentication]
    permission_classes = [MaySignInToAdmin]

    def check_can_register(self) -> None:
        if not signed_in_recently(self.request):  # type: ignore[attr-defined]
            raise RecentSignInNeeded()


class BeginKeyRegistration(RegistrationRules, BeginCredentialRegistrationView):
    pass


class CompleteKeyRegistration(RegistrationRules, CompleteCredentialRegistrationView):
    pass

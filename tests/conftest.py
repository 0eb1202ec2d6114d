from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts import Credentials, create_staff_member
from tests.testnet.fixtures import testnet  # noqa: F401  (session-wide local test network)


@pytest.fixture
def seeded(db: None) -> None:
    call_command("loadseed", verbosity=0)


@pytest.fixture
def editor(db: None) -> Credentials:
    return create_staff_member("test-editor", "editor")


@pytest.fixture
def publisher(db: None) -> Credentials:
    return create_staff_member("test-publisher", "publisher")


def current_totp(username: str) -> str:
    device = TOTPDevice.objects.get(user__username=username)
    token = totp(
        device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift
    )
    return f"{token:0{device.digits}d}"


def login_with_second_factor(client: Client, credentials: Credentials) -> Client:
    """Sign in through the real admin login form: password plus the current TOTP code."""
    device = TOTPDevice.objects.get(user__username=credentials.username)
    response = client.post(
        "/admin/login/?next=/admin/",
        {
            "username": credentials.username,
            "password": credentials.password,
            "otp_device": device.persistent_id,
            "otp_token": current_totp(credentials.username),
        },
    )
    assert response.status_code == 302, response.content[:2000]
    return client


@pytest.fixture
def signed_in() -> Callable[[Credentials], Client]:
    def sign_in(credentials: Credentials) -> Client:
        return login_with_second_factor(Client(), credentials)

    return sign_in


def _field_data(form, data: dict) -> None:
    from django import forms

    for name, field in form.fields.items():
        key = form.add_prefix(name)
        value = form[name].value()
        if isinstance(field, forms.FileField):
            continue
        if isinstance(field, forms.NullBooleanField):
            data[key] = {True: "true", False: "false"}.get(value, "unknown")
        elif isinstance(field, forms.BooleanField):
            if value:
                data[key] = "on"
        elif isinstance(value, list | tuple):
            data[key] = [str(v) for v in value]
        elif value is not None:
            data[key] = str(value)


def change_form_data(response) -> dict:
    """The POST body the admin change form would send unchanged, read from its context."""
    data: dict = {}
    _field_data(response.context["adminform"].form, data)
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = str(management[name].value())
        for form in formset.forms:
            _field_data(form, data)
    return data


@pytest.fixture(scope="session")
def config(request: pytest.FixtureRequest):
    """The checks' network settings pointing at the local test network."""
    from audits.net.config import NetConfig

    return NetConfig.from_env(request.getfixturevalue("testnet").env)

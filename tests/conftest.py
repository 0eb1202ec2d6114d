from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Model
from django.test import Client, override_settings
from django.utils import translation
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts import Credentials, create_staff_member
from portal.cache import bump_version
from tests.testnet.fixtures import testnet  # noqa: F401  (session-wide local test network)
from tests.workers import use_broker

# --- Markers: `pytest -m "not testnet and not browser"` is the quick inner loop ----------------

# `config` reaches the network through getfixturevalue, and test_generated_zones.py starts a
# network of its own, so neither shows `testnet` among a test's fixtures.
TESTNET_FIXTURES = frozenset({"testnet", "config", "generated_net"})
BROWSER_TESTS = Path(__file__).resolve().parent / "browser"


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if TESTNET_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.testnet)
        if BROWSER_TESTS in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """A file, not memory, for the SQLite test database: the worker tests' `celery worker`
    processes (tests/workers.py) must open the database the test writes."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        path = Path(tempfile.gettempdir()) / f"mailvet-test-{os.getpid()}.sqlite3"
        db.setdefault("TEST", {})["NAME"] = str(path)


@pytest.fixture(scope="session", autouse=True)
def _process_local_cache_and_broker() -> Iterator[None]:
    # The embedded default keeps the cache and the broker in folders under var/, shared with a
    # running `make run`; tests keep theirs in memory, private to the session.
    with override_settings(
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                # As the embedded default's: more than a catalogue's pages and representations.
                "OPTIONS": {"MAX_ENTRIES": 50_000},
            }
        }
    ):
        use_broker("memory://")
        yield


@pytest.fixture(autouse=True)
def _default_language_after_each_test() -> Iterator[None]:
    # A request to /ckb/ leaves Kurdish active in the thread; the next test must not inherit it.
    yield
    translation.deactivate()


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing() -> Iterator[None]:
    # PBKDF2's default rounds take a good part of a second per staff member and per sign-in.
    # Production keeps Django's hashers (portal/settings.py).
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


# --- The seed: committed once per session, and every test rolls back to it --------------------


class Seed:
    """The seed document's rows, loaded once into the test database rather than once per test.

    A test that asks for `seeded` sees them; any other database test sees the database as
    `migrate` left it, as before: its tables are emptied inside the test's own transaction. A
    transactional test (`transactional_db`, `live_server`) flushes every table when it ends, so
    the seed is loaded again, once, before the next test that asks for it.
    """

    def __init__(self) -> None:
        self.models: list[type[Model]] = []  # the models whose tables only the seed fills
        self.sentinel: tuple[type[Model], Any] | None = None  # one seed row, to tell it is there

    def load(self) -> None:
        before = _rows()
        call_command("loadseed", verbosity=0)
        after = _rows()
        changed = [model for model in after if after[model] != before[model]]
        overlap = [model._meta.db_table for model in changed if before[model]]
        if overlap:
            raise RuntimeError(
                f"The seed changes tables that migrate fills ({', '.join(overlap)}): tests "
                "without `seeded` can no longer be given the database as migrate left it."
            )
        self.models = changed
        self._remember_a_row()

    def _remember_a_row(self) -> None:
        model = self.models[0]
        self.sentinel = (model, model._base_manager.values_list("pk", flat=True).first())

    def present(self) -> bool:
        if self.sentinel is None:
            return False
        model, pk = self.sentinel
        return model._base_manager.filter(pk=pk).exists()

    def restore(self) -> None:
        """Load the seed again, committed, if a transactional test's flush removed it."""
        if self.sentinel is not None and not self.present():
            call_command("loadseed", verbosity=0)
            self._remember_a_row()

    def remove(self) -> None:
        # Foreign keys are checked at commit (or at the test's end), so the order does not matter.
        with transaction.atomic(), connection.cursor() as cursor:
            for model in self.models:
                table = connection.ops.quote_name(model._meta.db_table)
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608  (a model's own table)


def _rows() -> dict[type[Model], list[tuple]]:
    models = apps.get_models(include_auto_created=True)
    return {
        model: list(model._base_manager.order_by("pk").values_list())
        for model in models
        if model._meta.managed and not model._meta.proxy
    }


SEED = Seed()


@pytest.fixture(scope="session")
def django_db_setup(
    django_db_setup: None,
    django_db_blocker: Any,
    django_db_keepdb: bool,
    django_db_createdb: bool,
) -> None:
    """pytest-django's test database, with the seed loaded once for the whole session."""
    with django_db_blocker.unblock():
        if django_db_keepdb and not django_db_createdb:
            # --reuse-db: start from what migrate leaves, whatever the last session committed.
            call_command("flush", interactive=False, verbosity=0)
        SEED.load()


def _database_use(request: pytest.FixtureRequest) -> str | None:
    names = request.fixturenames
    marker = request.node.get_closest_marker("django_db")
    transactional = {"transactional_db", "live_server", "django_db_reset_sequences"}
    if transactional.intersection(names) or (marker and marker.kwargs.get("transaction")):
        return "transactional_db"
    if "db" in names or marker:
        return "db"
    return None


@pytest.fixture(autouse=True)
def _database_as_the_test_asks(request: pytest.FixtureRequest) -> None:
    use = _database_use(request)
    if use is None:
        return
    forget_renderings()
    wants_seed = "seeded" in request.fixturenames
    request.getfixturevalue("django_db_setup")
    with request.getfixturevalue("django_db_blocker").unblock():
        if wants_seed and not connection.in_atomic_block:  # before this test's transaction
            SEED.restore()
    request.getfixturevalue(use)
    if not wants_seed:
        SEED.remove()


def forget_renderings() -> None:
    """Each test's database is rolled back, but what was kept per content version (the cache,
    each process's rows, index and representations) is not: a version bumped by one test's
    change would name that change's rendering in the next test."""
    from django.core.cache import cache

    from portal.representations import LOCAL
    from providers.compare_view import ROW_FRAGMENTS
    from providers.comparison_index import forget_index

    cache.clear()
    LOCAL.clear()
    ROW_FRAGMENTS.clear()
    forget_index()


@pytest.fixture
def seeded(db: None) -> None:
    """The seed's content (committed once per session; this test's changes are rolled back)."""
    if not SEED.present():  # a flush removed it, and the test's transaction had already begun
        call_command("loadseed", verbosity=0)
    # Loading the seed used to invalidate the cached pages; a test may have cached its own.
    bump_version()


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

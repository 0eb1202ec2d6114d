"""What the seed loader changes is recorded under a named system user that cannot sign in."""

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.test import Client

from criteria.models import Criterion
from portal.accounts import create_staff_member
from portal.system_actor import SYSTEM_USERNAME, system_user
from providers.models import Service
from tests.factories import make_service


def test_the_seeds_services_were_published_by_the_system_user(seeded):
    system = system_user()
    services = Service.objects.published()
    assert services.count() == 8
    for service in services:
        assert service.published_by == system, service
        assert service.state_changed_by == system, service
        newest = service.history.first()
        assert newest.history_user == system, service
        assert newest.state == "published", service


def test_the_seeds_criteria_were_published_by_the_system_user(seeded):
    system = system_user()
    assert set(Criterion.objects.values_list("published_by", flat=True)) == {system.pk}


def test_no_history_record_of_the_seed_is_without_a_user(seeded):
    for label in ("providers", "criteria"):
        for model in apps.get_app_config(label).get_models():
            if "history_user" in {field.name for field in model._meta.fields}:
                assert not model.objects.filter(history_user=None).exists(), model


def test_the_system_user_cannot_sign_in_even_with_a_password(seeded):
    user = system_user()
    assert not user.is_active and not user.is_staff and not user.is_superuser
    assert not user.has_usable_password()
    assert not user.groups.exists()
    user.set_password("guessable")  # as if an operator ran `changepassword` on it
    user.save()
    client = Client()
    client.post(
        "/admin/login/?next=/admin/",
        {"username": SYSTEM_USERNAME, "password": "guessable"},
    )
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_the_system_name_cannot_become_a_staff_account(db):
    with pytest.raises(ValueError, match="reserved"):
        create_staff_member(SYSTEM_USERNAME, "editor")
    with pytest.raises(CommandError, match="reserved"):
        call_command("addstaff", SYSTEM_USERNAME)


def test_a_system_user_that_could_sign_in_stops_the_loader(db):
    get_user_model().objects.create_user(SYSTEM_USERNAME, password="a-real-password")
    with pytest.raises(ImproperlyConfigured, match="reserved"):
        system_user()


def test_rows_only_the_loader_changed_still_follow_the_seed(seeded):
    # The loader's own records do not count as people's edits, so a corrected seed reaches them.
    startmail = Service.objects.get(slug="startmail")
    Service.objects.filter(pk=startmail.pk).update(summary_en="An outdated seed text.")
    call_command("loadseed", verbosity=0)
    startmail.refresh_from_db()
    assert startmail.summary_en.startswith("**StartMail**")


def test_changes_after_a_load_are_not_attributed_to_the_system(seeded):
    call_command("loadseed", verbosity=0)
    service = make_service()
    assert service.history.first().history_user is None

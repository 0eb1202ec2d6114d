"""A change re-renders what shows it and nothing else: one service's rows its own pages, the
catalogue every service's pages, and both the lists (home, categories, comparison)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import cache

from audits.models import AuditResult, AuditRun, AutomatedEvidence
from criteria.models import Assessment, Criterion
from portal.cache import current_version, scope_versions
from portal.content_scopes import CATALOGUE, UNSEEN, path_to_service, scope_of
from providers.models import Feature, FeatureValue, Service, ServiceDomain
from tests.factories import make_criterion, make_published_service, set_feature

LANGUAGES = [code for code, _name in settings.LANGUAGES]


@pytest.fixture(autouse=True)
def _cache_on(settings) -> None:
    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()


def test_every_public_model_has_a_scope() -> None:
    """A service's rows are found by their foreign keys; history rows are nobody's page."""
    expected = {
        Service: ("pk",),
        ServiceDomain: ("service_id",),
        FeatureValue: ("service_id",),
        Assessment: ("service_id",),
        AuditRun: ("service_id",),
        AuditResult: ("run", "service_id"),
        Feature: None,
        Criterion: None,
    }
    for model, path in expected.items():
        assert path_to_service(model) == path, model
    assert path_to_service(AutomatedEvidence) in (
        ("assessment", "service_id"),
        ("run", "service_id"),
    )
    for app in settings.PUBLIC_CONTENT_APPS:
        for model in apps.get_app_config(app).get_models():
            if model.__name__.startswith("Historical"):
                assert scope_of(model()) == UNSEEN, model
            else:
                assert scope_of(model()) != UNSEEN, model


def test_a_services_row_is_scoped_to_it_and_the_catalogue_to_all(db) -> None:
    one = make_published_service(slug="one-mail")
    value = set_feature(one, "openpgp", True)
    assert scope_of(value) == one.pk
    assert scope_of(ServiceDomain(service=one, name="one.example")) == one.pk
    assert scope_of(value.feature) == CATALOGUE


def test_saving_one_services_row_bumps_its_version_only(db) -> None:
    one = make_published_service(slug="one-mail")
    two = make_published_service(slug="two-mail")
    value = set_feature(one, "openpgp", False)  # the feature is created here (the catalogue)
    before = scope_versions([one.pk, two.pk, CATALOGUE])
    site = current_version()
    value.bool_value = True
    value.save()
    after = scope_versions([one.pk, two.pk, CATALOGUE])
    assert after[one.pk] > before[one.pk]
    assert after[two.pk] == before[two.pk]
    assert after[CATALOGUE] == before[CATALOGUE]
    assert current_version() > site  # the lists show it too
    make_criterion(state="published")
    assert scope_versions([CATALOGUE])[CATALOGUE] > after[CATALOGUE]


def test_a_publication_re_renders_that_services_pages_in_every_language_and_nothing_else(
    db, client
) -> None:
    one = make_published_service(slug="one-mail", name="One Mail", summary_en="Old words")
    two = make_published_service(slug="two-mail", name="Two Mail", summary_en="Other words")
    for slug in ("one-mail", "two-mail"):
        for language in LANGUAGES:
            assert client.get(f"/{language}/services/{slug}/").templates  # rendered, kept
    one.summary_en = "New words"
    one.save()
    for language in LANGUAGES:
        changed = client.get(f"/{language}/services/one-mail/")
        assert changed.templates and "New words" in changed.content.decode()
        untouched = client.get(f"/{language}/services/two-mail/")
        assert untouched.status_code == 200
        assert untouched.templates == [], f"{language}: another service's page was re-rendered"
        assert "Other words" in untouched.content.decode()
    # A catalogue change (a feature renamed) is on every service's page.
    feature = set_feature(two, "openpgp", True).feature
    feature.name_en = "OpenPGP renamed"
    feature.save()
    assert client.get("/en/services/one-mail/").templates
    assert "OpenPGP renamed" in client.get("/en/services/two-mail/").content.decode()


def test_an_unpublished_service_page_is_gone_at_once(db, client) -> None:
    one = make_published_service(slug="one-mail")
    assert client.get("/en/services/one-mail/").status_code == 200
    Service.objects.filter(pk=one.pk).update(state="draft")  # even without a signal
    assert client.get("/en/services/one-mail/").status_code == 404

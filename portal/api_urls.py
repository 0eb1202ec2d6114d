"""URLs under /api/: version 1 of the REST API, its OpenAPI schema and its documentation.

This is wiring: it is where the apps' viewsets meet the router, so portal/api.py (the building
blocks they are made of) imports no app.
"""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from audits.api import SLUG_PATTERN, AuditedServiceViewSet, ServiceAuditViewSet
from criteria.api import CriterionGroupViewSet
from providers.api import FeatureViewSet

from .api import AnonymousThrottle, ApiDocsView, ApiSchemaView, LanguageViewSet

app_name = "api"


class ApiRouter(DefaultRouter):
    # No `.json`/`.csv` suffix routes: `?format=` is the one way to pick a format.
    include_format_suffixes = False


def build_router() -> ApiRouter:
    router = ApiRouter()
    # The services endpoint is served by audits' AuditedServiceViewSet: providers' viewset,
    # whose detail criteria extends with the assessments and audits with the latest audit.
    router.register("services", AuditedServiceViewSet, basename="service")
    router.register(
        rf"services/(?P<service_slug>{SLUG_PATTERN})/audits",
        ServiceAuditViewSet,
        basename="service-audit",
    )
    router.register("features", FeatureViewSet, basename="feature")
    router.register("criteria", CriterionGroupViewSet, basename="criterion-group")
    router.register("languages", LanguageViewSet, basename="language")
    return router


urlpatterns = [
    path("v1/", include(build_router().urls)),
    path(
        "schema/",
        ApiSchemaView.as_view(),
        name="schema",
    ),
    path(
        "docs/",
        ApiDocsView.as_view(url_name="api:schema", throttle_classes=[AnonymousThrottle]),
        name="docs",
    ),
]

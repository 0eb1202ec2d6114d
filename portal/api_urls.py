"""URLs under /api/: version 1 of the REST API, its OpenAPI schema and its documentation."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from .api import AnonymousThrottle, ApiDocsView, build_router

app_name = "api"

urlpatterns = [
    path("v1/", include(build_router().urls)),
    path(
        "schema/",
        SpectacularAPIView.as_view(throttle_classes=[AnonymousThrottle]),
        name="schema",
    ),
    path(
        "docs/",
        ApiDocsView.as_view(url_name="api:schema", throttle_classes=[AnonymousThrottle]),
        name="docs",
    ),
]

"""Public pages of the audits app (mounted under each language prefix by portal/urls.py)."""

from django.urls import path

from .feeds import ServiceVerificationFeed, SiteVerificationFeed

app_name = "audits"

urlpatterns = [
    path("verification.atom", SiteVerificationFeed(), name="feed"),
    path("services/<slug:slug>/verification.atom", ServiceVerificationFeed(), name="service-feed"),
]

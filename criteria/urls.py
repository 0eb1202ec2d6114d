"""Public pages of the criteria app (mounted under each language prefix by portal/urls.py)."""

from django.urls import path

from . import views

app_name = "criteria"

urlpatterns = [
    path("criteria/", views.criteria_page, name="criteria"),
    path("services/<slug:slug>/", views.service_detail, name="service"),
]

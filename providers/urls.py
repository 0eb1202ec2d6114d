"""The public pages about services (mounted under each language prefix by portal/urls.py)."""

from django.urls import path, re_path

from . import views

app_name = "providers"

urlpatterns = [
    path("", views.home, name="home"),
    path("compare/", views.compare, name="compare"),
    # Only the three category slugs, so a mistyped path is a plain 404.
    re_path(
        rf"^(?P<category>{'|'.join(c.slug for c in views.CATEGORIES)})/$",
        views.category_page,
        name="category",
    ),
]

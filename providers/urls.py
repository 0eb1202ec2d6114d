"""The public pages about services (mounted under each language prefix by portal/urls.py)."""

from django.urls import path, re_path

from . import compare_view, views

app_name = "providers"

urlpatterns = [
    path("", views.home, name="home"),
    path("compare/", compare_view.compare, name="compare"),
    # Only the three category slugs, so a mistyped path is a plain 404.
    re_path(
        rf"^(?P<category>{'|'.join(c.slug for c in views.CATEGORIES)})/$",
        views.category_page,
        name="category",
    ),
]

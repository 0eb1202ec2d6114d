from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from portal import wellknown
from providers.logo_files import logo_file

# The admin and the API stay unprefixed: the API negotiates its language itself (?lang=,
# Accept-Language), and editors switch languages in the admin's tabs.
urlpatterns = [
    path(".well-known/security.txt", wellknown.security_txt, name="security-txt"),
    path("robots.txt", wellknown.robots_txt, name="robots-txt"),
    path("admin/", admin.site.urls),
    path("api/", include("portal.api_urls")),
    # Uploaded logos, from our own origin (MEDIA_URL is "media/"; the storage names them).
    path("media/logos/<str:name>", logo_file, name="logo-file"),
]

# Public pages under /en/, /ckb/, ...; LocaleMiddleware redirects "/" by Accept-Language.
urlpatterns += i18n_patterns(
    path("", include("audits.urls")),
    path("", include("criteria.urls")),
    path("", include("providers.urls")),
    prefix_default_language=True,
)

# A database outage is a 503 in the visitor's language, anything else the usual 500.
handler500 = "portal.errors.server_error"

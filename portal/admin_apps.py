from django.contrib.admin.apps import AdminConfig


class MailvetAdminConfig(AdminConfig):
    """Replaces Django's admin app so that `admin.site` is the two-factor site."""

    default_site = "portal.admin_site.MailvetAdminSite"

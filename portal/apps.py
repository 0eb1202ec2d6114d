from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The project package is an app too, so it can host the seed loader that spans all apps."""

    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from . import (
            cache,  # noqa: F401  (connects the handlers that invalidate the public pages)
            roles,  # noqa: F401  (connects the post_migrate handler that creates the roles)
        )

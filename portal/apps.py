from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The project package is an app too, so it can host the seed loader that spans all apps."""

    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from . import (
            cache,  # noqa: F401  (connects the handlers that invalidate the public pages)
            review,  # noqa: F401  (closes the revisions of deleted content)
            roles,  # noqa: F401  (connects the post_migrate handler that creates the roles)
            text_normalisation,
        )

        text_normalisation.connect()

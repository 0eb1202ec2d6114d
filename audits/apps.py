from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditsConfig(AppConfig):
    name = "audits"
    verbose_name = _("Audits")

    def ready(self) -> None:
        # criteria and providers cannot import audits (it depends on them), so audits plugs its
        # check table and its "verified" filter into their extension points here.
        from audits import verification
        from audits.registry import label
        from audits.scoring import checks_for
        from criteria.automation import register_checks

        register_checks(checks_for, label)
        verification.register()

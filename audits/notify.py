"""Mail the editors and publishers about the regressions one run opened: one mail per run."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation

from audits.models import Alert, AuditRun
from portal.roles import EDITORS, PUBLISHERS


def recipients() -> list[str]:
    users = (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=[EDITORS, PUBLISHERS])
        .exclude(email="")
    )
    return sorted(set(users.values_list("email", flat=True)))


def notify_regressions(run_id: int) -> int:
    """Send the mail for run `run_id`'s new alerts not yet notified; returns mails sent (0/1)."""
    run = AuditRun.objects.select_related("service").get(pk=run_id)
    alerts = list(Alert.objects.filter(opened_run=run, notified_at__isnull=True))
    to = recipients()
    if not alerts or not to:
        return 0
    # Staff mail is in the site's default language; the alert texts are translated for it.
    with translation.override(settings.LANGUAGE_CODE):
        context = {"run": run, "service": run.service, "alerts": alerts}
        subject = render_to_string("audits/regression_subject.txt", context).strip()
        body = render_to_string("audits/regression_mail.txt", context)
    sent = send_mail(subject, body, None, to)
    Alert.objects.filter(pk__in=[a.pk for a in alerts]).update(notified_at=timezone.now())
    return sent

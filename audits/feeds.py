"""Atom feeds of verification changes: a check got worse (an alert opened) or recovered (closed).

One feed for the whole site and one per service, in the page's language, so people can follow
"Proton Mail lost DANE on its MX" without an account. Published services only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from audits.models import Alert
from providers.models import Service

ITEMS = 50


@dataclass(frozen=True)
class Change:
    alert: Alert
    recovered: bool

    @property
    def when(self) -> datetime:
        return self.alert.closed_at if self.recovered else self.alert.opened_at  # type: ignore[return-value]


def changes(alerts: list[Alert]) -> list[Change]:
    """Each alert is one change when it opened and another when it closed, newest first."""
    found = [Change(alert, False) for alert in alerts]
    found += [Change(alert, True) for alert in alerts if alert.closed_at]
    return sorted(found, key=lambda change: (change.when, change.alert.pk), reverse=True)[:ITEMS]


def recent_alerts(service: Service | None = None) -> list[Alert]:
    alerts = Alert.objects.filter(service__state="published").select_related("service")
    if service is not None:
        alerts = alerts.filter(service=service)
    latest = alerts.order_by("-opened_at")[:ITEMS]
    closed = alerts.filter(closed_at__isnull=False).order_by("-closed_at")[:ITEMS]
    return list({alert.pk: alert for alert in [*latest, *closed]}.values())


class SiteVerificationFeed(Feed):
    feed_type = Atom1Feed

    def title(self) -> str:
        return _("Verification changes")

    def subtitle(self) -> str:
        return _("Automated checks that got worse or recovered, for every recommended service.")

    def link(self) -> str:
        return reverse("providers:home")

    def items(self) -> list[Change]:
        return changes(recent_alerts())

    def item_title(self, change: Change) -> str:
        alert = change.alert
        values = {
            "service": alert.service.name,
            "check": alert.check_label,
            "target": alert.target,
            "before": alert.get_previous_status_display(),
            "now": alert.get_status_display(),
        }
        if change.recovered:
            return _("%(service)s: %(check)s recovered on %(target)s") % values
        return _("%(service)s: %(check)s got worse on %(target)s (%(before)s → %(now)s)") % values

    def item_description(self, change: Change) -> str:
        return change.alert.summary

    def item_link(self, change: Change) -> str:
        return reverse("criteria:service", args=[change.alert.service.slug]) + "#audit"

    def item_guid(self, change: Change) -> str:
        return f"alert-{change.alert.pk}-{'closed' if change.recovered else 'opened'}"

    item_guid_is_permalink = False

    def item_pubdate(self, change: Change) -> datetime:
        return change.when

    def item_updateddate(self, change: Change) -> datetime:
        return change.when


class ServiceVerificationFeed(SiteVerificationFeed):
    def get_object(self, request: HttpRequest, slug: str) -> Service:  # type: ignore[override]
        return get_object_or_404(Service.objects.published(), slug=slug)

    def title(self, service: Service) -> str:  # type: ignore[override]
        return _("Verification changes: %(service)s") % {"service": service.name}

    def link(self, service: Service) -> str:  # type: ignore[override]
        return reverse("criteria:service", args=[service.slug]) + "#audit"

    def items(self, service: Service) -> list[Change]:  # type: ignore[override]
        return changes(recent_alerts(service))

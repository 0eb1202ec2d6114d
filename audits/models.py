"""Stored audits: a run per service, its results, the regressions they opened, and the link from
an automated assessment back to the run that produced it.

Results keep a stable message (the English source text of the check's summary, a gettext msgid)
and its parameters, never a translated sentence: `AuditResult.summary` translates it when it is
shown, so a run's history reads in every language whatever language the worker ran in.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from audits.checks.result import STATUS_LABELS, CheckStatus
from audits.registry import CheckKey, label
from criteria.models import Assessment
from providers.models import Service, ServiceDomain

STATUS_CHOICES = [(status.value, STATUS_LABELS[status]) for status in CheckStatus]


class RunState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


# A service has at most one of these at a time (a constraint below): the scheduler, the admin
# button and a re-delivered task can never start a second audit of the same service.
ACTIVE_STATES = (RunState.QUEUED, RunState.RUNNING)


class Trigger(models.TextChoices):
    MANUAL = "manual", _("Manual (admin)")
    SCHEDULED = "scheduled", _("Scheduled")
    COMMAND = "command", _("Command line")
    RETRY = "retry", _("Re-queued after a stuck run")


class Outcome(models.TextChoices):
    """The worst status of a finished run's results, for filtering the run list."""

    PASS = "pass", _("All passed")
    WARN = "warn", _("Warnings")
    FAIL = "fail", _("Failures")
    ERROR = "error", _("Errors")
    EMPTY = "empty", _("Nothing to audit")


class AuditRunQuerySet(models.QuerySet):
    def active(self) -> AuditRunQuerySet:
        return self.filter(state__in=ACTIVE_STATES)

    def done_newest_first(self) -> AuditRunQuerySet:
        """Finished runs whose results count, the newest first (what pages, the API, the
        `verified` filter and regressions compare against)."""
        return self.filter(state=RunState.DONE).order_by("-finished_at", "-pk")

    def latest_done_for(self, service: Service) -> AuditRun | None:
        return self.done_newest_first().filter(service=service).first()


class AuditRun(models.Model):
    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.CASCADE, related_name="audit_runs"
    )
    trigger = models.CharField(_("trigger"), max_length=12, choices=Trigger.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    state = models.CharField(
        _("state"), max_length=10, choices=RunState.choices, default=RunState.QUEUED
    )
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices, blank=True)
    queued_at = models.DateTimeField(_("queued at"), auto_now_add=True, db_index=True)
    # Set once the task message reached the broker: a queued run without it is re-sent by the
    # scheduler's next tick (the broker was down when the run was requested).
    dispatched_at = models.DateTimeField(_("sent to the workers at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True, db_index=True)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    # Who is running it: "host:pid" of the worker process, and until when its claim holds. A
    # re-delivered task takes a running run over only when that process is gone or the lease ran
    # out, so a run is never executed twice at once.
    claimed_by = models.CharField(_("claimed by"), max_length=200, blank=True)
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    retry_of = models.ForeignKey(
        "self",
        verbose_name=_("retry of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="retries",
    )
    error = models.TextField(_("error"), blank=True)
    # Whether any result differs from the previous finished run (status per domain, check and
    # target): retention keeps these forever and prunes unchanged runs past AUDIT_RETENTION_DAYS.
    changed = models.BooleanField(_("changed"), default=False)

    objects = AuditRunQuerySet.as_manager()

    # What dates the API's Last-Modified (portal/api.py): a run is visible once it has finished.
    LAST_MODIFIED_FIELD = "finished_at"

    class Meta:
        ordering = ["-queued_at", "-pk"]
        verbose_name = _("audit run")
        verbose_name_plural = _("audit runs")
        permissions = [("request_audit", _("Can request an audit of a service"))]
        constraints = [
            models.UniqueConstraint(
                fields=["service"],
                condition=Q(state__in=ACTIVE_STATES),
                name="one_active_audit_per_service",
            ),
        ]
        indexes = [models.Index(fields=["service", "state", "-finished_at"])]

    def __str__(self) -> str:
        return f"{self.service} #{self.pk} ({self.get_state_display()})"


class AuditResult(models.Model):
    """One check's result on one target (domain or host) of one of the service's domains."""

    run = models.ForeignKey(AuditRun, on_delete=models.CASCADE, related_name="results")
    domain = models.CharField(_("domain"), max_length=253)
    role = models.CharField(_("role"), max_length=16, choices=ServiceDomain.Role.choices)
    check_key = models.CharField(_("check"), max_length=32, choices=CheckKey.choices)
    target = models.CharField(_("target"), max_length=253)
    status = models.CharField(_("status"), max_length=16, choices=STATUS_CHOICES)
    # The summary's English source text (its gettext msgid) and the values it interpolates.
    message = models.TextField(_("message"))
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    duration_ms = models.FloatField(_("duration (ms)"), default=0)
    checked_at = models.DateTimeField(_("checked at"))

    class Meta:
        ordering = ["run", "domain", "check_key", "target"]
        verbose_name = _("audit result")
        verbose_name_plural = _("audit results")
        constraints = [
            # One result per (run, domain, check, target), even when a task is delivered twice.
            models.UniqueConstraint(
                fields=["run", "domain", "check_key", "target"], name="one_result_per_target"
            ),
        ]
        indexes = [models.Index(fields=["domain", "check_key", "target"])]

    def __str__(self) -> str:
        return f"{self.check_key} {self.target}: {self.status}"

    @property
    def summary(self) -> str:
        """The message in the active language (English when it has no translation)."""
        text = gettext(self.message) if self.message else ""
        return text % self.params if self.params else text

    @property
    def check_label(self) -> str:
        return label(self.check_key)

    @property
    def identity(self) -> tuple[str, str, str]:
        return (self.domain, self.check_key, self.target)

    def as_dict(self) -> dict[str, Any]:
        return {
            "domain": self.domain,
            "role": self.role,
            "check": self.check_key,
            "target": self.target,
            "status": self.status,
            "summary": self.summary,
            "details": self.details,
            "checked_at": self.checked_at,
        }


class AlertQuerySet(models.QuerySet):
    def open(self) -> AlertQuerySet:
        return self.filter(closed_at__isnull=True)


class Alert(models.Model):
    """A check that got worse than in the previous finished run; closed when it recovers."""

    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.CASCADE, related_name="audit_alerts"
    )
    domain = models.CharField(_("domain"), max_length=253)
    check_key = models.CharField(_("check"), max_length=32, choices=CheckKey.choices)
    target = models.CharField(_("target"), max_length=253)
    previous_status = models.CharField(_("previous status"), max_length=16, choices=STATUS_CHOICES)
    status = models.CharField(_("new status"), max_length=16, choices=STATUS_CHOICES)
    message = models.TextField(_("message"), blank=True)
    opened_run = models.ForeignKey(
        AuditRun, verbose_name=_("opened by run"), on_delete=models.CASCADE, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"), db_index=True)
    closed_run = models.ForeignKey(
        AuditRun,
        verbose_name=_("closed by run"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, db_index=True)
    notified_at = models.DateTimeField(_("editors notified at"), null=True, blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("regression alert")
        verbose_name_plural = _("regression alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["service", "domain", "check_key", "target"],
                condition=Q(closed_at__isnull=True),
                name="one_open_alert_per_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service}: {label(self.check_key)} on {self.target}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def summary(self) -> str:
        return gettext(self.message) if self.message else ""

    @property
    def check_label(self) -> str:
        return label(self.check_key)


class AutomatedEvidence(models.Model):
    """Which run an automated assessment came from (criteria knows nothing of audits)."""

    assessment = models.OneToOneField(
        Assessment, on_delete=models.CASCADE, related_name="automated_evidence"
    )
    run = models.ForeignKey(AuditRun, on_delete=models.CASCADE, related_name="evidence")
    checks = models.JSONField(_("checks"), default=list)

    class Meta:
        verbose_name = _("automated evidence")
        verbose_name_plural = _("automated evidence")

    def __str__(self) -> str:
        return f"{self.assessment} <- run {self.run_id}"

    def results(self) -> models.QuerySet[AuditResult]:
        return self.run.results.filter(check_key__in=self.checks)


class Disagreement(Assessment):
    """An editorial verdict that the latest automated one contradicts: one of them is wrong.

    A proxy, so the admin can list these apart from the assessments (audits/admin.py)."""

    class Meta:
        proxy = True
        verbose_name = _("disagreement with the audit")
        verbose_name_plural = _("disagreements with the audit")

"""The audits in the admin: runs with their results, regression alerts, disagreements between
editors and the machine, and the "Audit now" button and bulk action on services.

Everything here is read-only: results are machine output, and the only thing a person does is ask
for a run (permission `audits.request_audit`, held by editors and publishers).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import connection
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from audits.dispatch import BrokerUnavailable, dispatch, dispatch_on_commit
from audits.models import Alert, AuditResult, AuditRun, Disagreement, Trigger
from audits.net.config import ConfigError, NetConfig
from audits.pipeline import request_run
from criteria.models import Assessment, AssessmentSource, Verdict
from providers.admin import ServiceAdmin
from providers.models import Service

REQUEST_PERMISSION = "audits.request_audit"


def flatten(fields: tuple[Any, ...]) -> tuple[str, ...]:
    """("a", ("b", "c")) -> ("a", "b", "c"): a fieldset layout as the list of its fields."""
    return tuple(n for f in fields for n in (f if isinstance(f, tuple) else (f,)))


class ReadOnlyAdminMixin:
    """Machine output: viewable by those allowed, changeable by nobody (superusers included)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditResultInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = AuditResult
    fields = ("domain", "role", "check_key", "target", "status", "summary_text", "duration_ms")
    readonly_fields = flatten(fields)
    ordering = ("domain", "check_key", "target")
    extra = 0

    @admin.display(description=_("summary"))
    def summary_text(self, result: AuditResult) -> str:
        return result.summary


@admin.register(AuditRun)
class AuditRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "service", "state", "outcome", "trigger", "queued_at", "finished_at")
    list_filter = ("state", "outcome", "trigger", "service")
    search_fields = ("service__name", "task_id")
    list_select_related = ("service",)
    date_hierarchy = "queued_at"
    inlines = [AuditResultInline]
    fields = (
        ("service", "trigger", "requested_by"),
        ("state", "outcome", "changed"),
        ("queued_at", "dispatched_at", "started_at", "finished_at"),
        ("task_id", "attempts", "retry_of"),
        "error",
    )
    readonly_fields = flatten(fields)

    def get_urls(self) -> list[Any]:
        request_view = self.admin_site.admin_view(require_POST(self.request_view))
        return [
            path(
                "request/<int:service_id>/",
                request_view,
                name="audits_auditrun_request",
            ),
            *super().get_urls(),
        ]

    def request_view(self, request: HttpRequest, service_id: int) -> HttpResponse:
        """The service page's "Audit now" button posts here."""
        service = get_object_or_404(Service, pk=service_id)
        back = reverse("admin:providers_service_change", args=[service.pk])
        if not request.user.has_perm(REQUEST_PERMISSION):
            messages.error(request, _("You may not request audits."))
            return HttpResponseRedirect(back)
        request_audits(request, [service])
        return HttpResponseRedirect(back)


def request_audits(request: HttpRequest, services: list[Service]) -> None:
    """Queue a run per service and tell the editor what happened, broker down included.

    The task is sent right away (not after the response), so the editor learns whether the
    broker took it; the run itself is done by a worker, never in this request.
    """
    try:
        NetConfig.from_env()  # the worker would fail every run on a malformed AUDIT_* setting
    except ConfigError as exc:
        messages.error(
            request,
            _("Audits cannot run until an operator corrects a setting: %(reason)s")
            % {"reason": exc},
        )
        return
    queued = already = 0
    unsent = []
    for service in services:
        run, created = request_run(service, Trigger.MANUAL, user=request.user, send=False)
        if not created:
            already += 1
            continue
        queued += 1
        if connection.in_atomic_block:
            # Sent after the commit, or a worker could look for a row it cannot see yet.
            dispatch_on_commit(run)
            continue
        try:
            dispatch(run)
        except BrokerUnavailable:
            unsent.append(run)
    if queued:
        messages.success(
            request,
            ngettext(
                "Audit queued for %(count)d service.",
                "Audits queued for %(count)d services.",
                queued,
            )
            % {"count": queued},
        )
    if already:
        messages.info(
            request,
            ngettext(
                "%(count)d service already had an audit queued or running.",
                "%(count)d services already had an audit queued or running.",
                already,
            )
            % {"count": already},
        )
    if unsent:
        messages.warning(
            request,
            _(
                "The task queue is unavailable right now. The audit is saved as queued and "
                "will start automatically once the queue is back; nothing is lost."
            ),
        )


@admin.action(description=_("Audit now"), permissions=["request_audit"])
def audit_selected(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Service]) -> None:
    request_audits(request, list(queryset))


def _has_request_audit_permission(self: Any, request: HttpRequest) -> bool:
    return request.user.has_perm(REQUEST_PERMISSION)


@admin.display(description=_("automated audit"))
def latest_audit(self: Any, service: Service) -> str:
    """The newest run, a link to every run, and the "Audit now" button (it posts the change
    form to the audit URL, so no nested form is needed)."""
    if service.pk is None:
        return "–"
    run = AuditRun.objects.filter(service=service).order_by("-queued_at", "-pk").first()
    runs_url = reverse("admin:audits_auditrun_changelist") + f"?service__id__exact={service.pk}"
    button = format_html(
        '<button type="submit" class="button" formaction="{}" formnovalidate>{}</button>',
        reverse("admin:audits_auditrun_request", args=[service.pk]),
        _("Audit now"),
    )
    if run is None:
        return format_html("{} {}", _("Never audited."), button)
    return format_html(
        '<a href="{}">{}</a> · <a href="{}">{}</a> {}',
        reverse("admin:audits_auditrun_change", args=[run.pk]),
        run,
        runs_url,
        _("all runs"),
        button,
    )


# providers must not import audits, so the service admin gets its audit parts here, where both
# are known (as criteria does with the assessments inline).
ServiceAdmin.actions = [*(ServiceAdmin.actions or []), audit_selected]
ServiceAdmin.has_request_audit_permission = _has_request_audit_permission  # type: ignore[attr-defined]
ServiceAdmin.latest_audit = latest_audit  # type: ignore[attr-defined]
ServiceAdmin.readonly_fields = (*ServiceAdmin.readonly_fields, "latest_audit")
ServiceAdmin.fieldsets = (
    *ServiceAdmin.fieldsets,
    (_("Automated audit"), {"fields": ("latest_audit",)}),
)


class OpenFilter(admin.SimpleListFilter):
    title = _("open or closed")
    parameter_name = "open"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Open")), ("no", _("Closed"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Alert]) -> QuerySet[Alert]:
        if self.value() == "yes":
            return queryset.filter(closed_at__isnull=True)
        if self.value() == "no":
            return queryset.filter(closed_at__isnull=False)
        return queryset


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "service",
        "check_key",
        "target",
        "previous_status",
        "status",
        "opened_at",
        "closed_at",
        "notified_at",
    )
    list_filter = (OpenFilter, "check_key", "service")
    list_select_related = ("service",)
    search_fields = ("service__name", "target", "domain")
    fields = (
        ("service", "domain", "check_key", "target"),
        ("previous_status", "status"),
        "message",
        ("opened_run", "opened_at", "notified_at"),
        ("closed_run", "closed_at"),
    )
    readonly_fields = flatten(fields)


def disagreements() -> QuerySet[Assessment]:
    automated = Assessment.objects.filter(
        service=OuterRef("service"),
        criterion=OuterRef("criterion"),
        source=AssessmentSource.AUTOMATED,
    )
    judged = [Verdict.MET, Verdict.PARTLY, Verdict.NOT_MET]
    return (
        Disagreement.objects.filter(source=AssessmentSource.EDITORIAL, verdict__in=judged)
        .annotate(
            automated_verdict=Subquery(automated.values("verdict")[:1]),
            automated_at=Subquery(automated.values("assessed_at")[:1]),
        )
        .filter(automated_verdict__in=judged)
        .exclude(automated_verdict=F("verdict"))
        .select_related("service", "criterion")
    )


@admin.register(Disagreement)
class DisagreementAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("service", "criterion", "verdict", "automated", "assessed_at")
    list_filter = ("service", "criterion__group")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Assessment]:
        return disagreements()

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("criteria.view_assessment")

    @admin.display(description=_("latest automated verdict"))
    def automated(self, assessment: Any) -> str:
        return f"{Verdict(assessment.automated_verdict).label} ({assessment.automated_at:%Y-%m-%d})"

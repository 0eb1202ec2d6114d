"""The API's view of automated verification: a service's audit runs, one run with its results,
and the latest audit inside the service detail.

Only published services' finished runs are served. Results carry a stable check key and the
summary translated into the request's language (stored as its English source, see models.py).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, viewsets

from audits.checks.result import CheckStatus
from audits.models import STATUS_CHOICES, AuditResult, AuditRun, Outcome, RunState, Trigger
from audits.registry import CheckKey, label
from audits.scoring import worst
from criteria.api import AssessedServiceSerializer, AssessedServiceViewSet
from portal.api import ERROR_RESPONSES, PublicApiMixin, language_parameter
from providers.models import Service, ServiceDomain

# Runs the public sees: finished ones. A queued or running run has nothing to show yet.
PUBLIC_STATES = (RunState.DONE, RunState.FAILED)


class AuditResultSerializer(serializers.ModelSerializer):
    check = serializers.ChoiceField(source="check_key", choices=CheckKey.choices)
    check_label = serializers.CharField(help_text="The check's name in the requested language.")
    role = serializers.ChoiceField(choices=ServiceDomain.Role.choices)
    status = serializers.ChoiceField(choices=STATUS_CHOICES)
    summary = serializers.CharField(help_text="One sentence, in the requested language.")
    details = serializers.JSONField(
        help_text="What the check found, per check (see the README's audit section)."
    )

    class Meta:
        model = AuditResult
        fields = [
            "domain",
            "role",
            "check",
            "check_label",
            "target",
            "status",
            "summary",
            "details",
            "duration_ms",
            "checked_at",
        ]


class AuditRunSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="pk")
    state = serializers.ChoiceField(choices=PUBLIC_STATES)
    trigger = serializers.ChoiceField(choices=Trigger.choices)
    outcome = serializers.ChoiceField(
        choices=Outcome.choices, allow_blank=True, help_text="The worst status of its results."
    )

    class Meta:
        model = AuditRun
        fields = ["id", "state", "trigger", "outcome", "queued_at", "started_at", "finished_at"]


class AuditRunDetailSerializer(AuditRunSerializer):
    results = AuditResultSerializer(many=True, source="ordered_results")

    class Meta(AuditRunSerializer.Meta):
        fields = [*AuditRunSerializer.Meta.fields, "results"]


class CheckSummarySerializer(serializers.Serializer):
    check = serializers.ChoiceField(choices=CheckKey.choices)
    check_label = serializers.CharField()
    status = serializers.ChoiceField(
        choices=STATUS_CHOICES, help_text="The worst status over the service's domains."
    )


class LatestAuditSerializer(AuditRunSerializer):
    checks = serializers.SerializerMethodField(help_text="Each check's status over all domains.")

    class Meta(AuditRunSerializer.Meta):
        fields = [*AuditRunSerializer.Meta.fields, "checks"]

    @extend_schema_field(CheckSummarySerializer(many=True))
    def get_checks(self, run: AuditRun) -> list[dict[str, Any]]:
        per_check: dict[str, list[CheckStatus]] = {}
        for result in run.ordered_results:
            per_check.setdefault(result.check_key, []).append(CheckStatus(result.status))
        return [
            {"check": key, "check_label": label(key), "status": worst(statuses)}
            for key, statuses in per_check.items()
        ]


class AuditedServiceSerializer(AssessedServiceSerializer):
    """The service detail as served: assessments (criteria) and the latest audit (here)."""

    latest_audit = serializers.SerializerMethodField(
        help_text="The newest finished audit run, or null when the service was never audited."
    )

    class Meta(AssessedServiceSerializer.Meta):
        fields = [*AssessedServiceSerializer.Meta.fields[:-1], "latest_audit", "fallback_languages"]

    @extend_schema_field(LatestAuditSerializer(allow_null=True))
    def get_latest_audit(self, service: Service) -> dict[str, Any] | None:
        run = getattr(service, "latest_audit", None)
        return LatestAuditSerializer(run, context=self.context).data if run else None


def with_ordered_results(run: AuditRun | None) -> AuditRun | None:
    """Attach the run's results in display order (one query)."""
    if run is not None:
        run.ordered_results = list(run.results.order_by("check_key", "domain", "target"))
    return run


@extend_schema_view(
    retrieve=extend_schema(
        summary="One published service, by slug, with its assessments and latest audit",
        parameters=[language_parameter()],
        responses={200: AuditedServiceSerializer, **ERROR_RESPONSES},
    ),
)
class AuditedServiceViewSet(AssessedServiceViewSet):
    """The services endpoint: published services; the detail adds assessments and the audit."""

    detail_serializer_class = AuditedServiceSerializer

    def get_object(self) -> Service:
        service = super().get_object()
        service.latest_audit = with_ordered_results(AuditRun.objects.latest_done_for(service))
        return service


SLUG_PATTERN = r"[-a-zA-Z0-9_]+"
SERVICE_SLUG = OpenApiParameter(
    "service_slug",
    str,
    OpenApiParameter.PATH,
    description="The service's slug.",
    pattern=f"^{SLUG_PATTERN}$",
)


@extend_schema_view(
    list=extend_schema(
        summary="A published service's finished audit runs, newest first",
        parameters=[SERVICE_SLUG, language_parameter()],
        responses={200: AuditRunSerializer(many=True), **ERROR_RESPONSES},
    ),
    retrieve=extend_schema(
        summary="One audit run with every result",
        parameters=[SERVICE_SLUG, language_parameter()],
        responses={200: AuditRunDetailSerializer, **ERROR_RESPONSES},
    ),
)
class ServiceAuditViewSet(PublicApiMixin, viewsets.ReadOnlyModelViewSet):
    """The automated audits of one published service."""

    lookup_value_regex = r"[0-9]+"
    # The run id in the path: documented as an integer, so a client never sends anything else.

    def service(self) -> Service:
        return get_object_or_404(Service.objects.published(), slug=self.kwargs["service_slug"])

    def get_queryset(self) -> QuerySet[AuditRun]:
        return AuditRun.objects.filter(service=self.service(), state__in=PUBLIC_STATES).order_by(
            "-finished_at", "-pk"
        )

    def get_object(self) -> AuditRun:
        run = super().get_object()
        return with_ordered_results(run)  # type: ignore[return-value]

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return AuditRunDetailSerializer if self.action == "retrieve" else AuditRunSerializer

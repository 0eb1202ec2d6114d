"""The API's criteria (groups, levels, criteria and the services meeting each) and assessments.

Only published criteria are served, and only published services are ever named: an assessment of a
draft service, or of a draft criterion, never reaches a response. Which services meet a criterion
is decided by criteria/verdicts.py (editorial beats automated), as on the criteria page.

The services endpoint's detail gains its assessments here (AssessedServiceViewSet), because
criteria depends on providers and not the other way round.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets

from portal.api import (
    ERROR_RESPONSES,
    FallbackLanguagesField,
    PublicApiMixin,
    TranslatedField,
    language_parameter,
)
from providers.api import ServiceDetailSerializer, ServiceViewSet

from .automation import checks_for
from .models import Assessment, AssessmentSource, Criterion, CriterionGroup, Level
from .verdicts import services_meeting


class MeetingServiceSerializer(serializers.Serializer):
    slug = serializers.CharField(source="service.slug")
    name = serializers.CharField(source="service.name")
    source = serializers.ChoiceField(
        choices=AssessmentSource.choices, help_text="Whose assessment decided: editorial wins."
    )


class SubCriterionSerializer(serializers.ModelSerializer):
    text = TranslatedField(help_text="Markdown.")
    checks = serializers.SerializerMethodField(
        help_text=(
            "The automated checks whose results are evidence for this criterion (empty: "
            "assessed by editors only). Keys as in the services' audit results."
        )
    )
    retired_reason = TranslatedField()
    services_meeting = serializers.SerializerMethodField(
        help_text="The published services that meet this criterion, by name."
    )
    fallback_languages = FallbackLanguagesField()

    class Meta:
        model = Criterion
        fields = [
            "key",
            "level",
            "text",
            "checks",
            "retired",
            "retired_reason",
            "services_meeting",
            "fallback_languages",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_checks(self, criterion: Criterion) -> list[str]:
        return list(checks_for(criterion.key))

    @extend_schema_field(MeetingServiceSerializer(many=True))
    def get_services_meeting(self, criterion: Criterion) -> list[dict[str, Any]]:
        met = services_meeting(criterion.public_assessments)
        return MeetingServiceSerializer(met, many=True, context=self.context).data


class CriterionSerializer(SubCriterionSerializer):
    children = SubCriterionSerializer(
        many=True,
        read_only=True,
        source="published_children",
        help_text="Sub-items of a list criterion (e.g. the website-security headers).",
    )

    class Meta(SubCriterionSerializer.Meta):
        fields = [*SubCriterionSerializer.Meta.fields[:-1], "children", "fallback_languages"]


class LevelSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=Level.choices)
    name = serializers.CharField(help_text="The level's label in the requested language.")
    criteria = CriterionSerializer(many=True)


class CriterionGroupSerializer(serializers.ModelSerializer):
    name = TranslatedField()
    intro = TranslatedField(help_text="Markdown.")
    minimum_note = TranslatedField()
    levels = serializers.SerializerMethodField(
        help_text="Minimum to qualify, then best case, each with its published criteria."
    )
    fallback_languages = FallbackLanguagesField()

    class Meta:
        model = CriterionGroup
        fields = ["key", "name", "intro", "minimum_note", "levels", "fallback_languages"]

    @extend_schema_field(LevelSerializer(many=True))
    def get_levels(self, group: CriterionGroup) -> list[dict[str, Any]]:
        levels = [
            {
                "level": level,
                "name": str(label),
                "criteria": [c for c in group.published_criteria if c.level == level],
            }
            for level, label in Level.choices
        ]
        return LevelSerializer(levels, many=True, context=self.context).data


def _published_criteria() -> QuerySet[Criterion]:
    """Published criteria with the assessments of published services (for services_meeting)."""
    return Criterion.objects.published().with_public_assessments()


@extend_schema_view(
    list=extend_schema(
        summary="Criteria, by group and level, with the services meeting each",
        parameters=[language_parameter()],
        responses={200: CriterionGroupSerializer(many=True), **ERROR_RESPONSES},
    ),
    retrieve=extend_schema(
        summary="One criterion group, by key",
        parameters=[language_parameter()],
        responses={200: CriterionGroupSerializer, **ERROR_RESPONSES},
    ),
)
class CriterionGroupViewSet(PublicApiMixin, viewsets.ReadOnlyModelViewSet):
    """The criteria a recommended service must meet, grouped, minimum and best case."""

    serializer_class = CriterionGroupSerializer
    lookup_field = "key"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"

    def get_queryset(self) -> QuerySet[CriterionGroup]:
        top_level = (
            _published_criteria()
            .filter(parent__isnull=True)
            .prefetch_related(
                Prefetch("children", queryset=_published_criteria(), to_attr="published_children")
            )
            .order_by("level", "order", "key")
        )
        return CriterionGroup.objects.prefetch_related(
            Prefetch("criteria", queryset=top_level, to_attr="published_criteria")
        ).order_by("order", "key")


# --- The services endpoint, with each service's assessments -----------------------------------


class AssessmentSerializer(serializers.ModelSerializer):
    criterion = serializers.CharField(source="criterion.key", help_text="The criterion's key.")
    note = TranslatedField()
    fallback_languages = FallbackLanguagesField()

    class Meta:
        model = Assessment
        fields = [
            "criterion",
            "verdict",
            "source",
            "evidence_url",
            "note",
            "assessed_at",
            "fallback_languages",
        ]


class AssessedServiceSerializer(ServiceDetailSerializer):
    assessments = AssessmentSerializer(
        many=True,
        read_only=True,
        source="public_assessments",
        help_text="Editorial and automated assessments against the published criteria.",
    )

    class Meta(ServiceDetailSerializer.Meta):
        fields = [*ServiceDetailSerializer.Meta.fields[:-1], "assessments", "fallback_languages"]


@extend_schema_view(
    retrieve=extend_schema(
        summary="One published service, by slug, with its assessments",
        parameters=[language_parameter()],
        responses={200: AssessedServiceSerializer, **ERROR_RESPONSES},
    ),
)
class AssessedServiceViewSet(ServiceViewSet):
    """Published services; the detail also lists the service's assessments."""

    detail_serializer_class = AssessedServiceSerializer

    def detail_prefetches(self) -> list[Prefetch]:
        assessments = Assessment.objects.of_published_criteria().select_related("criterion")
        return [Prefetch("assessments", queryset=assessments, to_attr="public_assessments")]

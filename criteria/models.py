"""The criteria a recommended service must meet, and each service's assessment against them."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Prefetch, Value, When
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.publishing import PublicationState, Publishable, PublishableQuerySet
from providers.models import Service


class CriterionGroup(models.Model):
    key = models.SlugField(_("key"), max_length=80, unique=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=200)
    intro = models.TextField(_("introduction"), blank=True)
    minimum_note = models.TextField(
        _("note on the minimum"),
        blank=True,
        help_text=_("Text shown between the minimum criteria, as the document has it."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("criterion group")
        verbose_name_plural = _("criterion groups")

    def __str__(self) -> str:
        return self.name


class Level(models.TextChoices):
    MINIMUM = "minimum", _("Minimum to qualify")
    BEST = "best", _("Best case")


class CriterionQuerySet(PublishableQuerySet):
    def top_level(self) -> CriterionQuerySet:
        return self.filter(parent__isnull=True)

    def active(self) -> CriterionQuerySet:
        return self.filter(retired=False)

    def with_public_assessments(self) -> CriterionQuerySet:
        """Each criterion with `public_assessments`: those of published services, with the service.

        The input of criteria.verdicts.services_meeting, for the criteria page and the API alike.
        """
        assessments = Assessment.objects.of_published_services().select_related("service")
        return self.prefetch_related(
            Prefetch("assessments", queryset=assessments, to_attr="public_assessments")
        )


class Criterion(Publishable):
    key = models.SlugField(_("key"), max_length=80, unique=True)
    group = models.ForeignKey(CriterionGroup, on_delete=models.PROTECT, related_name="criteria")
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    text = models.TextField(_("text"))
    retired = models.BooleanField(
        _("retired"), default=False, help_text=_("Kept for the record but no longer assessed.")
    )
    retired_reason = models.TextField(_("why retired"), blank=True)
    history = HistoricalRecords()

    objects = CriterionQuerySet.as_manager()

    class Meta:
        ordering = ["group__order", "level", "order", "pk"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        permissions = [("publish_criterion", _("Can publish, send back and retire criteria"))]

    def __str__(self) -> str:
        first_line = self.text.strip().splitlines()[0] if self.text.strip() else self.key
        return first_line if len(first_line) <= 80 else first_line[:79] + "…"

    def clean(self) -> None:
        if self.retired and not self.retired_reason:
            raise ValidationError({"retired_reason": _("Say why the criterion is retired.")})
        if self.parent_id:
            if self.parent_id == self.pk:
                raise ValidationError({"parent": _("A criterion cannot be part of itself.")})
            if self.parent.parent_id:
                raise ValidationError({"parent": _("Criteria nest one level deep only.")})
            if self.parent.group_id != self.group_id or self.parent.level != self.level:
                raise ValidationError(
                    {"parent": _("A sub-item shares its parent's group and level.")}
                )


class Verdict(models.TextChoices):
    MET = "met", _("Met")
    PARTLY = "partly", _("Partly met")
    NOT_MET = "not_met", _("Not met")
    UNKNOWN = "unknown", _("Unknown")


class AssessmentSource(models.TextChoices):
    EDITORIAL = "editorial", _("Editorial")
    AUTOMATED = "automated", _("Automated")


class AssessmentQuerySet(models.QuerySet):
    def of_published_services(self) -> AssessmentQuerySet:
        # Only assessments of published services may name a service in public.
        return self.filter(service__state=PublicationState.PUBLISHED)

    def of_published_criteria(self) -> AssessmentQuerySet:
        # Assessments against draft criteria stay private.
        return self.filter(criterion__state=PublicationState.PUBLISHED)

    def editorial_first(self) -> AssessmentQuerySet:
        """The editor's assessment before the automated one: the editor's decides (verdicts.py)."""
        editorial_rank = Case(When(source=AssessmentSource.EDITORIAL, then=Value(0)), default=1)
        return self.order_by(editorial_rank, "pk")


class Assessment(models.Model):
    """Whether a service meets a criterion, by an editor or by an automated check.

    A service can have both an editorial and an automated assessment of one criterion: automated
    runs never overwrite an editor's judgement.
    """

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="assessments")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="assessments")
    verdict = models.CharField(
        _("verdict"), max_length=8, choices=Verdict.choices, default=Verdict.UNKNOWN
    )
    source = models.CharField(
        _("source"),
        max_length=10,
        choices=AssessmentSource.choices,
        default=AssessmentSource.EDITORIAL,
    )
    evidence_url = models.URLField(_("evidence"), max_length=500, blank=True)
    note = models.TextField(_("note"), blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assessed_at = models.DateTimeField(_("assessed at"), null=True, blank=True)
    history = HistoricalRecords()

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["service", "criterion__group__order", "criterion__level", "criterion__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "criterion", "source"], name="one_assessment_per_source"
            ),
        ]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")

    def __str__(self) -> str:
        return f"{self.service} / {self.criterion.key}: {self.get_verdict_display()}"

    @property
    def is_live_content(self) -> bool:
        """Visitors see it (so a change needs review) when both its service and criterion are
        published; portal/review.py asks."""
        return (
            self.service.state == PublicationState.PUBLISHED
            and self.criterion.state == PublicationState.PUBLISHED
        )

    def clean(self) -> None:
        if self.criterion_id and self.criterion.retired and self.verdict != Verdict.UNKNOWN:
            raise ValidationError({"criterion": _("Retired criteria are no longer assessed.")})

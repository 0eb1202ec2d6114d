from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from portal.admin_support import HistoryTranslationAdmin, PublishableAdmin, TranslatedInline
from portal.snapshots import Part, register_parts
from providers.admin import ServiceAdmin
from providers.models import Service

from .automation import check_label, checks_for
from .models import Assessment, AssessmentSource, Criterion, CriterionGroup


class EditorialAssessmentForm(forms.ModelForm):
    """A person's assessment is editorial: `source` is shown but fixed. It stays in the form (not
    read-only) so the one-assessment-per-source constraint is still validated."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "source" in self.fields:
            field = self.fields["source"]
            field.choices = [(AssessmentSource.EDITORIAL, AssessmentSource.EDITORIAL.label)]
            field.initial = AssessmentSource.EDITORIAL
            field.disabled = True


class AssessmentInline(TranslatedInline):
    """The editors' own verdicts. Automated ones come only from the audit pipeline
    (criteria/automation.py) and are shown read-only on their own admin page."""

    model = Assessment
    form = EditorialAssessmentForm
    autocomplete_fields = ("criterion",)
    fields = (
        ("criterion", "verdict", "source"),
        "evidence_url",
        "note",
        ("assessed_by", "assessed_at"),
    )
    readonly_fields = ("assessed_by", "assessed_at")
    verbose_name_plural = _("editorial assessments")

    def get_queryset(self, request: HttpRequest) -> Any:
        return (
            super()
            .get_queryset(request)
            .filter(source=AssessmentSource.EDITORIAL)
            .select_related("criterion", "assessed_by")
        )

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        """Stamp who assessed and when on every assessment the editor adds or changes."""
        base = super().get_formset(request, obj, **kwargs)
        user = request.user

        class StampingFormSet(base):  # type: ignore[valid-type,misc]
            def save_new(self, form: Any, commit: bool = True) -> Any:
                _stamp(form.instance, user)
                return super().save_new(form, commit)

            def save_existing(self, form: Any, instance: Any, commit: bool = True) -> Any:
                _stamp(instance, user)
                return super().save_existing(form, instance, commit)

        return StampingFormSet


def _stamp(assessment: Assessment, user: Any) -> None:
    """Who assessed and when; whatever a form said, a person's assessment is editorial."""
    assessment.source = AssessmentSource.EDITORIAL
    assessment.assessed_by = user
    assessment.assessed_at = timezone.now()


# Assessments are edited on the service page. providers must not import criteria, so the inline
# is attached here, where both are known.
ServiceAdmin.inlines = [*ServiceAdmin.inlines, AssessmentInline]
# ... and they are part of the service's revisions. Automated ones are not: the audit pipeline
# writes them on the live service, and no revision may bring back or remove machine evidence.
register_parts(Service, Part("assessments", {"source": AssessmentSource.EDITORIAL}))
register_parts(Criterion, Part("children"))


def _criteria_page(language: str) -> str:
    with translation.override(language):
        return reverse("criteria:criteria")


class CriterionChildInline(TranslatedInline):
    model = Criterion
    fk_name = "parent"
    fields = (("key", "order"), "text", ("retired", "retired_reason"))
    verbose_name_plural = "sub-items"


@admin.register(Criterion)
class CriterionAdmin(PublishableAdmin):
    list_display = ("__str__", "group", "level", "automated_checks", "retired", "state")
    list_filter = ("state", "group", "level", "retired")
    search_fields = ("key", "text")
    list_select_related = ("group", "parent")
    autocomplete_fields = ("parent",)
    fieldsets = (
        (None, {"fields": ("key", "group", "level", "parent", "order", "text")}),
        ("Retirement", {"fields": ("retired", "retired_reason")}),
        ("Publication", {"fields": PublishableAdmin.workflow_fields}),
    )

    def public_path(self, obj: Criterion, language: str) -> str:
        return _criteria_page(language)

    @admin.display(description=_("automated checks"))
    def automated_checks(self, criterion: Criterion) -> str:
        # The mapping is code (audits/scoring.py), shown here so editors see it, never edited.
        return ", ".join(check_label(key) for key in checks_for(criterion.key)) or "—"


@admin.register(CriterionGroup)
class CriterionGroupAdmin(HistoryTranslationAdmin):
    list_display = ("name", "key", "order")
    search_fields = ("key", "name")

    def public_path(self, obj: CriterionGroup, language: str) -> str:
        return _criteria_page(language)


@admin.register(Assessment)
class AssessmentAdmin(HistoryTranslationAdmin):
    list_display = ("service", "criterion", "verdict", "source", "assessed_at")
    list_filter = ("verdict", "source", "criterion__group", "service")
    search_fields = ("service__name", "criterion__key", "criterion__text")
    autocomplete_fields = ("service", "criterion")
    form = EditorialAssessmentForm
    readonly_fields = ("assessed_by", "assessed_at")
    list_select_related = ("service", "criterion")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Automated assessments are machine evidence: nobody edits or deletes them by hand.
        if obj is not None and obj.source == AssessmentSource.AUTOMATED:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.source == AssessmentSource.AUTOMATED:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Assessment, form: Any, change: bool) -> None:
        _stamp(obj, request.user)
        super().save_model(request, obj, form, change)

    def public_path(self, obj: Assessment, language: str) -> str:
        with translation.override(language):
            return reverse("criteria:service", args=[obj.service.slug])

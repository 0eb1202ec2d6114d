from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from portal.admin_support import (
    HistoryTranslationAdmin,
    PlainTabularInline,
    PublishableAdmin,
    TranslatedInline,
    https_formfield,
)
from portal.snapshots import Part, register_parts

from .countries import country_name
from .domains import InvalidDomain, display_name, normalise_name
from .filters import name_sort_key
from .models import (
    Feature,
    FeatureChoice,
    FeatureGroup,
    FeatureValue,
    FreeFeature,
    PageText,
    RecommendationGroup,
    Service,
    ServiceDomain,
    ServiceDownload,
    ServiceLink,
    ServiceSection,
)


class CountryInUseFilter(admin.SimpleListFilter):
    """Headquarters countries of the services there are, by name in the editor's language (not a
    list of every country in the world)."""

    title = _("headquarters country")
    parameter_name = "hq_country"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        codes = (
            Service.objects.exclude(hq_country="")
            .order_by()
            .values_list("hq_country", flat=True)
            .distinct()
        )
        named = [(str(code), country_name(str(code))) for code in codes]
        return sorted(named, key=lambda choice: name_sort_key(choice[1]))

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        return queryset.filter(hq_country=self.value()) if self.value() else queryset


class ServiceLinkInline(PlainTabularInline):
    model = ServiceLink


class ServiceDownloadInline(PlainTabularInline):
    model = ServiceDownload
    fields = ("platform", "label", "url", "order")


class ServiceDomainInline(PlainTabularInline):
    model = ServiceDomain
    fields = ("name", "dns_name", "role", "dkim_selectors", "wkd_address", "audit_enabled")
    readonly_fields = ("dns_name",)

    @admin.display(description=_("as audited"))
    def dns_name(self, domain: ServiceDomain) -> str:
        """Both forms of an internationalised name, "straße.de (xn--strae-oqa.de)": people read
        the first, DNS and the audit use the second."""
        if not domain.name:
            return "–"
        try:
            return display_name(normalise_name(domain.name, allow_test=True).ascii)
        except InvalidDomain as exc:
            return str(exc)


class FeatureValueForm(forms.ModelForm):
    class Meta:
        model = FeatureValue
        fields = (
            "feature",
            "status",
            "bool_value",
            "number_value",
            "unlimited",
            "choices",
            "note",
            "source_url",
            "last_verified",
        )
        formfield_callback = https_formfield

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        feature = cleaned.get("feature")
        if feature is not None:
            FeatureValue.validate_choices(feature, list(cleaned.get("choices") or []))
        return cleaned


class FeatureValueInline(TranslatedInline):
    model = FeatureValue
    form = FeatureValueForm
    autocomplete_fields = ("feature",)
    filter_horizontal = ("choices",)
    fields = (
        ("feature", "status"),
        ("bool_value", "number_value", "unlimited"),
        "choices",
        "note",
        ("source_url", "last_verified"),
    )


class ServiceSectionInline(TranslatedInline):
    model = ServiceSection
    fields = (("group", "status", "order"), "heading", "body")


class FreeFeatureInline(TranslatedInline):
    model = FreeFeature
    fields = (("order", "included"), "text")


@admin.register(Service)
class ServiceAdmin(PublishableAdmin):
    list_display = ("name", "kind", "group", "state", "founded_year", "hq_country", "updated_at")
    list_filter = ("state", "kind", "group", CountryInUseFilter, "free_plan")
    search_fields = ("name", "slug", "summary", "domains__name")
    prepopulated_fields = {"slug": ("name",)}
    list_select_related = ("group",)
    inlines = [
        ServiceLinkInline,
        ServiceDownloadInline,
        ServiceDomainInline,
        ServiceSectionInline,
        FeatureValueInline,
        FreeFeatureInline,
    ]
    fieldsets = (
        (None, {"fields": ("kind", "name", "slug", "group", "order", "logo")}),
        (_("Recommendation"), {"fields": ("summary", "description")}),
        (
            _("Facts"),
            {
                "fields": (
                    "founded_year",
                    ("hq_country", "hq_city"),
                    ("free_plan", "free_storage_mb", "storage_mb", "trial_days"),
                    "pricing_notes",
                )
            },
        ),
        (_("Publication"), {"fields": PublishableAdmin.workflow_fields}),
    )

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("group")

    def public_path(self, obj: Service, language: str) -> str:
        # The service page is the criteria app's (it shows the checklist); named, not imported.
        with translation.override(language):
            return reverse("criteria:service", args=[obj.slug])


# What a service's pending revision carries beside its own fields: the parts edited inline.
register_parts(
    Service,
    Part("links"),
    Part("downloads"),
    Part("domains"),
    Part("sections"),
    Part("feature_values"),
    Part("free_features"),
)


class FeatureChoiceInline(TranslatedInline):
    model = FeatureChoice
    fields = (("key", "order"), "name")


@admin.register(Feature)
class FeatureAdmin(HistoryTranslationAdmin):
    list_display = ("name", "key", "kind", "group", "unit")
    list_filter = ("kind", "group")
    search_fields = ("key", "name")
    inlines = [FeatureChoiceInline]
    list_select_related = ("group",)

    def public_path(self, obj: Feature, language: str) -> str:
        with translation.override(language):
            return reverse("providers:compare")


register_parts(Feature, Part("choices"))


@admin.register(FeatureGroup)
class FeatureGroupAdmin(HistoryTranslationAdmin):
    list_display = ("name", "key", "order")
    search_fields = ("key", "name")


@admin.register(RecommendationGroup)
class RecommendationGroupAdmin(HistoryTranslationAdmin):
    list_display = ("name", "key", "kind", "order")
    list_filter = ("kind",)
    search_fields = ("key", "name")


@admin.register(PageText)
class PageTextAdmin(HistoryTranslationAdmin):
    list_display = ("key", "placement", "kind", "order")
    list_filter = ("placement", "kind")
    search_fields = ("key", "title", "body")

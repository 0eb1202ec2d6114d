"""Building blocks the apps' admins share: translation completeness, workflow, history."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language_info, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from modeltranslation.admin import TabbedTranslationAdmin, TranslationStackedInline
from modeltranslation.utils import build_localized_fieldname
from simple_history.admin import SimpleHistoryAdmin

from . import translation_state
from .admin_review import ReviewedChangesMixin
from .history_changes import HistoryChangesMixin
from .publishing import (
    TRANSITIONS,
    TransitionNotAllowed,
    apply_transition,
    can_publish,
)
from .review import is_live
from .translation_support import translated_field_names


def translation_completeness(obj: models.Model, language: str) -> tuple[int, int]:
    """(filled, total) translated fields of `obj` in `language`, counting only fields that have
    English text: an empty English field needs no translation."""
    filled = total = 0
    for name in translated_field_names(type(obj)):
        if not getattr(obj, build_localized_fieldname(name, "en"), ""):
            continue
        total += 1
        if getattr(obj, build_localized_fieldname(name, language), ""):
            filled += 1
    return filled, total


# Set on each object of a change list page by `TranslationCompletenessMixin`, so the columns
# read one query's result instead of querying per object.
SUMMARIES_ATTRIBUTE = "_mv_translation_summaries"


def _summary(obj: models.Model, language: str) -> translation_state.Summary:
    found = getattr(obj, SUMMARIES_ATTRIBUTE, None)
    if found is None:  # not on a change list page (a test, another view): ask for this one
        found = translation_state.summaries([obj])[translation_state.row_key(obj)]
        setattr(obj, SUMMARIES_ATTRIBUTE, found)
    return found[language]


def completeness_cell(summary: translation_state.Summary) -> str:
    """ "complete", or what is not: "2 stale", "1 missing, 2 stale"; in words and a class each,
    so it reads without colour."""
    if summary.total == 0:
        return "–"
    title = _("%(complete)s of %(total)s up to date, %(unreviewed)s not reviewed") % {
        "complete": summary.complete,
        "total": summary.total,
        "unreviewed": summary.unreviewed,
    }
    if not summary.stale and not summary.missing:
        return format_html(
            '<span class="mv-translation mv-complete" title="{}">{}</span>',
            title,
            translation_state.Status.COMPLETE.label,
        )
    problems = [
        format_html(
            '<span class="mv-translation mv-{}">{} {}</span>', status.value, count, status.label
        )
        for status, count in (
            (translation_state.Status.MISSING, summary.missing),
            (translation_state.Status.STALE, summary.stale),
        )
        if count
    ]
    return format_html(
        '<span title="{}">{}</span>', title, format_html_join(", ", "{}", ((p,) for p in problems))
    )


def _completeness_column(language: str) -> Callable[[models.Model], str]:
    def column(obj: models.Model) -> str:
        return completeness_cell(_summary(obj, language))

    column.short_description = language  # type: ignore[attr-defined]
    column.__name__ = f"translated_{language}"
    return column


class TranslationStateFilter(admin.SimpleListFilter):
    """ "Stale in Deutsch", "Missing in فارسی" ...: the rows (with their parts) that have at
    least one such text. Stale is computed from the texts (portal/translation_state.py), so the
    rows are read and counted here rather than filtered in SQL."""

    title = _("translation")
    parameter_name = "translation"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        choices = []
        for code in translation_state.translation_languages():
            name = get_language_info(code)["name_local"]
            choices += [
                (f"{code}:stale", _("Stale in %(language)s") % {"language": name}),
                (f"{code}:missing", _("Missing in %(language)s") % {"language": name}),
            ]
        return choices

    def queryset(self, request: HttpRequest, queryset: models.QuerySet) -> models.QuerySet:
        if not self.value():
            return queryset
        language, _sep, wanted = str(self.value()).partition(":")
        if language not in translation_state.translation_languages() or wanted not in (
            translation_state.Status.STALE,
            translation_state.Status.MISSING,
        ):
            return queryset.none()
        rows = list(queryset)
        found = translation_state.summaries(rows, [language])
        matching = [
            row.pk
            for row in rows
            if getattr(found[translation_state.row_key(row)][language], wanted)
        ]
        return queryset.filter(pk__in=matching)


class TranslationCompletenessMixin:
    """One column per non-default language saying whether the row's texts (its parts' included)
    are complete, stale or missing there, a filter for each case, and for publishers an action
    that confirms translations as still right for the current English."""

    def get_list_display(self, request: HttpRequest) -> list[Any]:
        columns = list(super().get_list_display(request))  # type: ignore[misc]
        for code, _name in settings.LANGUAGES:
            if code != settings.LANGUAGE_CODE:
                columns.append(_completeness_column(code))
        return columns

    def get_list_filter(self, request: HttpRequest) -> list[Any]:
        return [*super().get_list_filter(request), TranslationStateFilter]  # type: ignore[misc]

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        changelist = super().get_changelist_instance(request)  # type: ignore[misc]
        # Evaluated here (the template iterates the same, now cached, queryset) so that the
        # page's states are read in one go rather than once per row.
        rows = list(changelist.result_list)
        found = translation_state.summaries(rows)
        for row in rows:
            setattr(row, SUMMARIES_ATTRIBUTE, found[translation_state.row_key(row)])
        return changelist

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)  # type: ignore[misc]
        if can_publish(request.user, self.model):  # type: ignore[attr-defined]
            action = type(self).confirm_translations
            actions["confirm_translations"] = (
                action,
                "confirm_translations",
                action.short_description,  # type: ignore[attr-defined]
            )
        return actions

    @admin.action(description=_("Confirm the selected rows' translations as up to date"))
    def confirm_translations(self, request: HttpRequest, queryset: models.QuerySet) -> None:
        # For an English edit that does not change the meaning (a typo, a link): the
        # translations are reviewed against the new English instead of being redone.
        changed = translation_state.confirm_current(list(queryset), request.user)
        message = ngettext(
            "%(count)s translation confirmed as up to date.",
            "%(count)s translations confirmed as up to date.",
            changed,
        )
        self.message_user(  # type: ignore[attr-defined]
            request, message % {"count": changed}, messages.SUCCESS
        )


# Editors paste bare hosts now and then; assume https (the Django 6 default) rather than http.
URL_FIELD_OVERRIDES: dict[type[models.Field], dict[str, Any]] = {
    models.URLField: {"assume_scheme": "https"},
}


def https_formfield(db_field: models.Field, **kwargs: Any) -> Any:
    """`formfield_callback` for hand-written ModelForms, with the same https default."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class RightToLeftFieldsMixin:
    """Text in right-to-left languages (ckb, fa) is edited right to left, as it will be read."""

    def formfield_for_dbfield(
        self, db_field: models.Field, request: HttpRequest, **kwargs: Any
    ) -> Any:
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]
        language = getattr(db_field, "language", None)  # set by modeltranslation on its fields
        if formfield is not None and language and get_language_info(language)["bidi"]:
            formfield.widget.attrs.update({"dir": "rtl", "lang": language})
        return formfield


class HistoryTranslationAdmin(
    ReviewedChangesMixin,
    RightToLeftFieldsMixin,
    TranslationCompletenessMixin,
    HistoryChangesMixin,
    SimpleHistoryAdmin,
    TabbedTranslationAdmin,
):
    """The base for every curated model: tabs per language, completeness, history with per-language
    changes and restore, and changes to live content kept as pending revisions until a publisher
    publishes them."""

    formfield_overrides = URL_FIELD_OVERRIDES

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if not change and is_live(form.instance):
            # Content that is live once added (a page text, a feature) is a publisher's
            # decision: its translations are as reviewed as a published revision's.
            translation_state.review_published_item(form.instance, request.user)

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        # django-simple-history filters on the raw id: `/admin/.../10/change/history/` (a
        # mistyped URL) would be a 500. Like Django's own views, an impossible id is a 404.
        try:
            self.model._meta.pk.to_python(unquote(object_id))
        except ValidationError as exc:
            raise Http404 from exc
        return super().history_view(request, object_id, extra_context)


# Inlines of live content are edited like the rest of the form: into the parent's revision.
class TranslatedInline(RightToLeftFieldsMixin, TranslationStackedInline):
    extra = 0
    formfield_overrides = URL_FIELD_OVERRIDES


class PlainTabularInline(admin.TabularInline):
    extra = 0
    formfield_overrides = URL_FIELD_OVERRIDES


class PublishableAdmin(HistoryTranslationAdmin):
    """Workflow for publishable models: read-only state, transition buttons and actions.

    Every transition goes through `portal.publishing.apply_transition`, which checks the user's
    permission itself, so a hand-crafted POST cannot publish what the buttons would not offer.
    """

    workflow_fields = (
        "state",
        "state_changed_at",
        "state_changed_by",
        "published_at",
        "published_by",
    )
    actions = ["submit_selected", "publish_selected", "withdraw_selected", "retire_selected"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return (*super().get_readonly_fields(request, obj), *self.workflow_fields)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            # New content always starts as a draft, whoever writes it.
            obj.state = "draft"
        super().save_model(request, obj, form, change)

    # --- buttons on the change form
    def get_urls(self) -> list[Any]:
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/transition/<str:name>/",
                self.admin_site.admin_view(require_POST(self.transition_view)),
                name="{}_{}_transition".format(*info),
            ),
            *super().get_urls(),
        ]

    def transition_view(self, request: HttpRequest, object_id: str, name: str) -> HttpResponse:
        obj = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_view_permission(request, obj):
            raise TransitionNotAllowed
        self._transition_one(request, obj, name)
        return HttpResponseRedirect(
            reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])
        )

    def _transition_one(self, request: HttpRequest, obj: Any, name: str) -> bool:
        try:
            apply_transition(obj, name, request.user)
        except TransitionNotAllowed as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return False
        self.message_user(
            request,
            _("%(obj)s: %(action)s done.") % {"obj": obj, "action": TRANSITIONS[name].label},
            messages.SUCCESS,
        )
        return True

    # --- bulk actions on the change list
    def _bulk(self, request: HttpRequest, queryset: Any, name: str) -> None:
        for obj in queryset:
            self._transition_one(request, obj, name)

    @admin.action(description=_("Submit selected for review"))
    def submit_selected(self, request: HttpRequest, queryset: Any) -> None:
        self._bulk(request, queryset, "submit")

    @admin.action(description=_("Return selected to draft"))
    def withdraw_selected(self, request: HttpRequest, queryset: Any) -> None:
        self._bulk(request, queryset, "withdraw")

    @admin.action(description=_("Publish selected"), permissions=["publish"])
    def publish_selected(self, request: HttpRequest, queryset: Any) -> None:
        self._bulk(request, queryset, "publish")

    @admin.action(description=_("Retire selected"), permissions=["publish"])
    def retire_selected(self, request: HttpRequest, queryset: Any) -> None:
        self._bulk(request, queryset, "retire")

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(f"{self.opts.app_label}.publish_{self.opts.model_name}")

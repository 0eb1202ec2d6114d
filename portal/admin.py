"""The review queue: every pending revision, where it stands, and the form that edits it."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Revision


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    list_display = ("number", "content", "state", "edited_by", "edited_at", "submitted_by")
    list_filter = ("state", "content_type")
    list_select_related = ("content_type", "edited_by", "submitted_by", "created_by")
    readonly_fields = (
        "content",
        "state",
        "note",
        "created_by",
        "created_at",
        "edited_by",
        "edited_at",
        "submitted_by",
        "submitted_at",
        "decided_by",
        "decided_at",
    )
    fields = readonly_fields

    @admin.display(description="#", ordering="pk")
    def number(self, revision: Revision) -> int:
        return revision.pk

    @admin.display(description=_("content"))
    def content(self, revision: Revision) -> str:
        """A link to the content's own form: a revision is edited, moved and previewed there."""
        model = revision.target_model()
        label = f"{model._meta.verbose_name}: {revision.object_label}"
        try:
            url = reverse(
                f"admin:{model._meta.app_label}_{model._meta.model_name}_change",
                args=[revision.object_id],
            )
        except NoReverseMatch:
            return label
        return format_html('<a href="{}">{}</a>', url, label)

    # Revisions are written by the content's change form and moved by its workflow buttons.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

"""The admin side of review: live content is changed through a pending revision.

Opening a live object's change form shows its open revision if there is one; saving records the
form's result as that revision instead of changing the live rows. The trick that keeps every
admin feature (tabs per language, inlines, validation, autocomplete) working unchanged: the
revision is applied inside a transaction, Django's own change view runs on it, the result is
read back as a snapshot, and the transaction is rolled back. Visitors never see any of it.

The workflow buttons sit inside the change form, so pressing one saves what was typed first;
when the form does not validate, nothing moves and the editor is told why.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models, router, transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, resolve, reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .cache import batched_invalidation
from .models import Revision
from .publishing import (
    REVISION_TRANSITIONS,
    TRANSITIONS,
    PublicationState,
    Publishable,
    TransitionNotAllowed,
    allowed_transitions,
    apply_transition,
    can_publish,
)
from .review import (
    allowed_revision_transitions,
    is_live,
    move_revision,
    open_revision,
    record_revision,
    restore_version,
    same_content,
)
from .snapshots import Payload, apply_snapshot, part_ids, snapshot, snapshot_as_of
from .translation_support import translated_field_names

WORKFLOW_BUTTON = "_workflow"


class ReviewedChangesMixin:
    """For every curated model's admin (portal/admin_support.py HistoryTranslationAdmin)."""

    change_form_template = "admin/portal/reviewed_change_form.html"
    model: type[models.Model]

    # --- Where a preview shows the object: override per admin (default: the home page).
    def public_path(self, obj: Any, language: str) -> str:
        with translation.override(language):
            return reverse("providers:home")

    # --- Permissions: a live object may be changed (into a revision) by anyone who may change
    # the model; deleting live content, or adding content that is live at once, is a decision.
    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_delete_permission(request, obj)  # type: ignore[misc]
        if allowed and obj is not None and is_live(obj):
            return can_publish(request.user, self.model)
        return allowed and (obj is not None or can_publish(request.user, self.model))

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        allowed = super().has_add_permission(request, *args)  # type: ignore[misc]
        if issubclass(self.model, Publishable):
            return allowed  # new items start as drafts
        # A new page text, feature or group is live the moment it is saved.
        return allowed and can_publish(request.user, self.model)

    # --- URLs
    def get_urls(self) -> list[Any]:
        info = self.model._meta.app_label, self.model._meta.model_name
        view = self.admin_site.admin_view  # type: ignore[attr-defined]
        return [
            path(
                "<path:object_id>/changes/preview/",
                view(self.revision_preview_view),
                name="{}_{}_revision_preview".format(*info),
            ),
            *super().get_urls(),  # type: ignore[misc]
        ]

    # --- The change form
    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        obj = self.get_object(request, unquote(object_id))  # type: ignore[attr-defined]
        if obj is None:
            return super().change_view(request, object_id, form_url, extra_context)  # type: ignore[misc]
        if request.method == "POST" and request.POST.get(WORKFLOW_BUTTON):
            # After a workflow button, come back to the same form to see where things stand.
            request.POST = request.POST.copy()
            request.POST["_continue"] = "1"
        if is_live(obj):
            return self._change_through_revision(request, obj, object_id, form_url, extra_context)
        return self._change_in_place(request, obj, object_id, form_url, extra_context)

    def _change_in_place(
        self,
        request: HttpRequest,
        obj: Any,
        object_id: str,
        form_url: str,
        extra_context: dict[str, Any] | None,
    ) -> HttpResponse:
        context = dict(extra_context or {})
        if isinstance(obj, Publishable):
            context["workflow_transitions"] = allowed_transitions(request.user, obj)
        response = super().change_view(request, object_id, form_url, context)  # type: ignore[misc]
        if request.method != "POST":
            return response
        wanted = request.POST.get(WORKFLOW_BUTTON)
        if not _saved(response):
            if wanted:
                self._refuse_unsaved(request)
            return response
        obj.refresh_from_db()
        if (
            isinstance(obj, Publishable)
            and obj.state == PublicationState.IN_REVIEW
            and getattr(request, "_mv_changed", False)
            and wanted != "withdraw"
        ):
            # What the publisher reviews must be what was submitted: a change sends it back.
            apply_transition(obj, "withdraw", request.user)
            self.message_user(  # type: ignore[attr-defined]
                request,
                _("It was in review and has changed, so it is a draft again; submit it again."),
                messages.WARNING,
            )
        if wanted and isinstance(obj, Publishable) and wanted in TRANSITIONS:
            try:
                apply_transition(obj, wanted, request.user)
            except TransitionNotAllowed as exc:
                self.message_user(request, str(exc), messages.ERROR)  # type: ignore[attr-defined]
            else:
                self.message_user(  # type: ignore[attr-defined]
                    request,
                    _("%(obj)s: %(action)s done.")
                    % {"obj": obj, "action": TRANSITIONS[wanted].label},
                    messages.SUCCESS,
                )
        return response

    def _change_through_revision(
        self,
        request: HttpRequest,
        obj: Any,
        object_id: str,
        form_url: str,
        extra_context: dict[str, Any] | None,
    ) -> HttpResponse:
        revision = open_revision(obj)
        # Read before the revision is applied: what is live now, to compare the form's result
        # with. Only a save needs them; a plain view of the form does not pay for them.
        posted = request.method == "POST"
        live_part_ids = part_ids(obj) if posted else []
        live_payload = snapshot(obj) if posted else None
        context = dict(extra_context or {})
        context.update(
            revision=revision,
            # Without a revision yet, the form's save starts one, which can be submitted at once.
            revision_transitions=[
                REVISION_TRANSITIONS[name]
                for name in (
                    allowed_revision_transitions(request.user, revision) if revision else ["submit"]
                )
            ],
            live_content=True,
        )
        payload: Payload | None = None
        request._mv_into_revision = True  # type: ignore[attr-defined]
        # Nothing inside is kept: the public pages' cache must not be invalidated by it either.
        with (
            batched_invalidation(quiet=True),
            transaction.atomic(using=router.db_for_write(self.model)),
        ):
            if revision is not None:
                apply_snapshot(obj, revision.payload, keep_placeholders=True)
            response = super().change_view(request, object_id, form_url, context)  # type: ignore[misc]
            if request.method == "POST" and _saved(response):
                saved = self.model._default_manager.get(pk=obj.pk)
                payload = snapshot(saved, renumber=live_part_ids)
            elif request.method == "POST" and request.POST.get(WORKFLOW_BUTTON):
                self._refuse_unsaved(request)  # before rendering, so the page shows it
            if isinstance(response, TemplateResponse):
                response.render()  # while the revision is still applied
            transaction.set_rollback(True)
        request._mv_into_revision = False  # type: ignore[attr-defined]
        if request.method != "POST":
            return response
        wanted = request.POST.get(WORKFLOW_BUTTON)
        if payload is None:
            return response
        if revision is None and live_payload is not None and same_content(payload, live_payload):
            # A save without changes starts no revision (and so has nothing to submit).
            messages.info(request, _("Nothing changed."))
            return response
        before = revision.payload if revision is not None else None
        revision = record_revision(obj, payload, request.user)
        if revision.payload != before:
            self.message_user(  # type: ignore[attr-defined]
                request,
                _(
                    "Your changes are saved as pending revision #%(number)s. Visitors see the "
                    "live version until a publisher publishes it."
                )
                % {"number": revision.pk},
                messages.SUCCESS,
            )
            self.log_change(request, obj, f"Pending revision #{revision.pk} saved.")  # type: ignore[attr-defined]
        if wanted:
            self._move(request, revision, wanted)
        return response

    def _move(self, request: HttpRequest, revision: Revision, name: str) -> None:
        try:
            move_revision(revision, name, request.user)
        except TransitionNotAllowed as exc:
            self.message_user(request, str(exc), messages.ERROR)  # type: ignore[attr-defined]
            return
        self.message_user(  # type: ignore[attr-defined]
            request,
            _("Revision #%(number)s: %(action)s done.")
            % {"number": revision.pk, "action": REVISION_TRANSITIONS[name].label},
            messages.SUCCESS,
        )

    def _refuse_unsaved(self, request: HttpRequest) -> None:
        messages.error(request, _("Nothing was saved or moved: correct the errors below first."))

    def message_user(self, request: HttpRequest, message: Any, *args: Any, **kwargs: Any) -> None:
        # Django's "was changed successfully" would be untrue while the form runs on a revision
        # that is rolled back; our own message says where the change went.
        if getattr(request, "_mv_into_revision", False):
            return
        super().message_user(request, message, *args, **kwargs)  # type: ignore[misc]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)  # type: ignore[misc]
        request._mv_changed = form.has_changed() or any(  # type: ignore[attr-defined]
            formset.has_changed() for formset in formsets
        )

    # --- Preview of the open revision in the public layout
    def revision_preview_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        obj = self.get_object(request, unquote(object_id))  # type: ignore[attr-defined]
        if obj is None:
            raise Http404
        if not self.has_view_permission(request, obj):  # type: ignore[attr-defined]
            raise PermissionDenied
        revision = open_revision(obj)
        if revision is None:
            raise Http404(_("There is no pending revision to preview."))
        language = request.GET.get("language", "en")
        if language not in dict(_languages()):
            raise Http404
        with (
            batched_invalidation(quiet=True),
            transaction.atomic(using=router.db_for_write(self.model)),
            translation.override(language),
        ):
            apply_snapshot(obj, revision.payload, keep_placeholders=True)
            match = resolve(self.public_path(obj, language))
            # The undecorated view: a preview never reads or fills the public page cache.
            view = getattr(match.func, "__wrapped__", match.func)
            request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
            response = view(request, *match.args, **match.kwargs)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            transaction.set_rollback(True)
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    # --- Restoring a version from the history
    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        obj = self.get_object(request, unquote(object_id))  # type: ignore[attr-defined]
        if obj is None:
            raise Http404
        # Checked against the live object, whatever the version says about its state.
        if not self.has_change_permission(request, obj):  # type: ignore[attr-defined]
            raise PermissionDenied
        record = get_object_or_404(
            self.model.history.model,  # type: ignore[attr-defined]
            pk=_int_or_404(version_id),
            id=obj.pk,
        )
        if request.method == "POST":
            revision = restore_version(record, request.user)
            if revision is not None:
                text = _(
                    "The version is restored as pending revision #%(number)s; visitors see "
                    "the live version until a publisher publishes it."
                ) % {"number": revision.pk}
            else:
                text = _("The version is restored.")
            self.message_user(request, text, messages.SUCCESS)
            info = self.model._meta.app_label, self.model._meta.model_name
            return HttpResponseRedirect(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
        context = {
            **self.admin_site.each_context(request),  # type: ignore[attr-defined]
            "opts": self.model._meta,
            "original": obj,
            "record": record,
            "differences": differences(snapshot(obj), snapshot_as_of(record), type(obj)),
            "live_content": is_live(obj),
            "title": _("Restore a version of %(obj)s") % {"obj": obj},
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/portal/restore_version.html", context)


def _saved(response: HttpResponse) -> bool:
    """Django's change view redirects after a successful save and re-renders on errors."""
    return response.status_code == 302


def _int_or_404(value: str) -> int:
    try:
        return int(value)
    except ValueError as exc:
        raise Http404 from exc


def _languages() -> list[tuple[str, str]]:
    from django.conf import settings

    return list(settings.LANGUAGES)


def differences(
    current: Payload, version: Payload, model: type[models.Model]
) -> list[dict[str, Any]]:
    """The fields (one row per language column) and parts where the version differs from now."""
    rows = []
    translated = {
        f"{name}_{code}": name
        for name in translated_field_names(model)
        for code, _n in _languages()
    }
    for name, old in version["fields"].items():
        new = current["fields"].get(name)
        if old != new:
            base = translated.get(name, name.removesuffix("_id"))
            label = str(model._meta.get_field(base).verbose_name)
            language = name.rsplit("_", 1)[1] if name in translated else ""
            rows.append({"field": label, "language": language, "version": old, "now": new})
    for accessor, parts in version["parts"].items():
        if parts != current["parts"].get(accessor):
            rows.append(
                {
                    "field": accessor.replace("_", " "),
                    "language": "",
                    "version": _("%(count)s rows") % {"count": len(parts)},
                    "now": _("%(count)s rows") % {"count": len(current["parts"].get(accessor, []))},
                }
            )
    return rows
